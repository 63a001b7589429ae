//! The Lambda's handler (`posture_config_rules::Handler`, what `bootstrap` runs per invocation)
//! with the AWS Config API mocked by aws-smithy-mocks and the demo account as lookups: for every
//! control, a verdict table over the ways a resource reaches the rule (change, oversized with the
//! item from GetResourceConfigHistory, deleted, left scope, periodic) that equals
//! `posture check --demo`; every verdict table (tests/fixtures/verdicts.json) against the
//! statuses it expects; resources gone since the previous periodic run; the error paths; a
//! periodic run at its deadline and after a failed PutEvaluations.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_sdk_config::Client;
use aws_sdk_config::operation::get_compliance_details_by_config_rule::GetComplianceDetailsByConfigRuleOutput;
use aws_sdk_config::operation::get_resource_config_history::GetResourceConfigHistoryOutput;
use aws_sdk_config::operation::put_evaluations::{PutEvaluationsInput, PutEvaluationsOutput};
use aws_sdk_config::primitives::{DateTime, DateTimeFormat};
use aws_sdk_config::types::{
    ConfigurationItem, ConfigurationItemStatus, EvaluationResult, EvaluationResultIdentifier,
    EvaluationResultQualifier, ResourceType,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use posture_config_rules::{Handler, Lookups};
use posture_queries::Trigger;
use posture_sql::Inventory;
use posture_sql::inventory::{InventoryBuilder, Kind, Resource};
use serde_json::{Value, json};

use crate::config_rules::{change_event, demo_items, examples, with_parameters};
use crate::repo;

const NOTIFIED: &str = "2026-11-25T14:00:00.000Z";

/// (resource type, resource id) → compliance type, from every PutEvaluations request.
type Put = BTreeMap<(String, String), String>;

/// The AWS Config API: GetResourceConfigHistory answers `history`, GetComplianceDetailsByConfigRule
/// lists `previous` (or is denied), PutEvaluations records what it is sent.
struct Config {
    client: Client,
    puts: Arc<Mutex<Vec<Put>>>,
    history: Arc<Mutex<Option<ConfigurationItem>>>,
}

/// Records each PutEvaluations request in `puts`, taking `delay` to answer.
fn record(
    puts: Arc<Mutex<Vec<Put>>>,
    delay: Duration,
) -> impl Fn(&PutEvaluationsInput) -> bool + Send + Sync + 'static {
    move |r| {
        puts.lock().unwrap().push(
            r.evaluations()
                .iter()
                .map(|e| {
                    (
                        (
                            e.compliance_resource_type().to_string(),
                            e.compliance_resource_id().to_string(),
                        ),
                        e.compliance_type().as_str().to_string(),
                    )
                })
                .collect(),
        );
        std::thread::sleep(delay);
        true
    }
}

fn config(history: Option<ConfigurationItem>, previous: Option<Vec<(&str, &str)>>) -> Config {
    let puts: Arc<Mutex<Vec<Put>>> = Arc::default();
    let put = mock!(Client::put_evaluations)
        .match_requests(record(puts.clone(), Duration::ZERO))
        .then_output(|| PutEvaluationsOutput::builder().build());
    config_with(put, puts, history, previous)
}

/// [`config`] with PutEvaluations answered by `put`, which records into `puts`.
fn config_with(
    put: aws_smithy_mocks::Rule,
    puts: Arc<Mutex<Vec<Put>>>,
    history: Option<ConfigurationItem>,
    previous: Option<Vec<(&str, &str)>>,
) -> Config {
    let history = Arc::new(Mutex::new(history));
    let answer = history.clone();
    let history_rule = mock!(Client::get_resource_config_history).then_output(move || {
        GetResourceConfigHistoryOutput::builder()
            .set_configuration_items(answer.lock().unwrap().clone().map(|i| vec![i]))
            .build()
    });
    let previous = match previous {
        Some(resources) => {
            let results: Vec<EvaluationResult> = resources
                .iter()
                .map(|(t, id)| {
                    EvaluationResult::builder()
                        .evaluation_result_identifier(
                            EvaluationResultIdentifier::builder()
                                .evaluation_result_qualifier(
                                    EvaluationResultQualifier::builder()
                                        .resource_type(*t)
                                        .resource_id(*id)
                                        .build(),
                                )
                                .build(),
                        )
                        .build()
                })
                .collect();
            mock!(Client::get_compliance_details_by_config_rule).then_output(move || {
                GetComplianceDetailsByConfigRuleOutput::builder()
                    .set_evaluation_results(Some(results.clone()))
                    .build()
            })
        }
        None => mock!(Client::get_compliance_details_by_config_rule)
            .sequence()
            .http_status(
                400,
                Some(
                    r#"{"__type":"AccessDeniedException","message":"not authorized to perform config:GetComplianceDetailsByConfigRule"}"#
                        .to_string(),
                ),
            )
            .build(),
    };
    Config {
        client: mock_client!(
            aws_sdk_config,
            RuleMode::MatchAny,
            [&put, &history_rule, &previous]
        ),
        puts,
        history,
    }
}

impl Config {
    /// Everything PutEvaluations was sent, as one map.
    fn put(&self) -> Put {
        self.puts
            .lock()
            .unwrap()
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// What PutEvaluations was sent since last taken, as one map: one invocation's puts when a
    /// warm handler serves several.
    fn take(&self) -> Put {
        std::mem::take(&mut *self.puts.lock().unwrap())
            .into_iter()
            .flatten()
            .collect()
    }

    /// What GetResourceConfigHistory answers from now on.
    fn set_history(&self, item: Option<ConfigurationItem>) {
        *self.history.lock().unwrap() = item;
    }
}

/// The demo account, loaded once for every test here.
fn demo() -> Arc<Inventory> {
    static DEMO: std::sync::LazyLock<Arc<Inventory>> =
        std::sync::LazyLock::new(|| Arc::new(Inventory::load(&repo("demo")).unwrap()));
    DEMO.clone()
}

fn handler(config: &Config) -> Handler {
    Handler::new(config.client.clone(), Lookups::inventory(demo()))
}

/// A deadline no test reaches.
fn later() -> SystemTime {
    SystemTime::now() + Duration::from_secs(600)
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(f)
}

/// A Config item in the event shape → the API's `ConfigurationItem`, as GetResourceConfigHistory
/// returns it (`configuration` and supplementary values as JSON strings).
fn api_item(item: &Value) -> ConfigurationItem {
    // The demo's IAM items are already in the API shape (`accountId`, `arn`), the others in
    // the event shape (`awsAccountId`, `ARN`).
    let text = |k: &str| item[k].as_str().map(str::to_string);
    let either = |event: &str, api: &str| text(event).or_else(|| text(api));
    let time = |k: &str| {
        item[k]
            .as_str()
            .map(|t| DateTime::from_str(t, DateTimeFormat::DateTime).unwrap())
    };
    let strings = |k: &str, json: bool| -> HashMap<String, String> {
        item[k]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) if !json => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect()
    };
    ConfigurationItem::builder()
        .set_version(either("configurationItemVersion", "version"))
        .set_account_id(either("awsAccountId", "accountId"))
        .set_configuration_item_capture_time(time("configurationItemCaptureTime"))
        .set_configuration_item_status(
            text("configurationItemStatus").map(|s| ConfigurationItemStatus::from(s.as_str())),
        )
        .set_arn(either("ARN", "arn"))
        .set_resource_type(text("resourceType").map(|s| ResourceType::from(s.as_str())))
        .set_resource_id(text("resourceId"))
        .set_resource_name(text("resourceName"))
        .set_aws_region(text("awsRegion"))
        .set_availability_zone(text("availabilityZone"))
        .set_resource_creation_time(time("resourceCreationTime"))
        .set_tags(Some(strings("tags", false)))
        .configuration(match &item["configuration"] {
            Value::String(json) => json.clone(),
            document => document.to_string(),
        })
        .set_supplementary_configuration(Some(strings("supplementaryConfiguration", true)))
        .build()
}

/// The oversized notification Config sends for `item`: its summary only.
fn oversized_event(item: &Value, control: &str) -> Value {
    let mut event = change_event(item, control);
    let summary: serde_json::Map<String, Value> = [
        "configurationItemCaptureTime",
        "awsAccountId",
        "configurationItemStatus",
        "resourceType",
        "resourceId",
        "ARN",
        "awsRegion",
    ]
    .iter()
    .map(|k| (k.to_string(), item[*k].clone()))
    .collect();
    event["invokingEvent"] = json!(json!({"configurationItemSummary": summary, "notificationCreationTime": NOTIFIED, "messageType": "OversizedConfigurationItemChangeNotification"}).to_string());
    event
}

fn scheduled_event(control: &str) -> Value {
    scheduled_event_at(control, NOTIFIED)
}

/// The ScheduledNotification Config sends for `control` at `time`.
fn scheduled_event_at(control: &str, time: &str) -> Value {
    json!({
        "invokingEvent": json!({"awsAccountId": "111122223333", "notificationCreationTime": time, "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": json!({"controlId": control}).to_string(),
        "resultToken": "token",
        "eventLeftScope": false,
        "configRuleName": format!("posture-{}", control.replace('_', "-")),
        "accountId": "111122223333",
    })
}

/// What the Lambda puts for a finding, through the one mapping (`Evaluation::of`).
fn lambda_verdict(f: posture_queries::Finding) -> &'static str {
    match posture_config_rules::Evaluation::of(f, NOTIFIED).compliance_type {
        posture_config_rules::ComplianceType::Compliant => "COMPLIANT",
        posture_config_rules::ComplianceType::NonCompliant => "NON_COMPLIANT",
        posture_config_rules::ComplianceType::NotApplicable => "NOT_APPLICABLE",
    }
}

/// What `posture check --demo` says of every resource of `control`, at the notification time
/// (of an id the demo holds in two accounts, the last).
fn check(control: &str) -> BTreeMap<(String, String), String> {
    check_all(control).into_iter().collect()
}

/// Every finding of `control` over the demo (`posture check --demo`), as evaluations.
fn check_all(control: &str) -> Vec<((String, String), String)> {
    let ctx = posture_sql::session(demo()).unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(NOTIFIED)
        .unwrap()
        .timestamp_micros();
    block_on(
        posture_queries::control(control)
            .unwrap()
            .run(&ctx, &HashMap::new(), as_of),
    )
    .unwrap()
    .into_iter()
    .map(|f| {
        (
            (f.resource_type.clone(), f.resource_id.clone()),
            lambda_verdict(f).to_string(),
        )
    })
    .collect()
}

/// One invocation through `handler`, a warm one putting through `config`, with
/// GetResourceConfigHistory answering `history`; what it put for `resource`.
fn verdict(
    (handler, config): (&Handler, &Config),
    event: &Value,
    history: Option<ConfigurationItem>,
    resource: &(String, String),
) -> String {
    config.set_history(history);
    let outcome = block_on(handler.handle(event, later())).unwrap_or_else(|e| panic!("{e}"));
    let put = config.take();
    assert_eq!(outcome.evaluations, put.len(), "{put:?}");
    put.get(resource)
        .cloned()
        .unwrap_or_else(|| format!("nothing for {resource:?}: {put:?}"))
}

#[test]
fn every_control_has_a_verdict_table_through_the_handler_equal_to_posture_check() {
    let items = demo_items();
    let mut rows = 0;
    for control in posture_queries::catalogue() {
        let findings = check_all(&control.id);
        let expected: BTreeMap<_, _> = findings.iter().cloned().collect();
        // One warm handler per control, as a Lambda container keeps it (that reuse changes no
        // verdict is one_container_gives_every_item_in_turn_its_own_verdict).
        let config = config(None, Some(vec![]));
        let handler = handler(&config);
        let rule = (&handler, &config);
        // Periodic: every resource the control reports, as `posture check` does.
        block_on(handler.handle(&scheduled_event(&control.id), later())).unwrap();
        // Every resource put with a verdict `posture check` gives it. The demo holds some ids
        // in two accounts; PutEvaluations keeps one of them, and a run puts in query order.
        let periodic = config.take();
        let mut verdicts: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for (resource, verdict) in findings {
            verdicts.entry(resource).or_default().insert(verdict);
        }
        assert_eq!(
            periodic.keys().collect::<Vec<_>>(),
            verdicts.keys().collect::<Vec<_>>(),
            "{} periodic",
            control.id
        );
        assert!(
            periodic.iter().all(|(r, v)| verdicts[r].contains(v)),
            "{} periodic: {periodic:?} vs {verdicts:?}",
            control.id
        );

        // Change, oversized, deleted, left scope: one resource per verdict the demo has.
        let mut verdicts_seen = BTreeSet::new();
        for (item, resource) in recorded_items(&items, control) {
            let want = match control.trigger {
                Trigger::Change => expected
                    .get(&resource)
                    .map_or("NOT_APPLICABLE", String::as_str),
                // A periodic control ignores change notifications.
                Trigger::Periodic => "NOT_APPLICABLE",
            };
            if !verdicts_seen.insert(want) {
                continue;
            }
            let change = change_event(item, &control.id);
            assert_eq!(
                verdict(rule, &change, None, &resource),
                want,
                "{} change {resource:?}",
                control.id
            );
            let oversized = oversized_event(item, &control.id);
            assert_eq!(
                verdict(rule, &oversized, Some(api_item(item)), &resource),
                want,
                "{} oversized {resource:?}",
                control.id
            );
            let mut deleted = item.clone();
            deleted["configurationItemStatus"] = json!("ResourceDeleted");
            deleted["configuration"] = Value::Null;
            assert_eq!(
                verdict(rule, &change_event(&deleted, &control.id), None, &resource),
                "NOT_APPLICABLE",
                "{} deleted {resource:?}",
                control.id
            );
            let mut left = change.clone();
            left["eventLeftScope"] = json!(true);
            assert_eq!(
                verdict(rule, &left, None, &resource),
                "NOT_APPLICABLE",
                "{} left scope",
                control.id
            );
            rows += 1;
        }
    }
    assert!(rows >= 40, "{rows} verdict rows");
}

/// The demo's recorded (`OK`) items of the control's resource type, each with its
/// (type, id) key.
fn recorded_items<'a>(
    items: &'a [Value],
    control: &'a posture_queries::Control,
) -> impl Iterator<Item = (&'a Value, (String, String))> {
    items
        .iter()
        .filter(|i| i["resourceType"] == control.resource_type.as_str())
        .filter(|i| i["configurationItemStatus"] == "OK")
        .map(|item| {
            let id = item["resourceId"].as_str().unwrap().to_string();
            (item, (control.resource_type.clone(), id))
        })
}

/// A warm container, as one Lambda keeps it for every rule, evaluates every item of every
/// change-triggered control in turn: each gets `posture check`'s verdict, whatever the container
/// ran before it (the plans are reused, their state reset between runs).
#[test]
fn one_container_gives_every_item_in_turn_its_own_verdict() {
    let items = demo_items();
    let config = config(None, Some(vec![]));
    let handler = handler(&config);
    let mut evaluated = 0;
    for control in posture_queries::catalogue()
        .iter()
        .filter(|c| c.trigger == Trigger::Change)
    {
        let expected = check(&control.id);
        for (item, resource) in recorded_items(&items, control) {
            block_on(handler.handle(&change_event(item, &control.id), later()))
                .unwrap_or_else(|e| panic!("{} {resource:?}: {e}", control.id));
            // The latest verdict put for the resource is this event's.
            assert_eq!(
                config.put().get(&resource).map(String::as_str),
                Some(
                    expected
                        .get(&resource)
                        .map_or("NOT_APPLICABLE", String::as_str)
                ),
                "{} {resource:?}",
                control.id
            );
            evaluated += 1;
        }
    }
    assert!(evaluated >= 100, "{evaluated} events");
}

/// The verdict AWS Config must get for a verdict table's status, through the one mapping
/// (`Evaluation::of`): ok COMPLIANT, alarm NON_COMPLIANT, skip NOT_APPLICABLE, and a skip for
/// want of evidence (`unverified`) NON_COMPLIANT.
fn expected_verdict(status: &str, unverified: bool) -> &'static str {
    let status = match status {
        "ok" => posture_queries::Status::Ok,
        "alarm" => posture_queries::Status::Alarm,
        "skip" => posture_queries::Status::Skip,
        other => panic!("status {other} in tests/fixtures/verdicts.json"),
    };
    lambda_verdict(posture_queries::Finding {
        control_id: String::new(),
        resource: String::new(),
        resource_type: String::new(),
        resource_id: String::new(),
        status,
        reason: String::new(),
        account_id: String::new(),
        region: String::new(),
        unverified: unverified && status == posture_queries::Status::Skip,
        mute: None,
        tags: None,
    })
}

/// The configuration item AWS Config records for `resource`, captured at `time`.
fn item_of(resource: &Resource, resource_type: &str, id: &str, time: &str) -> Value {
    let mut configuration = resource.data.clone();
    // Config records a launch template as its default version, numbered DefaultVersionNumber.
    if let Some(version) = resource.data.get("VersionNumber") {
        configuration["DefaultVersionNumber"] = version.clone();
    }
    json!({
        "configurationItemCaptureTime": time,
        "configurationItemStatus": "OK",
        "awsAccountId": resource.account_id,
        "awsRegion": resource.region,
        "resourceType": resource_type,
        "resourceId": id,
        "configuration": configuration,
    })
}

/// The verdict tables (tests/fixtures/verdicts.json) through the handler, each resource against
/// the status its table expects, not against `posture check`: a periodic control in one
/// scheduled run over the estate; a change-triggered one item by item, the estate as lookups.
#[test]
fn every_verdict_table_case_through_the_handler() {
    let at = posture_sql::demo::CAPTURED_AT;
    for case in crate::verdicts::cases() {
        let control = posture_queries::control(&case.control).unwrap();
        let mut parameters = json!({"controlId": control.id});
        for (name, value) in &case.params {
            parameters[name] = json!(value);
        }
        let inventory = Arc::new(case.inventory);
        // Which skips are for want of evidence: the table's statuses do not say.
        let unverified: BTreeSet<String> =
            crate::verdicts::run_shared(&inventory, &control.id, &case.params)
                .into_iter()
                .filter(|f| f.unverified)
                .map(|f| f.resource_id)
                .collect();
        // One warm handler per case, as a Lambda container keeps it.
        let config = config(None, Some(vec![]));
        let handler = Handler::new(config.client.clone(), Lookups::inventory(inventory.clone()));
        let invoke = |event: Value| -> Put {
            block_on(handler.handle(&with_parameters(event, parameters.clone()), later()))
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            config.take()
        };
        let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
        match control.trigger {
            // PutEvaluations keeps one verdict of an id reported twice: it must be one expected.
            Trigger::Periodic => {
                for ((_, id), verdict) in invoke(scheduled_event_at(&control.id, at)) {
                    let expected = case.expect.get(&id).map_or(&[][..], Vec::as_slice);
                    assert!(
                        expected
                            .iter()
                            .any(|s| expected_verdict(s, unverified.contains(&id)) == verdict),
                        "{}: {id} is {verdict}, expected {expected:?}",
                        case.name
                    );
                    got.insert(id, Vec::new());
                }
                assert_eq!(
                    got.keys().collect::<Vec<_>>(),
                    case.expect.keys().collect::<Vec<_>>(),
                    "{} periodic",
                    case.name
                );
            }
            Trigger::Change => {
                let kind = posture_sql::Kind::of_config_type(&control.resource_type).unwrap();
                for id in case.expect.keys() {
                    // The resources of the table's id, as Config records them: a launch
                    // template as its default version, a trail in its home region only.
                    for resource in inventory.of(kind).iter().filter(|r| {
                        r.data.as_object().unwrap().values().any(|v| v == id)
                            && r.data["DefaultVersion"] != json!(false)
                            && r.data["HomeRegion"].as_str().is_none_or(|h| h == r.region)
                    }) {
                        let item = item_of(resource, &control.resource_type, id, at);
                        let put = invoke(change_event(&item, &control.id));
                        let key = (control.resource_type.clone(), id.clone());
                        got.entry(id.clone()).or_default().push(
                            put.get(&key)
                                .cloned()
                                .unwrap_or_else(|| format!("nothing put: {put:?}")),
                        );
                    }
                }
                got.values_mut().for_each(|v| v.sort());
                let expected: BTreeMap<String, Vec<String>> = case
                    .expect
                    .iter()
                    .map(|(id, statuses)| {
                        let mut verdicts: Vec<String> = statuses
                            .iter()
                            .map(|s| expected_verdict(s, unverified.contains(id)).to_string())
                            .collect();
                        verdicts.sort();
                        (id.clone(), verdicts)
                    })
                    .collect();
                assert_eq!(got, expected, "{} change", case.name);
            }
        }
    }
}

#[test]
fn a_periodic_run_marks_resources_gone_since_the_previous_run_not_applicable() {
    let control = "ec2_instance_stopped_too_long";
    let now = check(control);
    let (kept_type, kept_id) = now.keys().next().unwrap().clone();
    let config = config(
        None,
        Some(vec![
            (&kept_type, &kept_id),
            ("AWS::EC2::Instance", "i-0gone000000000000"),
        ]),
    );
    let outcome = block_on(handler(&config).handle(&scheduled_event(control), later())).unwrap();
    let put = config.put();
    assert_eq!(outcome.evaluations, now.len() + 1);
    assert_eq!(
        put[&(
            "AWS::EC2::Instance".to_string(),
            "i-0gone000000000000".to_string()
        )],
        "NOT_APPLICABLE"
    );
    assert_eq!(
        put[&(kept_type.clone(), kept_id.clone())],
        now[&(kept_type, kept_id)]
    );
}

#[test]
fn when_previous_evaluations_cannot_be_read_the_new_ones_are_still_put() {
    let control = "ec2_instance_stopped_too_long";
    let config = config(None, None);
    let err = block_on(handler(&config).handle(&scheduled_event(control), later())).unwrap_err();
    assert_eq!(err.kind(), "posture.ConfigApi");
    let message = err.to_string();
    assert!(
        message.contains("GetComplianceDetailsByConfigRule")
            && message.contains("AccessDenied")
            && message.contains("were still reported"),
        "{message}"
    );
    assert_eq!(config.put().len(), check(control).len());
}

#[test]
fn errors_put_nothing_and_name_what_is_wrong() {
    let item = demo_items()
        .into_iter()
        .find(|i| i["resourceType"] == "AWS::EC2::Instance" && i["configurationItemStatus"] == "OK")
        .unwrap();
    let cases: Vec<(Value, Option<ConfigurationItem>, &str, &str)> = vec![
        (
            json!({"invokingEvent": "{not json"}),
            None,
            "posture.MalformedEvent",
            "invokingEvent is not JSON",
        ),
        (
            change_event(&item, "ec2_no_such_control"),
            None,
            "posture.Control",
            "ec2_no_such_control",
        ),
        (
            {
                let mut e = change_event(&item, "vpc_sg_restricted_common_ports");
                e["ruleParameters"] = json!(json!({"controlId": "vpc_sg_restricted_common_ports", "blockedPorts": "22;drop"}).to_string());
                e
            },
            None,
            "posture.Control",
            "22;drop",
        ),
        // A bad rule fails before the oversized item is fetched.
        (
            oversized_event(&item, "ec2_no_such_control"),
            Some(api_item(&item)),
            "posture.Control",
            "ec2_no_such_control",
        ),
        // GetResourceConfigHistory has nothing for the summarised resource.
        (
            oversized_event(&item, "ec2_instance_imdsv2_required"),
            None,
            "posture.ConfigApi",
            "no configuration item for AWS::EC2::Instance",
        ),
    ];
    for (event, history, kind, says) in cases {
        let config = config(history, Some(vec![]));
        let err = block_on(handler(&config).handle(&event, later())).unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string().contains(says)),
            (kind, true),
            "{err}"
        );
        assert!(config.put().is_empty());
    }
}

#[test]
fn the_real_reference_events_through_the_handler() {
    // Change: a real 2023 instance item with IMDSv1, put at its capture time.
    let real = examples("event-awsConfigRuleConfigurationChanged.powertools.json");
    let imds = json!({"controlId": "ec2_instance_imdsv2_required"});
    let api = config(None, Some(vec![]));
    block_on(handler(&api).handle(&with_parameters(real.clone(), imds.clone()), later())).unwrap();
    let instance = (
        "AWS::EC2::Instance".to_string(),
        "i-042dd005362091826".to_string(),
    );
    assert_eq!(
        api.put(),
        Put::from([(instance, "NON_COMPLIANT".to_string())])
    );

    // Oversized: the real summary (i-00000000); GetResourceConfigHistory answers with that
    // instance's item, which is the real item above under the summary's id.
    let invoking: Value = serde_json::from_str(real["invokingEvent"].as_str().unwrap()).unwrap();
    let mut item = invoking["configurationItem"].clone();
    item["resourceId"] = json!("i-00000000");
    item["configuration"]["instanceId"] = json!("i-00000000");
    let oversized = with_parameters(
        examples("event-awsConfigRuleOversizedConfiguration.powertools.json"),
        imds,
    );
    let api = config(Some(api_item(&item)), Some(vec![]));
    block_on(handler(&api).handle(&oversized, later())).unwrap();
    let summarised = ("AWS::EC2::Instance".to_string(), "i-00000000".to_string());
    assert_eq!(
        api.put(),
        Put::from([(summarised, "NON_COMPLIANT".to_string())])
    );

    // Scheduled: the real notification, the control over every demo resource.
    let scheduled = with_parameters(
        examples("event-awsConfigRuleScheduled.powertools.json"),
        json!({"controlId": "vpc_sg_unused"}),
    );
    let api = config(None, Some(vec![]));
    let outcome = block_on(handler(&api).handle(&scheduled, later())).unwrap();
    assert!(outcome.non_compliant > 0 && outcome.evaluations == api.put().len());
}

/// `n` instances stopped since 2026-01-01, in one account and region.
fn stopped_instances(n: usize) -> Arc<Inventory> {
    let mut builder = InventoryBuilder::default();
    for i in 0..n {
        builder.add(Resource::new(
            Kind::Instance,
            "111122223333",
            "eu-west-1",
            json!({
                "InstanceId": format!("i-{i:017x}"),
                "State": {"Code": 80, "Name": "stopped"},
                "StateTransitionReason": "User initiated (2026-01-01 00:00:00 GMT)",
            }),
        ));
    }
    Arc::new(builder.finish())
}

/// What `posture check` says of every resource of `control` over `inventory`.
fn check_over(control: &str, inventory: Arc<Inventory>) -> Put {
    let ctx = posture_sql::session(inventory).unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(NOTIFIED)
        .unwrap()
        .timestamp_micros();
    block_on(
        posture_queries::control(control)
            .unwrap()
            .run(&ctx, &HashMap::new(), as_of),
    )
    .unwrap()
    .into_iter()
    .map(|f| {
        (
            (f.resource_type.clone(), f.resource_id.clone()),
            lambda_verdict(f).to_string(),
        )
    })
    .collect()
}

#[test]
fn near_its_deadline_a_periodic_run_puts_what_it_evaluated_and_fails_naming_what_is_left() {
    let control = "ec2_instance_stopped_too_long";
    let instances = stopped_instances(1000);
    let expected = check_over(control, instances.clone());
    assert_eq!(expected.len(), 1000);
    // Each PutEvaluations takes 300 ms: the 10 batches need 3 s, the invocation has 2.
    let puts: Arc<Mutex<Vec<Put>>> = Arc::default();
    let put = mock!(Client::put_evaluations)
        .match_requests(record(puts.clone(), Duration::from_millis(300)))
        .then_output(|| PutEvaluationsOutput::builder().build());
    let config = config_with(put, puts, None, Some(vec![]));
    let handler = Handler::new(config.client.clone(), Lookups::inventory(instances));
    let err = block_on(handler.handle(
        &scheduled_event(control),
        SystemTime::now() + Duration::from_secs(2),
    ))
    .unwrap_err();

    let batches: Vec<usize> = config.puts.lock().unwrap().iter().map(Put::len).collect();
    let put = config.put();
    assert!(
        !batches.is_empty() && put.len() < 1000,
        "{batches:?}: {err}"
    );
    assert!(batches.iter().all(|b| *b == 100), "{batches:?}");
    // Everything evaluated was put, with the verdicts of `posture check`; the error counts the
    // rest. The control's query hands over its rows in one batch, so the rows not yet read are
    // known, and more may come: the remainder is named as a lower bound.
    assert!(
        put.iter()
            .all(|(resource, verdict)| expected[resource] == *verdict),
        "{put:?}"
    );
    assert_eq!(err.kind(), "posture.Deadline");
    assert_eq!(
        err.to_string(),
        format!(
            "the invocation's deadline is near: {} evaluations were put; the query was still running, so how many resources are left is unknown (at least {})",
            put.len(),
            1000 - put.len()
        )
    );
}

#[test]
fn a_deadline_already_past_puts_nothing_and_says_so() {
    let control = "ec2_instance_stopped_too_long";
    let config = config(None, Some(vec![]));
    let handler = Handler::new(
        config.client.clone(),
        Lookups::inventory(stopped_instances(10)),
    );
    let err = block_on(handler.handle(&scheduled_event(control), SystemTime::now())).unwrap_err();
    assert_eq!(err.kind(), "posture.Deadline");
    assert!(
        err.to_string()
            .starts_with("the invocation's deadline is near: 0 evaluations were put;"),
        "{err}"
    );
    assert!(config.put().is_empty());
}

#[test]
fn a_periodic_run_puts_batches_of_100_and_a_failed_put_keeps_the_earlier_ones() {
    let control = "ec2_instance_stopped_too_long";
    let instances = stopped_instances(450);
    // Two PutEvaluations answered, then AWS Config refuses.
    let puts: Arc<Mutex<Vec<Put>>> = Arc::default();
    let put = mock!(Client::put_evaluations)
        .match_requests(record(puts.clone(), Duration::ZERO))
        .sequence()
        .output(|| PutEvaluationsOutput::builder().build())
        .times(2)
        .http_status(
            400,
            Some(r#"{"__type":"InvalidResultTokenException","message":"The result token is not valid"}"#.to_string()),
        )
        .repeatedly()
        .build();
    let refused = config_with(put, puts, None, Some(vec![]));
    let handler = Handler::new(
        refused.client.clone(),
        Lookups::inventory(instances.clone()),
    );
    let err = block_on(handler.handle(&scheduled_event(control), later())).unwrap_err();
    assert_eq!(err.kind(), "posture.PutEvaluations");
    assert!(
        err.to_string().contains("InvalidResultTokenException")
            && err
                .to_string()
                .ends_with("(200 evaluations were put before)"),
        "{err}"
    );
    let requests = refused.puts.lock().unwrap().clone();
    assert_eq!(
        requests.iter().map(Put::len).collect::<Vec<_>>(),
        [100, 100, 100]
    );
    // The two batches put hold 200 different resources, with `posture check`'s verdicts.
    let expected = check_over(control, instances);
    let put: Put = requests[..2]
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(put.len(), 200);
    assert!(
        put.iter()
            .all(|(resource, verdict)| expected[resource] == *verdict)
    );

    // With every put answered, the same run puts 100, 100, 100, 100, 50.
    let answered = config(None, Some(vec![]));
    let handler = Handler::new(
        answered.client.clone(),
        Lookups::inventory(stopped_instances(450)),
    );
    let outcome = block_on(handler.handle(&scheduled_event(control), later())).unwrap();
    let sizes: Vec<usize> = answered.puts.lock().unwrap().iter().map(Put::len).collect();
    assert_eq!(sizes, [100, 100, 100, 100, 50]);
    assert_eq!(
        (outcome.evaluations, outcome.put_evaluations_requests),
        (450, 5)
    );
}
