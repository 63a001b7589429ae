use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_route",
    description: "Routes, one row per route of every route table (describe-route-tables; AWS::EC2::RouteTable). A subnet uses the table it is explicitly associated with, else its VPC's main table.",
    kinds: &[Kind::RouteTable],
    api_filters: &[("route_table_id", "route-table-id"), ("vpc_id", "vpc-id")],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| {
        let mut out = Vec::new();
        for table in inv.of(Kind::RouteTable) {
            for route in table
                .data
                .at("Routes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(
                    Record::new(&table.account_id, &table.region, &table.data).with_item(route),
                );
            }
        }
        out
    },
    columns: &[
        col("route_table_id", Text, "The route table.", |r| {
            r.resource.text("RouteTableId")
        }),
        col("arn", Text, "The route table ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "route-table/{}",
                    r.resource.str_at("RouteTableId").unwrap_or_default()
                ),
            )
        }),
        col("vpc_id", Text, "The VPC.", |r| r.resource.text("VpcId")),
        col(
            "is_main",
            Bool,
            "Whether this is the VPC's main route table (used by subnets without an explicit association).",
            |r| {
                let assocs = r
                    .resource
                    .at("Associations")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                Cell::Bool(
                    assocs
                        .iter()
                        .any(|a| a.at("Main").and_then(Value::as_bool) == Some(true)),
                )
            },
        ),
        col(
            "associated_subnet_ids",
            TextList,
            "Subnets explicitly associated with the table.",
            |r| r.resource.text_list("Associations", Some("SubnetId")),
        ),
        col("destination_cidr_block", Text, "IPv4 destination.", |r| {
            r.item.text("DestinationCidrBlock")
        }),
        col(
            "destination_ipv6_cidr_block",
            Text,
            "IPv6 destination.",
            |r| r.item.text("DestinationIpv6CidrBlock"),
        ),
        col(
            "destination_prefix_list_id",
            Text,
            "Prefix-list destination.",
            |r| r.item.text("DestinationPrefixListId"),
        ),
        col(
            "gateway_id",
            Text,
            "Target gateway: an internet gateway (igw-…), a virtual private gateway (vgw-…, see vpc_vpn_gateway), or `local`.",
            |r| r.item.text("GatewayId"),
        ),
        col("nat_gateway_id", Text, "Target NAT gateway.", |r| {
            r.item.text("NatGatewayId")
        }),
        col(
            "egress_only_internet_gateway_id",
            Text,
            "Target egress-only internet gateway (IPv6 outbound only).",
            |r| r.item.text("EgressOnlyInternetGatewayId"),
        ),
        col("transit_gateway_id", Text, "Target transit gateway.", |r| {
            r.item.text("TransitGatewayId")
        }),
        col(
            "vpc_peering_connection_id",
            Text,
            "Target peering connection.",
            |r| r.item.text("VpcPeeringConnectionId"),
        ),
        col(
            "network_interface_id",
            Text,
            "Target network interface.",
            |r| r.item.text("NetworkInterfaceId"),
        ),
        col("instance_id", Text, "Target instance.", |r| {
            r.item.text("InstanceId")
        }),
        col("state", Text, "`active` or `blackhole`.", |r| {
            r.item.text("State")
        }),
        col(
            "origin",
            Text,
            "CreateRouteTable, CreateRoute or EnableVgwRoutePropagation.",
            |r| r.item.text("Origin"),
        ),
        col("tags", Tags, "Tags of the route table.", |r| {
            r.resource.tags("Tags")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};
