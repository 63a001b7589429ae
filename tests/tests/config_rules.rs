//! The AWS Config rule path (posture-config-rules): real Config events through the handler,
//! applicability, errors, and for every change-triggered control and every resource of the
//! demo account (its AWS Config twin), the same verdict as `posture check --demo`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use posture_config_rules::{
    ComplianceType, ConfigEvent, Error, Evaluation, Lookups, MessageType, evaluate,
};
use posture_queries::Trigger;
use serde_json::{Value, json};

use crate::repo;

pub fn examples(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/config-events")
        .join(file);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn eval(event: &Value, control: Option<&str>, lookups: &Lookups) -> Result<Vec<Evaluation>, Error> {
    let event = ConfigEvent::parse(event)?;
    block_on(evaluate(&event, control, lookups))
}

/// `event` with its ruleParameters (a JSON string, as Config sends them) replaced.
pub fn with_parameters(mut event: Value, parameters: Value) -> Value {
    event["ruleParameters"] = json!(parameters.to_string());
    event
}

/// A change notification for `item`, as Config would send it for rule `control`.
pub fn change_event(item: &Value, control: &str) -> Value {
    json!({
        "invokingEvent": json!({"configurationItem": item, "notificationCreationTime": "2026-11-25T14:00:00.000Z", "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}).to_string(),
        "ruleParameters": json!({"controlId": control}).to_string(),
        "resultToken": "TESTMODE",
        "eventLeftScope": false,
        "configRuleName": format!("posture-{}", control.replace('_', "-")),
        "accountId": item["awsAccountId"],
    })
}

#[test]
fn real_events_through_the_handler() {
    // A real 2023 event: an instance with IMDSv1, a public IP and an instance profile.
    let real = examples("event-awsConfigRuleConfigurationChanged.powertools.json");
    let none = Lookups::default();
    let imds = eval(
        &with_parameters(
            real.clone(),
            json!({"controlId": "ec2_instance_imdsv2_required"}),
        ),
        None,
        &none,
    )
    .unwrap();
    assert_eq!(imds.len(), 1);
    assert_eq!(
        (
            imds[0].compliance_type,
            imds[0].compliance_resource_id.as_str(),
            imds[0].ordering_timestamp.as_str()
        ),
        (
            ComplianceType::NonCompliant,
            "i-042dd005362091826",
            "2023-04-27T15:03:11.636Z"
        )
    );
    let public = eval(
        &with_parameters(real.clone(), json!({})),
        Some("ec2_instance_no_public_ip"),
        &none,
    )
    .unwrap();
    assert_eq!(public[0].compliance_type, ComplianceType::NonCompliant);
    // Its role is not in the item: without lookups the role control cannot verify it, which is
    // NON_COMPLIANT (fail closed), and says why.
    let role = eval(
        &with_parameters(
            real.clone(),
            json!({"controlId": "ec2_instance_role_no_admin_access"}),
        ),
        None,
        &none,
    )
    .unwrap();
    assert_eq!(role[0].compliance_type, ComplianceType::NonCompliant);
    assert!(
        role[0].annotation.contains("could not verify")
            && role[0].annotation.contains("not in the inventory"),
        "{role:?}"
    );

    // Real security-group items (invoking-event shape, ipRanges and ipv4Ranges): closed and world-open.
    for (file, expected) in [
        (
            "invokingEvent-SecurityGroup.aws-config-rules-VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS_test.json",
            ComplianceType::Compliant,
        ),
        (
            "invokingEvent-SecurityGroup-open-world.aws-config-rules-64c77f9-VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS_test.json",
            ComplianceType::NonCompliant,
        ),
    ] {
        let invoking = examples(file);
        let event = json!({"invokingEvent": invoking.to_string(), "ruleParameters": "{}", "resultToken": "TESTMODE", "configRuleName": "posture-vpc-sg-no-unrestricted-ingress"});
        let got = eval(&event, None, &none).unwrap();
        assert_eq!(got.len(), 1, "{file}");
        assert_eq!(got[0].compliance_type, expected, "{file}: {got:?}");
        assert_eq!(got[0].compliance_resource_type, "AWS::EC2::SecurityGroup");
    }

    // Periodic: every resource the control reports over the lookups, at the notification time.
    let scheduled = with_parameters(
        examples("event-awsConfigRuleScheduled.powertools.json"),
        json!({"controlId": "vpc_sg_unused"}),
    );
    let demo = Lookups::inventory(Arc::new(
        posture_sql::Inventory::load(&repo("demo")).unwrap(),
    ));
    let periodic = eval(&scheduled, None, &demo).unwrap();
    assert!(
        periodic.len() > 5
            && periodic
                .iter()
                .any(|e| e.compliance_type == ComplianceType::NonCompliant),
        "{periodic:?}"
    );
    let time = ConfigEvent::parse(&scheduled)
        .unwrap()
        .notification_time
        .unwrap();
    assert!(periodic.iter().all(|e| e.ordering_timestamp == time));
}

#[test]
fn applicability_and_errors() {
    let real = with_parameters(
        examples("event-awsConfigRuleConfigurationChanged.powertools.json"),
        json!({"controlId": "ec2_instance_imdsv2_required"}),
    );
    let none = Lookups::default();
    let mut left = real.clone();
    left["eventLeftScope"] = json!(true);
    let got = eval(&left, None, &none).unwrap();
    assert_eq!(
        (got.len(), got[0].compliance_type),
        (1, ComplianceType::NotApplicable)
    );
    for status in [
        "ResourceDeleted",
        "ResourceDeletedNotRecorded",
        "ResourceNotRecorded",
    ] {
        let mut invoking: Value =
            serde_json::from_str(real["invokingEvent"].as_str().unwrap()).unwrap();
        invoking["configurationItem"]["configurationItemStatus"] = json!(status);
        invoking["configurationItem"]["configuration"] = Value::Null;
        let mut deleted = real.clone();
        deleted["invokingEvent"] = json!(invoking.to_string());
        let got = eval(&deleted, None, &none).unwrap();
        assert_eq!(
            got[0].compliance_type,
            ComplianceType::NotApplicable,
            "{status}"
        );
        assert!(got[0].annotation.contains(status));
    }
    // A control that evaluates another resource type, or only on a schedule.
    let got = eval(
        &with_parameters(real.clone(), json!({"controlId": "vpc_sg_restricted_ssh"})),
        None,
        &none,
    )
    .unwrap();
    assert_eq!(got[0].compliance_type, ComplianceType::NotApplicable);

    // Errors, not evaluations.
    let err =
        |event: Value, control: Option<&str>| eval(&event, control, &none).unwrap_err().to_string();
    assert!(
        err(
            with_parameters(real.clone(), json!({"controlId": "no_such_control"})),
            None
        )
        .contains("unknown control `no_such_control`")
    );
    assert!(err(with_parameters(real.clone(), json!({"controlId": "ec2_instance_imdsv2_required", "desiredInstanceType": "t2.micro"})), None).contains("has no parameter `desiredInstanceType`"));
    assert!(
        err(
            with_parameters(
                real.clone(),
                json!({"controlId": "vpc_sg_restricted_common_ports", "blockedPorts": "22;drop"})
            ),
            None
        )
        .contains("22;drop")
    );
    assert!(err(json!([]), None).contains("not a JSON object"));
    assert!(err(json!({"ruleParameters": "{}"}), None).contains("no invokingEvent"));
    assert!(err(json!({"invokingEvent": "{not json"}), None).contains("invokingEvent is not JSON"));
    assert!(
        err(
            json!({"invokingEvent": "{\"messageType\": \"Nope\"}"}),
            None
        )
        .contains("messageType Nope")
    );
    // Quoted input values are bounded (80 characters and an ellipsis).
    let long = "x".repeat(500);
    let bounded = format!("{}…", &long[..80]);
    let message_type = json!({ "messageType": long }).to_string();
    assert!(err(json!({ "invokingEvent": message_type }), None).contains(&bounded));
    let e = err(json!({"invokingEvent": [long]}), None);
    assert!(
        e.contains("invokingEvent should be a JSON string, got [\"xxx") && e.len() < 200,
        "{e}"
    );
    let e = err(with_parameters(real.clone(), json!([long])), None);
    assert!(
        e.contains("ruleParameters should be an object, got [\"xxx") && e.len() < 200,
        "{e}"
    );
    let mut no_id = real.clone();
    let mut invoking: Value =
        serde_json::from_str(real["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"]
        .as_object_mut()
        .unwrap()
        .remove("resourceId");
    no_id["invokingEvent"] = json!(invoking.to_string());
    assert!(err(no_id, None).contains("no resourceType or resourceId"));
    // Oversized items come from GetResourceConfigHistory: not without AWS.
    let oversized = with_parameters(
        examples("event-awsConfigRuleOversizedConfiguration.powertools.json"),
        json!({"controlId": "ec2_instance_imdsv2_required"}),
    );
    assert_eq!(
        ConfigEvent::parse(&oversized).unwrap().message_type,
        MessageType::Oversized
    );
    assert!(err(oversized, None).contains("GetResourceConfigHistory"));
}

/// The demo's AWS Config twin: the newest item per resource.
pub fn demo_items() -> Vec<Value> {
    let mut newest: BTreeMap<(String, String), Value> = BTreeMap::new();
    for file in ["config-snapshot.json", "iam-resource-config-history.json"] {
        let v: Value = serde_json::from_str(
            &std::fs::read_to_string(repo("tests/fixtures/demo-config").join(file)).unwrap(),
        )
        .unwrap();
        for item in v["configurationItems"].as_array().unwrap() {
            let key = (
                item["resourceType"].as_str().unwrap().to_string(),
                item["resourceId"].as_str().unwrap().to_string(),
            );
            let newer = newest.get(&key).is_none_or(|old| {
                old["configurationItemCaptureTime"].as_str()
                    < item["configurationItemCaptureTime"].as_str()
            });
            if newer {
                newest.insert(key, item.clone());
            }
        }
    }
    newest.into_values().collect()
}

#[test]
fn every_change_control_gives_the_verdict_of_posture_check_on_the_demo() {
    let demo = Arc::new(posture_sql::Inventory::demo());
    // The item comes from the demo's AWS Config twin; lookups from the demo's API output, as the
    // Lambda's come from the live API (Config does not record AWS managed policies).
    let lookups = Lookups::inventory(Arc::new(
        posture_sql::Inventory::load(&repo("demo")).unwrap(),
    ));
    let items = demo_items();
    let mut compared = 0;
    for control in posture_queries::catalogue()
        .iter()
        .filter(|c| c.trigger == Trigger::Change)
    {
        let check: HashMap<String, ComplianceType> =
            crate::verdicts::run_shared(&demo, &control.id, &HashMap::new())
                .into_iter()
                .map(|f| (f.resource_id.clone(), Evaluation::of(f, "").compliance_type))
                .collect();
        for item in items
            .iter()
            .filter(|i| i["resourceType"] == control.resource_type.as_str())
        {
            let id = item["resourceId"].as_str().unwrap();
            let got = eval(&change_event(item, &control.id), None, &lookups)
                .unwrap_or_else(|e| panic!("{} {id}: {e}", control.id));
            let expected = match item["configurationItemStatus"].as_str() {
                Some("OK" | "ResourceDiscovered") => check
                    .get(id)
                    .copied()
                    .unwrap_or(ComplianceType::NotApplicable),
                _ => ComplianceType::NotApplicable,
            };
            assert_eq!(got.len(), 1, "{} {id}: {got:?}", control.id);
            assert_eq!(
                got[0].compliance_type, expected,
                "{} {id}: {got:?}",
                control.id
            );
            compared += 1;
        }
    }
    assert!(
        compared > 100,
        "compared {compared} (control, resource) verdicts"
    );
}

#[test]
fn a_dependency_change_re_evaluates_what_it_feeds_as_posture_check_does() {
    let demo = Arc::new(posture_sql::Inventory::demo());
    let lookups = Lookups::inventory(Arc::new(
        posture_sql::Inventory::load(&repo("demo")).unwrap(),
    ));
    let items = demo_items();
    let mut compared = 0;
    for control in posture_queries::catalogue()
        .iter()
        .filter(|c| !c.depends_on.is_empty())
    {
        let findings = crate::verdicts::run_shared(&demo, &control.id, &HashMap::new());
        assert!(
            !findings.is_empty(),
            "{} judges nothing in the demo",
            control.id
        );
        for dependency in &control.depends_on {
            let item = items
                .iter()
                .find(|i| i["resourceType"] == dependency.as_str())
                .unwrap_or_else(|| panic!("the demo's Config twin has no {dependency}"));
            let check: BTreeMap<(String, String), ComplianceType> = findings
                .iter()
                .map(|f| {
                    let key = (f.resource_type.clone(), f.resource_id.clone());
                    (key, Evaluation::of(f.clone(), "").compliance_type)
                })
                .collect();
            let got: BTreeMap<(String, String), ComplianceType> =
                eval(&change_event(item, &control.id), None, &lookups)
                    .unwrap_or_else(|e| panic!("{} on {dependency}: {e}", control.id))
                    .into_iter()
                    .map(|e| {
                        assert_eq!(
                            e.ordering_timestamp,
                            item["configurationItemCaptureTime"].as_str().unwrap()
                        );
                        (
                            (e.compliance_resource_type, e.compliance_resource_id),
                            e.compliance_type,
                        )
                    })
                    .collect();
            assert_eq!(got, check, "{} on a {dependency} change", control.id);
            compared += 1;
        }
    }
    assert!(compared >= 12, "{compared} (control, dependency) pairs");
}

/// The role item of the demo instance `web-1`'s profile, and that instance's id.
fn demo_role_item(name: &str) -> Value {
    demo_items()
        .into_iter()
        .find(|i| i["resourceType"] == "AWS::IAM::Role" && i["resourceName"] == name)
        .unwrap_or_else(|| panic!("no role {name} in the demo's Config twin"))
}

#[test]
fn a_role_change_puts_the_new_verdict_for_each_instance_using_the_role() {
    // Offline lookups hold the role as it was; the event's item is the role as it is now.
    let lookups = Lookups::inventory(Arc::new(
        posture_sql::Inventory::load(&repo("demo")).unwrap(),
    ));
    let control = "ec2_instance_role_no_admin_access";
    let role = demo_role_item("web-app-role");
    let profile = "arn:aws:iam::111122223333:instance-profile/web-app";
    let users: Vec<String> = crate::query(
        &Arc::new(posture_sql::Inventory::demo()),
        &format!(
            "select instance_id from ec2_instance where iam_instance_profile_arn = '{profile}'"
        ),
    )
    .into_iter()
    .map(|r| r["instance_id"].as_str().unwrap().to_string())
    .collect();
    assert!(!users.is_empty(), "no demo instance uses {profile}");
    let verdicts = |item: &Value| -> BTreeMap<String, ComplianceType> {
        eval(&change_event(item, control), None, &lookups)
            .unwrap()
            .into_iter()
            .inspect(|e| assert_eq!(e.compliance_resource_type, "AWS::EC2::Instance"))
            .map(|e| (e.compliance_resource_id, e.compliance_type))
            .collect()
    };
    let before = verdicts(&role);
    for id in &users {
        assert_eq!(before[id], ComplianceType::Compliant, "{id} before");
    }

    let mut admin = role.clone();
    let mut configuration: Value =
        serde_json::from_str(role["configuration"].as_str().unwrap()).unwrap();
    configuration["attachedManagedPolicies"]
        .as_array_mut()
        .expect("attachedManagedPolicies")
        .push(json!({"policyName": "AdministratorAccess", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}));
    admin["configuration"] = json!(configuration.to_string());
    admin["configurationItemCaptureTime"] = json!("2026-11-25T14:00:00.000Z");
    let after = verdicts(&admin);
    for id in &users {
        assert_eq!(after[id], ComplianceType::NonCompliant, "{id} after");
    }
    // Instances with other roles keep their verdicts.
    for (id, verdict) in &before {
        if !users.contains(id) {
            assert_eq!(&after[id], verdict, "{id} does not use the role");
        }
    }
}

/// The `posture:mute` tags of the item mute on the Lambda's path as in `posture check` (the cli
/// test `mutes_by_id_glob_tag_account_and_region_and_expiry` tags the same instance): for the
/// instance's own control and for one judged from the exposure view, COMPLIANT with
/// `muted: <reason>`; a control the tag does not list, and the tag without its reason, leave the
/// alarm.
#[test]
fn a_posture_mute_tag_on_the_item_puts_it_compliant_with_its_reason() {
    let lookups = Lookups::inventory(Arc::new(
        posture_sql::Inventory::load(&repo("demo")).unwrap(),
    ));
    let mut item = demo_items()
        .into_iter()
        .find(|i| i["resourceId"] == "i-0a1b2c3d4e5f6a001")
        .unwrap();
    let verdict = |item: &Value, control: &str| -> (ComplianceType, String) {
        let evaluations = eval(&change_event(item, control), None, &lookups).unwrap();
        let e = evaluations
            .into_iter()
            .find(|e| e.compliance_resource_id == "i-0a1b2c3d4e5f6a001")
            .unwrap();
        (e.compliance_type, e.annotation)
    };
    let controls = [
        "ec2_instance_imdsv2_required",
        "ec2_instance_not_internet_reachable",
        "ec2_instance_profile_attached",
    ];
    for control in controls {
        assert_eq!(
            verdict(&item, control).0,
            ComplianceType::NonCompliant,
            "{control}"
        );
    }
    // A tag, where Config records an instance's: in `tags` and in the configuration's `tags`.
    let tag = |item: &mut Value, key: &str, value: &str| {
        item["tags"][key] = json!(value);
        let listed = item["configuration"]["tags"].as_array_mut().unwrap();
        listed.push(json!({"key": key, "value": value}));
    };
    tag(
        &mut item,
        "posture:mute",
        &format!("{} {}", controls[0], controls[1]),
    );
    let reasonless = verdict(&item, controls[0]);
    assert_eq!(reasonless.0, ComplianceType::NonCompliant, "{reasonless:?}");
    tag(
        &mut item,
        "posture:mute-reason",
        "replaced by the shop-asg refresh",
    );
    for control in &controls[..2] {
        assert_eq!(
            verdict(&item, control),
            (
                ComplianceType::Compliant,
                "muted: replaced by the shop-asg refresh".to_string()
            ),
            "{control}"
        );
    }
    assert_eq!(verdict(&item, controls[2]).0, ComplianceType::NonCompliant);
}
