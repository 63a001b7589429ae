use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc",
    description: "VPCs (describe-vpcs; AWS::EC2::VPC).",
    kinds: &[Kind::Vpc],
    api_filters: &[
        ("vpc_id", "vpc-id"),
        ("is_default", "is-default"),
        ("cidr_block", "cidr-block"),
        ("state", "state"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::Vpc),
    columns: &[
        col("vpc_id", Text, "The VPC ID.", |r| r.resource.text("VpcId")),
        col("arn", Text, "The VPC ARN.", |r| {
            r.arn(
                "ec2",
                &format!("vpc/{}", r.resource.str_at("VpcId").unwrap_or_default()),
            )
        }),
        col("cidr_block", Text, "The primary IPv4 CIDR block.", |r| {
            r.resource.text("CidrBlock")
        }),
        col(
            "cidr_blocks",
            TextList,
            "Every associated IPv4 CIDR block, the primary one first.",
            |r| {
                let mut blocks: Vec<String> = r
                    .resource
                    .str_at("CidrBlock")
                    .map(str::to_string)
                    .into_iter()
                    .collect();
                blocks.extend(strings(
                    r.resource.at("CidrBlockAssociationSet"),
                    Some("CidrBlock"),
                ));
                Cell::TextList(distinct(blocks))
            },
        ),
        col(
            "ipv6_cidr_blocks",
            TextList,
            "Associated IPv6 CIDR blocks.",
            |r| {
                r.resource
                    .text_list("Ipv6CidrBlockAssociationSet", Some("Ipv6CidrBlock"))
            },
        ),
        col("state", Text, "pending or available.", |r| {
            r.resource.text("State")
        }),
        col(
            "is_default",
            Bool,
            "Whether this is the region's default VPC.",
            |r| r.resource.bool("IsDefault"),
        ),
        col(
            "instance_tenancy",
            Text,
            "default, dedicated or host.",
            |r| r.resource.text("InstanceTenancy"),
        ),
        col("dhcp_options_id", Text, "The DHCP options set.", |r| {
            r.resource.text("DhcpOptionsId")
        }),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
