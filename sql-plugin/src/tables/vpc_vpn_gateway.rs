use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_vpn_gateway",
    description: "Virtual private gateways (vgw-…), the AWS end of Site-to-Site VPN connections, one row per gateway (describe-vpn-gateways; AWS::EC2::VPNGateway). A VPC's route tables send traffic to one through vpc_route.gateway_id.",
    kinds: &[Kind::VpnGateway],
    api_filters: &[
        ("vpn_gateway_id", "vpn-gateway-id"),
        ("state", "state"),
        ("type", "type"),
    ],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::VpnGateway),
    columns: &[
        col("vpn_gateway_id", Text, "The gateway (vgw-…).", |r| {
            r.resource.text("VpnGatewayId")
        }),
        col("arn", Text, "The gateway ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "vpn-gateway/{}",
                    r.resource.str_at("VpnGatewayId").unwrap_or_default()
                ),
            )
        }),
        col(
            "state",
            Text,
            "`pending`, `available`, `deleting` or `deleted`.",
            |r| r.resource.text("State"),
        ),
        col("type", Text, "The VPN type (`ipsec.1`).", |r| {
            r.resource.text("Type")
        }),
        col(
            "amazon_side_asn",
            Int,
            "The private ASN of the Amazon side of a BGP session.",
            |r| r.resource.int("AmazonSideAsn"),
        ),
        col(
            "attached_vpc_ids",
            TextList,
            "The VPCs it is attached to now (attachments in state `attached`).",
            |r| {
                let attachments = r.resource.at("VpcAttachments").and_then(Value::as_array);
                Cell::TextList(
                    attachments
                        .into_iter()
                        .flatten()
                        .filter(|a| a.str_at("State") == Some("attached"))
                        .filter_map(|a| a.str_at("VpcId").map(str::to_string))
                        .collect(),
                )
            },
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
