//! EC2 Auto Scaling: groups and launch configurations, paged by `NextToken` at the largest page
//! (100), in the shape `aws autoscaling` prints.

use aws_sdk_autoscaling::types::{
    AutoScalingGroup, LaunchConfiguration, LaunchTemplateSpecification,
};
use serde_json::{Value, json};

use super::{Call, LiveError, object, time};

const PAGE_SIZE: i32 = 100;

fn template(t: &LaunchTemplateSpecification) -> Value {
    json!({"LaunchTemplateId": t.launch_template_id(), "LaunchTemplateName": t.launch_template_name(), "Version": t.version()})
}

pub(super) fn group(g: &AutoScalingGroup) -> Value {
    object(json!({
        "AutoScalingGroupName": g.auto_scaling_group_name(), "AutoScalingGroupARN": g.auto_scaling_group_arn(),
        "LaunchConfigurationName": g.launch_configuration_name(),
        "LaunchTemplate": g.launch_template().map(template),
        "MixedInstancesPolicy": g.mixed_instances_policy().and_then(|p| p.launch_template()).map(|t| json!({
            "LaunchTemplate": {"LaunchTemplateSpecification": t.launch_template_specification().map(template)},
        })),
        "MinSize": g.min_size(), "MaxSize": g.max_size(), "DesiredCapacity": g.desired_capacity(),
        "AvailabilityZones": g.availability_zones(), "LoadBalancerNames": g.load_balancer_names(),
        "TargetGroupARNs": g.target_group_arns(), "HealthCheckType": g.health_check_type(),
        "Instances": g.instances().iter().map(|i| json!({
            "InstanceId": i.instance_id(), "LifecycleState": i.lifecycle_state().map(|s| s.as_str()),
            "HealthStatus": i.health_status(), "LaunchConfigurationName": i.launch_configuration_name(),
            "LaunchTemplate": i.launch_template().map(template),
        })).collect::<Vec<_>>(),
        "CreatedTime": time(g.created_time()), "VPCZoneIdentifier": g.vpc_zone_identifier(),
        "Tags": g.tags().iter().map(|t| json!({
            "ResourceId": t.resource_id(), "ResourceType": t.resource_type(), "Key": t.key(), "Value": t.value(),
            "PropagateAtLaunch": t.propagate_at_launch(),
        })).collect::<Vec<_>>(),
    }))
}

pub(super) fn launch_configuration(c: &LaunchConfiguration) -> Value {
    object(json!({
        "LaunchConfigurationName": c.launch_configuration_name(), "LaunchConfigurationARN": c.launch_configuration_arn(),
        "ImageId": c.image_id(), "InstanceType": c.instance_type(), "IamInstanceProfile": c.iam_instance_profile(),
        "SecurityGroups": c.security_groups(), "AssociatePublicIpAddress": c.associate_public_ip_address(),
        "MetadataOptions": c.metadata_options().map(|m| json!({
            "HttpTokens": m.http_tokens().map(|t| t.as_str()), "HttpPutResponseHopLimit": m.http_put_response_hop_limit(),
            "HttpEndpoint": m.http_endpoint().map(|e| e.as_str()),
        })),
        "CreatedTime": time(c.created_time()),
    }))
}

pub async fn groups(call: &Call<'_>) -> Result<Vec<Value>, LiveError> {
    let client = call.account.autoscaling(call.region);
    Ok(token_pages!(
        call,
        "DescribeAutoScalingGroups",
        client.describe_auto_scaling_groups().max_records(PAGE_SIZE),
        auto_scaling_groups,
        group
    ))
}

pub async fn launch_configurations(call: &Call<'_>) -> Result<Vec<Value>, LiveError> {
    let client = call.account.autoscaling(call.region);
    Ok(token_pages!(
        call,
        "DescribeLaunchConfigurations",
        client
            .describe_launch_configurations()
            .max_records(PAGE_SIZE),
        launch_configurations,
        launch_configuration
    ))
}
