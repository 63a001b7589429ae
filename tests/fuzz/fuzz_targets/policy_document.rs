//! An IAM policy document, as bytes: decoded as the text AWS Config and the API give
//! (URL-encoded or JSON in a string) and as parsed JSON (an object, a one-element list), then
//! placed in a role's inline policies, its trust policy and a managed policy's default version,
//! and expanded by the IAM tables (`iam_policy_statement` one row per statement).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use posture_sql::inventory::InventoryBuilder;
use posture_sql::{Kind, Resource, sources, tables};
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let shown = Path::new("fuzz.json");
    let text = std::str::from_utf8(data)
        .ok()
        .map(|s| Value::String(s.to_string()));
    let parsed = serde_json::from_slice::<Value>(data).ok();
    let mut builder = InventoryBuilder::default();
    for document in [text, parsed].into_iter().flatten() {
        let _ = sources::policy_document(&document, shown, "Document");
        // As the sources hand documents over: undecoded, decoded in place by the mapper.
        let mut role = json!({
            "RoleName": "fuzz",
            "Arn": "arn:aws:iam::111122223333:role/fuzz",
            "AssumeRolePolicyDocument": document,
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": document}],
        });
        let mut policy = json!({
            "PolicyName": "fuzz",
            "Arn": "arn:aws:iam::111122223333:policy/fuzz",
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": document}],
        });
        let _ = sources::decode_iam_documents(Kind::Role, &mut role, shown);
        let _ = sources::decode_iam_documents(Kind::Policy, &mut policy, shown);
        builder.add(Resource::new(Kind::Role, "111122223333", "global", role));
        builder.add(Resource::new(
            Kind::Policy,
            "111122223333",
            "global",
            policy,
        ));
        // The bytes as a whole managed policy (its versions, the default marks).
        if let Value::Object(_) = document {
            let mut whole = document.clone();
            whole["Arn"] = json!("arn:aws:iam::111122223333:policy/whole");
            let _ = sources::decode_iam_documents(Kind::Policy, &mut whole, shown);
            builder.add(Resource::new(Kind::Policy, "111122223333", "global", whole));
        }
    }
    let inventory = builder.finish();
    for name in [
        "iam_policy",
        "iam_policy_statement",
        "iam_role",
        "iam_role_policy_attachment",
    ] {
        if let Some(table) = tables::table(name) {
            let _ = table.batch(&inventory);
        }
    }
});
