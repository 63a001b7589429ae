use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_peering_connection",
    description: "VPC peering connections, one row per connection, seen from the account that lists it (describe-vpc-peering-connections; AWS::EC2::VPCPeeringConnection). Traffic flows only while the status is `active`, and only where route tables send it (vpc_route.vpc_peering_connection_id).",
    kinds: &[Kind::VpcPeeringConnection],
    api_filters: &[
        ("vpc_peering_connection_id", "vpc-peering-connection-id"),
        ("status", "status-code"),
        ("requester_vpc_id", "requester-vpc-info.vpc-id"),
        ("accepter_vpc_id", "accepter-vpc-info.vpc-id"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::VpcPeeringConnection),
    columns: &[
        col(
            "vpc_peering_connection_id",
            Text,
            "The peering connection (pcx-…).",
            |r| r.resource.text("VpcPeeringConnectionId"),
        ),
        col("arn", Text, "The peering connection ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "vpc-peering-connection/{}",
                    r.resource
                        .str_at("VpcPeeringConnectionId")
                        .unwrap_or_default()
                ),
            )
        }),
        col(
            "status",
            Text,
            "`active`, `pending-acceptance`, `provisioning`, `rejected`, `deleted`, `expired`, `failed` or `deleting`.",
            |r| r.resource.text("Status.Code"),
        ),
        col("status_message", Text, "Why it has that status.", |r| {
            r.resource.text("Status.Message")
        }),
        col(
            "requester_vpc_id",
            Text,
            "The VPC that asked for the peering.",
            |r| r.resource.text("RequesterVpcInfo.VpcId"),
        ),
        col(
            "requester_owner_id",
            Text,
            "The account owning the requester VPC.",
            |r| r.resource.text("RequesterVpcInfo.OwnerId"),
        ),
        col(
            "requester_region",
            Text,
            "The requester VPC's region.",
            |r| r.resource.text("RequesterVpcInfo.Region"),
        ),
        col(
            "requester_cidr_blocks",
            TextList,
            "The requester VPC's IPv4 CIDR blocks.",
            |r| ipv4_blocks(&r.resource["RequesterVpcInfo"]),
        ),
        col(
            "requester_ipv6_cidr_blocks",
            TextList,
            "The requester VPC's IPv6 CIDR blocks.",
            |r| {
                r.resource
                    .text_list("RequesterVpcInfo.Ipv6CidrBlockSet", Some("Ipv6CidrBlock"))
            },
        ),
        col(
            "accepter_vpc_id",
            Text,
            "The VPC that accepted (or is asked to accept) the peering.",
            |r| r.resource.text("AccepterVpcInfo.VpcId"),
        ),
        col(
            "accepter_owner_id",
            Text,
            "The account owning the accepter VPC.",
            |r| r.resource.text("AccepterVpcInfo.OwnerId"),
        ),
        col("accepter_region", Text, "The accepter VPC's region.", |r| {
            r.resource.text("AccepterVpcInfo.Region")
        }),
        col(
            "accepter_cidr_blocks",
            TextList,
            "The accepter VPC's IPv4 CIDR blocks.",
            |r| ipv4_blocks(&r.resource["AccepterVpcInfo"]),
        ),
        col(
            "accepter_ipv6_cidr_blocks",
            TextList,
            "The accepter VPC's IPv6 CIDR blocks.",
            |r| {
                r.resource
                    .text_list("AccepterVpcInfo.Ipv6CidrBlockSet", Some("Ipv6CidrBlock"))
            },
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};

/// Every IPv4 block of one side: `CidrBlockSet`, which holds them all; else the primary
/// `CidrBlock` alone (older outputs list only that).
fn ipv4_blocks(side: &Value) -> Cell {
    let set = strings(side.at("CidrBlockSet"), Some("CidrBlock"));
    if !set.is_empty() {
        return Cell::TextList(set);
    }
    Cell::TextList(
        side.str_at("CidrBlock")
            .map(str::to_string)
            .into_iter()
            .collect(),
    )
}
