//! End to end: the real `bootstrap` binary under a local Lambda Runtime API (`cargo lambda
//! watch`), its AWS calls going to a real moto_server: Config events in, and the PutEvaluations
//! requests moto recorded (TestMode) out — count, batching, types, ids, verdicts.

#[path = "../../tests/support/lambda.rs"]
mod lambda;
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::collections::BTreeMap;

use lambda::Lambda;
use moto::Moto;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

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

/// A change notification for an instance of the moto estate, with its instance profile.
fn instance_changed(id: &str, profile_arn: &str, control: &str) -> Value {
    let item = json!({
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": "2026-11-25T14:00:00.000Z",
        "configurationItemStatus": "OK",
        "awsAccountId": ACCOUNT,
        "awsRegion": "us-east-1",
        "resourceType": "AWS::EC2::Instance",
        "resourceId": id,
        "ARN": format!("arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{id}"),
        "tags": {},
        "relationships": [],
        "configuration": {
            "instanceId": id,
            "instanceType": "t3.micro",
            "state": {"code": 16, "name": "running"},
            "iamInstanceProfile": {"arn": profile_arn, "id": "AIPA0000000000EXAMPLE"},
            "metadataOptions": {"httpTokens": "optional", "httpEndpoint": "enabled"},
        },
        "supplementaryConfiguration": {},
    });
    event(
        json!({"configurationItem": item, "notificationCreationTime": "2026-11-25T14:00:01.000Z", "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}),
        control,
    )
}

/// PutEvaluations requests moto recorded since `record()`: (TestMode, [(type, id, compliance)]).
fn puts(moto: &Moto) -> Vec<(bool, Vec<(String, String, String)>)> {
    moto.calls("PutEvaluations")
        .into_iter()
        .map(|(_, body)| {
            let body: Value = serde_json::from_str(&body).unwrap();
            let evaluations = body["Evaluations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["ComplianceResourceType"].as_str().unwrap().to_string(),
                        e["ComplianceResourceId"].as_str().unwrap().to_string(),
                        e["ComplianceType"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (body["TestMode"] == true, evaluations)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn config_events_through_the_real_bootstrap_reach_moto_as_put_evaluations() {
    let moto = Moto::start();
    let made = moto.create_estate();
    // 120 more instances, stopped: a periodic run over 124 instances needs two PutEvaluations.
    let ec2 = moto.ec2("us-east-1");
    let more = ec2
        .run_instances()
        .image_id("ami-0c7217cdde317cfec")
        .min_count(120)
        .max_count(120)
        .send()
        .await
        .unwrap();
    let more: Vec<String> = more
        .instances()
        .iter()
        .map(|i| i.instance_id().unwrap().to_string())
        .collect();
    ec2.stop_instances()
        .set_instance_ids(Some(more.clone()))
        .send()
        .await
        .unwrap();

    let mut lambda = Lambda::runtime();
    lambda.start(&moto, |_| {});

    // Change: the instance's role is looked up live (IAM in moto): admin → NON_COMPLIANT.
    moto.record();
    let admin = made["optional"][0].as_str().unwrap();
    let reader = made["required"][0].as_str().unwrap();
    let profiles = &made["profiles"];
    for (id, profile, want) in [
        (
            admin,
            profiles["admin-app"].as_str().unwrap(),
            "NON_COMPLIANT",
        ),
        (reader, profiles["reader"].as_str().unwrap(), "COMPLIANT"),
    ] {
        let (status, body) = lambda.invoke(&instance_changed(
            id,
            profile,
            "ec2_instance_role_no_admin_access",
        ));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["evaluations"], 1, "{body}");
        assert_eq!(
            puts(&moto).last().unwrap(),
            &(
                true,
                vec![(
                    "AWS::EC2::Instance".to_string(),
                    id.to_string(),
                    want.to_string()
                )]
            )
        );
    }
    assert_eq!(puts(&moto).len(), 2);
    // The lookups: IAM once per invocation, although the control scans four IAM tables
    // (iam_instance_profile, iam_role_policy_attachment, and iam_policy_statement twice); the
    // item's own table is never fetched.
    assert_eq!(moto.calls("GetAccountAuthorizationDetails").len(), 2);
    assert!(moto.calls("DescribeInstances").is_empty());

    // Oversized: the summary only; the item is asked of GetResourceConfigHistory (moto records
    // IAM policies). moto writes its timestamps as "2026-11-25 21:27:58.940516" where the API has
    // epoch seconds, so the SDK cannot read the answer: the invocation fails naming the call, and
    // nothing is put. (The conversion of a real answer is tested through the handler with
    // aws-smithy-mocks, tests/tests/lambda_handler.rs.)
    moto.record();
    let policy = made["ec2_all_policy"].as_str().unwrap();
    let summary = json!({"configurationItemSummary": {"changeType": "UPDATE", "configurationItemCaptureTime": "2026-11-25T14:00:00.000Z", "awsAccountId": ACCOUNT, "configurationItemStatus": "OK", "resourceType": "AWS::IAM::Policy", "resourceId": policy, "awsRegion": "global"}, "messageType": "OversizedConfigurationItemChangeNotification", "notificationCreationTime": "2026-11-25T14:00:01.000Z"});
    let (status, body) = lambda.invoke(&event(summary, "iam_policy_no_service_wildcard"));
    let asked = moto.calls("GetResourceConfigHistory");
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].1.contains(policy) && asked[0].1.contains("AWS::IAM::Policy"),
        "{asked:?}"
    );
    assert_ne!(status, 200, "{body}");
    assert_eq!(body["errorType"], "posture.ConfigApi", "{body}");
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("GetResourceConfigHistory: "),
        "{body}"
    );
    assert!(puts(&moto).is_empty());

    // A malformed event is the invocation's error; nothing is put, and the function lives on.
    moto.record();
    let (status, body) = lambda.invoke(&json!({"invokingEvent": "{not json"}));
    assert_ne!(status, 200, "{body}");
    assert_eq!(body["errorType"], "posture.MalformedEvent", "{body}");
    assert!(puts(&moto).is_empty());

    // Periodic: every instance of the region, live from moto, in batches of at most 100.
    moto.record();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let scheduled = json!({"awsAccountId": ACCOUNT, "notificationCreationTime": now, "messageType": "ScheduledNotification", "recordVersion": "1.0"});
    let (status, body) = lambda.invoke(&event(scheduled, "ec2_instance_stopped_too_long"));
    let batches = puts(&moto);
    let sizes: Vec<usize> = batches.iter().map(|(_, e)| e.len()).collect();
    assert_eq!(sizes, [100, 24], "{body}");
    assert!(batches.iter().all(|(test_mode, _)| *test_mode));
    let verdicts: BTreeMap<String, String> = batches
        .into_iter()
        .flat_map(|(_, e)| e)
        .map(|(t, id, c)| {
            assert_eq!(t, "AWS::EC2::Instance");
            (id, c)
        })
        .collect();
    assert_eq!(verdicts.len(), 124);
    assert!(more.iter().all(|id| verdicts.contains_key(id)));
    // The same verdicts as the control's SQL over the same estate dumped by boto3 (the
    // `posture check --inventory` path), at the same time.
    let dump = moto.dir.join("dump");
    moto.dump(&dump, &["us-east-1"]);
    let inventory = std::sync::Arc::new(posture_sql::Inventory::load(&dump).unwrap());
    let ctx = posture_sql::session(inventory).unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(&now)
        .unwrap()
        .timestamp_micros();
    let offline: BTreeMap<String, String> =
        posture_queries::control("ec2_instance_stopped_too_long")
            .unwrap()
            .run(&ctx, &Default::default(), as_of)
            .await
            .unwrap()
            .into_iter()
            .map(|f| {
                let e = posture_config_rules::Evaluation::of(f, &now);
                (
                    e.compliance_resource_id,
                    serde_json::to_value(e.compliance_type)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
    assert_eq!(verdicts, offline);
    // moto has no GetComplianceDetailsByConfigRule: the run's evaluations were put, and the
    // invocation fails saying that resources gone since the last run could not be marked.
    assert_ne!(status, 200);
    assert_eq!(body["errorType"], "posture.ConfigApi", "{body}");
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("GetComplianceDetailsByConfigRule"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_role_change_through_the_real_bootstrap_puts_the_new_verdict_of_each_instance_using_it() {
    let moto = Moto::start();
    let made = moto.create_estate();
    let mut lambda = Lambda::runtime();
    lambda.start(&moto, |_| {});
    let users: Vec<&str> = made["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    let admin = made["optional"][0].as_str().unwrap();
    let endpoint = moto.endpoint();
    for (verb, want) in [("attach", "NON_COMPLIANT"), ("detach", "COMPLIANT")] {
        // The role as AWS Config records it after the change (boto3's view of moto's IAM).
        let role: Value = serde_json::from_str(&moto::estate(&[
            "role-change",
            &endpoint,
            "reader",
            verb,
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ]))
        .unwrap();
        moto.record();
        let changed = json!({"configurationItem": role, "notificationCreationTime": "2026-11-25T14:00:01.000Z", "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"});
        let (status, body) = lambda.invoke(&event(changed, "ec2_instance_role_no_admin_access"));
        assert_eq!(status, 200, "{verb}: {body}");
        let put: BTreeMap<String, (String, String)> = puts(&moto)
            .into_iter()
            .flat_map(|(_, evaluations)| evaluations)
            .map(|(kind, id, compliance)| (id, (kind, compliance)))
            .collect();
        for id in users.iter().chain([&admin]) {
            let want = if *id == admin { "NON_COMPLIANT" } else { want };
            assert_eq!(
                put.get(*id),
                Some(&("AWS::EC2::Instance".to_string(), want.to_string())),
                "{verb}: {id} in {put:?}"
            );
        }
    }
}

/// What a table fetches along with its own kind reaches it in a periodic run: each snapshot's
/// createVolumePermission (ebs_snapshot.is_public) and each trail's status
/// (cloudtrail_trail.is_logging). The invocation's fetch cache once kept only the scanned kind,
/// so every snapshot came out NOT_APPLICABLE and a logging trail's account NON_COMPLIANT.
#[test]
fn periodic_runs_read_what_a_table_fetches_with_its_kind() {
    let moto = Moto::start();
    let made = moto.create_estate();
    let mut lambda = Lambda::runtime();
    lambda.start(&moto, |_| {});
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let scheduled = json!({"awsAccountId": ACCOUNT, "notificationCreationTime": now, "messageType": "ScheduledNotification", "recordVersion": "1.0"});
    let verdicts = |control: &str| -> BTreeMap<String, String> {
        moto.record();
        let (_, body) = lambda.invoke(&event(scheduled.clone(), control));
        let verdicts: BTreeMap<String, String> = puts(&moto)
            .into_iter()
            .flat_map(|(_, e)| e)
            .map(|(_, id, compliance)| (id, compliance))
            .collect();
        assert!(!verdicts.is_empty(), "{control}: {body}");
        verdicts
    };

    let snapshots = verdicts("ebs_snapshot_not_public");
    let public = made["public_snapshot"].as_str().unwrap();
    assert_eq!(snapshots[public], "NON_COMPLIANT", "{snapshots:?}");
    assert!(
        snapshots
            .iter()
            .all(|(id, c)| id == public || c == "COMPLIANT"),
        "{snapshots:?}"
    );
    assert_eq!(
        moto.calls("DescribeSnapshotAttribute").len(),
        snapshots.len()
    );

    // The estate's multi-region trail "main" is logging.
    assert_eq!(
        verdicts("cloudtrail_multi_region_enabled"),
        BTreeMap::from([(ACCOUNT.to_string(), "COMPLIANT".to_string())])
    );
}

/// The mutes of `posture check --mute`, read by the real `bootstrap` from the SSM parameter its
/// template names: a muted instance is put COMPLIANT with the annotation `muted: <reason> (until
/// <date>)`, another stays NON_COMPLIANT, each as the library gives `posture check` over the
/// same estate; a mute file without a reason fails the invocation, naming the parameter's line.
#[tokio::test(flavor = "multi_thread")]
async fn mutes_from_the_ssm_parameter_reach_config_as_compliant_with_the_annotation() {
    use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
    let moto = Moto::start();
    let made = moto.create_estate();
    let (muted, other) = (
        made["optional"][0].as_str().unwrap(),
        made["optional"][1].as_str().unwrap(),
    );
    let ssm = aws_sdk_ssm::Client::from_conf(
        aws_sdk_ssm::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(moto.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .build(),
    );
    let put_mutes = async |text: &str| {
        ssm.put_parameter()
            .name("/posture/mutes")
            .value(text)
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .overwrite(true)
            .send()
            .await
            .unwrap();
    };
    let file = format!(
        "[[mute]]\ncontrol = \"ec2_instance_imdsv2_required\"\nresource = \"{muted}\"\nreason = \"vendor appliance\"\nexpires = 2099-12-31\n"
    );
    put_mutes(&file).await;

    let mut lambda = Lambda::runtime();
    lambda.start(&moto, |c| {
        c.env("POSTURE_MUTE_PARAMETER", "/posture/mutes");
    });
    let control = "ec2_instance_imdsv2_required";
    let profile = made["profiles"]["reader"].as_str().unwrap();
    let mut put = BTreeMap::new();
    for id in [muted, other] {
        moto.record();
        let (status, body) = lambda.invoke(&instance_changed(id, profile, control));
        assert_eq!(status, 200, "{body}");
        let (_, request) = moto.calls("PutEvaluations").pop().unwrap();
        let request: Value = serde_json::from_str(&request).unwrap();
        let evaluation = &request["Evaluations"][0];
        put.insert(
            id.to_string(),
            (
                evaluation["ComplianceType"].as_str().unwrap().to_string(),
                evaluation["Annotation"].as_str().unwrap().to_string(),
            ),
        );
    }
    assert_eq!(
        put[muted],
        (
            "COMPLIANT".to_string(),
            "muted: vendor appliance (until 2099-12-31)".to_string()
        )
    );
    assert_eq!(put[other].0, "NON_COMPLIANT", "{put:?}");

    // posture check's path over the same estate and mute file: the same verdicts.
    let dump = moto.dir.join("dump");
    moto.dump(&dump, &["us-east-1"]);
    let ctx = posture_sql::session(std::sync::Arc::new(
        posture_sql::Inventory::load(&dump).unwrap(),
    ))
    .unwrap();
    let mut findings = posture_queries::control(control)
        .unwrap()
        .run(&ctx, &Default::default(), 0)
        .await
        .unwrap();
    let mutes = posture_queries::mute::Mutes::parse(&file, "mutes.toml").unwrap();
    mutes.apply(
        &mut findings,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    );
    for (id, (compliance, annotation)) in &put {
        let finding = findings.iter().find(|f| &f.resource_id == id).unwrap();
        let e = posture_config_rules::Evaluation::of(finding.clone(), "");
        assert_eq!(
            (
                serde_json::to_value(e.compliance_type).unwrap(),
                &e.annotation
            ),
            (json!(compliance), annotation)
        );
    }

    // A mute without a reason fails the invocation rather than evaluate without the file.
    put_mutes("[[mute]]\ncontrol = \"*\"\nresource = \"i-*\"\n").await;
    let (status, body) = lambda.invoke(&instance_changed(muted, profile, control));
    assert_ne!(status, 200);
    assert_eq!(body["errorType"], "posture.Mutes", "{body}");
    assert_eq!(
        body["errorMessage"], "ssm:/posture/mutes:1: a mute needs a reason",
        "{body}"
    );
}
