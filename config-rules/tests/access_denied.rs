//! A lookup AWS denies: the real `bootstrap` under `cargo lambda watch`, with the credentials of a
//! moto IAM user that may put evaluations and read EC2 but not IAM, and moto enforcing IAM. The
//! control that needs the instance's role fails the invocation naming the call; nothing is put
//! for it (no evaluation rather than a wrong one); a control that needs nothing beyond the item
//! is still evaluated and put by the same function.

#[path = "../../tests/support/lambda.rs"]
mod lambda;
#[path = "../../tests/support/moto.rs"]
mod moto;

use lambda::Lambda;
use moto::Moto;
use serde_json::{Value, json};

fn instance_changed(id: &str, profile_arn: &str, control: &str) -> Value {
    let item = json!({
        "configurationItemCaptureTime": "2026-11-25T14:00:00.000Z",
        "configurationItemStatus": "OK",
        "awsAccountId": "123456789012",
        "awsRegion": "us-east-1",
        "resourceType": "AWS::EC2::Instance",
        "resourceId": id,
        "configuration": {
            "instanceId": id,
            "state": {"name": "running"},
            "iamInstanceProfile": {"arn": profile_arn},
            "metadataOptions": {"httpTokens": "optional"},
        },
    });
    json!({
        "invokingEvent": json!({"configurationItem": item, "messageType": "ConfigurationItemChangeNotification"}).to_string(),
        "ruleParameters": json!({"controlId": control}).to_string(),
        "resultToken": "TESTMODE",
        "configRuleName": format!("posture-{}", control.replace('_', "-")),
    })
}

#[test]
fn a_denied_lookup_fails_the_invocation_and_puts_nothing_wrong() {
    let moto = Moto::start();
    let made = moto.create_estate();
    let keys: Value = serde_json::from_str(&moto::estate(&[
        "user",
        &moto.endpoint(),
        "config:PutEvaluations",
        "sts:GetCallerIdentity",
        "ec2:Describe*",
    ]))
    .unwrap();
    moto.enforce_iam();

    let mut lambda = Lambda::runtime();
    lambda.start(&moto, |c| {
        c.env("AWS_ACCESS_KEY_ID", keys["AccessKeyId"].as_str().unwrap())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                keys["SecretAccessKey"].as_str().unwrap(),
            );
    });
    let id = made["optional"][0].as_str().unwrap();
    let profile = made["profiles"]["admin-app"].as_str().unwrap();

    moto.record();
    let (status, body) = lambda.invoke(&instance_changed(
        id,
        profile,
        "ec2_instance_role_no_admin_access",
    ));
    assert_ne!(status, 200, "{body}");
    assert_eq!(body["errorType"], "posture.Lookup", "{body}");
    let message = body["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("GetAccountAuthorizationDetails")
            && message.to_lowercase().contains("access denied"),
        "{message}"
    );
    assert!(moto.calls("PutEvaluations").is_empty());

    // The same function, a control that reads only the item: evaluated and put.
    let (status, body) = lambda.invoke(&instance_changed(
        id,
        profile,
        "ec2_instance_imdsv2_required",
    ));
    assert_eq!(status, 200, "{body}");
    let puts = moto.calls("PutEvaluations");
    assert_eq!(puts.len(), 1);
    assert!(
        puts[0].1.contains(id) && puts[0].1.contains("NON_COMPLIANT"),
        "{puts:?}"
    );
}
