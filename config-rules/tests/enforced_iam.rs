//! The Config rule Lambda under enforced IAM: the real `bootstrap` under `cargo lambda watch`,
//! moto checking every request against the caller's policies, and the caller an IAM user holding
//! exactly the read statement of the generated Lambda role (`cfn/posture-rules.yaml`, taken from
//! the template). For every control — a change event per item of its resource type (the moto
//! estate as AWS Config items), a ScheduledNotification for periodic ones — and an oversized
//! notification, the invocation does what it does with full access: the same evaluations put,
//! the same errors, and no access denied. Then each action in turn is taken out of the policy,
//! and some control's invocation is denied without it: the policy holds nothing the Lambda does
//! not call.
//!
//! moto's gaps, designed around: it does not check IAM on the AWS Config API, so for the
//! `config:` actions the test shows that the Lambda makes the call instead of a denial; it has no
//! GetComplianceDetailsByConfigRule (a periodic run puts its evaluations, then fails naming that
//! call, with full access as with the policy); its GetResourceConfigHistory answer cannot be
//! read by the SDK (likewise: the same failure with full access and with the policy).
//! moto lets sts:GetCallerIdentity through whatever the policy says, as AWS does.

#[path = "../../tests/support/lambda.rs"]
mod lambda;
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::collections::HashMap;

use lambda::Lambda;
use moto::Moto;
use posture_queries::Trigger;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const NOTIFIED: &str = "2026-11-25T14:00:01.000Z";

/// The actions of the Lambda role's read statement, from the generated template.
fn read_statement() -> Vec<String> {
    let (_, rules) = posture_config_rules::cfn::templates()
        .unwrap()
        .into_iter()
        .find(|(file, _)| *file == "posture-rules.yaml")
        .unwrap();
    let statements = rules["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    let read = statements
        .iter()
        .find(|s| s["Sid"] == posture_config_rules::cfn::READ_STATEMENT)
        .unwrap();
    assert_eq!(read["Resource"], "*");
    read["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

fn event(invoking: Value, control: &str) -> Value {
    json!({
        "invokingEvent": invoking.to_string(),
        "ruleParameters": json!({"controlId": control}).to_string(),
        "resultToken": "TESTMODE",
        "eventLeftScope": false,
        "configRuleName": format!("posture-{}", control.replace('_', "-")),
        "accountId": ACCOUNT,
    })
}

/// One invocation to make: the control, what it is about, the event.
struct Case {
    control: String,
    about: String,
    event: Value,
}

/// Every control's path: every item of a change-triggered control's type (moto's ids are
/// random, so a sample would leave out, on some runs, the one instance behind the load
/// balancers, and with it the path that reads the subnets), a scheduled run of a periodic one,
/// and one oversized notification.
fn cases(moto: &Moto, made: &Value) -> Vec<Case> {
    let items = moto.config_items(made);
    let mut cases = Vec::new();
    for control in posture_queries::catalogue() {
        match control.trigger {
            Trigger::Change => {
                let mine: Vec<&Value> = items
                    .iter()
                    .filter(|i| i["resourceType"] == control.resource_type.as_str())
                    .collect();
                assert!(!mine.is_empty(), "{}: no item in the estate", control.id);
                for item in mine {
                    cases.push(Case {
                        control: control.id.clone(),
                        about: item["resourceId"].as_str().unwrap().to_string(),
                        event: event(
                            json!({"configurationItem": item, "notificationCreationTime": NOTIFIED, "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}),
                            &control.id,
                        ),
                    });
                }
            }
            Trigger::Periodic => cases.push(Case {
                control: control.id.clone(),
                about: "scheduled".into(),
                event: event(
                    json!({"awsAccountId": ACCOUNT, "notificationCreationTime": NOTIFIED, "messageType": "ScheduledNotification", "recordVersion": "1.0"}),
                    &control.id,
                ),
            }),
        }
    }
    let policy = made["ec2_all_policy"].as_str().unwrap();
    cases.push(Case {
        control: "iam_policy_no_service_wildcard".into(),
        about: "oversized".into(),
        event: event(
            json!({"configurationItemSummary": {"changeType": "UPDATE", "configurationItemCaptureTime": "2026-11-25T14:00:00.000Z", "awsAccountId": ACCOUNT, "configurationItemStatus": "OK", "resourceType": "AWS::IAM::Policy", "resourceId": policy, "awsRegion": "global"}, "messageType": "OversizedConfigurationItemChangeNotification", "notificationCreationTime": NOTIFIED}),
            "iam_policy_no_service_wildcard",
        ),
    });
    cases
}

/// What an invocation did: its error (type and message) if it failed, and the evaluations it
/// put, as (type, id, compliance, annotation).
#[derive(Debug, PartialEq)]
struct Outcome {
    error: Option<(String, String)>,
    put: Vec<(String, String, String, String)>,
}

impl Outcome {
    fn denied(&self) -> bool {
        self.error.as_ref().is_some_and(|(_, message)| {
            let m = message.to_lowercase();
            m.contains("access denied")
                || m.contains("accessdenied")
                || m.contains("unauthorizedoperation")
                || m.contains("not authorized")
        })
    }
}

fn invoke(moto: &Moto, lambda: &Lambda, case: &Case) -> Outcome {
    moto.record();
    let (status, body) = lambda.invoke(&case.event);
    let error = (status != 200).then(|| {
        (
            body["errorType"].as_str().unwrap_or_default().to_string(),
            body["errorMessage"]
                .as_str()
                .unwrap_or(&body.to_string())
                .to_string(),
        )
    });
    // What was put, in a stable order: the order of evaluations in a run carries no meaning.
    let mut put: Vec<_> = moto
        .calls("PutEvaluations")
        .into_iter()
        .flat_map(|(_, body)| {
            let body: Value = serde_json::from_str(&body).unwrap();
            body["Evaluations"].as_array().cloned().unwrap_or_default()
        })
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (
                text("ComplianceResourceType"),
                text("ComplianceResourceId"),
                text("ComplianceType"),
                text("Annotation"),
            )
        })
        .collect();
    put.sort();
    Outcome { error, put }
}

/// Whether `case` is expected to need `action`: the tables the Lambda fetches for its control,
/// or the Config calls of its kind of event.
fn likely(case: &Case, action: &str) -> bool {
    let control = posture_queries::control(&case.control).unwrap();
    let tables = control.lookup_tables().unwrap();
    match action {
        "config:PutEvaluations" => true,
        "config:GetResourceConfigHistory" => case.about == "oversized",
        "config:GetComplianceDetailsByConfigRule" => case.about == "scheduled",
        _ => posture_config_rules::cfn::actions_of(tables).contains(&action),
    }
}

fn start_as(lambda: &mut Lambda, moto: &Moto, keys: &Value) {
    let (id, secret) = (
        keys["AccessKeyId"].as_str().unwrap().to_string(),
        keys["SecretAccessKey"].as_str().unwrap().to_string(),
    );
    lambda.start(moto, move |c| {
        c.env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret);
    });
}

#[test]
fn every_control_runs_under_exactly_the_generated_policy_and_each_action_is_needed() {
    let moto = Moto::start();
    let made = moto.create_estate();
    let cases = cases(&moto, &made);
    let read = read_statement();

    // The users exist before the full-access run, so that run sees the same IAM.
    let mut users = json!({"exact": read});
    for (i, action) in read.iter().enumerate() {
        let without: Vec<&String> = read.iter().filter(|a| *a != action).collect();
        users[format!("without-{i}")] = json!(without);
    }
    let keys: Value = serde_json::from_str(&moto::estate(&[
        "users",
        &moto.endpoint(),
        &users.to_string(),
    ]))
    .unwrap();

    let mut lambda = Lambda::runtime();
    lambda.start(&moto, |_| {});
    let full: Vec<Outcome> = cases.iter().map(|c| invoke(&moto, &lambda, c)).collect();
    // The full-access run is a real run: most cases put evaluations, and nothing is denied.
    assert!(full.iter().all(|o| !o.denied()), "{full:?}");
    let evaluated = full.iter().filter(|o| !o.put.is_empty()).count();
    assert!(evaluated * 10 >= cases.len() * 9, "{full:?}");

    moto.enforce_iam();
    start_as(&mut lambda, &moto, &keys["exact"]);
    for (case, full) in cases.iter().zip(&full) {
        let got = invoke(&moto, &lambda, case);
        assert!(!got.denied(), "{} {}: {got:?}", case.control, case.about);
        assert_eq!(&got, full, "{} {}", case.control, case.about);
    }

    // Without any one action, some invocation is denied, and so differs from full access.
    let mut needed_by: HashMap<String, String> = HashMap::new();
    for (i, action) in read.iter().enumerate() {
        start_as(&mut lambda, &moto, &keys[format!("without-{i}")]);
        if let Some(call) = action.strip_prefix("config:") {
            // moto does not check IAM on the AWS Config API (GetComplianceDetailsByConfigRule it
            // does not even have), so no denial can show here; what shows the action is needed
            // is that the Lambda makes the call.
            let case = cases.iter().find(|c| likely(c, action)).unwrap();
            invoke(&moto, &lambda, case);
            assert!(
                !moto.calls(call).is_empty(),
                "{action}: {} {}",
                case.control,
                case.about
            );
            needed_by.insert(action.clone(), format!("{} {}", case.control, case.about));
            continue;
        }
        // Likeliest first (only for speed): the controls the derivation says fetch with it.
        let mut order: Vec<(&Case, &Outcome)> = cases.iter().zip(&full).collect();
        order.sort_by_key(|(case, _)| !likely(case, action));
        let bitten = order.into_iter().find_map(|(case, full)| {
            let got = invoke(&moto, &lambda, case);
            (got.denied() && &got != full).then(|| format!("{} {}", case.control, case.about))
        });
        match bitten {
            Some(case) => needed_by.insert(action.clone(), case),
            None => panic!(
                "without {action}, every control still runs: the policy grants more than the Lambda calls"
            ),
        };
    }
    assert_eq!(needed_by.len(), read.len(), "{needed_by:?}");
}
