//! `ec2_instance_exposure`: reachable ports, paths and severities, over the reachability verdict
//! estate (tests/fixtures/verdicts.json) and the demo account.

use std::path::Path;
use std::sync::Arc;

use posture_sql::Inventory;
use serde_json::{Map, Value};

use crate::repo;

fn exposure(inventory: Inventory) -> Vec<Map<String, Value>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let ctx = posture_sql::session(Arc::new(inventory)).unwrap();
        posture_queries::views::register(&ctx).await.unwrap();
        let batches = ctx
            .sql("select * from ec2_instance_exposure order by instance_id")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        crate::json_rows(&batches)
    })
}

fn row<'a>(rows: &'a [Map<String, Value>], id: &str) -> &'a Map<String, Value> {
    rows.iter()
        .find(|r| r["instance_id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default()
}

fn verdict_estate() -> Inventory {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/verdicts.json")).unwrap(),
    )
    .unwrap();
    let case = table["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "ec2_instance_not_internet_reachable")
        .unwrap();
    let files: Vec<(String, String)> = case["files"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(p, v)| (p.clone(), v.to_string()))
        .collect();
    Inventory::from_files(
        files
            .iter()
            .map(|(p, t)| (Path::new(p.as_str()), t.as_str())),
    )
    .unwrap()
}

#[test]
fn ports_and_paths_follow_route_acl_and_groups() {
    let rows = exposure(verdict_estate());
    // A lower-numbered NACL deny on 22 wins over the later allow: only 443 gets through.
    let nacl = row(&rows, "i-nacl");
    assert_eq!(strings(&nacl["internet_reachable_ports"]), ["tcp/443-443"]);
    assert!(
        nacl["path"]
            .as_str()
            .unwrap()
            .contains("acl-no-ssh (rule 90 denies tcp 22, rule 100 allows all traffic"),
        "{nacl:?}"
    );
    // Two security groups add up.
    assert_eq!(
        strings(&row(&rows, "i-two-sgs")["internet_reachable_ports"]),
        ["tcp/22-22", "tcp/443-443"]
    );
    // IPv6 only: reachable through the ::/0 route and a ::/0 rule.
    let v6 = row(&rows, "i-v6");
    assert_eq!(
        (
            v6["internet_reachable"].clone(),
            strings(&v6["internet_reachable_ports"])
        ),
        (Value::Bool(true), vec!["tcp/443-443"])
    );
    assert!(
        v6["path"]
            .as_str()
            .unwrap()
            .starts_with("IPv6 2600:1f18:aa:bb01::10 → rtb-public routes ::/0 to igw-1"),
        "{v6:?}"
    );
    // A public IP whose subnet routes 0.0.0.0/0 to a NAT gateway, not an internet gateway.
    let no_igw = row(&rows, "i-no-igw");
    assert_eq!(no_igw["internet_reachable"], false);
    assert!(strings(&no_igw["internet_reachable_ports"]).is_empty());
    assert!(
        no_igw["path"]
            .as_str()
            .unwrap()
            .contains("IPv4 54.0.0.1 but no 0.0.0.0/0 route to an internet gateway"),
        "{no_igw:?}"
    );
    // No public address: not reachable, whatever its groups allow.
    let private = row(&rows, "i-private");
    assert_eq!(private["internet_reachable"], false);
    assert_eq!(
        private["path"],
        "no public IPv4 address; no public IPv6 address"
    );
    // VPC-wide: 10.0.0.0/8 contains the VPC's 10.0.0.0/16; 10.0.1.0/24 does not.
    assert_eq!(row(&rows, "i-vpcwide")["vpc_wide_reachable"], true);
    assert_eq!(
        strings(&row(&rows, "i-vpcwide")["vpc_wide_rules"]),
        ["sg-db-vpc allows tcp 5432 from 10.0.0.0/8"]
    );
    assert_eq!(row(&rows, "i-narrow")["vpc_wide_reachable"], false);
}

#[test]
fn severity_ranks_traits_as_documented() {
    let rows = exposure(verdict_estate());
    let severity = |id: &str| row(&rows, id)["severity"].as_str().unwrap().to_string();
    // Internet-reachable without IMDSv1 or an admin role: high.
    assert_eq!(severity("i-two-sgs"), "high");
    // Public with SSH open, though not reachable: high.
    assert_eq!(severity("i-no-igw"), "high");
    // Other traits on a running instance: medium; none at all: none.
    assert_eq!(severity("i-vpcwide"), "medium");
    assert_eq!(severity("i-narrow"), "none");
    assert!(row(&rows, "i-narrow")["traits"].is_null());

    let demo = exposure(Inventory::demo());
    let severity = |id: &str| row(&demo, id)["severity"].as_str().unwrap().to_string();
    // Reachable with IMDSv1 (and an admin role): critical.
    assert_eq!(severity("i-50dfe9e0e1992dd9b"), "critical");
    assert!(strings(&row(&demo, "i-2c833a59f0177036b")["traits"]).contains(&"imdsv1"));
    assert_eq!(severity("i-2c833a59f0177036b"), "critical");
    // A stopped instance's traits are latent: low.
    assert_eq!(severity("i-c6761f07284fca2a3"), "low");
    // Every trait carries its remediation.
    for r in &demo {
        let traits = strings(&r["traits"]);
        let fixes = strings(&r["remediation"]);
        assert_eq!(traits.len(), fixes.len(), "{r:?}");
        assert!(
            traits
                .iter()
                .zip(&fixes)
                .all(|(t, f)| f.starts_with(&format!("{t}: "))),
            "{r:?}"
        );
    }
}
