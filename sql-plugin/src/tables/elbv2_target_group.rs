use super::prelude::*;

pub static TABLE: Table = Table {
    name: "elbv2_target_group",
    description: "Target groups of Application, Network and Gateway Load Balancers, one row per group (aws elbv2 describe-target-groups; AWS::ElasticLoadBalancingV2::TargetGroup, a type the AWS Config API lists: items in the CloudFormation-registry model are read too). Which targets are registered, and their health, is elbv2_target_health.",
    kinds: &[Kind::TargetGroup],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::TargetGroup),
    columns: &[
        col("target_group_arn", Text, "The target group's ARN.", |r| {
            r.resource.text("TargetGroupArn")
        }),
        col("target_group_name", Text, "Its name.", |r| {
            r.resource.text("TargetGroupName")
        }),
        col(
            "target_type",
            Text,
            "What its targets are: `instance` (instance ids), `ip` (addresses), `lambda` or `alb` (an Application Load Balancer).",
            |r| r.resource.text("TargetType"),
        ),
        col(
            "protocol",
            Text,
            "The protocol to the targets (`HTTP`, `HTTPS`, `TCP`, …; none for `lambda`).",
            |r| r.resource.text("Protocol"),
        ),
        col(
            "port",
            Int,
            "The port the targets receive traffic on, unless a target was registered with its own (elbv2_target_health.target_port).",
            |r| r.resource.int("Port"),
        ),
        col("vpc_id", Text, "The VPC of its targets.", |r| {
            r.resource.text("VpcId")
        }),
        col(
            "load_balancer_arns",
            TextList,
            "The load balancers that forward to it.",
            |r| r.resource.text_list("LoadBalancerArns", None),
        ),
        col(
            "health_check_port",
            Text,
            "The port of health checks: a number, or `traffic-port` (the target's own port).",
            |r| r.resource.text("HealthCheckPort"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
