//! EC2 responses of the AWS SDK → canonical resources (the PascalCase shape `aws ec2` prints),
//! field for field what the tables read, so live rows equal offline rows.

use aws_sdk_ec2::types::{Filter, Instance, InstanceNetworkInterface, Tag};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{ApiRequest, Call, LiveError, Notice, object, time};
use crate::inventory::Kind;

fn tags(tags: &[Tag]) -> Value {
    tags.iter()
        .map(|t| json!({"Key": t.key(), "Value": t.value()}))
        .collect()
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

fn security_group(g: &aws_sdk_ec2::types::SecurityGroup) -> Value {
    json!({
        "GroupId": g.group_id(), "GroupName": g.group_name(), "Description": g.description(), "VpcId": g.vpc_id(), "OwnerId": g.owner_id(),
        "IpPermissions": g.ip_permissions().iter().map(permission).collect::<Vec<_>>(),
        "IpPermissionsEgress": g.ip_permissions_egress().iter().map(permission).collect::<Vec<_>>(),
        "Tags": tags(g.tags()),
    })
}

fn network_interface(n: &aws_sdk_ec2::types::NetworkInterface) -> Value {
    json!({
        "NetworkInterfaceId": n.network_interface_id(), "InterfaceType": n.interface_type().map(|t| t.as_str()), "Status": n.status().map(|s| s.as_str()),
        "Description": n.description(), "VpcId": n.vpc_id(), "SubnetId": n.subnet_id(), "AvailabilityZone": n.availability_zone(),
        "PrivateIpAddress": n.private_ip_address(), "RequesterManaged": n.requester_managed(), "SourceDestCheck": n.source_dest_check(),
        "Association": n.association().map(|a| json!({"PublicIp": a.public_ip()})),
        "Attachment": n.attachment().map(|a| json!({"InstanceId": a.instance_id(), "DeviceIndex": a.device_index(), "Status": a.status().map(|s| s.as_str())})),
        "PrivateIpAddresses": n.private_ip_addresses().iter().map(|p| json!({"PrivateIpAddress": p.private_ip_address(), "Primary": p.primary(), "Association": p.association().map(|a| json!({"PublicIp": a.public_ip()}))})).collect::<Vec<_>>(),
        "Ipv6Addresses": n.ipv6_addresses().iter().map(|a| json!({"Ipv6Address": a.ipv6_address()})).collect::<Vec<_>>(),
        "Groups": n.groups().iter().map(|g| json!({"GroupId": g.group_id(), "GroupName": g.group_name()})).collect::<Vec<_>>(),
        "TagSet": tags(n.tag_set()),
    })
}

fn volume(v: &aws_sdk_ec2::types::Volume) -> Value {
    json!({
        "VolumeId": v.volume_id(), "VolumeType": v.volume_type().map(|t| t.as_str()), "Size": v.size(), "Iops": v.iops(),
        "Encrypted": v.encrypted(), "KmsKeyId": v.kms_key_id(), "State": v.state().map(|s| s.as_str()),
        "AvailabilityZone": v.availability_zone(), "SnapshotId": v.snapshot_id(), "CreateTime": time(v.create_time()),
        "Attachments": v.attachments().iter().map(|a| json!({"InstanceId": a.instance_id(), "Device": a.device(), "State": a.state().map(|s| s.as_str())})).collect::<Vec<_>>(),
        "MultiAttachEnabled": v.multi_attach_enabled(), "Tags": tags(v.tags()),
    })
}

fn image(i: &aws_sdk_ec2::types::Image) -> Value {
    json!({
        "ImageId": i.image_id(), "Name": i.name(), "OwnerId": i.owner_id(), "Public": i.public(), "State": i.state().map(|s| s.as_str()),
        "CreationDate": i.creation_date(), "Architecture": i.architecture().map(|a| a.as_str()), "PlatformDetails": i.platform_details(),
        "RootDeviceType": i.root_device_type().map(|t| t.as_str()), "ImdsSupport": i.imds_support().map(|s| s.as_str()),
        "BlockDeviceMappings": i.block_device_mappings().iter().map(|b| json!({"DeviceName": b.device_name(), "Ebs": b.ebs().map(|e| json!({"SnapshotId": e.snapshot_id(), "Encrypted": e.encrypted()}))})).collect::<Vec<_>>(),
        "Tags": tags(i.tags()),
    })
}

fn vpc(v: &aws_sdk_ec2::types::Vpc) -> Value {
    json!({
        "VpcId": v.vpc_id(), "CidrBlock": v.cidr_block(), "State": v.state().map(|s| s.as_str()), "IsDefault": v.is_default(),
        "InstanceTenancy": v.instance_tenancy().map(|t| t.as_str()), "DhcpOptionsId": v.dhcp_options_id(), "OwnerId": v.owner_id(),
        "CidrBlockAssociationSet": v.cidr_block_association_set().iter().map(|c| json!({"CidrBlock": c.cidr_block()})).collect::<Vec<_>>(),
        "Ipv6CidrBlockAssociationSet": v.ipv6_cidr_block_association_set().iter().map(|c| json!({"Ipv6CidrBlock": c.ipv6_cidr_block()})).collect::<Vec<_>>(),
        "Tags": tags(v.tags()),
    })
}

fn subnet(s: &aws_sdk_ec2::types::Subnet) -> Value {
    json!({
        "SubnetId": s.subnet_id(), "VpcId": s.vpc_id(), "CidrBlock": s.cidr_block(), "AvailabilityZone": s.availability_zone(),
        "MapPublicIpOnLaunch": s.map_public_ip_on_launch(), "AssignIpv6AddressOnCreation": s.assign_ipv6_address_on_creation(),
        "DefaultForAz": s.default_for_az(), "State": s.state().map(|s| s.as_str()), "AvailableIpAddressCount": s.available_ip_address_count(),
        "Ipv6CidrBlockAssociationSet": s.ipv6_cidr_block_association_set().iter().map(|c| json!({"Ipv6CidrBlock": c.ipv6_cidr_block()})).collect::<Vec<_>>(),
        "Tags": tags(s.tags()),
    })
}

fn network_acl(a: &aws_sdk_ec2::types::NetworkAcl) -> Value {
    json!({
        "NetworkAclId": a.network_acl_id(), "VpcId": a.vpc_id(), "IsDefault": a.is_default(),
        "Entries": a.entries().iter().map(|e| json!({
            "RuleNumber": e.rule_number(), "Protocol": e.protocol(), "RuleAction": e.rule_action().map(|r| r.as_str()), "Egress": e.egress(),
            "CidrBlock": e.cidr_block(), "Ipv6CidrBlock": e.ipv6_cidr_block(),
            "PortRange": e.port_range().map(|p| json!({"From": p.from(), "To": p.to()})),
            "IcmpTypeCode": e.icmp_type_code().map(|i| json!({"Type": i.r#type(), "Code": i.code()})),
        })).collect::<Vec<_>>(),
        "Associations": a.associations().iter().map(|s| json!({"NetworkAclAssociationId": s.network_acl_association_id(), "NetworkAclId": s.network_acl_id(), "SubnetId": s.subnet_id()})).collect::<Vec<_>>(),
        "Tags": tags(a.tags()),
    })
}

fn route_table(t: &aws_sdk_ec2::types::RouteTable) -> Value {
    json!({
        "RouteTableId": t.route_table_id(), "VpcId": t.vpc_id(), "OwnerId": t.owner_id(),
        "Routes": t.routes().iter().map(|r| json!({
            "DestinationCidrBlock": r.destination_cidr_block(), "DestinationIpv6CidrBlock": r.destination_ipv6_cidr_block(),
            "DestinationPrefixListId": r.destination_prefix_list_id(), "GatewayId": r.gateway_id(), "EgressOnlyInternetGatewayId": r.egress_only_internet_gateway_id(),
            "NatGatewayId": r.nat_gateway_id(), "InstanceId": r.instance_id(), "NetworkInterfaceId": r.network_interface_id(),
            "TransitGatewayId": r.transit_gateway_id(), "VpcPeeringConnectionId": r.vpc_peering_connection_id(),
            "Origin": r.origin().map(|o| o.as_str()), "State": r.state().map(|s| s.as_str()),
        })).collect::<Vec<_>>(),
        "Associations": t.associations().iter().map(|a| json!({"RouteTableAssociationId": a.route_table_association_id(), "RouteTableId": a.route_table_id(), "SubnetId": a.subnet_id(), "GatewayId": a.gateway_id(), "Main": a.main()})).collect::<Vec<_>>(),
        "Tags": tags(t.tags()),
    })
}

fn flow_log(f: &aws_sdk_ec2::types::FlowLog) -> Value {
    json!({
        "FlowLogId": f.flow_log_id(), "ResourceId": f.resource_id(), "FlowLogStatus": f.flow_log_status(), "DeliverLogsStatus": f.deliver_logs_status(),
        "TrafficType": f.traffic_type().map(|t| t.as_str()), "LogDestinationType": f.log_destination_type().map(|t| t.as_str()),
        "LogDestination": f.log_destination(), "LogGroupName": f.log_group_name(), "CreationTime": time(f.creation_time()),
        "Tags": tags(f.tags()),
    })
}

fn snapshot(s: &aws_sdk_ec2::types::Snapshot) -> Value {
    json!({
        "SnapshotId": s.snapshot_id(), "VolumeId": s.volume_id(), "VolumeSize": s.volume_size(), "State": s.state().map(|s| s.as_str()),
        "Encrypted": s.encrypted(), "KmsKeyId": s.kms_key_id(), "OwnerId": s.owner_id(), "Description": s.description(),
        "StartTime": time(s.start_time()), "Tags": tags(s.tags()),
    })
}

fn peering_side(v: &aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo) -> Value {
    json!({
        "VpcId": v.vpc_id(), "OwnerId": v.owner_id(), "Region": v.region(), "CidrBlock": v.cidr_block(),
        "CidrBlockSet": v.cidr_block_set().iter().map(|c| json!({"CidrBlock": c.cidr_block()})).collect::<Vec<_>>(),
        "Ipv6CidrBlockSet": v.ipv6_cidr_block_set().iter().map(|c| json!({"Ipv6CidrBlock": c.ipv6_cidr_block()})).collect::<Vec<_>>(),
    })
}

fn vpc_peering_connection(p: &aws_sdk_ec2::types::VpcPeeringConnection) -> Value {
    json!({
        "VpcPeeringConnectionId": p.vpc_peering_connection_id(),
        "Status": p.status().map(|s| json!({"Code": s.code().map(|c| c.as_str()), "Message": s.message()})),
        "RequesterVpcInfo": p.requester_vpc_info().map(peering_side), "AccepterVpcInfo": p.accepter_vpc_info().map(peering_side),
        "Tags": tags(p.tags()),
    })
}

fn vpn_gateway(g: &aws_sdk_ec2::types::VpnGateway) -> Value {
    json!({
        "VpnGatewayId": g.vpn_gateway_id(), "State": g.state().map(|s| s.as_str()), "Type": g.r#type().map(|t| t.as_str()),
        "AmazonSideAsn": g.amazon_side_asn(),
        "VpcAttachments": g.vpc_attachments().iter().map(|a| json!({"VpcId": a.vpc_id(), "State": a.state().map(|s| s.as_str())})).collect::<Vec<_>>(),
        "Tags": tags(g.tags()),
    })
}

fn transit_gateway_attachment(a: &aws_sdk_ec2::types::TransitGatewayAttachment) -> Value {
    json!({
        "TransitGatewayAttachmentId": a.transit_gateway_attachment_id(), "TransitGatewayId": a.transit_gateway_id(),
        "TransitGatewayOwnerId": a.transit_gateway_owner_id(), "ResourceOwnerId": a.resource_owner_id(),
        "ResourceType": a.resource_type().map(|t| t.as_str()), "ResourceId": a.resource_id(), "State": a.state().map(|s| s.as_str()),
        "Association": a.association().map(|s| json!({"TransitGatewayRouteTableId": s.transit_gateway_route_table_id(), "State": s.state().map(|s| s.as_str())})),
        "CreationTime": time(a.creation_time()), "Tags": tags(a.tags()),
    })
}

fn managed_prefix_list(l: &aws_sdk_ec2::types::ManagedPrefixList) -> Value {
    json!({
        "PrefixListId": l.prefix_list_id(), "PrefixListName": l.prefix_list_name(), "PrefixListArn": l.prefix_list_arn(),
        "AddressFamily": l.address_family(), "OwnerId": l.owner_id(), "MaxEntries": l.max_entries(), "State": l.state().map(|s| s.as_str()),
        "Version": l.version(), "Tags": tags(l.tags()),
    })
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

/// A paginated EC2 Describe call: the request's filters, `MaxResults` (what the limit still
/// needs, else the API's largest page: fewest calls), stopping early once the limit is met.
macro_rules! pages {
    (@filter $b:ident, $v:expr) => { $b.filters($v) };
    (@filter $b:ident, $v:expr, $f:ident) => { $b.$f($v) };
    ($call:expr, $api:literal, $builder:expr, $items:ident $([$filter:ident])?, $max:expr, $request:expr, $map:expr) => {{
        let (call, request): (&Call<'_>, &ApiRequest) = ($call, $request);
        let (least, most): (usize, usize) = $max;
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut builder = $builder.set_next_token(token.take());
            for (name, values) in &request.filters {
                let filter = Filter::builder().name(name).set_values(Some(values.clone())).build();
                builder = pages!(@filter builder, filter $(, $filter)?);
            }
            let want = request.limit.map_or(most, |l| l.saturating_sub(out.len()).clamp(least, most));
            call.permit($api).await;
            let page = builder.max_results(want as i32).send().await.map_err(|e| LiveError::from_sdk(e).during($api))?;
            out.extend(page.$items().iter().flat_map($map));
            token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
            if token.is_none() || request.limit.is_some_and(|l| out.len() >= l) {
                break out;
            }
        }
    }};
}

/// The EC2 list call of `kind`, as canonical resources.
pub async fn describe(
    call: &Call<'_>,
    kind: Kind,
    request: &ApiRequest,
) -> Result<Vec<Value>, LiveError> {
    let client = call.account.ec2(call.region);
    let one = |v: Value| std::iter::once(object(v));
    Ok(match kind {
        Kind::Instance => pages!(
            call,
            "DescribeInstances",
            client.describe_instances(),
            reservations,
            (5, 1000),
            request,
            |r: &aws_sdk_ec2::types::Reservation| r
                .instances()
                .iter()
                .map(instance)
                .collect::<Vec<_>>()
        ),
        Kind::SecurityGroup => pages!(
            call,
            "DescribeSecurityGroups",
            client.describe_security_groups(),
            security_groups,
            (5, 1000),
            request,
            |g| one(security_group(g))
        ),
        Kind::NetworkInterface => pages!(
            call,
            "DescribeNetworkInterfaces",
            client.describe_network_interfaces(),
            network_interfaces,
            (5, 1000),
            request,
            |n| one(network_interface(n))
        ),
        Kind::Volume => pages!(
            call,
            "DescribeVolumes",
            client.describe_volumes(),
            volumes,
            (5, 500),
            request,
            |v| one(volume(v))
        ),
        Kind::Image => pages!(
            call,
            "DescribeImages",
            client.describe_images().owners("self"),
            images,
            (5, 1000),
            request,
            |i| one(image(i))
        ),
        // The default and latest version of every template in one paginated call, not one call
        // per template: the versions a launch uses.
        Kind::LaunchTemplateVersion => {
            let mut seen = std::collections::HashSet::new();
            pages!(
                call,
                "DescribeLaunchTemplateVersions",
                client
                    .describe_launch_template_versions()
                    .versions("$Default")
                    .versions("$Latest"),
                launch_template_versions,
                (1, 200),
                request,
                |v| one(launch_template_version(v))
            )
            .into_iter()
            .filter(|v| seen.insert((v["LaunchTemplateId"].clone(), v["VersionNumber"].clone())))
            .collect()
        }
        Kind::Vpc => pages!(
            call,
            "DescribeVpcs",
            client.describe_vpcs(),
            vpcs,
            (5, 1000),
            request,
            |v| one(vpc(v))
        ),
        Kind::Subnet => pages!(
            call,
            "DescribeSubnets",
            client.describe_subnets(),
            subnets,
            (5, 1000),
            request,
            |s| one(subnet(s))
        ),
        Kind::NetworkAcl => pages!(
            call,
            "DescribeNetworkAcls",
            client.describe_network_acls(),
            network_acls,
            (5, 100),
            request,
            |a| one(network_acl(a))
        ),
        Kind::RouteTable => pages!(
            call,
            "DescribeRouteTables",
            client.describe_route_tables(),
            route_tables,
            (5, 100),
            request,
            |t| one(route_table(t))
        ),
        Kind::FlowLog => pages!(
            call,
            "DescribeFlowLogs",
            client.describe_flow_logs(),
            flow_logs[filter],
            (1, 1000),
            request,
            |f| one(flow_log(f))
        ),
        Kind::VpcPeeringConnection => pages!(
            call,
            "DescribeVpcPeeringConnections",
            client.describe_vpc_peering_connections(),
            vpc_peering_connections,
            (5, 1000),
            request,
            |p| one(vpc_peering_connection(p))
        ),
        Kind::TransitGatewayAttachment => pages!(
            call,
            "DescribeTransitGatewayAttachments",
            client.describe_transit_gateway_attachments(),
            transit_gateway_attachments,
            (5, 1000),
            request,
            |a| one(transit_gateway_attachment(a))
        ),
        // Not paginated: one call returns every gateway.
        Kind::VpnGateway => {
            let mut builder = client.describe_vpn_gateways();
            for (name, values) in &request.filters {
                builder = builder.filters(
                    Filter::builder()
                        .name(name)
                        .set_values(Some(values.clone()))
                        .build(),
                );
            }
            call.permit("DescribeVpnGateways").await;
            let out = builder
                .send()
                .await
                .map_err(|e| LiveError::from_sdk(e).during("DescribeVpnGateways"))?;
            out.vpn_gateways()
                .iter()
                .map(|g| object(vpn_gateway(g)))
                .collect()
        }
        other => unreachable!("{other:?} is not an EC2 list call"),
    })
}

/// The SDK gives empty lists for absent ones; the CLI omits them (LaunchTemplateData is shown whole).
fn omit_empty_lists(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !matches!(v, Value::Array(a) if a.is_empty()))
                .map(|(k, v)| (k, omit_empty_lists(v)))
                .collect(),
        ),
        other => other,
    }
}

fn launch_template_version(v: &aws_sdk_ec2::types::LaunchTemplateVersion) -> Value {
    let data = v.launch_template_data().map(|d| json!({
        "ImageId": d.image_id(), "InstanceType": d.instance_type().map(|t| t.as_str()), "KeyName": d.key_name(),
        "IamInstanceProfile": d.iam_instance_profile().map(|p| json!({"Arn": p.arn(), "Name": p.name()})),
        "MetadataOptions": d.metadata_options().map(|m| json!({
            "HttpTokens": m.http_tokens().map(|t| t.as_str()), "HttpEndpoint": m.http_endpoint().map(|t| t.as_str()),
            "HttpPutResponseHopLimit": m.http_put_response_hop_limit(), "InstanceMetadataTags": m.instance_metadata_tags().map(|t| t.as_str()),
        })),
        "NetworkInterfaces": d.network_interfaces().iter().map(|n| json!({
            "DeviceIndex": n.device_index(), "AssociatePublicIpAddress": n.associate_public_ip_address(), "SubnetId": n.subnet_id(),
            "Groups": n.groups(), "DeleteOnTermination": n.delete_on_termination(),
        })).collect::<Vec<_>>(),
        "SecurityGroupIds": d.security_group_ids(), "SecurityGroups": d.security_groups(),
        "BlockDeviceMappings": d.block_device_mappings().iter().map(|b| json!({"DeviceName": b.device_name(), "Ebs": b.ebs().map(|e| json!({
            "Encrypted": e.encrypted(), "KmsKeyId": e.kms_key_id(), "VolumeSize": e.volume_size(), "VolumeType": e.volume_type().map(|t| t.as_str()), "DeleteOnTermination": e.delete_on_termination(),
        }))})).collect::<Vec<_>>(),
    }));
    json!({
        "LaunchTemplateId": v.launch_template_id(), "LaunchTemplateName": v.launch_template_name(), "VersionNumber": v.version_number(),
        "DefaultVersion": v.default_version(), "CreateTime": time(v.create_time()), "VersionDescription": v.version_description(),
        "LaunchTemplateData": data.map(omit_empty_lists),
    })
}

/// Snapshots owned by the account; with `request.extra`, each one's createVolumePermission
/// too (a call per snapshot, [`super::PER_RESOURCE_CALLS`] at once: only when a permission
/// column is used).
pub async fn snapshots(
    call: &Call<'_>,
    request: &ApiRequest,
) -> Result<Vec<(Kind, Value)>, LiveError> {
    let client = call.account.ec2(call.region);
    let snapshots = pages!(
        call,
        "DescribeSnapshots",
        client.describe_snapshots().owner_ids("self"),
        snapshots,
        (5, 1000),
        request,
        |s| std::iter::once(object(snapshot(s)))
    );
    if !request.extra {
        return Ok(snapshots.into_iter().map(|s| (Kind::Snapshot, s)).collect());
    }
    // A call per snapshot, several at once, each still paced by the limiter; in listing order.
    let ids: Vec<String> = snapshots
        .iter()
        .map(|s| s["SnapshotId"].as_str().unwrap_or_default().to_string())
        .collect();
    let permissions: Vec<Value> = futures::stream::iter(ids)
        .map(|id| {
            let client = client.clone();
            async move {
                call.permit("DescribeSnapshotAttribute").await;
                let attribute = client
                    .describe_snapshot_attribute()
                    .snapshot_id(&id)
                    .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
                    .send()
                    .await
                    .map_err(|e| LiveError::from_sdk(e).during("DescribeSnapshotAttribute"))?;
                let permissions: Vec<Value> = attribute
                    .create_volume_permissions()
                    .iter()
                    .map(|p| {
                        object(
                            json!({"Group": p.group().map(|g| g.as_str()), "UserId": p.user_id()}),
                        )
                    })
                    .collect();
                Ok::<_, LiveError>(
                    json!({"SnapshotId": id, "CreateVolumePermissions": permissions}),
                )
            }
        })
        .buffered(super::PER_RESOURCE_CALLS)
        .try_collect()
        .await?;
    Ok(permissions
        .into_iter()
        .zip(snapshots)
        .flat_map(|(p, s)| [(Kind::SnapshotPermissions, p), (Kind::Snapshot, s)])
        .collect())
}

/// EBS encryption by default; with `extra`, the default KMS key too (if the endpoint can say).
pub async fn ebs_defaults(call: &Call<'_>, extra: bool) -> Result<Value, LiveError> {
    let client = call.account.ec2(call.region);
    call.permit("GetEbsEncryptionByDefault").await;
    let enabled = client
        .get_ebs_encryption_by_default()
        .send()
        .await
        .map_err(|e| LiveError::from_sdk(e).during("GetEbsEncryptionByDefault"))?;
    let mut out = json!({"EbsEncryptionByDefault": enabled.ebs_encryption_by_default()});
    if extra {
        call.permit("GetEbsDefaultKmsKeyId").await;
        match client
            .get_ebs_default_kms_key_id()
            .send()
            .await
            .map_err(|e| LiveError::from_sdk(e).during("GetEbsDefaultKmsKeyId"))
        {
            Ok(key) => out["KmsKeyId"] = json!(key.kms_key_id()),
            // Only the key's name is lost (no control reads it): say so, keep the rest.
            Err(e)
                if (e.is_access() && !call.live.strict) || e.status.is_some_and(|s| s >= 500) =>
            {
                call.live.notice(Notice::Warning(format!(
                    "{}/{}: {e}; ebs_default_kms_key_id left null",
                    call.account.id, call.region
                )))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(object(out))
}

/// Managed prefix lists (the account's and AWS's); with `request.extra`, each one's entries too
/// (paginated calls per list, [`super::PER_RESOURCE_CALLS`] lists at once: only when an entry
/// column is used).
pub async fn prefix_lists(
    call: &Call<'_>,
    request: &ApiRequest,
) -> Result<Vec<(Kind, Value)>, LiveError> {
    let client = call.account.ec2(call.region);
    let lists = pages!(
        call,
        "DescribeManagedPrefixLists",
        client.describe_managed_prefix_lists(),
        prefix_lists,
        (1, 100),
        request,
        |l| std::iter::once(object(managed_prefix_list(l)))
    );
    if !request.extra {
        return Ok(lists
            .into_iter()
            .map(|l| (Kind::ManagedPrefixList, l))
            .collect());
    }
    let ids: Vec<String> = lists
        .iter()
        .map(|l| l["PrefixListId"].as_str().unwrap_or_default().to_string())
        .collect();
    let entries: Vec<Value> = futures::stream::iter(ids)
        .map(|id| {
            let client = client.clone();
            async move {
                let mut entries = Vec::new();
                let mut token: Option<String> = None;
                loop {
                    call.permit("GetManagedPrefixListEntries").await;
                    let page = client
                        .get_managed_prefix_list_entries()
                        .prefix_list_id(&id)
                        .max_results(100)
                        .set_next_token(token.take())
                        .send()
                        .await
                        .map_err(|e| {
                            LiveError::from_sdk(e).during("GetManagedPrefixListEntries")
                        })?;
                    entries.extend(page.entries().iter().map(|e| {
                        object(json!({"Cidr": e.cidr(), "Description": e.description()}))
                    }));
                    token = page
                        .next_token()
                        .filter(|t| !t.is_empty())
                        .map(str::to_string);
                    if token.is_none() {
                        break;
                    }
                }
                Ok::<_, LiveError>(json!({"PrefixListId": id, "Entries": entries}))
            }
        })
        .buffered(super::PER_RESOURCE_CALLS)
        .try_collect()
        .await?;
    Ok(entries
        .into_iter()
        .zip(lists)
        .flat_map(|(e, l)| {
            [
                (Kind::ManagedPrefixListEntries, e),
                (Kind::ManagedPrefixList, l),
            ]
        })
        .collect())
}
