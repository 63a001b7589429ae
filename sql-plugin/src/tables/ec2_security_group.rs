use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_security_group",
    description: "Security groups (describe-security-groups; AWS::EC2::SecurityGroup). Their rules, flattened, are in ec2_security_group_rule.",
    kinds: &[Kind::SecurityGroup],
    api_filters: &[
        ("group_id", "group-id"),
        ("group_name", "group-name"),
        ("vpc_id", "vpc-id"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::SecurityGroup),
    columns: &[
        col("group_id", Text, "The security group ID.", |r| {
            r.resource.text("GroupId")
        }),
        col(
            "group_name",
            Text,
            "The group name; `default` for a VPC's default group.",
            |r| r.resource.text("GroupName"),
        ),
        col("arn", Text, "The security group ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "security-group/{}",
                    r.resource.str_at("GroupId").unwrap_or_default()
                ),
            )
        }),
        col("description", Text, "The group description.", |r| {
            r.resource.text("Description")
        }),
        col("vpc_id", Text, "The VPC of the group.", |r| {
            r.resource.text("VpcId")
        }),
        col("owner_id", Text, "The owning account.", |r| {
            r.resource.text("OwnerId")
        }),
        col(
            "is_default",
            Bool,
            "Whether this is a VPC's default security group.",
            |r| Cell::Bool(r.resource.str_at("GroupName") == Some("default")),
        ),
        col(
            "ingress_permission_count",
            Int,
            "Number of inbound permissions (each may list several sources).",
            |r| count(r.resource, "IpPermissions"),
        ),
        col(
            "egress_permission_count",
            Int,
            "Number of outbound permissions.",
            |r| count(r.resource, "IpPermissionsEgress"),
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};

fn count(g: &Value, key: &str) -> Cell {
    Cell::Int(
        g.at(key)
            .and_then(Value::as_array)
            .map_or(0, |a| a.len() as i64),
    )
}
