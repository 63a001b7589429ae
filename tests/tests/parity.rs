//! The demo estate as `aws` CLI output (`demo/`) and as AWS Config items
//! (`tests/fixtures/demo-config/`, written by `cli_to_config.py`) give equal rows, table by table.

use std::sync::Arc;

use posture_sql::Inventory;
use posture_sql::tables::TABLES;
use serde_json::Value;

use crate::{query, repo};

/// Tables filled from outputs AWS Config has no resource type for.
const NOT_RECORDED_BY_CONFIG: &[&str] = &[
    "ebs_snapshot",
    "ec2_image",
    "ec2_regional_settings",
    // Config does not record Inspector findings; its AWS::SSM::ManagedInstanceInventory and
    // AWS::SSM::PatchCompliance hold inventory and per-patch items, not these outputs.
    "inspector_finding",
    "ssm_managed_instance",
    "ssm_patch_state",
];

/// Tables of what AWS Config records with a per-resource call it does not: from Config, one row
/// per parent resource, with the flag column false (unread, never empty).
const UNREAD_FROM_CONFIG: &[(&str, &str, &str)] =
    &[("elbv2_target_health", "target_group_arn", "targets_read")];

/// Columns AWS Config items do not carry: null from Config, compared nowhere else.
const COLUMNS_NOT_IN_CONFIG_ITEMS: &[(&str, &str)] = &[
    ("ec2_launch_template_version", "create_time"),
    ("vpc_flow_log", "deliver_logs_status"),
    ("vpc_flow_log", "creation_time"),
    ("cloudtrail_trail", "is_logging"),
    ("cloudtrail_trail", "latest_delivery_time"),
    ("vpc_managed_prefix_list_entry", "state"),
];

/// Rows AWS Config records: only a launch template's default version, only customer managed
/// policies, only the account's own prefix lists.
fn scope(table: &str) -> &'static str {
    match table {
        "ec2_launch_template_version" => "where is_default_version",
        "iam_policy" | "iam_policy_statement" => "where not coalesce(is_aws_managed, false)",
        "vpc_managed_prefix_list_entry" => "where owner_id <> 'AWS'",
        _ => "",
    }
}

fn sorted_rows(inventory: &Arc<Inventory>, sql: &str) -> Vec<String> {
    let mut rows: Vec<String> = query(inventory, sql)
        .into_iter()
        .map(|r| Value::Object(r).to_string())
        .collect();
    rows.sort();
    rows
}

#[test]
fn cli_dumps_and_config_items_give_the_same_rows_in_every_table() {
    let cli = Arc::new(Inventory::load(&repo("demo")).unwrap());
    let config = Arc::new(Inventory::load(&repo("tests/fixtures/demo-config")).unwrap());
    for table in TABLES {
        let name = table.name;
        if NOT_RECORDED_BY_CONFIG.contains(&name) {
            assert!(
                !query(&cli, &format!("select * from {name}")).is_empty(),
                "{name}: the demo has rows"
            );
            assert!(
                query(&config, &format!("select * from {name}")).is_empty(),
                "{name}: Config has none"
            );
            continue;
        }
        if let Some((_, parent, flag)) = UNREAD_FROM_CONFIG.iter().find(|(t, ..)| *t == name) {
            let parents = format!("select distinct {parent} from {name}");
            let from_cli = sorted_rows(&cli, &parents);
            assert!(!from_cli.is_empty(), "{name}: the demo has rows");
            assert_eq!(from_cli, sorted_rows(&config, &parents), "{name}: parents");
            assert!(
                query(&cli, &format!("select {flag} from {name}"))
                    .iter()
                    .all(|r| r[*flag] == true),
                "{name}: read from the CLI"
            );
            let rows = query(&config, &format!("select * from {name}"));
            assert_eq!(rows.len(), from_cli.len(), "{name}: one row per parent");
            assert!(
                rows.iter().all(|r| r[*flag] == false),
                "{name}: unread from Config: {rows:?}"
            );
            continue;
        }
        let skipped: Vec<&str> = COLUMNS_NOT_IN_CONFIG_ITEMS
            .iter()
            .filter(|(t, _)| *t == name)
            .map(|(_, c)| *c)
            .collect();
        let columns: Vec<&str> = table
            .columns
            .iter()
            .map(|c| c.name)
            .filter(|c| !skipped.contains(c))
            .collect();
        let sql = format!("select {} from {name} {}", columns.join(", "), scope(name));
        let from_cli = sorted_rows(&cli, &sql);
        let from_config = sorted_rows(&config, &sql);
        assert!(!from_cli.is_empty(), "{name}: the demo has rows to compare");
        assert_eq!(
            from_cli.len(),
            from_config.len(),
            "{name}: row counts differ"
        );
        for (a, b) in from_cli.iter().zip(&from_config) {
            assert_eq!(
                a, b,
                "{name}: the CLI row (left) and the Config row (right) differ"
            );
        }
        for column in skipped {
            let sql = format!("select count({column}) as n from {name}");
            assert_eq!(
                query(&config, &sql)[0]["n"],
                0,
                "{name}.{column} is null from Config items"
            );
            assert_ne!(
                query(&cli, &sql)[0]["n"],
                0,
                "{name}.{column} is filled from the CLI"
            );
        }
    }
}

#[test]
fn the_imdsv1_query_returns_the_same_instances_from_both_formats() {
    let sql =
        "select instance_id from ec2_instance where http_tokens = 'optional' order by instance_id";
    let cli = query(&Arc::new(Inventory::load(&repo("demo")).unwrap()), sql);
    let config = query(
        &Arc::new(Inventory::load(&repo("tests/fixtures/demo-config")).unwrap()),
        sql,
    );
    let ids: Vec<&str> = cli
        .iter()
        .map(|r| r["instance_id"].as_str().unwrap())
        .collect();
    // legacy-app, eu-jump, admin-box, metadata-off (endpoint disabled), old-build-agent
    // (terminated), shop-app-1 (behind shop-alb), partner-api (over the peering and the VPN)
    assert_eq!(ids.len(), 7, "{ids:?}");
    assert_eq!(cli, config);
}

#[test]
fn config_history_keeps_the_newest_capture_and_notes_what_it_ignored() {
    let config = Inventory::load(&repo("tests/fixtures/demo-config")).unwrap();
    let paths = query(&Arc::new(config), "select distinct path from iam_role");
    assert!(
        paths.iter().all(|r| r["path"] != "/stale-capture/"),
        "{paths:?}"
    );
    let config = Inventory::load(&repo("tests/fixtures/demo-config")).unwrap();
    assert_eq!(
        config.notes,
        vec![
            "ignored AWS Config items of type AWS::S3::Bucket: no table reads them".to_string(),
            "ignored AWS Config items with status ResourceDeleted".to_string(),
        ]
    );
}
