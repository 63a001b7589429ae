//! The bundled demo account: the compiled-in copy equals `demo/` on disk, and it holds the cases
//! the controls in ../shared/controls.md need, both ways.

use std::sync::Arc;

use posture_sql::tables::TABLES;
use posture_sql::Inventory;

use crate::{query, repo};

#[test]
fn the_compiled_in_demo_equals_the_demo_directory() {
    let bundled = Arc::new(Inventory::demo());
    let on_disk = Arc::new(Inventory::load(&repo("demo")).unwrap());
    for table in TABLES {
        let sql = format!("select * from {}", table.name);
        assert_eq!(query(&bundled, &sql), query(&on_disk, &sql), "{}", table.name);
    }
    assert!(bundled.notes.is_empty(), "{:?}", bundled.notes);
}

#[test]
fn every_table_has_demo_rows_in_two_regions_or_global() {
    let demo = Arc::new(Inventory::demo());
    for table in TABLES {
        let rows = query(&demo, &format!("select distinct region from {}", table.name));
        let regions: Vec<&str> = rows.iter().map(|r| r["region"].as_str().unwrap()).collect();
        if table.name.starts_with("iam_") {
            assert_eq!(regions, ["global"], "{}", table.name);
        } else {
            assert_eq!(regions.len(), 2, "{}: {regions:?}", table.name);
        }
    }
}

/// Each query finds resources on one side of a control; both sides must exist in the demo.
#[test]
fn the_demo_exercises_each_control_both_ways() {
    let demo = Arc::new(Inventory::demo());
    let both_ways = [
        ("imdsv2", "select instance_state <> 'terminated' and http_tokens = 'optional' and http_endpoint = 'enabled' as bad from ec2_instance"),
        ("public ip", "select cardinality(public_ip_addresses) > 0 as bad from ec2_instance where instance_state <> 'terminated'"),
        ("instance profile", "select iam_instance_profile_arn is null as bad from ec2_instance where instance_state <> 'terminated'"),
        ("world-open ssh", "select bool_or(not is_egress and is_world_open and ip_protocol in ('tcp','all') and from_port <= 22 and to_port >= 22) as bad from ec2_security_group_rule group by group_id"),
        ("world-open rdp", "select bool_or(not is_egress and is_world_open and ip_protocol in ('tcp','udp','all') and from_port <= 3389 and to_port >= 3389) as bad from ec2_security_group_rule group by group_id"),
        ("default sg closed", "select ingress_permission_count + egress_permission_count > 0 as bad from ec2_security_group where is_default"),
        ("subnet auto public ip", "select map_public_ip_on_launch as bad from vpc_subnet"),
        ("flow logs", "select f.flow_log_id is null as bad from vpc v left join vpc_flow_log f on f.resource_id = v.vpc_id"),
        ("attached volume encrypted", "select not encrypted as bad from ebs_volume where cardinality(attached_instance_ids) > 0"),
        ("ebs encryption by default", "select not ebs_encryption_by_default as bad from ec2_regional_settings"),
        ("public snapshot", "select is_public as bad from ebs_snapshot"),
        ("public ami", "select is_public as bad from ec2_image"),
        ("launch template imdsv2", "select coalesce(http_tokens, '') <> 'required' and coalesce(http_endpoint, '') <> 'disabled' as bad from ec2_launch_template_version where is_default_version"),
        ("launch template public ip", "select coalesce(associate_public_ip_address, false) as bad from ec2_launch_template_version where is_default_version"),
        ("customer policy admin", "select bool_or(effect = 'Allow' and array_has(resources, '*') and (array_has(actions, '*') or cardinality(not_actions) > 0)) as bad from iam_policy_statement where policy_type = 'managed' and not is_aws_managed group by policy_arn"),
        ("trail validation", "select not log_file_validation_enabled as bad from cloudtrail_trail"),
        ("unused sg", "select count(u.group_id) = 0 as bad from ec2_security_group g left join (select unnest(security_group_ids) as group_id from ec2_network_interface) u on u.group_id = g.group_id where not g.is_default group by g.group_id"),
    ];
    for (control, sql) in both_ways {
        let verdicts: Vec<bool> = query(&demo, sql).iter().map(|r| r["bad"].as_bool().unwrap_or(false)).collect();
        assert!(verdicts.contains(&true) && verdicts.contains(&false), "{control}: {verdicts:?}");
    }
}
