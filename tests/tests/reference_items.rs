//! Real AWS Config items from public sources (tests/fixtures/reference/) load into the rows a
//! user expects, whatever container and shape they come in.

use std::path::Path;
use std::sync::Arc;

use posture_sql::Inventory;
use serde_json::{Value, json};

use crate::{query, repo};

fn load(file: &str) -> Arc<Inventory> {
    Arc::new(Inventory::load(&repo("tests/fixtures/reference").join(file)).unwrap())
}

fn one(inventory: &Arc<Inventory>, sql: &str) -> Value {
    let rows = query(inventory, sql);
    assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
    Value::Object(rows.into_iter().next().unwrap())
}

#[test]
fn a_real_instance_change_event_becomes_an_ec2_instance_row() {
    let inv = load("event-awsConfigRuleConfigurationChanged.powertools.json");
    let row = one(&inv, "select * from ec2_instance");
    insta::assert_json_snapshot!("powertools_instance_row", row);
    // The facts the controls read, spelled out:
    assert_eq!(row["http_tokens"], "optional");
    assert_eq!(row["public_ip_addresses"], json!(["3.232.229.57"]));
    assert_eq!(
        row["security_group_ids"],
        json!(["sg-0fb295a327d9b4835", "sg-88105fa0"])
    );
    assert_eq!(row["state_transition_time"], "2023-04-27T15:01:07Z");
}

#[test]
fn an_open_world_security_group_flattens_with_ipv4_and_ipv6_sources() {
    let inv = load(
        "invokingEvent-SecurityGroup-open-world.aws-config-rules-64c77f9-VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS_test.json",
    );
    let rows = query(
        &inv,
        "select is_egress, ip_protocol, from_port, to_port, coalesce(cidr_ipv4, cidr_ipv6) as cidr from ec2_security_group_rule order by is_egress, ip_protocol, from_port, to_port, cidr",
    );
    insta::assert_json_snapshot!("open_world_sg_rules", rows);
    let world_ssh = query(
        &inv,
        "select * from ec2_security_group_rule where not is_egress and is_world_open and ip_protocol in ('tcp', 'all') and from_port <= 22 and to_port >= 22",
    );
    assert!(
        !world_ssh.is_empty(),
        "tcp 0-65535 from the world covers 22"
    );
}

#[test]
fn a_legacy_security_group_with_plain_string_ranges_reads_like_the_api() {
    let inv = load("rdk-AWS_EC2_SecurityGroup.json");
    let rows = query(
        &inv,
        "select is_egress, ip_protocol, from_port, to_port, cidr_ipv4 from ec2_security_group_rule order by is_egress",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(
        Value::Object(rows[0].clone()),
        json!({"is_egress": false, "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"})
    );
    // All-traffic egress without ports covers every port.
    assert_eq!(
        Value::Object(rows[1].clone()),
        json!({"is_egress": true, "ip_protocol": "all", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"})
    );
}

#[test]
fn url_encoded_role_documents_are_decoded() {
    let configuration: Value = serde_json::from_str(
        &std::fs::read_to_string(repo(
            "tests/fixtures/reference/configuration-IAM-Role-urlencoded.starfleet.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let item = json!({"resourceType": "AWS::IAM::Role", "resourceId": "AROAALSKDJFLAKSDJFKLJSDF", "awsAccountId": "000000000001", "awsRegion": "global", "configurationItemStatus": "OK", "configuration": configuration});
    let dir = std::env::temp_dir().join(format!("posture-role-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("role.json"), item.to_string()).unwrap();
    let inv = Arc::new(Inventory::load(&dir).unwrap());
    let role = one(
        &inv,
        "select role_name, region, assume_role_policy, attached_policy_arns, instance_profile_arns from iam_role",
    );
    assert_eq!(role["region"], "global");
    assert_eq!(
        role["attached_policy_arns"],
        json!(["arn:aws:iam::000000000001:policy/SomePolicy"])
    );
    assert_eq!(
        role["instance_profile_arns"],
        json!(["arn:aws:iam::000000000001:instance-profile/SomeRole"])
    );
    let trust: Value = serde_json::from_str(role["assume_role_policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );
    let statement = one(
        &inv,
        "select policy_type, role_name, actions, resources from iam_policy_statement",
    );
    assert_eq!(
        statement,
        json!({"policy_type": "inline", "role_name": "SomeRole", "actions": ["config:selectaggregateresourceconfig"], "resources": ["*"]})
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_rdk_sample_item_loads_into_its_table() {
    let cases = [
        (
            "rdk-AWS_EC2_Volume.json",
            "select state, encrypted, attached_instance_ids from ebs_volume",
            json!({"state": "in-use", "encrypted": true, "attached_instance_ids": ["i-29e75b19"]}),
        ),
        (
            "rdk-AWS_EC2_Subnet.json",
            "select subnet_id, map_public_ip_on_launch, state from vpc_subnet",
            json!({"subnet_id": "subnet-29428871", "map_public_ip_on_launch": true, "state": "available"}),
        ),
        (
            "rdk-AWS_EC2_VPC.json",
            "select vpc_id, cidr_blocks, is_default from vpc",
            json!({"vpc_id": "vpc-0990dc6d", "cidr_blocks": ["172.31.0.0/16"], "is_default": true}),
        ),
        (
            "rdk-AWS_EC2_NetworkAcl.json",
            "select count(*) as entries, count(distinct network_acl_id) as acls from vpc_network_acl_entry",
            json!({"entries": 4, "acls": 1}),
        ),
        (
            "rdk-AWS_IAM_Policy.json",
            "select policy_name, is_aws_managed, default_version_id, region from iam_policy",
            json!({"policy_name": "ELB-policy", "is_aws_managed": false, "default_version_id": "v1", "region": "global"}),
        ),
        (
            "rdk-AWS_IAM_Policy.json",
            "select actions, resources from iam_policy_statement",
            json!({"actions": ["elasticloadbalancing:describe*"], "resources": ["*"]}),
        ),
        (
            "rdk-AWS_IAM_Role.json",
            "select role_name, attached_policy_arns from iam_role",
            json!({"role_name": "config-role-ezcrc2", "attached_policy_arns": ["arn:aws:iam::264683526309:policy/ELB-policy", "arn:aws:iam::264683526309:policy/service-role/config-role-ezcrc2-AWSConfigDeliveryPermissions-us-west-2", "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"]}),
        ),
        (
            "rdk-AWS_Cloudtrail_Trail.json",
            "select name, is_multi_region_trail, log_file_validation_enabled, is_logging from cloudtrail_trail",
            json!({"name": "APJCCloudTrail", "is_multi_region_trail": true, "log_file_validation_enabled": true, "is_logging": null}),
        ),
        (
            "rdk-AWS_EC2_LaunchTemplate.json",
            "select launch_template_id, version_number, is_default_version, http_tokens from ec2_launch_template_version",
            json!({"launch_template_id": "lt-test", "version_number": 1, "is_default_version": true, "http_tokens": null}),
        ),
        (
            "rdk-AWS_EC2_Instance.json",
            "select count(*) as n from ec2_instance",
            json!({"n": 1}),
        ),
    ];
    for (file, sql, expected) in cases {
        assert_eq!(one(&load(file), sql), expected, "{file}: {sql}");
    }
}

#[test]
fn a_scheduled_event_has_no_item_and_says_so() {
    let inv = load("event-awsConfigRuleScheduled.powertools.json");
    assert!(inv.is_empty());
    assert_eq!(inv.notes.len(), 1);
    assert!(
        inv.notes[0].contains("a ScheduledNotification event carries no configuration item"),
        "{:?}",
        inv.notes
    );
}

#[test]
fn a_malformed_item_file_is_an_error_naming_the_file() {
    // As shipped by the RDK, this sample is not valid JSON.
    let path = repo("tests/fixtures/reference/rdk-AWS_EC2_NetworkInterface.json");
    let err = Inventory::load(&path).unwrap_err().to_string();
    assert!(
        err.contains(&*path.to_string_lossy()) && err.contains("not valid JSON"),
        "{err}"
    );
    let err = Inventory::load(Path::new("/nonexistent/inventory"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("/nonexistent/inventory: "), "{err}");
}
