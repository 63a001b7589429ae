//! The CloudFormation templates: committed as generated, every control in both rule templates,
//! the conformance pack under AWS's size limit, and posture's own IAM controls finding nothing
//! to alarm on in the policies the templates grant.

use std::collections::{BTreeSet, HashMap};

use posture_queries::Status;
use posture_queries::cfn;
use posture_sql::inventory::InventoryBuilder;
use posture_sql::{Kind, Resource};
use serde_json::{Value, json};

use crate::repo;

fn template(file: &str) -> Value {
    cfn::templates()
        .into_iter()
        .find(|(f, _)| *f == file)
        .unwrap()
        .1
}

#[test]
fn committed_templates_are_what_posture_cfn_generate_writes() {
    for (file, template) in cfn::templates() {
        let committed = std::fs::read_to_string(repo("cfn").join(file)).unwrap_or_default();
        assert!(
            committed == cfn::yaml(&template),
            "cfn/{file} differs from the generator: run `posture cfn generate`"
        );
    }
}

#[test]
fn every_control_is_a_rule_in_both_templates() {
    let ids: BTreeSet<String> = posture_queries::catalogue()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    for file in ["posture-rules.yaml", "conformance-pack.yaml"] {
        let rules: BTreeSet<String> = template(file)["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::Config::ConfigRule")
            .map(|r| {
                r["Properties"]["InputParameters"]["controlId"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(rules, ids, "{file}");
    }
    let pack = cfn::yaml(&template("conformance-pack.yaml"));
    assert!(
        pack.len() <= 51_200,
        "a conformance pack template is at most 51,200 bytes; this one is {}",
        pack.len()
    );
}

#[test]
fn periodic_and_change_rules_are_triggered_as_the_catalogue_says() {
    let rules = template("posture-rules.yaml");
    for control in posture_queries::catalogue() {
        let rule = rules["Resources"]
            .as_object()
            .unwrap()
            .values()
            .find(|r| r["Properties"]["InputParameters"]["controlId"] == control.id.as_str())
            .unwrap();
        let types: Vec<&str> = rule["Properties"]["Source"]["SourceDetails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["MessageType"].as_str().unwrap())
            .collect();
        match control.trigger {
            posture_queries::Trigger::Change => {
                let mut expected = vec![
                    "ConfigurationItemChangeNotification",
                    "OversizedConfigurationItemChangeNotification",
                ];
                // The periodic backstop of a control whose verdicts depend on other resources.
                if !control.depends_on.is_empty() {
                    expected.push("ScheduledNotification");
                    assert_eq!(
                        rule["Properties"]["Source"]["SourceDetails"][2]["MaximumExecutionFrequency"],
                        json!({"Ref": "BackstopFrequency"}),
                        "{}",
                        control.id
                    );
                }
                assert_eq!(types, expected, "{}", control.id);
                let mut scope = vec![control.resource_type.clone()];
                scope.extend(control.depends_on.iter().cloned());
                assert_eq!(
                    rule["Properties"]["Scope"]["ComplianceResourceTypes"],
                    json!(scope),
                    "{}",
                    control.id
                );
            }
            posture_queries::Trigger::Periodic => {
                assert_eq!(types, ["ScheduledNotification"], "{}", control.id)
            }
        }
        for p in &control.parameters {
            assert!(
                rule["Properties"]["InputParameters"][&p.name]["Ref"].is_string(),
                "{}.{} is a template parameter",
                control.id,
                p.name
            );
        }
    }
}

/// Every inline policy of every role the templates create.
fn granted_policies() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (file, template) in cfn::templates() {
        for (name, resource) in template["Resources"].as_object().unwrap() {
            for policy in resource["Properties"]["Policies"]
                .as_array()
                .into_iter()
                .flatten()
            {
                out.push((
                    format!("{file}:{name}:{}", policy["PolicyName"].as_str().unwrap()),
                    policy["PolicyDocument"].clone(),
                ));
            }
        }
    }
    out
}

#[test]
fn the_templates_grant_exactly_the_actions_used_and_posture_finds_nothing_to_alarm_on() {
    let policies = granted_policies();
    assert_eq!(
        policies.len(),
        2,
        "the Lambda's role and the read-only role"
    );
    let actions = |doc: &Value| -> Vec<String> {
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| {
                s["Action"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
            })
            .collect()
    };
    for (name, doc) in &policies {
        assert!(
            actions(doc).iter().all(|a| !a.contains('*')),
            "{name}: no wildcard actions"
        );
    }
    let rules_role = &policies
        .iter()
        .find(|(n, _)| n.starts_with("posture-rules.yaml"))
        .unwrap()
        .1;
    let mut expected: Vec<String> = cfn::read_actions(posture_queries::catalogue())
        .iter()
        .map(|a| a.to_string())
        .collect();
    expected.extend([
        "config:GetComplianceDetailsByConfigRule".into(),
        "config:GetResourceConfigHistory".into(),
        "config:PutEvaluations".into(),
        "logs:CreateLogStream".into(),
        "logs:PutLogEvents".into(),
    ]);
    let mut granted = actions(rules_role);
    granted.sort();
    expected.sort();
    assert_eq!(granted, expected);

    // The policies as customer managed policies of an account, checked by posture's IAM controls.
    let mut builder = InventoryBuilder::default();
    for (i, (name, doc)) in policies.iter().enumerate() {
        let arn = format!("arn:aws:iam::111122223333:policy/posture-template-{i}");
        let policy = json!({"PolicyName": name, "PolicyId": format!("ANPATEMPLATE{i}"), "Arn": arn, "DefaultVersionId": "v1", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc}]});
        builder.add(Resource::new(
            Kind::Policy,
            "111122223333",
            "global",
            policy,
        ));
    }
    let inventory = builder.finish();
    let inventory = std::sync::Arc::new(inventory);
    for control in [
        "iam_policy_no_admin_access",
        "iam_policy_no_service_wildcard",
    ] {
        let findings = crate::verdicts::run_shared(&inventory, control, &HashMap::new());
        assert_eq!(
            findings.len(),
            policies.len(),
            "{control} evaluated every policy"
        );
        assert!(
            findings.iter().all(|f| f.status == Status::Ok),
            "{control}: {findings:?}"
        );
    }
}
