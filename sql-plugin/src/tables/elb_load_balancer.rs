use super::prelude::*;

pub static TABLE: Table = Table {
    name: "elb_load_balancer",
    description: "Classic Load Balancers, one row per load balancer (aws elb describe-load-balancers, offline in elb-describe-load-balancers.json: the file name describe-load-balancers.json is elbv2's, though either output is recognised by its content in any file; AWS::ElasticLoadBalancing::LoadBalancer). Its listeners are elb_listener; it sends traffic to `instance_ids`.",
    kinds: &[Kind::ClassicLoadBalancer],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::ClassicLoadBalancer),
    columns: &[
        col(
            "load_balancer_name",
            Text,
            "The load balancer's name.",
            |r| r.resource.text("LoadBalancerName"),
        ),
        col("arn", Text, "Its ARN.", |r| {
            r.arn(
                "elasticloadbalancing",
                &format!(
                    "loadbalancer/{}",
                    r.resource.str_at("LoadBalancerName").unwrap_or_default()
                ),
            )
        }),
        col("dns_name", Text, "Its DNS name.", |r| {
            r.resource.text("DNSName")
        }),
        col("scheme", Text, "`internet-facing` or `internal`.", |r| {
            r.resource.text("Scheme")
        }),
        col(
            "vpc_id",
            Text,
            "The VPC it is in (null for EC2-Classic).",
            |r| r.resource.text("VPCId"),
        ),
        col(
            "subnet_ids",
            TextList,
            "The subnets it has nodes in.",
            |r| r.resource.text_list("Subnets", None),
        ),
        col(
            "availability_zones",
            TextList,
            "Its availability zones.",
            |r| r.resource.text_list("AvailabilityZones", None),
        ),
        col(
            "security_group_ids",
            TextList,
            "Its security groups.",
            |r| r.resource.text_list("SecurityGroups", None),
        ),
        col(
            "instance_ids",
            TextList,
            "The instances registered with it.",
            |r| r.resource.text_list("Instances", Some("InstanceId")),
        ),
        col(
            "source_security_group",
            Text,
            "The name of the security group its nodes send from, for instances' rules to admit.",
            |r| r.resource.text("SourceSecurityGroup.GroupName"),
        ),
        col("created_time", Timestamp, "When it was created.", |r| {
            r.resource.timestamp("CreatedTime")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};
