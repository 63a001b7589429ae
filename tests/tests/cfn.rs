//! The CloudFormation templates: committed as generated, every control in both rule templates,
//! the conformance pack under AWS's size limit, the hardening (the invoke permission pinned to
//! the account's rules, failed invocations kept and alarmed on, the read-only role's optional
//! ExternalId), and posture's own IAM controls finding nothing to alarm on in the policies the
//! templates grant. The policies come from `Control::tables`; that it is what a control really
//! scans when it runs is checked here too (the enforced-IAM tests of posture-config-rules and
//! posture-cli show the policies suffice against moto).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use datafusion::catalog::TableProvider;
use posture_config_rules::cfn;
use posture_queries::Status;
use posture_sql::inventory::InventoryBuilder;
use posture_sql::{Kind, Resource};
use serde_json::{Value, json};

use crate::repo;

fn template(file: &str) -> Value {
    cfn::templates()
        .unwrap()
        .into_iter()
        .find(|(f, _)| *f == file)
        .unwrap()
        .1
}

#[test]
fn committed_templates_are_what_posture_cfn_generate_writes() {
    for (file, template) in cfn::templates().unwrap() {
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
    for (file, template) in cfn::templates().unwrap() {
        for (name, resource) in template["Resources"].as_object().unwrap() {
            for policy in resource["Properties"]["Policies"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let mut document = policy["PolicyDocument"].clone();
                // A conditional statement (the mute parameter's) as granted when it holds.
                for statement in document["Statement"].as_array_mut().unwrap() {
                    if let Some(branches) = statement.get("Fn::If") {
                        *statement = branches[1].clone();
                    }
                }
                out.push((
                    format!("{file}:{name}:{}", policy["PolicyName"].as_str().unwrap()),
                    document,
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
    let mut expected: Vec<String> = cfn::lambda_read_actions()
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    expected.extend([
        "logs:CreateLogStream".into(),
        "logs:PutLogEvents".into(),
        "sqs:SendMessage".into(),
        "ssm:GetParameter".into(),
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

/// A table that records that it was scanned, in front of the inventory's.
#[derive(Debug)]
struct Recorded {
    name: &'static str,
    inner: Arc<dyn TableProvider>,
    scanned: Arc<Mutex<BTreeSet<&'static str>>>,
}

#[async_trait::async_trait]
impl TableProvider for Recorded {
    fn schema(&self) -> datafusion::arrow::datatypes::SchemaRef {
        self.inner.schema()
    }

    fn table_type(&self) -> datafusion::logical_expr::TableType {
        self.inner.table_type()
    }

    async fn scan(
        &self,
        state: &dyn datafusion::catalog::Session,
        projection: Option<&Vec<usize>>,
        filters: &[datafusion::prelude::Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn datafusion::physical_plan::ExecutionPlan>> {
        self.scanned.lock().unwrap().insert(self.name);
        self.inner.scan(state, projection, filters, limit).await
    }
}

/// The derivation the policies come from (`Control::tables`, from the logical plan) against what
/// `Control::run` really scans over the demo: the same tables for every control, the exposure
/// view's included.
#[test]
fn every_control_scans_exactly_the_tables_it_says_it_reads() {
    let demo = Arc::new(posture_sql::Inventory::demo());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for control in posture_queries::catalogue() {
        let scanned: Arc<Mutex<BTreeSet<&'static str>>> = Arc::default();
        let ctx = posture_sql::session::bare_session();
        for table in posture_sql::tables::TABLES {
            let recorded = Recorded {
                name: table.name,
                inner: posture_sql::session::inventory_table(table, demo.clone()),
                scanned: scanned.clone(),
            };
            ctx.register_table(table.name, Arc::new(recorded)).unwrap();
        }
        runtime
            .block_on(control.run(&ctx, &HashMap::new(), 0))
            .unwrap_or_else(|e| panic!("{}: {e}", control.id));
        let scanned: Vec<&str> = scanned.lock().unwrap().iter().copied().collect();
        assert_eq!(control.tables().unwrap(), scanned, "{}", control.id);
    }
}

#[test]
fn the_templates_are_hardened() {
    let rules = template("posture-rules.yaml");
    let resources = &rules["Resources"];
    let permission = &resources["ConfigPermission"]["Properties"];
    assert_eq!(
        permission["SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert_eq!(
        permission["SourceArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*"})
    );

    // Failed invocations go to an encrypted queue the role may send to (and nothing else may it
    // send to), and an alarm watches the function's errors.
    let queue = json!({"Fn::GetAtt": ["FailedInvocations", "Arn"]});
    assert_eq!(resources["FailedInvocations"]["Type"], "AWS::SQS::Queue");
    assert_eq!(
        resources["FailedInvocations"]["Properties"]["SqsManagedSseEnabled"],
        true
    );
    let destination = &resources["FailureDestination"];
    assert_eq!(destination["Type"], "AWS::Lambda::EventInvokeConfig");
    assert_eq!(
        destination["Properties"]["DestinationConfig"]["OnFailure"]["Destination"],
        queue
    );
    assert_eq!(
        destination["Properties"]["FunctionName"],
        json!({"Ref": "Function"})
    );
    let statements =
        resources["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
    let sends: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Action"].to_string().contains("sqs:"))
        .collect();
    assert_eq!(sends.len(), 1);
    assert_eq!(sends[0]["Action"], json!(["sqs:SendMessage"]));
    assert_eq!(sends[0]["Resource"], queue);
    let alarm = &resources["ErrorAlarm"]["Properties"];
    assert_eq!(resources["ErrorAlarm"]["Type"], "AWS::CloudWatch::Alarm");
    assert_eq!(
        (&alarm["Namespace"], &alarm["MetricName"]),
        (&json!("AWS/Lambda"), &json!("Errors"))
    );
    assert_eq!(
        alarm["Dimensions"],
        json!([{"Name": "FunctionName", "Value": {"Ref": "Function"}}])
    );
    assert_eq!(
        (&alarm["Threshold"], &alarm["ComparisonOperator"]),
        (&json!(0), &json!("GreaterThanThreshold"))
    );

    // The read-only role: sts:ExternalId is required exactly when the parameter is set.
    let readonly = template("posture-readonly.yaml");
    assert_eq!(readonly["Parameters"]["ExternalId"]["Default"], "");
    assert_eq!(
        readonly["Conditions"]["ExternalIdSet"],
        json!({"Fn::Not": [{"Fn::Equals": ["", {"Ref": "ExternalId"}]}]})
    );
    let trust = &readonly["Resources"]["ReadOnlyRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        [0];
    assert_eq!(
        trust["Condition"],
        json!({"Fn::If": ["ExternalIdSet", {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}, {"Ref": "AWS::NoValue"}]})
    );
}
