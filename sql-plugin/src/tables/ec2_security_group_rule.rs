use std::collections::HashMap;

use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_security_group_rule",
    description: "Security group rules, one row per rule and source (describe-security-groups or describe-security-group-rules; AWS::EC2::SecurityGroup). `from_port <= p AND to_port >= p` is true for every rule that covers port p, all-traffic rules included.",
    records,
    kinds: &[Kind::SecurityGroup],
    api_filters: &[
        ("group_id", "group-id"),
        ("group_name", "group-name"),
        ("vpc_id", "vpc-id"),
    ],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    columns: &[
        col(
            "group_id",
            Text,
            "The security group the rule belongs to.",
            |r| r.item.text("GroupId"),
        ),
        col(
            "group_name",
            Text,
            "The group's name (null when only describe-security-group-rules was loaded).",
            |r| r.item.text("GroupName"),
        ),
        col("vpc_id", Text, "The group's VPC.", |r| r.item.text("VpcId")),
        col(
            "security_group_rule_id",
            Text,
            "The rule ID (sgr-…), when describe-security-group-rules output was loaded.",
            |r| r.item.text("SecurityGroupRuleId"),
        ),
        col(
            "arn",
            Text,
            "The rule ARN, when its id is known.",
            |r| match r.item.str_at("SecurityGroupRuleId") {
                Some(id) => r.arn("ec2", &format!("security-group-rule/{id}")),
                None => Cell::Null,
            },
        ),
        col(
            "is_egress",
            Bool,
            "true for outbound rules, false for inbound.",
            |r| r.item.bool("IsEgress"),
        ),
        col(
            "ip_protocol",
            Text,
            "`tcp`, `udp`, `icmp`, `icmpv6`, `all` (AWS's -1: every protocol and port) or another protocol number.",
            |r| r.item.text("IpProtocol"),
        ),
        col(
            "from_port",
            Int,
            "First port (0 for all traffic and for tcp/udp rules without ports); the ICMP type for ICMP.",
            |r| r.item.int("FromPort"),
        ),
        col(
            "to_port",
            Int,
            "Last port (65535 for all traffic and for tcp/udp rules without ports); the ICMP code for ICMP.",
            |r| r.item.int("ToPort"),
        ),
        col(
            "cidr_ipv4",
            Text,
            "Source (inbound) or destination (outbound) IPv4 CIDR.",
            |r| r.item.text("CidrIpv4"),
        ),
        col("cidr_ipv6", Text, "Source or destination IPv6 CIDR.", |r| {
            r.item.text("CidrIpv6")
        }),
        col(
            "referenced_group_id",
            Text,
            "Source or destination security group.",
            |r| r.item.text("ReferencedGroupId"),
        ),
        col(
            "referenced_user_id",
            Text,
            "Account owning the referenced group.",
            |r| r.item.text("ReferencedUserId"),
        ),
        col(
            "prefix_list_id",
            Text,
            "Source or destination managed prefix list.",
            |r| r.item.text("PrefixListId"),
        ),
        col(
            "is_world_open",
            Bool,
            "Whether the CIDR is 0.0.0.0/0 or ::/0 (groups and prefix lists never are).",
            |r| {
                Cell::Bool(
                    matches!(r.item.str_at("CidrIpv4"), Some("0.0.0.0/0"))
                        || matches!(r.item.str_at("CidrIpv6"), Some("::/0")),
                )
            },
        ),
        col(
            "description",
            Text,
            "The rule or source description.",
            |r| r.item.text("Description"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};

/// The fields that identify a rule, as in describe-security-group-rules.
const KEY: &[&str] = &[
    "GroupId",
    "IsEgress",
    "IpProtocol",
    "FromPort",
    "ToPort",
    "CidrIpv4",
    "CidrIpv6",
    "ReferencedGroupId",
    "PrefixListId",
];

fn key(account: &str, region: &str, rule: &Value) -> String {
    let fields: Vec<String> = KEY
        .iter()
        .map(|k| rule.at(k).map(Value::to_string).unwrap_or_default())
        .collect();
    format!("{account}|{region}|{}", fields.join("|"))
}

fn records(inv: &Inventory) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for g in inv.of(Kind::SecurityGroup) {
        for (field, egress) in [("IpPermissions", false), ("IpPermissionsEgress", true)] {
            for permission in g
                .data
                .at(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for rule in flatten(&g.data, permission, egress) {
                    by_key.insert(key(&g.account_id, &g.region, &rule), out.len());
                    out.push(Record::new(&g.account_id, &g.region, &g.data).with_owned_item(rule));
                }
            }
        }
    }
    // describe-security-group-rules: adds the rule id to a rule already known from its group,
    // or is the only source of the rule.
    for r in inv.of(Kind::SecurityGroupRule) {
        let rule = from_rule(&r.data);
        match by_key.get(&key(&r.account_id, &r.region, &rule)) {
            Some(&i) => {
                let mut known = out[i].item.clone().into_owned();
                known["SecurityGroupRuleId"] = rule["SecurityGroupRuleId"].clone();
                out[i].item = Cow::Owned(known);
            }
            None => out.push(Record::new(&r.account_id, &r.region, &r.data).with_owned_item(rule)),
        }
    }
    out
}

fn base(
    group_id: Option<&str>,
    egress: bool,
    protocol: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Value {
    let protocol = protocol_name(protocol);
    let (from, to) = port_range(&protocol, from, to);
    json!({"GroupId": group_id, "IsEgress": egress, "IpProtocol": protocol, "FromPort": from, "ToPort": to})
}

/// One permission of describe-security-groups → one rule per source.
fn flatten(group: &Value, p: &Value, egress: bool) -> Vec<Value> {
    let mut template = base(
        group.str_at("GroupId"),
        egress,
        p.str_at("IpProtocol").unwrap_or("-1"),
        as_i64(p.at("FromPort")),
        as_i64(p.at("ToPort")),
    );
    template["GroupName"] = json!(group.str_at("GroupName"));
    template["VpcId"] = json!(group.str_at("VpcId"));
    let mut rules = Vec::new();
    let mut add = |fields: Value, source: &Value| {
        let mut rule = template.clone();
        for (k, v) in fields.as_object().expect("object literal") {
            rule[k] = v.clone();
        }
        rule["Description"] = json!(source.str_at("Description"));
        rules.push(rule);
    };
    let list = |key: &str| {
        p.at(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for s in list("IpRanges") {
        add(json!({"CidrIpv4": s.str_at("CidrIp")}), &s);
    }
    for s in list("Ipv6Ranges") {
        add(json!({"CidrIpv6": s.str_at("CidrIpv6")}), &s);
    }
    for s in list("UserIdGroupPairs") {
        add(
            json!({"ReferencedGroupId": s.str_at("GroupId"), "ReferencedUserId": s.str_at("UserId")}),
            &s,
        );
    }
    for s in list("PrefixListIds") {
        add(json!({"PrefixListId": s.str_at("PrefixListId")}), &s);
    }
    rules
}

/// One entry of describe-security-group-rules (ports are -1 for all traffic there).
fn from_rule(r: &Value) -> Value {
    let mut rule = base(
        r.str_at("GroupId"),
        r.at("IsEgress").and_then(Value::as_bool).unwrap_or(false),
        r.str_at("IpProtocol").unwrap_or("-1"),
        as_i64(r.at("FromPort")),
        as_i64(r.at("ToPort")),
    );
    for (field, from) in [
        ("SecurityGroupRuleId", "SecurityGroupRuleId"),
        ("CidrIpv4", "CidrIpv4"),
        ("CidrIpv6", "CidrIpv6"),
        ("ReferencedGroupId", "ReferencedGroupInfo.GroupId"),
        ("ReferencedUserId", "ReferencedGroupInfo.UserId"),
        ("PrefixListId", "PrefixListId"),
        ("Description", "Description"),
    ] {
        rule[field] = json!(r.str_at(from));
    }
    rule
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::inventory::InventoryBuilder;

    const GROUPS: &str = r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#;
    const RULES: &str = r#"{"SecurityGroupRules": [
        {"SecurityGroupRuleId": "sgr-a", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv4": "0.0.0.0/0"},
        {"SecurityGroupRuleId": "sgr-b", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"},
        {"SecurityGroupRuleId": "sgr-c", "GroupId": "sg-1", "IsEgress": true, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"}]}"#;

    fn rows(files: &[&str]) -> Vec<Vec<Cell>> {
        let mut b = InventoryBuilder::default();
        let path = Path::new("111122223333/us-east-1/sg.json");
        for f in files {
            crate::sources::load_file(path, path, f, &mut b).unwrap();
        }
        let inv = b.finish();
        let mut rows: Vec<Vec<Cell>> = records(&inv)
            .iter()
            .map(|r| {
                TABLE
                    .columns
                    .iter()
                    .filter(|c| c.name != "group_name" && c.name != "vpc_id")
                    .map(|c| (c.get)(r))
                    .collect()
            })
            .collect();
        rows.sort_by_key(|r| format!("{r:?}"));
        rows
    }

    #[test]
    fn rule_ids_join_the_rules_of_their_group() {
        let both = rows(&[GROUPS, RULES]);
        assert_eq!(both.len(), 3, "no duplicates when both outputs are loaded");
        let id = TABLE
            .columns
            .iter()
            .filter(|c| c.name != "group_name" && c.name != "vpc_id")
            .position(|c| c.name == "security_group_rule_id")
            .unwrap();
        assert!(
            both.iter()
                .all(|r| matches!(&r[id], Cell::Text(s) if s.starts_with("sgr-")))
        );
        // Alone, describe-security-group-rules gives the same rows (ports of -1 included).
        assert_eq!(rows(&[RULES]), both);
        // Alone, describe-security-groups gives them without ids.
        let groups = rows(&[GROUPS]);
        assert!(groups.iter().all(|r| r[id] == Cell::Null));
        assert_eq!(groups.len(), 3);
    }
}
