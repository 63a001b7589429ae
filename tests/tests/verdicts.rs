//! Verdict tables (tests/fixtures/verdicts.json): small estates in either source format, and the
//! status each control must give every resource. Then every finding over the demo, reasons
//! included, as a reviewed snapshot.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use posture_queries::{Finding, Status};
use posture_sql::Inventory;
use serde_json::Value;

use crate::repo;

fn as_of() -> i64 {
    chrono::DateTime::parse_from_rfc3339(posture_sql::demo::CAPTURED_AT)
        .unwrap()
        .timestamp_micros()
}

pub fn run(inventory: Inventory, control: &str, params: &HashMap<String, String>) -> Vec<Finding> {
    run_shared(&Arc::new(inventory), control, params)
}

pub fn run_shared(
    inventory: &Arc<Inventory>,
    control: &str,
    params: &HashMap<String, String>,
) -> Vec<Finding> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ctx = posture_sql::session(inventory.clone()).unwrap();
    runtime
        .block_on(
            posture_queries::control(control)
                .unwrap()
                .run(&ctx, params, as_of()),
        )
        .unwrap_or_else(|e| panic!("{control}: {e}"))
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Alarm => "alarm",
        Status::Skip => "skip",
        Status::Muted => "muted",
    }
}

/// One case of tests/fixtures/verdicts.json: a tiny estate, a control with its parameters, and
/// the statuses expected for every resource it reports (sorted; an id may be reported twice).
pub struct Case {
    pub name: String,
    pub control: String,
    pub inventory: Inventory,
    pub params: HashMap<String, String>,
    pub expect: BTreeMap<String, Vec<String>>,
}

pub fn cases() -> Vec<Case> {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/verdicts.json")).unwrap(),
    )
    .unwrap();
    let all = table["cases"].as_array().unwrap();
    all.iter()
        .map(|case| {
            let control = case["control"].as_str().unwrap().to_string();
            let name = format!("{control}: {}", case["name"].as_str().unwrap());
            // `files_of`: the estate of the first case of that control.
            let files = match case["files_of"].as_str() {
                Some(other) => &all.iter().find(|c| c["control"] == other).unwrap()["files"],
                None => &case["files"],
            };
            let files: Vec<(String, String)> = files
                .as_object()
                .unwrap()
                .iter()
                .map(|(p, v)| (p.clone(), v.to_string()))
                .collect();
            let inventory = Inventory::from_files(
                files
                    .iter()
                    .map(|(p, t)| (Path::new(p.as_str()), t.as_str())),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let params = case["params"]
                .as_object()
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let expect = case["expect"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(id, status)| {
                    let mut statuses: Vec<String> = match status {
                        Value::Array(list) => list
                            .iter()
                            .map(|s| s.as_str().unwrap().to_string())
                            .collect(),
                        s => vec![s.as_str().unwrap().to_string()],
                    };
                    statuses.sort();
                    (id.clone(), statuses)
                })
                .collect();
            Case {
                name,
                control,
                inventory,
                params,
                expect,
            }
        })
        .collect()
}

#[test]
fn every_verdict_table_case_holds() {
    let mut covered = std::collections::HashSet::new();
    for case in cases() {
        let name = &case.name;
        covered.insert(case.control.clone());
        let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let findings = run(case.inventory, &case.control, &case.params);
        for f in &findings {
            got.entry(f.resource_id.clone())
                .or_default()
                .push(status_name(f.status).to_string());
            assert!(
                !f.reason.is_empty() && f.reason.chars().count() <= 256,
                "{name}: reason {:?}",
                f.reason
            );
        }
        got.values_mut().for_each(|v| v.sort());
        assert_eq!(got, case.expect, "{name}\n{findings:#?}");
    }
    for c in posture_queries::catalogue() {
        assert!(
            covered.contains(c.id.as_str()),
            "{} has no verdict table",
            c.id
        );
    }
}

#[test]
fn every_demo_finding_and_reason() {
    let demo = Inventory::demo();
    let ctx = posture_sql::session(Arc::new(demo)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut lines = Vec::new();
    for c in posture_queries::catalogue() {
        let mut findings = runtime
            .block_on(c.run(&ctx, &HashMap::new(), as_of()))
            .unwrap();
        findings.sort_by(|a, b| {
            (&a.account_id, &a.region, &a.resource_id).cmp(&(
                &b.account_id,
                &b.region,
                &b.resource_id,
            ))
        });
        for f in findings {
            lines.push(format!(
                "{} {} {}/{} {}: {}",
                c.id,
                status_name(f.status),
                f.account_id,
                f.region,
                f.resource_id,
                f.reason
            ));
        }
    }
    insta::assert_snapshot!("demo_findings", lines.join("\n"));
}

#[test]
fn every_control_reports_nothing_on_an_empty_estate() {
    for c in posture_queries::catalogue() {
        assert_eq!(
            run(Inventory::default(), &c.id, &HashMap::new()),
            Vec::new(),
            "{}",
            c.id
        );
    }
}
