//! AWS Config configuration items, in every container AWS hands them out in: a delivered
//! snapshot file (`configurationItems`), `get-resource-config-history` (`configurationItems`),
//! `batch-get-resource-config` (`baseConfigurationItems`), a Lambda invoking event
//! (`invokingEvent`, as a string or parsed), or bare items, alone or in a list.
//!
//! Items come in two shapes (see shared/reference/aws-config/examples/README.md): the event
//! shape (`awsAccountId`, `ARN`, `configuration` an object) and the API shape (`accountId`,
//! `arn`, `configuration` a JSON string). Both map to the same canonical resource: the
//! camelCase `configuration` is recased to the API's PascalCase, and the few places where
//! Config's model differs from the EC2/IAM API are mended here, once.

use std::path::Path;

use serde_json::{Map, Value};

use crate::Error;
use crate::inventory::{InventoryBuilder, Kind, Resource};
use crate::value::{Json, parse_time};

/// Items for resources that no longer exist; they describe nothing to query.
const GONE: &[&str] = &[
    "ResourceDeleted",
    "ResourceDeletedNotRecorded",
    "ResourceNotRecorded",
];

pub fn recognises(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.first().is_some_and(recognises),
        Value::Object(o) => {
            [
                "configurationItems",
                "baseConfigurationItems",
                "configurationItem",
                "invokingEvent",
            ]
            .iter()
            .any(|k| o.contains_key(*k))
                || (o.contains_key("resourceType") && o.contains_key("configurationItemStatus"))
        }
        _ => false,
    }
}

pub fn load(v: &Value, shown: &Path, builder: &mut InventoryBuilder) -> Result<(), Error> {
    match v {
        Value::Array(items) => items.iter().try_for_each(|i| load(i, shown, builder)),
        Value::Object(o) => {
            for key in ["configurationItems", "baseConfigurationItems"] {
                if let Some(items) = o.get(key) {
                    let items = items.as_array().ok_or_else(|| Error::Field {
                        path: shown.to_path_buf(),
                        field: key.into(),
                        reason: "expected a list of configuration items".into(),
                    })?;
                    return items.iter().try_for_each(|i| item(i, shown, builder));
                }
            }
            if let Some(event) = o.get("invokingEvent") {
                let event = match event {
                    Value::String(s) => serde_json::from_str(s).map_err(|e| Error::Field {
                        path: shown.to_path_buf(),
                        field: "invokingEvent".into(),
                        reason: format!("not JSON: {e}"),
                    })?,
                    other => other.clone(),
                };
                return match event.get("configurationItem") {
                    Some(ci) => item(ci, shown, builder),
                    None => {
                        let kind = event.str_at("messageType").unwrap_or("this").to_string();
                        builder.note(format!(
                            "{}: a {kind} event carries no configuration item",
                            shown.display()
                        ));
                        Ok(())
                    }
                };
            }
            match o.get("configurationItem") {
                Some(ci) => item(ci, shown, builder),
                None => item(v, shown, builder),
            }
        }
        _ => unreachable!("recognises() accepted only arrays and objects"),
    }
}

fn item(ci: &Value, shown: &Path, builder: &mut InventoryBuilder) -> Result<(), Error> {
    let resource_id = ci
        .str_at("resourceId")
        .unwrap_or("(no resourceId)")
        .to_string();
    let bad = |reason: &str| Error::ConfigItem {
        path: shown.to_path_buf(),
        resource: resource_id.clone(),
        reason: reason.to_string(),
    };
    let resource_type = ci
        .str_at("resourceType")
        .ok_or_else(|| bad("no resourceType"))?;
    let status = ci.str_at("configurationItemStatus").unwrap_or("OK");
    if GONE.contains(&status) {
        builder.note(format!("ignored AWS Config items with status {status}"));
        return Ok(());
    }
    let Some(kind) = kind_of(resource_type) else {
        builder.note(format!(
            "ignored AWS Config items of type {resource_type}: no table reads them"
        ));
        return Ok(());
    };
    let account = ci
        .str_at("awsAccountId")
        .or_else(|| ci.str_at("accountId"))
        .ok_or_else(|| bad("no awsAccountId or accountId"))?;
    let region = ci.str_at("awsRegion").ok_or_else(|| bad("no awsRegion"))?;
    let configuration = match ci.at("configuration") {
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|e| bad(&format!("configuration is not JSON: {e}")))?
        }
        Some(v @ Value::Object(_)) => v.clone(),
        _ => return Err(bad("no configuration object")),
    };

    let mut data = pascal(configuration);
    mend(kind, &mut data, ci);
    for note in crate::sources::decode_iam_documents(kind, &mut data, shown) {
        builder.note(format!("{note} (item {resource_id})"));
    }
    let region = if matches!(kind, Kind::Role | Kind::Policy) {
        "global"
    } else {
        region
    };
    let mut resource = Resource::new(kind, account, region, data);
    resource.captured_at = ci
        .str_at("configurationItemCaptureTime")
        .and_then(parse_time);
    builder.add(resource);
    Ok(())
}

/// The AWS Config resource types posture models, with the kind each one's items fill.
pub const RESOURCE_TYPES: &[(&str, Kind)] = &[
    ("AWS::EC2::Instance", Kind::Instance),
    ("AWS::EC2::SecurityGroup", Kind::SecurityGroup),
    ("AWS::EC2::NetworkInterface", Kind::NetworkInterface),
    ("AWS::EC2::Volume", Kind::Volume),
    ("AWS::EC2::VPC", Kind::Vpc),
    ("AWS::EC2::Subnet", Kind::Subnet),
    ("AWS::EC2::NetworkAcl", Kind::NetworkAcl),
    ("AWS::EC2::RouteTable", Kind::RouteTable),
    ("AWS::EC2::FlowLog", Kind::FlowLog),
    ("AWS::EC2::LaunchTemplate", Kind::LaunchTemplateVersion),
    ("AWS::IAM::Role", Kind::Role),
    ("AWS::IAM::Policy", Kind::Policy),
    ("AWS::CloudTrail::Trail", Kind::Trail),
];

/// The kind an AWS Config resource type loads as (None: not modelled).
pub fn kind_of(resource_type: &str) -> Option<Kind> {
    RESOURCE_TYPES
        .iter()
        .find(|(name, _)| *name == resource_type)
        .map(|(_, kind)| *kind)
}

/// Fields whose values are documents, not Config's model: recased as keys, kept as values.
const DOCUMENTS: &[&str] = &["assumeRolePolicyDocument", "policyDocument", "document"];

/// camelCase keys → PascalCase (`metadataOptions.httpTokens` → `MetadataOptions.HttpTokens`).
fn pascal(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if DOCUMENTS.contains(&k.as_str()) {
                        v
                    } else {
                        pascal(v)
                    };
                    (upper_first(&k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pascal).collect()),
        other => other,
    }
}

fn upper_first(k: &str) -> String {
    let mut chars = k.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where Config's model differs from the API's, after recasing.
fn mend(kind: Kind, data: &mut Value, ci: &Value) {
    // Some item versions carry tags only at the top level, as a map.
    if data
        .at("Tags")
        .is_none_or(|t| t.as_array().is_some_and(Vec::is_empty))
    {
        let tags = ci
            .at("tags")
            .or_else(|| ci.at("supplementaryConfiguration.Tags"));
        if let Some(tags) = tags {
            data["Tags"] = pascal(tags_as_list(tags));
        }
    }
    match kind {
        Kind::SecurityGroup => {
            for key in ["IpPermissions", "IpPermissionsEgress"] {
                if let Some(Value::Array(perms)) = data.get_mut(key) {
                    perms.iter_mut().for_each(merge_ip_ranges);
                }
            }
        }
        // `state` is a string in some item versions and `{"value": ...}` in others.
        Kind::Volume | Kind::Subnet | Kind::Vpc => {
            if let Some(state) = data.at("State.Value").cloned() {
                data["State"] = state;
            }
        }
        // The CloudFormation-registry model: `Id`, no status (a recorded flow log is active).
        Kind::FlowLog => {
            if data.at("FlowLogId").is_none()
                && let Some(id) = data.at("Id").cloned()
            {
                data["FlowLogId"] = id;
            }
            if data.at("FlowLogStatus").is_none() {
                data["FlowLogStatus"] = Value::String("ACTIVE".into());
            }
        }
        // Config records the template with its default version's data: one version.
        Kind::LaunchTemplateVersion => {
            let mut version = Map::new();
            let id = data
                .at("LaunchTemplateId")
                .or_else(|| data.at("Id"))
                .cloned();
            version.insert("LaunchTemplateId".into(), id.unwrap_or(Value::Null));
            for key in [
                "LaunchTemplateName",
                "LaunchTemplateData",
                "CreateTime",
                "CreatedBy",
            ] {
                if let Some(v) = data.at(key) {
                    version.insert(key.into(), v.clone());
                }
            }
            let number = data.at("DefaultVersionNumber").and_then(|n| match n {
                Value::String(s) => s.parse::<i64>().ok(),
                other => other.as_i64(),
            });
            version.insert(
                "VersionNumber".into(),
                number.map_or(Value::Null, Value::from),
            );
            version.insert("DefaultVersion".into(), Value::Bool(true));
            *data = Value::Object(version);
        }
        _ => {}
    }
}

fn tags_as_list(tags: &Value) -> Value {
    match tags {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
            .collect(),
        other => other.clone(),
    }
}

/// Config lists IPv4 sources as `ipRanges` (plain strings, older) and/or `ipv4Ranges`
/// (`{cidrIp, description}`); the API has one `IpRanges: [{CidrIp, Description}]`.
fn merge_ip_ranges(permission: &mut Value) {
    let mut ranges: Vec<Value> = Vec::new();
    let mut push = |range: Value| {
        let cidr = range.str_at("CidrIp").map(str::to_string);
        if let Some(existing) = ranges
            .iter_mut()
            .find(|r| r.str_at("CidrIp").map(str::to_string) == cidr)
        {
            if existing.at("Description").is_none() && range.at("Description").is_some() {
                *existing = range;
            }
        } else {
            ranges.push(range);
        }
    };
    for key in ["Ipv4Ranges", "IpRanges"] {
        if let Some(Value::Array(items)) = permission.get(key) {
            for item in items.clone() {
                match item {
                    Value::String(cidr) => push(serde_json::json!({ "CidrIp": cidr })),
                    object @ Value::Object(_) => push(object),
                    _ => {}
                }
            }
        }
    }
    if let Value::Object(p) = permission {
        p.remove("Ipv4Ranges");
        p.insert("IpRanges".into(), Value::Array(ranges));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load_one(v: Value) -> Result<crate::Inventory, Error> {
        let mut b = InventoryBuilder::default();
        load(&v, Path::new("items.json"), &mut b)?;
        Ok(b.finish())
    }

    #[test]
    fn recasing_keeps_documents_and_acronyms() {
        let v = pascal(
            json!({"metadataOptions": {"httpTokens": "required"}, "trailARN": "a", "policyDocument": {"Condition": {"aws:SourceIp": "1"}}}),
        );
        assert_eq!(
            v,
            json!({"MetadataOptions": {"HttpTokens": "required"}, "TrailARN": "a", "PolicyDocument": {"Condition": {"aws:SourceIp": "1"}}})
        );
    }

    #[test]
    fn old_and_new_ip_range_shapes_merge() {
        let mut p = json!({"IpRanges": ["0.0.0.0/0", "10.0.0.0/8"], "Ipv4Ranges": [{"CidrIp": "0.0.0.0/0", "Description": "web"}]});
        merge_ip_ranges(&mut p);
        assert_eq!(
            p,
            json!({"IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "web"}, {"CidrIp": "10.0.0.0/8"}]})
        );
    }

    #[test]
    fn the_newest_capture_of_a_resource_wins() {
        let item = |time: &str, tokens: &str| json!({"resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "awsAccountId": "111122223333", "awsRegion": "us-east-1", "configurationItemStatus": "OK", "configurationItemCaptureTime": time, "configuration": {"instanceId": "i-1", "metadataOptions": {"httpTokens": tokens}}});
        let inv = load_one(json!({"configurationItems": [item("2024-01-02T00:00:00Z", "required"), item("2024-01-01T00:00:00Z", "optional")]})).unwrap();
        assert_eq!(inv.of(Kind::Instance).len(), 1);
        assert_eq!(
            inv.of(Kind::Instance)[0]
                .data
                .str_at("MetadataOptions.HttpTokens"),
            Some("required")
        );
    }

    #[test]
    fn deleted_and_unmodelled_items_are_noted_not_loaded() {
        let inv = load_one(json!([
            {"resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "configurationItemStatus": "ResourceDeleted"},
            {"resourceType": "AWS::S3::Bucket", "resourceId": "b", "configurationItemStatus": "OK", "configuration": {}},
        ]))
        .unwrap();
        assert!(inv.is_empty());
        assert_eq!(
            inv.notes,
            vec![
                "ignored AWS Config items of type AWS::S3::Bucket: no table reads them".to_string(),
                "ignored AWS Config items with status ResourceDeleted".to_string(),
            ]
        );
    }

    #[test]
    fn broken_items_name_the_file_and_resource() {
        let base = json!({"resourceType": "AWS::EC2::Volume", "resourceId": "vol-1", "configurationItemStatus": "OK", "awsRegion": "us-east-1"});
        let err = load_one(base.clone()).unwrap_err().to_string();
        assert_eq!(
            err,
            "items.json: AWS Config item vol-1: no awsAccountId or accountId"
        );
        let mut no_config = base.clone();
        no_config["accountId"] = json!("111122223333");
        let err = load_one(no_config.clone()).unwrap_err().to_string();
        assert_eq!(
            err,
            "items.json: AWS Config item vol-1: no configuration object"
        );
        no_config["configuration"] = json!("{oops");
        let err = load_one(no_config).unwrap_err().to_string();
        assert!(
            err.starts_with("items.json: AWS Config item vol-1: configuration is not JSON"),
            "{err}"
        );
        let err = load_one(json!({"invokingEvent": "{"}))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("items.json: field invokingEvent: not JSON"),
            "{err}"
        );
    }
}
