//! Elastic Load Balancing: `elbv2` (Application, Network and Gateway Load Balancers, their
//! listeners, target groups and target health) and `elb` (Classic Load Balancers). Responses
//! become the shape `aws elbv2`/`aws elb` print, field for field what the tables read. The list
//! calls page by `Marker` at the largest page (400); listeners are one call per load balancer
//! and target health one per target group (only when a target column is used), several at once
//! within the limiter.

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{ApiRequest, Call, LiveError, object, time};
use crate::inventory::Kind;

/// The largest page the Describe calls of both APIs take.
const PAGE_SIZE: i32 = 400;

/// Every page of a `Marker`-paged call: `$builder` is the request without its marker, `$items`
/// the output's list; each item is mapped by `$map`.
macro_rules! marker_pages {
    ($call:expr, $api:literal, $builder:expr, $items:ident, $map:expr) => {{
        let call: &Call<'_> = $call;
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            call.permit($api).await;
            let page = $builder
                .page_size(PAGE_SIZE)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| LiveError::from_sdk(e).during($api))?;
            out.extend(page.$items().iter().map($map));
            marker = page
                .next_marker()
                .filter(|m| !m.is_empty())
                .map(str::to_string);
            if marker.is_none() {
                break out;
            }
        }
    }};
}

fn load_balancer(lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> Value {
    object(json!({
        "LoadBalancerArn": lb.load_balancer_arn(), "DNSName": lb.dns_name(), "CanonicalHostedZoneId": lb.canonical_hosted_zone_id(),
        "CreatedTime": time(lb.created_time()), "LoadBalancerName": lb.load_balancer_name(),
        "Scheme": lb.scheme().map(|s| s.as_str()), "VpcId": lb.vpc_id(),
        "State": lb.state().map(|s| json!({"Code": s.code().map(|c| c.as_str()), "Reason": s.reason()})),
        "Type": lb.r#type().map(|t| t.as_str()),
        "AvailabilityZones": lb.availability_zones().iter().map(|z| json!({"ZoneName": z.zone_name(), "SubnetId": z.subnet_id()})).collect::<Vec<_>>(),
        "SecurityGroups": lb.security_groups(), "IpAddressType": lb.ip_address_type().map(|t| t.as_str()),
    }))
}

fn listener(l: &aws_sdk_elasticloadbalancingv2::types::Listener) -> Value {
    object(json!({
        "ListenerArn": l.listener_arn(), "LoadBalancerArn": l.load_balancer_arn(), "Port": l.port(),
        "Protocol": l.protocol().map(|p| p.as_str()), "SslPolicy": l.ssl_policy(),
        "DefaultActions": l.default_actions().iter().map(|a| json!({
            "Type": a.r#type().map(|t| t.as_str()), "TargetGroupArn": a.target_group_arn(), "Order": a.order(),
            "ForwardConfig": a.forward_config().map(|f| json!({
                "TargetGroups": f.target_groups().iter().map(|g| json!({"TargetGroupArn": g.target_group_arn(), "Weight": g.weight()})).collect::<Vec<_>>(),
            })),
        })).collect::<Vec<_>>(),
    }))
}

fn target_group(g: &aws_sdk_elasticloadbalancingv2::types::TargetGroup) -> Value {
    object(json!({
        "TargetGroupArn": g.target_group_arn(), "TargetGroupName": g.target_group_name(),
        "Protocol": g.protocol().map(|p| p.as_str()), "Port": g.port(), "VpcId": g.vpc_id(),
        "HealthCheckProtocol": g.health_check_protocol().map(|p| p.as_str()), "HealthCheckPort": g.health_check_port(),
        "HealthCheckEnabled": g.health_check_enabled(), "LoadBalancerArns": g.load_balancer_arns(),
        "TargetType": g.target_type().map(|t| t.as_str()), "IpAddressType": g.ip_address_type().map(|t| t.as_str()),
    }))
}

fn target_health(d: &aws_sdk_elasticloadbalancingv2::types::TargetHealthDescription) -> Value {
    object(json!({
        "Target": d.target().map(|t| json!({"Id": t.id(), "Port": t.port(), "AvailabilityZone": t.availability_zone()})),
        "HealthCheckPort": d.health_check_port(),
        "TargetHealth": d.target_health().map(|h| json!({
            "State": h.state().map(|s| s.as_str()), "Reason": h.reason().map(|r| r.as_str()), "Description": h.description(),
        })),
    }))
}

fn classic_load_balancer(
    lb: &aws_sdk_elasticloadbalancing::types::LoadBalancerDescription,
) -> Value {
    object(json!({
        "LoadBalancerName": lb.load_balancer_name(), "DNSName": lb.dns_name(),
        "CanonicalHostedZoneName": lb.canonical_hosted_zone_name(), "CanonicalHostedZoneNameID": lb.canonical_hosted_zone_name_id(),
        "ListenerDescriptions": lb.listener_descriptions().iter().map(|d| json!({
            "Listener": d.listener().map(|l| json!({
                "Protocol": l.protocol(), "LoadBalancerPort": l.load_balancer_port(),
                "InstanceProtocol": l.instance_protocol(), "InstancePort": l.instance_port(), "SSLCertificateId": l.ssl_certificate_id(),
            })),
            "PolicyNames": d.policy_names(),
        })).collect::<Vec<_>>(),
        "AvailabilityZones": lb.availability_zones(), "Subnets": lb.subnets(), "VPCId": lb.vpc_id(),
        "Instances": lb.instances().iter().map(|i| json!({"InstanceId": i.instance_id()})).collect::<Vec<_>>(),
        "SourceSecurityGroup": lb.source_security_group().map(|g| json!({"OwnerAlias": g.owner_alias(), "GroupName": g.group_name()})),
        "SecurityGroups": lb.security_groups(), "CreatedTime": time(lb.created_time()), "Scheme": lb.scheme(),
    }))
}

/// Application, Network and Gateway Load Balancers.
pub async fn load_balancers(call: &Call<'_>) -> Result<Vec<Value>, LiveError> {
    let client = call.account.elbv2(call.region);
    Ok(marker_pages!(
        call,
        "DescribeLoadBalancers",
        client.describe_load_balancers(),
        load_balancers,
        load_balancer
    ))
}

/// Every listener of `load_balancers` (from [`load_balancers`]): one paged call per load
/// balancer.
pub async fn listeners(call: &Call<'_>, load_balancers: &[Value]) -> Result<Vec<Value>, LiveError> {
    let client = call.account.elbv2(call.region);
    let arns: Vec<String> = load_balancers
        .iter()
        .filter_map(|lb| lb["LoadBalancerArn"].as_str().map(str::to_string))
        .collect();
    let per_load_balancer: Vec<Vec<Value>> = futures::stream::iter(arns)
        .map(|arn| {
            let client = client.clone();
            async move {
                Ok::<_, LiveError>(marker_pages!(
                    call,
                    "DescribeListeners",
                    client.describe_listeners().load_balancer_arn(&arn),
                    listeners,
                    listener
                ))
            }
        })
        .buffered(super::PER_RESOURCE_CALLS)
        .try_collect()
        .await?;
    Ok(per_load_balancer.into_iter().flatten().collect())
}

/// Target groups; with `request.extra`, each one's target health too (a call per group, only
/// when a target column is used).
pub async fn target_groups(
    call: &Call<'_>,
    request: &ApiRequest,
) -> Result<Vec<(Kind, Value)>, LiveError> {
    let client = call.account.elbv2(call.region);
    let groups = marker_pages!(
        call,
        "DescribeTargetGroups",
        client.describe_target_groups(),
        target_groups,
        target_group
    );
    if !request.extra {
        return Ok(groups.into_iter().map(|g| (Kind::TargetGroup, g)).collect());
    }
    let arns: Vec<String> = groups
        .iter()
        .filter_map(|g| g["TargetGroupArn"].as_str().map(str::to_string))
        .collect();
    let health: Vec<Value> = futures::stream::iter(arns)
        .map(|arn| {
            let client = client.clone();
            async move {
                call.permit("DescribeTargetHealth").await;
                let out = client
                    .describe_target_health()
                    .target_group_arn(&arn)
                    .send()
                    .await
                    .map_err(|e| LiveError::from_sdk(e).during("DescribeTargetHealth"))?;
                let targets: Vec<Value> = out
                    .target_health_descriptions()
                    .iter()
                    .map(target_health)
                    .collect();
                Ok::<_, LiveError>(
                    json!({"TargetGroupArn": arn, "TargetHealthDescriptions": targets}),
                )
            }
        })
        .buffered(super::PER_RESOURCE_CALLS)
        .try_collect()
        .await?;
    Ok(health
        .into_iter()
        .map(|h| (Kind::TargetHealth, h))
        .chain(groups.into_iter().map(|g| (Kind::TargetGroup, g)))
        .collect())
}

/// Classic Load Balancers.
pub async fn classic_load_balancers(call: &Call<'_>) -> Result<Vec<Value>, LiveError> {
    let client = call.account.elb(call.region);
    Ok(marker_pages!(
        call,
        "DescribeLoadBalancers",
        client.describe_load_balancers(),
        load_balancer_descriptions,
        classic_load_balancer
    ))
}
