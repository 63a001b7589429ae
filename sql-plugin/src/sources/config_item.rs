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
use crate::text::{excerpt, excerpt_json};
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
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| match v {
            Value::Array(_) | Value::Object(_) => load(v, shown, builder),
            scalar => Err(Error::Field {
                path: shown.to_path_buf(),
                field: format!("[{i}]"),
                reason: format!(
                    "expected an AWS Config item (an object), got {}",
                    excerpt_json(scalar)
                ),
            }),
        }),
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
                        let kind = excerpt(event.str_at("messageType").unwrap_or("this"));
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
        scalar => Err(Error::Field {
            path: shown.to_path_buf(),
            field: "(top level)".into(),
            reason: format!("expected AWS Config items, got {}", excerpt_json(scalar)),
        }),
    }
}

fn item(ci: &Value, shown: &Path, builder: &mut InventoryBuilder) -> Result<(), Error> {
    let resource_id = excerpt(ci.str_at("resourceId").unwrap_or("(no resourceId)"));
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
        builder.note(format!(
            "ignored AWS Config items with status {}",
            excerpt(status)
        ));
        return Ok(());
    }
    let Some(kind) = Kind::of_config_type(resource_type) else {
        builder.note(format!(
            "ignored AWS Config items of type {}: no table reads them",
            excerpt(resource_type)
        ));
        return Ok(());
    };
    let account = ci
        .str_at("awsAccountId")
        .or_else(|| ci.str_at("accountId"))
        .ok_or_else(|| bad("no awsAccountId or accountId"))?;
    let region = ci.str_at("awsRegion").ok_or_else(|| bad("no awsRegion"))?;
    // The API shape holds the object as JSON text; either way it must be an object.
    let configuration = match ci.at("configuration") {
        Some(Value::String(s)) => match serde_json::from_str(s) {
            Ok(Value::Object(o)) => o,
            Ok(other) => {
                return Err(bad(&format!(
                    "field configuration: a JSON string holding {}, not an object",
                    json_type(&other)
                )));
            }
            Err(e) => return Err(bad(&format!("configuration is not JSON: {e}"))),
        },
        Some(Value::Object(o)) => o.clone(),
        Some(other) => {
            return Err(bad(&format!(
                "field configuration: {}, not an object",
                json_type(other)
            )));
        }
        None => return Err(bad("no configuration object")),
    };

    let mut data = pascal_map(configuration);
    mend(kind, &mut data, ci);
    let mut data = Value::Object(data);
    for note in crate::sources::decode_iam_documents(kind, &mut data, shown) {
        builder.note(format!("{note} (item {resource_id})"));
    }
    let region = if kind.is_global() { "global" } else { region };
    let mut resource = Resource::new(kind, account, region, data);
    resource.captured_at = ci
        .str_at("configurationItemCaptureTime")
        .and_then(parse_time);
    builder.add_from(shown, resource);
    Ok(())
}

/// What a JSON value is, for errors: `an array`, `a number`…
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Fields whose values are documents, not Config's model: recased as keys, kept as values.
const DOCUMENTS: &[&str] = &["assumeRolePolicyDocument", "policyDocument", "document"];

/// camelCase keys → PascalCase (`metadataOptions.httpTokens` → `MetadataOptions.HttpTokens`).
fn pascal(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(pascal_map(map)),
        Value::Array(items) => Value::Array(items.into_iter().map(pascal).collect()),
        other => other,
    }
}

fn pascal_map(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| {
            let v = if DOCUMENTS.contains(&k.as_str()) {
                v
            } else {
                pascal(v)
            };
            (upper_first(&k), v)
        })
        .collect()
}

fn upper_first(k: &str) -> String {
    let mut chars = k.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where Config's model differs from the API's, after recasing. `data` is the configuration
/// object, so every field written here lands in an object.
fn mend(kind: Kind, data: &mut Map<String, Value>, ci: &Value) {
    let at = |data: &Map<String, Value>, path: &str| -> Option<Value> {
        let (first, rest) = path.split_once('.').unwrap_or((path, ""));
        let v = data.get(first)?;
        let v = if rest.is_empty() { Some(v) } else { v.at(rest) }?;
        (!v.is_null()).then(|| v.clone())
    };
    // Some item versions carry tags only at the top level, as a map.
    if at(data, "Tags").is_none_or(|t| t.as_array().is_some_and(Vec::is_empty)) {
        let tags = ci
            .at("tags")
            .or_else(|| ci.at("supplementaryConfiguration.Tags"));
        if let Some(tags) = tags {
            data.insert("Tags".into(), pascal(tags_as_list(tags)));
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
            if let Some(state) = at(data, "State.Value") {
                data.insert("State".into(), state);
            }
        }
        // The CloudFormation-registry model: `Id`, no status (a recorded flow log is active).
        Kind::FlowLog => {
            if at(data, "FlowLogId").is_none()
                && let Some(id) = at(data, "Id")
            {
                data.insert("FlowLogId".into(), id);
            }
            if at(data, "FlowLogStatus").is_none() {
                data.insert("FlowLogStatus".into(), Value::String("ACTIVE".into()));
            }
        }
        // The CloudFormation-registry model: `Arn`, and the entries with the list.
        Kind::ManagedPrefixList => {
            if at(data, "PrefixListArn").is_none()
                && let Some(arn) = at(data, "Arn")
            {
                data.insert("PrefixListArn".into(), arn);
            }
        }
        // Config names the subnets as Java beans do (`vpczoneIdentifier`), or recased from the
        // API (`vPCZoneIdentifier`); the CloudFormation-registry model holds them as a list.
        Kind::AutoScalingGroup => {
            let subnets = [
                "VPCZoneIdentifier",
                "VpczoneIdentifier",
                "VPCzoneIdentifier",
                "VpcZoneIdentifier",
            ]
            .iter()
            .find_map(|k| at(data, k));
            let subnets = match subnets {
                Some(Value::Array(ids)) => Some(Value::String(
                    ids.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                other => other,
            };
            if let Some(subnets) = subnets {
                data.insert("VPCZoneIdentifier".into(), subnets);
            }
        }
        // The CloudFormation-registry model names the group `Name`.
        Kind::TargetGroup => {
            if at(data, "TargetGroupName").is_none()
                && let Some(name) = at(data, "Name")
            {
                data.insert("TargetGroupName".into(), name);
            }
        }
        // Classic Load Balancer items name acronym fields as Java beans do (`dnsname`, `vpcid`,
        // `sslcertificateId`), or recased from the API (`dNSName`, `vPCId`).
        Kind::ClassicLoadBalancer => {
            for (canonical, variants) in [
                ("DNSName", &["Dnsname", "DNSname", "DnsName"][..]),
                ("VPCId", &["Vpcid", "VpcId", "VPCid"][..]),
            ] {
                if at(data, canonical).is_none()
                    && let Some(v) = variants.iter().find_map(|k| at(data, k))
                {
                    data.insert(canonical.into(), v);
                }
            }
            if let Some(Value::Array(listeners)) = data.get_mut("ListenerDescriptions") {
                for listener in listeners.iter_mut().filter_map(|l| l.get_mut("Listener")) {
                    if let Value::Object(l) = listener
                        && !l.contains_key("SSLCertificateId")
                        && let Some(v) = l.remove("SslcertificateId")
                    {
                        l.insert("SSLCertificateId".into(), v);
                    }
                }
            }
        }
        // Config records the template with its default version's data: one version.
        Kind::LaunchTemplateVersion => {
            let mut version = Map::new();
            let id = at(data, "LaunchTemplateId").or_else(|| at(data, "Id"));
            version.insert("LaunchTemplateId".into(), id.unwrap_or(Value::Null));
            for key in [
                "LaunchTemplateName",
                "LaunchTemplateData",
                "CreateTime",
                "CreatedBy",
            ] {
                if let Some(v) = at(data, key) {
                    version.insert(key.into(), v);
                }
            }
            let number = at(data, "DefaultVersionNumber").and_then(|n| match n {
                Value::String(s) => s.parse::<i64>().ok(),
                other => other.as_i64(),
            });
            version.insert(
                "VersionNumber".into(),
                number.map_or(Value::Null, Value::from),
            );
            version.insert("DefaultVersion".into(), Value::Bool(true));
            *data = version;
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
    fn connection_items_load_in_the_describe_shape() {
        let item = |rtype: &str, id: &str, configuration: Value| json!({"resourceType": rtype, "resourceId": id, "awsAccountId": "111122223333", "awsRegion": "us-east-1", "configurationItemStatus": "OK", "configuration": configuration, "tags": {"Name": id}});
        let inv = load_one(json!({"configurationItems": [
            item("AWS::EC2::VPCPeeringConnection", "pcx-1", json!({"vpcPeeringConnectionId": "pcx-1", "status": {"code": "active"}, "accepterVpcInfo": {"vpcId": "vpc-b", "cidrBlockSet": [{"cidrBlock": "10.1.0.0/16"}]}})),
            item("AWS::EC2::VPNGateway", "vgw-1", json!({"vpnGatewayId": "vgw-1", "vpcAttachments": [{"vpcId": "vpc-a", "state": "attached"}]})),
            item("AWS::EC2::TransitGatewayAttachment", "tgw-attach-1", json!({"transitGatewayAttachmentId": "tgw-attach-1", "association": {"transitGatewayRouteTableId": "tgw-rtb-1"}})),
            // The CloudFormation-registry model, entries included.
            item("AWS::EC2::PrefixList", "pl-1", json!({"PrefixListId": "pl-1", "Arn": "arn:aws:ec2:us-east-1:111122223333:prefix-list/pl-1", "Entries": [{"Cidr": "203.0.113.0/24"}]})),
        ]}))
        .unwrap();
        let data = |kind| &inv.of(kind)[0].data;
        assert_eq!(
            data(Kind::VpcPeeringConnection)["AccepterVpcInfo"]["CidrBlockSet"][0]["CidrBlock"],
            "10.1.0.0/16"
        );
        assert_eq!(
            data(Kind::VpcPeeringConnection).str_at("Status.Code"),
            Some("active")
        );
        assert_eq!(
            data(Kind::VpnGateway)["VpcAttachments"][0]["State"],
            "attached"
        );
        assert_eq!(
            data(Kind::TransitGatewayAttachment).str_at("Association.TransitGatewayRouteTableId"),
            Some("tgw-rtb-1")
        );
        let list = data(Kind::ManagedPrefixList);
        assert_eq!(
            list.str_at("PrefixListArn"),
            Some("arn:aws:ec2:us-east-1:111122223333:prefix-list/pl-1")
        );
        assert_eq!(list["Entries"][0]["Cidr"], "203.0.113.0/24");
        assert_eq!(list["Tags"], json!([{"Key": "Name", "Value": "pl-1"}]));
    }

    #[test]
    fn load_balancer_items_load_in_the_describe_shape() {
        let item = |rtype: &str, id: &str, configuration: Value| json!({"resourceType": rtype, "resourceId": id, "awsAccountId": "111122223333", "awsRegion": "us-east-1", "configurationItemStatus": "OK", "configuration": configuration, "tags": {}});
        let lb = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1";
        let tg = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/2";
        let inv = load_one(json!({"configurationItems": [
            item("AWS::ElasticLoadBalancingV2::LoadBalancer", lb, json!({"loadBalancerArn": lb, "dNSName": "web.example", "state": {"code": "active"}, "availabilityZones": [{"zoneName": "us-east-1a", "subnetId": "subnet-1"}], "securityGroups": ["sg-1"]})),
            // The CloudFormation-registry model.
            item("AWS::ElasticLoadBalancingV2::Listener", "l-1", json!({"ListenerArn": "l-1", "LoadBalancerArn": lb, "Port": 443, "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]})),
            item("AWS::ElasticLoadBalancingV2::TargetGroup", tg, json!({"TargetGroupArn": tg, "Name": "web", "TargetType": "instance"})),
            // Java-bean names, and the API's recased.
            item("AWS::ElasticLoadBalancing::LoadBalancer", "old", json!({"loadBalancerName": "old", "dnsname": "old.example", "vpcid": "vpc-1", "listenerDescriptions": [{"listener": {"protocol": "HTTPS", "loadBalancerPort": 443, "sslcertificateId": "cert"}}], "instances": [{"instanceId": "i-1"}]})),
            item("AWS::ElasticLoadBalancing::LoadBalancer", "older", json!({"loadBalancerName": "older", "dNSName": "older.example", "vPCId": "vpc-2"})),
        ]}))
        .unwrap();
        let data = |kind| &inv.of(kind)[0].data;
        let v2 = data(Kind::LoadBalancerV2);
        assert_eq!(
            (v2.str_at("DNSName"), v2.str_at("State.Code")),
            (Some("web.example"), Some("active"))
        );
        assert_eq!(v2["AvailabilityZones"][0]["SubnetId"], "subnet-1");
        assert_eq!(
            data(Kind::Listener)["DefaultActions"][0]["TargetGroupArn"],
            tg
        );
        assert_eq!(
            data(Kind::TargetGroup).str_at("TargetGroupName"),
            Some("web")
        );
        let classic = inv.of(Kind::ClassicLoadBalancer);
        let (old, older) = (&classic[0].data, &classic[1].data);
        assert_eq!(
            (old.str_at("DNSName"), old.str_at("VPCId")),
            (Some("old.example"), Some("vpc-1"))
        );
        assert_eq!(
            old["ListenerDescriptions"][0]["Listener"]["SSLCertificateId"],
            "cert"
        );
        assert_eq!(old["Instances"][0]["InstanceId"], "i-1");
        assert_eq!(
            (older.str_at("DNSName"), older.str_at("VPCId")),
            (Some("older.example"), Some("vpc-2"))
        );
    }

    #[test]
    fn auto_scaling_items_load_in_the_describe_shape() {
        let item = |rtype: &str, id: &str, configuration: Value| json!({"resourceType": rtype, "resourceId": id, "awsAccountId": "111122223333", "awsRegion": "us-east-1", "configurationItemStatus": "OK", "configuration": configuration, "tags": {"team": "shop"}});
        let inv = load_one(json!({"configurationItems": [
            item("AWS::AutoScaling::AutoScalingGroup", "arn:asg", json!({"autoScalingGroupName": "shop-asg", "autoScalingGroupARN": "arn:asg", "launchConfigurationName": "shop-lc-v1", "vpczoneIdentifier": "subnet-1,subnet-2", "targetGroupARNs": ["arn:tg"], "instances": [{"instanceId": "i-1"}]})),
            // The CloudFormation-registry model: the subnets a list.
            item("AWS::AutoScaling::AutoScalingGroup", "arn:asg2", json!({"AutoScalingGroupName": "eu-asg", "VPCZoneIdentifier": ["subnet-3", "subnet-4"], "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "1"}})),
            item("AWS::AutoScaling::LaunchConfiguration", "arn:lc", json!({"launchConfigurationName": "shop-lc-v1", "launchConfigurationARN": "arn:lc", "associatePublicIpAddress": true, "metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 1}})),
        ]}))
        .unwrap();
        let group = |name| {
            &inv.of(Kind::AutoScalingGroup)
                .iter()
                .find(|g| g.data.str_at("AutoScalingGroupName") == Some(name))
                .unwrap()
                .data
        };
        let (shop, eu) = (group("shop-asg"), group("eu-asg"));
        assert_eq!(
            (
                shop.str_at("AutoScalingGroupARN"),
                shop.str_at("VPCZoneIdentifier")
            ),
            (Some("arn:asg"), Some("subnet-1,subnet-2"))
        );
        assert_eq!(shop["TargetGroupARNs"], json!(["arn:tg"]));
        assert_eq!(shop["Instances"][0]["InstanceId"], "i-1");
        assert_eq!(shop["Tags"], json!([{"Key": "team", "Value": "shop"}]));
        assert_eq!(eu.str_at("VPCZoneIdentifier"), Some("subnet-3,subnet-4"));
        let lc = &inv.of(Kind::LaunchConfiguration)[0].data;
        assert_eq!(
            (
                lc.str_at("LaunchConfigurationARN"),
                lc.str_at("MetadataOptions.HttpTokens")
            ),
            (Some("arn:lc"), Some("optional"))
        );
        assert_eq!(lc["AssociatePublicIpAddress"], true);
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

    #[test]
    fn a_configuration_string_holding_no_object_is_an_error_not_a_panic() {
        for (kind, id) in [
            ("AWS::EC2::Instance", "i-1"),
            ("AWS::EC2::FlowLog", "fl-1"),
            ("AWS::EC2::Volume", "vol-1"),
            ("AWS::EC2::LaunchTemplate", "lt-1"),
        ] {
            for (configuration, holding) in [
                ("[1, 2]", "an array"),
                ("3", "a number"),
                ("true", "a boolean"),
                ("null", "null"),
                ("\"text\"", "a string"),
            ] {
                let item = json!({"resourceType": kind, "resourceId": id, "accountId": "111122223333", "awsRegion": "us-east-1", "configurationItemStatus": "OK", "configuration": configuration, "tags": {"Name": "x"}});
                let err = load_one(item).unwrap_err().to_string();
                assert_eq!(
                    err,
                    format!(
                        "items.json: AWS Config item {id}: field configuration: a JSON string holding {holding}, not an object"
                    )
                );
            }
            let item = json!({"resourceType": kind, "resourceId": id, "awsAccountId": "111122223333", "awsRegion": "us-east-1", "configuration": [1], "tags": {"Name": "x"}});
            let err = load_one(item).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "items.json: AWS Config item {id}: field configuration: an array, not an object"
                )
            );
        }
    }

    #[test]
    fn a_list_of_items_holding_a_scalar_is_an_error_not_a_panic() {
        let item = json!({"resourceType": "AWS::S3::Bucket", "resourceId": "b", "configurationItemStatus": "OK", "configuration": {}});
        let err = load_one(json!([item, 3])).unwrap_err().to_string();
        assert_eq!(
            err,
            "items.json: field [1]: expected an AWS Config item (an object), got 3"
        );
        let err = load_one(json!([item, "x".repeat(200)]))
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(&format!("got \"{}…", "x".repeat(79))),
            "{err}"
        );
        let err = load_one(json!(null)).unwrap_err().to_string();
        assert_eq!(
            err,
            "items.json: field (top level): expected AWS Config items, got null"
        );
    }

    #[test]
    fn quoted_input_values_are_bounded() {
        let long = "i-".repeat(100);
        let item = json!({"resourceType": "AWS::EC2::Instance", "resourceId": long, "configurationItemStatus": "OK"});
        let err = load_one(item).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "items.json: AWS Config item {}…: no awsAccountId or accountId",
                &long[..80]
            )
        );
    }
}
