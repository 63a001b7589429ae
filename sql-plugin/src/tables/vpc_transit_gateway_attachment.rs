use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_transit_gateway_attachment",
    description: "Transit gateway attachments: what a transit gateway connects (a VPC, a VPN, a Direct Connect gateway, a peering, …), one row per attachment (describe-transit-gateway-attachments; AWS::EC2::TransitGatewayAttachment). A VPC's route tables send traffic to the gateway through vpc_route.transit_gateway_id.",
    kinds: &[Kind::TransitGatewayAttachment],
    api_filters: &[
        (
            "transit_gateway_attachment_id",
            "transit-gateway-attachment-id",
        ),
        ("transit_gateway_id", "transit-gateway-id"),
        ("resource_type", "resource-type"),
        ("resource_id", "resource-id"),
        ("state", "state"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::TransitGatewayAttachment),
    columns: &[
        col(
            "transit_gateway_attachment_id",
            Text,
            "The attachment (tgw-attach-…).",
            |r| r.resource.text("TransitGatewayAttachmentId"),
        ),
        col("arn", Text, "The attachment ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "transit-gateway-attachment/{}",
                    r.resource
                        .str_at("TransitGatewayAttachmentId")
                        .unwrap_or_default()
                ),
            )
        }),
        col(
            "transit_gateway_id",
            Text,
            "The transit gateway (tgw-…).",
            |r| r.resource.text("TransitGatewayId"),
        ),
        col(
            "transit_gateway_owner_id",
            Text,
            "The account owning the transit gateway.",
            |r| r.resource.text("TransitGatewayOwnerId"),
        ),
        col(
            "resource_type",
            Text,
            "What is attached: `vpc`, `vpn`, `direct-connect-gateway`, `connect`, `peering`, `tgw-peering` or `network-function`.",
            |r| r.resource.text("ResourceType"),
        ),
        col(
            "resource_id",
            Text,
            "The attached resource (a VPC id for `vpc`).",
            |r| r.resource.text("ResourceId"),
        ),
        col(
            "resource_owner_id",
            Text,
            "The account owning the attached resource.",
            |r| r.resource.text("ResourceOwnerId"),
        ),
        col(
            "state",
            Text,
            "`available`, `pending`, `pendingAcceptance`, `deleted`, … (only `available` carries traffic).",
            |r| r.resource.text("State"),
        ),
        col(
            "association_route_table_id",
            Text,
            "The transit gateway route table the attachment is associated with.",
            |r| r.resource.text("Association.TransitGatewayRouteTableId"),
        ),
        col(
            "association_state",
            Text,
            "The state of that association (`associated`, …).",
            |r| r.resource.text("Association.State"),
        ),
        col("creation_time", Timestamp, "When it was created.", |r| {
            r.resource.timestamp("CreationTime")
        }),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
