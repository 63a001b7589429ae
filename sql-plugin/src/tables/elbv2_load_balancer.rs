use super::prelude::*;

pub static TABLE: Table = Table {
    name: "elbv2_load_balancer",
    description: "Application, Network and Gateway Load Balancers, one row per load balancer (aws elbv2 describe-load-balancers, offline in describe-load-balancers.json; AWS::ElasticLoadBalancingV2::LoadBalancer). Only an `internet-facing` one in state `active` takes traffic from the internet; its listeners are elbv2_listener, the groups they forward to elbv2_target_group.",
    kinds: &[Kind::LoadBalancerV2],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::LoadBalancerV2),
    columns: &[
        col("load_balancer_arn", Text, "The load balancer's ARN.", |r| {
            r.resource.text("LoadBalancerArn")
        }),
        col("load_balancer_name", Text, "Its name.", |r| {
            r.resource.text("LoadBalancerName")
        }),
        col(
            "type",
            Text,
            "`application`, `network` or `gateway`.",
            |r| r.resource.text("Type"),
        ),
        col(
            "scheme",
            Text,
            "`internet-facing` (public addresses) or `internal`.",
            |r| r.resource.text("Scheme"),
        ),
        col(
            "state",
            Text,
            "`active`, `provisioning`, `active_impaired` or `failed`.",
            |r| r.resource.text("State.Code"),
        ),
        col("vpc_id", Text, "The VPC it is in.", |r| {
            r.resource.text("VpcId")
        }),
        col(
            "subnet_ids",
            TextList,
            "The subnets it has nodes in, one per availability zone.",
            |r| r.resource.text_list("AvailabilityZones", Some("SubnetId")),
        ),
        col(
            "availability_zones",
            TextList,
            "The availability zones of those subnets, in the same order.",
            |r| r.resource.text_list("AvailabilityZones", Some("ZoneName")),
        ),
        col(
            "security_group_ids",
            TextList,
            "Its security groups; empty for a Network Load Balancer created without any (then only the targets' groups filter traffic) and for Gateway Load Balancers.",
            |r| r.resource.text_list("SecurityGroups", None),
        ),
        col(
            "ip_address_type",
            Text,
            "`ipv4`, `dualstack` or `dualstack-without-public-ipv4`.",
            |r| r.resource.text("IpAddressType"),
        ),
        col(
            "dns_name",
            Text,
            "Its public (or internal) DNS name.",
            |r| r.resource.text("DNSName"),
        ),
        col("created_time", Timestamp, "When it was created.", |r| {
            r.resource.timestamp("CreatedTime")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};
