use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_network_acl_entry",
    description: "Network ACL entries, one row per entry (describe-network-acls; AWS::EC2::NetworkAcl). AWS evaluates a direction's entries by ascending rule_number; the first match decides.",
    kinds: &[Kind::NetworkAcl],
    api_filters: &[("network_acl_id", "network-acl-id"), ("vpc_id", "vpc-id")],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| {
        let mut out = Vec::new();
        for acl in inv.of(Kind::NetworkAcl) {
            let entries = acl
                .data
                .at("Entries")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for e in entries {
                out.push(
                    Record::new(&acl.account_id, &acl.region, &acl.data).with_owned_item(entry(e)),
                );
            }
        }
        out
    },
    columns: &[
        col("network_acl_id", Text, "The network ACL.", |r| {
            r.resource.text("NetworkAclId")
        }),
        col("arn", Text, "The network ACL ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "network-acl/{}",
                    r.resource.str_at("NetworkAclId").unwrap_or_default()
                ),
            )
        }),
        col("vpc_id", Text, "The VPC.", |r| r.resource.text("VpcId")),
        col(
            "is_default",
            Bool,
            "Whether this is the VPC's default network ACL.",
            |r| r.resource.bool("IsDefault"),
        ),
        col(
            "associated_subnet_ids",
            TextList,
            "Subnets that use this network ACL.",
            |r| r.resource.text_list("Associations", Some("SubnetId")),
        ),
        col(
            "rule_number",
            Int,
            "Evaluation order within a direction (32767 is the final implicit deny).",
            |r| r.item.int("RuleNumber"),
        ),
        col(
            "egress",
            Bool,
            "true for an outbound entry, false for inbound.",
            |r| r.item.bool("Egress"),
        ),
        col("rule_action", Text, "`allow` or `deny`.", |r| {
            r.item.text("RuleAction")
        }),
        col(
            "protocol",
            Text,
            "`all`, `tcp`, `udp`, `icmp`, `icmpv6` or another protocol number.",
            |r| r.item.text("Protocol"),
        ),
        col("cidr_block", Text, "IPv4 CIDR the entry matches.", |r| {
            r.item.text("CidrBlock")
        }),
        col(
            "ipv6_cidr_block",
            Text,
            "IPv6 CIDR the entry matches.",
            |r| r.item.text("Ipv6CidrBlock"),
        ),
        col(
            "from_port",
            Int,
            "First port (0 for all traffic and tcp/udp without a range).",
            |r| r.item.int("FromPort"),
        ),
        col(
            "to_port",
            Int,
            "Last port (65535 for all traffic and tcp/udp without a range).",
            |r| r.item.int("ToPort"),
        ),
        col("icmp_type", Int, "ICMP type (-1: all).", |r| {
            r.item.int("IcmpTypeCode.Type")
        }),
        col("icmp_code", Int, "ICMP code (-1: all).", |r| {
            r.item.int("IcmpTypeCode.Code")
        }),
        col("tags", Tags, "Tags of the network ACL.", |r| {
            r.resource.tags("Tags")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};

fn entry(e: &Value) -> Value {
    let protocol = protocol_name(e.str_at("Protocol").unwrap_or("-1"));
    let (from, to) = port_range(
        &protocol,
        as_i64(e.at("PortRange.From")),
        as_i64(e.at("PortRange.To")),
    );
    let mut out = e.clone();
    out["Protocol"] = json!(protocol);
    out["FromPort"] = json!(from);
    out["ToPort"] = json!(to);
    out
}
