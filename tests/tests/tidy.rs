//! Invariants of the table registry, and generated files kept in sync.

use std::collections::HashSet;

use posture_sql::ColumnType;
use posture_sql::tables::TABLES;

use crate::repo;

#[test]
fn every_table_is_documented_and_located() {
    let mut names = HashSet::new();
    for t in TABLES {
        assert!(names.insert(t.name), "{} is registered twice", t.name);
        assert!(!t.description.is_empty(), "{} has no description", t.name);
        let file = repo(&format!("sql-plugin/src/tables/{}.rs", t.name));
        assert!(
            file.exists(),
            "{} is not defined in its own file {file:?}",
            t.name
        );
        let mut columns = HashSet::new();
        for c in t.columns {
            assert!(
                columns.insert(c.name),
                "{}.{} appears twice",
                t.name,
                c.name
            );
            assert!(
                c.description.ends_with('.')
                    || c.description.ends_with('…')
                    || c.description.ends_with(')'),
                "{}.{}: describe it in a sentence",
                t.name,
                c.name
            );
        }
        for required in ["account_id", "region"] {
            assert!(columns.contains(required), "{} has no {required}", t.name);
        }
        assert_eq!(
            t.columns.last().unwrap().name,
            "region",
            "{}: account_id, region come last",
            t.name
        );
        if let Some(tags) = t.column("tags") {
            assert_eq!(tags.ty, ColumnType::Tags, "{}.tags is a map", t.name);
        }
    }
    let files = std::fs::read_dir(repo("sql-plugin/src/tables"))
        .unwrap()
        .count();
    assert_eq!(files, TABLES.len() + 1, "one file per table, plus mod.rs");
}

#[test]
fn docs_tables_md_is_generated_from_the_registry() {
    let expected = std::fs::read_to_string(repo("docs/tables.md")).unwrap_or_default();
    let generated = posture_sql::tables::markdown(TABLES);
    if expected != generated {
        std::fs::write(repo("docs/tables.md"), &generated).unwrap();
        panic!("docs/tables.md was stale and has been regenerated; commit it");
    }
}

/// The control ids and their framework mappings, as settled in the catalogue
/// (shared/controls.md). Outside tools call controls by these ids; they never change.
const CATALOGUE: &[(&str, &[&str])] = &[
    (
        "ec2_instance_imdsv2_required",
        &["fsbp:EC2.8", "cis:6.7", "exposure"],
    ),
    ("ec2_instance_no_public_ip", &["fsbp:EC2.9", "exposure"]),
    ("ec2_instance_profile_attached", &["cis:2.17"]),
    ("ec2_instance_role_no_admin_access", &["exposure"]),
    ("ec2_instance_role_no_service_admin_access", &["exposure"]),
    ("ec2_instance_stopped_too_long", &["fsbp:EC2.4"]),
    ("ec2_instance_not_internet_reachable", &["exposure"]),
    ("ec2_instance_not_vpc_wide_reachable", &["exposure"]),
    ("vpc_sg_restricted_ssh", &["fsbp:EC2.13", "exposure"]),
    ("vpc_sg_restricted_rdp", &["fsbp:EC2.14"]),
    ("vpc_sg_restricted_common_ports", &[]),
    ("vpc_sg_no_high_risk_ports_open", &["fsbp:EC2.19"]),
    ("vpc_sg_authorized_ports_only", &["fsbp:EC2.18"]),
    ("vpc_sg_no_unrestricted_ingress", &["exposure"]),
    ("vpc_default_sg_closed", &["fsbp:EC2.2", "cis:6.5"]),
    ("vpc_sg_unused", &["fsbp:EC2.22"]),
    (
        "vpc_nacl_no_unrestricted_admin_ports",
        &["fsbp:EC2.21", "cis:6.2"],
    ),
    ("vpc_subnet_no_auto_public_ip", &["fsbp:EC2.15"]),
    ("vpc_flow_logs_enabled", &["fsbp:EC2.6", "cis:4.7"]),
    ("ebs_attached_volume_encrypted", &["fsbp:EC2.3"]),
    (
        "ebs_encryption_by_default_enabled",
        &["fsbp:EC2.7", "cis:6.1.1"],
    ),
    ("ebs_snapshot_not_public", &["fsbp:EC2.1"]),
    ("ec2_ami_not_public", &[]),
    ("ec2_launch_template_imdsv2_required", &["fsbp:EC2.170"]),
    ("ec2_launch_template_no_public_ip", &["fsbp:EC2.25"]),
    ("iam_policy_no_admin_access", &["fsbp:IAM.1"]),
    ("iam_policy_no_service_wildcard", &["fsbp:IAM.21"]),
    (
        "cloudtrail_multi_region_enabled",
        &["fsbp:CloudTrail.1", "cis:4.1"],
    ),
    (
        "cloudtrail_log_file_validation_enabled",
        &["fsbp:CloudTrail.4", "cis:4.2"],
    ),
    (
        "ec2_instance_no_network_exploitable_vulnerabilities",
        &["exposure"],
    ),
    ("ec2_instance_managed_by_ssm", &["fsbp:SSM.1"]),
    ("ec2_instance_patch_compliant", &["fsbp:SSM.2"]),
    (
        "autoscaling_launch_config_imdsv2_required",
        &["fsbp:AutoScaling.3"],
    ),
    (
        "autoscaling_launch_config_no_public_ip",
        &["fsbp:AutoScaling.5"],
    ),
];

#[test]
fn the_control_files_match_the_catalogue() {
    let controls = posture_queries::catalogue();
    let ids: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    let mut expected: Vec<&str> = CATALOGUE.iter().map(|(id, _)| *id).collect();
    expected.sort();
    assert_eq!(ids, expected, "queries/ and the catalogue disagree");
    for (id, frameworks) in CATALOGUE {
        let c = posture_queries::control(id).unwrap();
        for f in *frameworks {
            assert!(
                c.frameworks.iter().any(|g| g == f),
                "{id} lacks framework tag {f}"
            );
        }
        assert!(
            c.frameworks
                .iter()
                .all(|g| frameworks.contains(&g.as_str())),
            "{id} has tags the catalogue does not: {:?}",
            c.frameworks
        );
        assert_eq!(
            Some(c.service.as_str()),
            id.split('_').next(),
            "{id} lives in queries/<its prefix>/"
        );
        assert!(
            c.remediation.cli.starts_with("aws "),
            "{id}: remediation names the aws CLI command"
        );
        assert!(!c.rationale.trim().is_empty() && !c.remediation.console.is_empty());
        for p in &c.parameters {
            c.bind(
                &std::collections::HashMap::from([(p.name.clone(), p.default.clone())]),
                0,
            )
            .unwrap_or_else(|e| panic!("{id}: default of {}: {e}", p.name));
        }
    }
}

#[test]
fn benchmarks_are_the_tagged_controls() {
    let ids = |b: &str| -> Vec<&str> {
        posture_queries::benchmark(b)
            .unwrap()
            .iter()
            .map(|c| c.id.as_str())
            .collect()
    };
    for (benchmark, tag) in [("fsbp", "fsbp:"), ("cis", "cis:"), ("exposure", "exposure")] {
        let expected: Vec<&str> = CATALOGUE
            .iter()
            .filter(|(_, f)| f.iter().any(|t| t.starts_with(tag)))
            .map(|(id, _)| *id)
            .collect();
        let mut expected = expected;
        expected.sort();
        assert_eq!(ids(benchmark), expected, "{benchmark}");
    }
    // The seven exposure trait controls of the catalogue and the two reachability controls.
    assert_eq!(ids("exposure").len(), 9);
    assert_eq!(ids("all").len(), CATALOGUE.len());
}

/// A control returns its resource's tags (through which the `posture:mute` tags mute it), unless
/// its resource has none: the account, or a table without tags.
#[test]
fn every_control_whose_resource_has_tags_returns_them() {
    const UNTAGGED: [&str; 6] = [
        "autoscaling_launch_config_imdsv2_required",
        "autoscaling_launch_config_no_public_ip",
        "cloudtrail_multi_region_enabled",
        "ebs_encryption_by_default_enabled",
        "ec2_launch_template_imdsv2_required",
        "ec2_launch_template_no_public_ip",
    ];
    let ctx = posture_sql::session(Default::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for c in posture_queries::catalogue() {
        let untagged = UNTAGGED.contains(&c.id.as_str());
        if untagged && c.resource_type != "AWS::::Account" {
            let tables = c.tables().unwrap();
            assert!(
                tables.iter().all(|t| posture_sql::tables::table(t)
                    .unwrap()
                    .column("tags")
                    .is_none()),
                "{}: {tables:?} have tags",
                c.id
            );
        }
        let plan = runtime.block_on(c.plan(&ctx)).unwrap();
        let returns = plan
            .schema()
            .has_column_with_unqualified_name(posture_queries::TAGS_COLUMN);
        assert_eq!(returns, !untagged, "{}: returns tags", c.id);
    }
}
