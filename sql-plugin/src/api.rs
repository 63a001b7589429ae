//! What each table asks the AWS API for: the resources it reads (and so the calls and the IAM
//! actions they need), which columns become API filters, whether `LIMIT` becomes `MaxResults`,
//! and which columns cost extra calls. Live fetching and the generated IAM policies read this.

use crate::inventory::Kind;

#[derive(Debug)]
pub struct Spec {
    pub table: &'static str,
    /// The resources the table reads; fetched together for every scan.
    pub kinds: &'static [Kind],
    /// Column → API filter, for equality and IN on the column.
    pub filters: &'static [(&'static str, &'static str)],
    /// One row per listed item, so `LIMIT n` can become `MaxResults` and stop early.
    pub limit: bool,
    /// Columns that need calls beyond the list (per row, or per region): made only when one of
    /// these is projected or filtered on.
    pub extra_columns: &'static [&'static str],
}

impl Spec {
    /// IAM is global: one partition per account.
    pub fn global(&self) -> bool {
        self.kinds
            .iter()
            .any(|k| matches!(k, Kind::Role | Kind::Policy))
    }

    pub fn filter(&self, column: &str) -> Option<&'static str> {
        self.filters
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, f)| *f)
    }
}

const fn spec(
    table: &'static str,
    kinds: &'static [Kind],
    filters: &'static [(&'static str, &'static str)],
    limit: bool,
) -> Spec {
    Spec {
        table,
        kinds,
        filters,
        limit,
        extra_columns: &[],
    }
}

const NONE: &[(&str, &str)] = &[];

/// Every table. `tag:<key>` filters come from `tags['key'] = 'value'` on tables with a `tags`
/// column whose API takes them (all EC2 Describe calls here).
pub static SPECS: &[Spec] = &[
    // Ids go through the `instance-id` filter, not the id list: an id list fails with
    // InvalidInstanceID.NotFound in every region that does not hold the instance.
    spec(
        "ec2_instance",
        &[Kind::Instance],
        &[
            ("instance_id", "instance-id"),
            ("instance_state", "instance-state-name"),
            ("vpc_id", "vpc-id"),
            ("subnet_id", "subnet-id"),
            ("image_id", "image-id"),
            ("instance_type", "instance-type"),
            ("key_name", "key-name"),
            ("iam_instance_profile_arn", "iam-instance-profile.arn"),
            ("http_tokens", "metadata-options.http-tokens"),
            ("http_endpoint", "metadata-options.http-endpoint"),
        ],
        true,
    ),
    spec(
        "ec2_security_group",
        &[Kind::SecurityGroup],
        &[
            ("group_id", "group-id"),
            ("group_name", "group-name"),
            ("vpc_id", "vpc-id"),
        ],
        true,
    ),
    spec(
        "ec2_security_group_rule",
        &[Kind::SecurityGroup],
        &[
            ("group_id", "group-id"),
            ("group_name", "group-name"),
            ("vpc_id", "vpc-id"),
        ],
        false,
    ),
    spec(
        "ec2_network_interface",
        &[Kind::NetworkInterface],
        &[
            ("network_interface_id", "network-interface-id"),
            ("attached_instance_id", "attachment.instance-id"),
            ("vpc_id", "vpc-id"),
            ("subnet_id", "subnet-id"),
            ("interface_type", "interface-type"),
            ("status", "status"),
        ],
        true,
    ),
    spec(
        "ebs_volume",
        &[Kind::Volume],
        &[
            ("volume_id", "volume-id"),
            ("encrypted", "encrypted"),
            ("state", "status"),
            ("volume_type", "volume-type"),
            ("availability_zone", "availability-zone"),
        ],
        true,
    ),
    Spec {
        extra_columns: &["create_volume_permissions", "is_public"],
        ..spec(
            "ebs_snapshot",
            &[Kind::Snapshot],
            &[
                ("snapshot_id", "snapshot-id"),
                ("volume_id", "volume-id"),
                ("encrypted", "encrypted"),
                ("state", "status"),
            ],
            true,
        )
    },
    spec(
        "ec2_image",
        &[Kind::Image],
        &[
            ("image_id", "image-id"),
            ("name", "name"),
            ("state", "state"),
            ("is_public", "is-public"),
        ],
        true,
    ),
    Spec {
        extra_columns: &["ebs_default_kms_key_id"],
        ..spec("ec2_regional_settings", &[Kind::EbsDefaults], NONE, false)
    },
    spec(
        "ec2_launch_template_version",
        &[Kind::LaunchTemplateVersion],
        NONE,
        false,
    ),
    spec(
        "vpc",
        &[Kind::Vpc],
        &[
            ("vpc_id", "vpc-id"),
            ("is_default", "is-default"),
            ("cidr_block", "cidr-block"),
            ("state", "state"),
        ],
        true,
    ),
    spec(
        "vpc_subnet",
        &[Kind::Subnet],
        &[
            ("subnet_id", "subnet-id"),
            ("vpc_id", "vpc-id"),
            ("availability_zone", "availability-zone"),
            ("map_public_ip_on_launch", "map-public-ip-on-launch"),
        ],
        true,
    ),
    spec(
        "vpc_network_acl_entry",
        &[Kind::NetworkAcl],
        &[("network_acl_id", "network-acl-id"), ("vpc_id", "vpc-id")],
        false,
    ),
    spec(
        "vpc_route",
        &[Kind::RouteTable],
        &[("route_table_id", "route-table-id"), ("vpc_id", "vpc-id")],
        false,
    ),
    spec(
        "vpc_flow_log",
        &[Kind::FlowLog],
        &[
            ("flow_log_id", "flow-log-id"),
            ("resource_id", "resource-id"),
            ("traffic_type", "traffic-type"),
        ],
        true,
    ),
    spec("iam_role", &[Kind::Role], NONE, false),
    spec("iam_policy", &[Kind::Policy], NONE, false),
    spec(
        "iam_policy_statement",
        &[Kind::Policy, Kind::Role],
        NONE,
        false,
    ),
    spec("iam_instance_profile", &[Kind::Role], NONE, false),
    spec("iam_role_policy_attachment", &[Kind::Role], NONE, false),
    Spec {
        extra_columns: &["is_logging", "latest_delivery_time"],
        ..spec("cloudtrail_trail", &[Kind::Trail], NONE, false)
    },
];

pub fn of(table: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.table == table)
}

/// The IAM actions of the calls that read a kind (extra-column calls included).
pub fn actions(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Instance => &["ec2:DescribeInstances"],
        Kind::SecurityGroup => &["ec2:DescribeSecurityGroups"],
        Kind::SecurityGroupRule => &["ec2:DescribeSecurityGroupRules"],
        Kind::NetworkInterface => &["ec2:DescribeNetworkInterfaces"],
        Kind::Volume => &["ec2:DescribeVolumes"],
        Kind::Snapshot => &["ec2:DescribeSnapshots"],
        Kind::SnapshotPermissions => &["ec2:DescribeSnapshotAttribute"],
        Kind::Image => &["ec2:DescribeImages"],
        Kind::EbsDefaults => &["ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"],
        Kind::LaunchTemplateVersion => &["ec2:DescribeLaunchTemplateVersions"],
        Kind::Vpc => &["ec2:DescribeVpcs"],
        Kind::Subnet => &["ec2:DescribeSubnets"],
        Kind::NetworkAcl => &["ec2:DescribeNetworkAcls"],
        Kind::RouteTable => &["ec2:DescribeRouteTables"],
        Kind::FlowLog => &["ec2:DescribeFlowLogs"],
        Kind::Role | Kind::Policy => &["iam:GetAccountAuthorizationDetails"],
        Kind::Trail => &["cloudtrail:DescribeTrails"],
        Kind::TrailStatus => &["cloudtrail:GetTrailStatus"],
    }
}

/// The IAM actions reading `table` needs, sorted.
pub fn table_actions(table: &str) -> Vec<&'static str> {
    let Some(spec) = of(table) else {
        return Vec::new();
    };
    let extra = match spec.kinds {
        [Kind::Snapshot] => &[Kind::SnapshotPermissions][..],
        [Kind::Trail] => &[Kind::TrailStatus][..],
        _ => &[],
    };
    let mut out: Vec<&str> = spec
        .kinds
        .iter()
        .chain(extra)
        .flat_map(|k| actions(*k).iter().copied())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_one_spec_naming_its_own_columns() {
        for table in crate::tables::TABLES {
            let spec = of(table.name).unwrap_or_else(|| panic!("{} has no live spec", table.name));
            let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
            for column in spec
                .filters
                .iter()
                .map(|(c, _)| c)
                .chain(spec.extra_columns)
            {
                assert!(
                    columns.contains(column),
                    "{}: no column {column}",
                    table.name
                );
            }
        }
        assert_eq!(SPECS.len(), crate::tables::TABLES.len());
    }
}
