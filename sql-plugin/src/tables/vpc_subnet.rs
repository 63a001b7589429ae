use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_subnet",
    description: "VPC subnets (describe-subnets; AWS::EC2::Subnet).",
    kinds: &[Kind::Subnet],
    api_filters: &[
        ("subnet_id", "subnet-id"),
        ("vpc_id", "vpc-id"),
        ("availability_zone", "availability-zone"),
        ("map_public_ip_on_launch", "map-public-ip-on-launch"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::Subnet),
    columns: &[
        col("subnet_id", Text, "The subnet ID.", |r| {
            r.resource.text("SubnetId")
        }),
        col("arn", Text, "The subnet ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "subnet/{}",
                    r.resource.str_at("SubnetId").unwrap_or_default()
                ),
            )
        }),
        col("vpc_id", Text, "The VPC.", |r| r.resource.text("VpcId")),
        col("cidr_block", Text, "The IPv4 CIDR block.", |r| {
            r.resource.text("CidrBlock")
        }),
        col(
            "ipv6_cidr_blocks",
            TextList,
            "Associated IPv6 CIDR blocks.",
            |r| {
                r.resource
                    .text_list("Ipv6CidrBlockAssociationSet", Some("Ipv6CidrBlock"))
            },
        ),
        col("availability_zone", Text, "The Availability Zone.", |r| {
            r.resource.text("AvailabilityZone")
        }),
        col(
            "map_public_ip_on_launch",
            Bool,
            "Whether instances launched here get a public IPv4 address by default.",
            |r| r.resource.bool("MapPublicIpOnLaunch"),
        ),
        col(
            "assign_ipv6_address_on_creation",
            Bool,
            "Whether network interfaces created here get an IPv6 address.",
            |r| r.resource.bool("AssignIpv6AddressOnCreation"),
        ),
        col(
            "default_for_az",
            Bool,
            "Whether this is the zone's default subnet.",
            |r| r.resource.bool("DefaultForAz"),
        ),
        col("state", Text, "pending or available.", |r| {
            r.resource.text("State")
        }),
        col(
            "available_ip_address_count",
            Int,
            "Free IPv4 addresses.",
            |r| r.resource.int("AvailableIpAddressCount"),
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
