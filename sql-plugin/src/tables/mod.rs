//! Every SQL table, one file each, registered once in [`TABLES`].

mod cloudtrail_trail;
mod ebs_snapshot;
mod ebs_volume;
mod ec2_image;
mod ec2_instance;
mod ec2_launch_template_version;
mod ec2_network_interface;
mod ec2_regional_settings;
mod ec2_security_group;
mod ec2_security_group_rule;
mod iam_instance_profile;
mod iam_policy;
mod iam_policy_statement;
mod iam_role;
mod iam_role_policy_attachment;
mod vpc;
mod vpc_flow_log;
mod vpc_network_acl_entry;
mod vpc_route;
mod vpc_subnet;

use crate::table::Table;

pub static TABLES: &[&Table] = &[
    &ec2_instance::TABLE,
    &ec2_security_group::TABLE,
    &ec2_security_group_rule::TABLE,
    &ec2_network_interface::TABLE,
    &ebs_volume::TABLE,
    &ebs_snapshot::TABLE,
    &ec2_image::TABLE,
    &ec2_regional_settings::TABLE,
    &ec2_launch_template_version::TABLE,
    &vpc::TABLE,
    &vpc_subnet::TABLE,
    &vpc_network_acl_entry::TABLE,
    &vpc_route::TABLE,
    &vpc_flow_log::TABLE,
    &iam_role::TABLE,
    &iam_policy::TABLE,
    &iam_policy_statement::TABLE,
    &iam_instance_profile::TABLE,
    &iam_role_policy_attachment::TABLE,
    &cloudtrail_trail::TABLE,
];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().copied().find(|t| t.name == name)
}

/// What every table file uses.
mod prelude {
    pub use std::borrow::Cow;

    pub use serde_json::{json, Value};

    pub use crate::inventory::{Inventory, Kind, Resource};
    pub use crate::table::{Cell, Column, ColumnType::*, Record, Table};
    pub use crate::value::{strings, Json};

    pub const ACCOUNT_ID: Column = Column {
        name: "account_id",
        ty: Text,
        description: "The AWS account the row came from.",
        get: |r| r.account(),
    };

    pub const REGION: Column = Column {
        name: "region",
        ty: Text,
        description: "The AWS region the row came from (`global` for IAM).",
        get: |r| r.region(),
    };

    pub const fn col(
        name: &'static str,
        ty: crate::table::ColumnType,
        description: &'static str,
        get: fn(&Record<'_>) -> Cell,
    ) -> Column {
        Column { name, ty, description, get }
    }

    /// One record per resource of `kind`.
    pub fn each(inventory: &Inventory, kind: Kind) -> Vec<Record<'_>> {
        inventory.of(kind).iter().map(|r| Record::new(&r.account_id, &r.region, &r.data)).collect()
    }

    /// Protocol names as users write them: `-1` → `all`, `6` → `tcp`, `17` → `udp`,
    /// `1` → `icmp`, `58` → `icmpv6`; other numbers stay numbers.
    pub fn protocol_name(p: &str) -> String {
        match p.to_ascii_lowercase().as_str() {
            "-1" | "all" => "all".into(),
            "6" => "tcp".into(),
            "17" => "udp".into(),
            "1" => "icmp".into(),
            "58" => "icmpv6".into(),
            other => other.into(),
        }
    }

    /// Port bounds such that `from_port <= p AND to_port >= p` is right for every rule: all
    /// traffic, and tcp/udp without ports, cover 0-65535; ICMP keeps type/code as AWS gives them.
    pub fn port_range(protocol: &str, from: Option<i64>, to: Option<i64>) -> (Option<i64>, Option<i64>) {
        let whole = |p: Option<i64>| p.is_none() || p == Some(-1);
        match protocol {
            "all" => (Some(0), Some(65535)),
            "tcp" | "udp" if whole(from) && whole(to) => (Some(0), Some(65535)),
            _ => (from, to),
        }
    }

    pub fn as_i64(v: Option<&Value>) -> Option<i64> {
        match v? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }


    /// The AWS-managed policy ARNs have `aws` where an account id would be.
    pub fn is_aws_managed(arn: &str) -> bool {
        arn.starts_with("arn:aws:iam::aws:") || arn.contains(":iam::aws:policy/")
    }

    /// Distinct strings in first-seen order.
    pub fn distinct(items: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in items {
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }
}
