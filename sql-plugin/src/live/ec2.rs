//! EC2 responses of the AWS SDK → canonical resources (the PascalCase shape `aws ec2` prints),
//! field for field what the tables read, so live rows equal offline rows.

use aws_sdk_ec2::primitives::DateTime;
use aws_sdk_ec2::types::{Filter, Instance, InstanceNetworkInterface, Tag};
use serde_json::{json, Map, Value};

use super::{ApiRequest, LiveError};

fn time(t: Option<&DateTime>) -> Value {
    t.and_then(|t| t.fmt(aws_sdk_ec2::primitives::DateTimeFormat::DateTime).ok()).map_or(Value::Null, Value::String)
}

fn tags(tags: &[Tag]) -> Value {
    tags.iter().map(|t| json!({"Key": t.key(), "Value": t.value()})).collect()
}

/// Drops null members, as the CLI omits absent fields.
fn object(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, object(v))).collect::<Map<_, _>>()),
        Value::Array(a) => Value::Array(a.into_iter().map(object).collect()),
        other => other,
    }
}

fn interface(n: &InstanceNetworkInterface) -> Value {
    json!({
        "NetworkInterfaceId": n.network_interface_id(),
        "SubnetId": n.subnet_id(),
        "VpcId": n.vpc_id(),
        "PrivateIpAddress": n.private_ip_address(),
        "Association": n.association().map(|a| json!({"PublicIp": a.public_ip(), "PublicDnsName": a.public_dns_name()})),
        "PrivateIpAddresses": n.private_ip_addresses().iter().map(|p| json!({
            "PrivateIpAddress": p.private_ip_address(),
            "Primary": p.primary(),
            "Association": p.association().map(|a| json!({"PublicIp": a.public_ip()})),
        })).collect::<Vec<_>>(),
        "Ipv6Addresses": n.ipv6_addresses().iter().map(|a| json!({"Ipv6Address": a.ipv6_address()})).collect::<Vec<_>>(),
        "Groups": n.groups().iter().map(|g| json!({"GroupId": g.group_id(), "GroupName": g.group_name()})).collect::<Vec<_>>(),
        "Attachment": n.attachment().map(|a| json!({"DeviceIndex": a.device_index(), "Status": a.status().map(|s| s.as_str())})),
    })
}

pub fn instance(i: &Instance) -> Value {
    let metadata = i.metadata_options();
    object(json!({
        "InstanceId": i.instance_id(),
        "ImageId": i.image_id(),
        "InstanceType": i.instance_type().map(|t| t.as_str()),
        "State": i.state().map(|s| json!({"Code": s.code(), "Name": s.name().map(|n| n.as_str())})),
        "StateTransitionReason": i.state_transition_reason(),
        "LaunchTime": time(i.launch_time()),
        "MetadataOptions": metadata.map(|m| json!({
            "HttpTokens": m.http_tokens().map(|t| t.as_str()),
            "HttpEndpoint": m.http_endpoint().map(|t| t.as_str()),
            "HttpPutResponseHopLimit": m.http_put_response_hop_limit(),
            "InstanceMetadataTags": m.instance_metadata_tags().map(|t| t.as_str()),
        })),
        "PublicIpAddress": i.public_ip_address(),
        "PublicDnsName": i.public_dns_name(),
        "PrivateIpAddress": i.private_ip_address(),
        "Ipv6Address": i.ipv6_address(),
        "IamInstanceProfile": i.iam_instance_profile().map(|p| json!({"Arn": p.arn(), "Id": p.id()})),
        "VpcId": i.vpc_id(),
        "SubnetId": i.subnet_id(),
        "Placement": i.placement().map(|p| json!({"AvailabilityZone": p.availability_zone()})),
        "SecurityGroups": i.security_groups().iter().map(|g| json!({"GroupId": g.group_id(), "GroupName": g.group_name()})).collect::<Vec<_>>(),
        "NetworkInterfaces": i.network_interfaces().iter().map(interface).collect::<Vec<_>>(),
        "KeyName": i.key_name(),
        "Platform": i.platform().map(|p| p.as_str()),
        "Monitoring": i.monitoring().map(|m| json!({"State": m.state().map(|s| s.as_str())})),
        "EbsOptimized": i.ebs_optimized(),
        "RootDeviceType": i.root_device_type().map(|t| t.as_str()),
        "BlockDeviceMappings": i.block_device_mappings().iter().map(|b| json!({"DeviceName": b.device_name(), "Ebs": b.ebs().map(|e| json!({"VolumeId": e.volume_id()}))})).collect::<Vec<_>>(),
        "Tags": tags(i.tags()),
    }))
}

/// `DescribeInstances`, paginated, with the request's filters and limit (as MaxResults, stopping
/// once enough instances arrived). Returns the instances and the pages fetched.
pub async fn describe_instances(client: &aws_sdk_ec2::Client, request: &ApiRequest) -> Result<(Vec<Value>, usize), LiveError> {
    let mut out = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut call = client.describe_instances().set_next_token(token.clone());
        for (name, values) in &request.filters {
            call = call.filters(Filter::builder().name(name).set_values(Some(values.clone())).build());
        }
        // AWS takes 5..=1000.
        if let Some(limit) = request.limit {
            call = call.max_results(limit.saturating_sub(out.len()).clamp(5, 1000) as i32);
        }
        let page = call.send().await.map_err(LiveError::from_sdk)?;
        pages += 1;
        for reservation in page.reservations() {
            out.extend(reservation.instances().iter().map(instance));
        }
        token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        let enough = request.limit.is_some_and(|l| out.len() >= l);
        if token.is_none() || enough {
            return Ok((out, pages));
        }
    }
}

fn permission(p: &aws_sdk_ec2::types::IpPermission) -> Value {
    json!({
        "IpProtocol": p.ip_protocol(),
        "FromPort": p.from_port(),
        "ToPort": p.to_port(),
        "IpRanges": p.ip_ranges().iter().map(|r| json!({"CidrIp": r.cidr_ip(), "Description": r.description()})).collect::<Vec<_>>(),
        "Ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({"CidrIpv6": r.cidr_ipv6(), "Description": r.description()})).collect::<Vec<_>>(),
        "PrefixListIds": p.prefix_list_ids().iter().map(|r| json!({"PrefixListId": r.prefix_list_id(), "Description": r.description()})).collect::<Vec<_>>(),
        "UserIdGroupPairs": p.user_id_group_pairs().iter().map(|r| json!({"GroupId": r.group_id(), "UserId": r.user_id(), "Description": r.description()})).collect::<Vec<_>>(),
    })
}

/// The EC2 list calls read whole (no pushdown yet), as canonical resources.
pub async fn describe(client: &aws_sdk_ec2::Client, kind: crate::Kind) -> Result<Vec<Value>, LiveError> {
    use crate::Kind;
    Ok(match kind {
        Kind::SecurityGroup => client.describe_security_groups().into_paginator().items().send().try_collect().await.map_err(LiveError::from_sdk)?
            .iter()
            .map(|g| object(json!({
                "GroupId": g.group_id(), "GroupName": g.group_name(), "Description": g.description(), "VpcId": g.vpc_id(), "OwnerId": g.owner_id(),
                "IpPermissions": g.ip_permissions().iter().map(permission).collect::<Vec<_>>(),
                "IpPermissionsEgress": g.ip_permissions_egress().iter().map(permission).collect::<Vec<_>>(),
                "Tags": tags(g.tags()),
            })))
            .collect(),
        Kind::Volume => client.describe_volumes().into_paginator().items().send().try_collect().await.map_err(LiveError::from_sdk)?
            .iter()
            .map(|v| object(json!({
                "VolumeId": v.volume_id(), "VolumeType": v.volume_type().map(|t| t.as_str()), "Size": v.size(), "Iops": v.iops(),
                "Encrypted": v.encrypted(), "KmsKeyId": v.kms_key_id(), "State": v.state().map(|s| s.as_str()),
                "AvailabilityZone": v.availability_zone(), "SnapshotId": v.snapshot_id(), "CreateTime": time(v.create_time()),
                "Attachments": v.attachments().iter().map(|a| json!({"InstanceId": a.instance_id(), "Device": a.device(), "State": a.state().map(|s| s.as_str())})).collect::<Vec<_>>(),
                "MultiAttachEnabled": v.multi_attach_enabled(), "Tags": tags(v.tags()),
            })))
            .collect(),
        Kind::Vpc => client.describe_vpcs().into_paginator().items().send().try_collect().await.map_err(LiveError::from_sdk)?
            .iter()
            .map(|v| object(json!({
                "VpcId": v.vpc_id(), "CidrBlock": v.cidr_block(), "State": v.state().map(|s| s.as_str()), "IsDefault": v.is_default(),
                "InstanceTenancy": v.instance_tenancy().map(|t| t.as_str()), "DhcpOptionsId": v.dhcp_options_id(), "OwnerId": v.owner_id(),
                "CidrBlockAssociationSet": v.cidr_block_association_set().iter().map(|c| json!({"CidrBlock": c.cidr_block()})).collect::<Vec<_>>(),
                "Ipv6CidrBlockAssociationSet": v.ipv6_cidr_block_association_set().iter().map(|c| json!({"Ipv6CidrBlock": c.ipv6_cidr_block()})).collect::<Vec<_>>(),
                "Tags": tags(v.tags()),
            })))
            .collect(),
        Kind::Subnet => client.describe_subnets().into_paginator().items().send().try_collect().await.map_err(LiveError::from_sdk)?
            .iter()
            .map(|s| object(json!({
                "SubnetId": s.subnet_id(), "VpcId": s.vpc_id(), "CidrBlock": s.cidr_block(), "AvailabilityZone": s.availability_zone(),
                "MapPublicIpOnLaunch": s.map_public_ip_on_launch(), "AssignIpv6AddressOnCreation": s.assign_ipv6_address_on_creation(),
                "DefaultForAz": s.default_for_az(), "State": s.state().map(|s| s.as_str()), "AvailableIpAddressCount": s.available_ip_address_count(),
                "Ipv6CidrBlockAssociationSet": s.ipv6_cidr_block_association_set().iter().map(|c| json!({"Ipv6CidrBlock": c.ipv6_cidr_block()})).collect::<Vec<_>>(),
                "Tags": tags(s.tags()),
            })))
            .collect(),
        other => unreachable!("{other:?} is not fetched by describe()"),
    })
}
