use super::prelude::*;

pub static TABLE: Table = Table {
    name: "autoscaling_group",
    description: "EC2 Auto Scaling groups, one row per group (aws autoscaling describe-auto-scaling-groups, offline in describe-auto-scaling-groups.json; AWS::AutoScaling::AutoScalingGroup). A group launches its instances from a launch configuration (autoscaling_launch_configuration) or a launch template (ec2_launch_template): fixing an instance it launched means fixing that, then an instance refresh.",
    kinds: &[Kind::AutoScalingGroup],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::AutoScalingGroup),
    columns: &[
        col("auto_scaling_group_name", Text, "The group's name.", |r| {
            r.resource.text("AutoScalingGroupName")
        }),
        col("arn", Text, "The group's ARN.", |r| {
            r.resource.text("AutoScalingGroupARN")
        }),
        col(
            "launch_configuration_name",
            Text,
            "The launch configuration it launches from (autoscaling_launch_configuration), if any.",
            |r| non_empty(r.resource.text("LaunchConfigurationName")),
        ),
        col(
            "launch_template_id",
            Text,
            "The launch template it launches from, if any: its own, or its mixed instances policy's.",
            |r| template(r.resource, "LaunchTemplateId"),
        ),
        col(
            "launch_template_name",
            Text,
            "That launch template's name.",
            |r| template(r.resource, "LaunchTemplateName"),
        ),
        col(
            "launch_template_version",
            Text,
            "The template version it launches: a number, `$Default` or `$Latest`.",
            |r| template(r.resource, "Version"),
        ),
        col("min_size", Int, "The smallest size it scales to.", |r| {
            r.resource.int("MinSize")
        }),
        col("max_size", Int, "The largest size it scales to.", |r| {
            r.resource.int("MaxSize")
        }),
        col(
            "desired_capacity",
            Int,
            "The number of instances it keeps.",
            |r| r.resource.int("DesiredCapacity"),
        ),
        col(
            "subnet_ids",
            TextList,
            "The subnets it launches into (`VPCZoneIdentifier`, split at its commas).",
            |r| {
                Cell::TextList(
                    r.resource
                        .str_at("VPCZoneIdentifier")
                        .unwrap_or_default()
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            },
        ),
        col("instance_ids", TextList, "The instances in it now.", |r| {
            r.resource.text_list("Instances", Some("InstanceId"))
        }),
        col(
            "load_balancer_names",
            TextList,
            "The Classic Load Balancers it registers its instances with.",
            |r| r.resource.text_list("LoadBalancerNames", None),
        ),
        col(
            "target_group_arns",
            TextList,
            "The target groups it registers its instances in.",
            |r| r.resource.text_list("TargetGroupARNs", None),
        ),
        col(
            "health_check_type",
            Text,
            "`EC2`, `ELB`, `VPC_LATTICE` or `EBS`: what replaces an unhealthy instance.",
            |r| r.resource.text("HealthCheckType"),
        ),
        col("tags", Tags, "Tags; `tags['Name']` reads one.", |r| {
            r.resource.tags("Tags")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};

/// A field of the group's launch template: its own (`LaunchTemplate`), else its mixed instances
/// policy's.
fn template(group: &Value, field: &str) -> Cell {
    for path in [
        "LaunchTemplate",
        "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification",
    ] {
        if let Some(v) = group.at(&format!("{path}.{field}")) {
            return non_empty(text_cell(v));
        }
    }
    Cell::Null
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_the_groups_else_its_mixed_instances_policys() {
        let own = json!({"LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "$Default"}});
        assert_eq!(
            template(&own, "LaunchTemplateId"),
            Cell::Text("lt-1".into())
        );
        assert_eq!(template(&own, "Version"), Cell::Text("$Default".into()));
        let mixed = json!({"MixedInstancesPolicy": {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": "lt-2", "Version": "3"}}}});
        assert_eq!(
            template(&mixed, "LaunchTemplateId"),
            Cell::Text("lt-2".into())
        );
        assert_eq!(template(&mixed, "Version"), Cell::Text("3".into()));
        assert_eq!(
            template(
                &json!({"LaunchConfigurationName": "lc"}),
                "LaunchTemplateId"
            ),
            Cell::Null
        );
    }
}
