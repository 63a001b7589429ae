//! The `posture` binary end to end: formats, both source formats, the shell, and every error
//! path giving one clear line and exit code 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn posture(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture")).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = posture(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Fails with exit code 2 and returns stderr, which must be one `error:` line.
fn fails(args: &[&str]) -> String {
    let out = posture(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

const IMDSV1: &str = "select instance_id from ec2_instance where http_tokens='optional' order by instance_id";

#[test]
fn json_output_is_one_array_of_rows_and_equal_for_both_formats() {
    let demo = repo("demo");
    let config = repo("tests/fixtures/demo-config");
    let from_cli: Value = serde_json::from_str(&ok(&["query", "--inventory", demo.to_str().unwrap(), "--output", "json", IMDSV1])).unwrap();
    let from_config: Value = serde_json::from_str(&ok(&["query", "-i", config.to_str().unwrap(), "-o", "json", IMDSV1])).unwrap();
    let bundled: Value = serde_json::from_str(&ok(&["query", "--demo", "-o", "json", IMDSV1])).unwrap();
    assert_eq!(from_cli.as_array().unwrap().len(), 5);
    assert!(from_cli.as_array().unwrap().iter().all(|r| r.as_object().unwrap().keys().eq(["instance_id"])));
    assert_eq!(from_cli, from_config);
    assert_eq!(from_cli, bundled);
}

#[test]
fn lists_and_maps_are_json_values_and_nulls_are_kept() {
    let sql = "select instance_id, security_group_ids, tags, iam_instance_profile_arn from ec2_instance where tags['Name'] = 'legacy-app'";
    let rows: Value = serde_json::from_str(&ok(&["query", "--demo", "-o", "json", sql])).unwrap();
    let row = &rows[0];
    assert_eq!(row["security_group_ids"].as_array().unwrap().len(), 2);
    assert_eq!(row["tags"]["Owner"], "unknown");
    assert_eq!(row["iam_instance_profile_arn"], Value::Null);
    assert!(row.as_object().unwrap().contains_key("iam_instance_profile_arn"));
    assert_eq!(ok(&["query", "--demo", "-o", "json", "select 1 as a where false"]).trim(), "[]");
}

#[test]
fn jsonl_and_csv_outputs() {
    let sql = "select region, count(*) as n, array_agg(instance_id order by instance_id) as ids from ec2_instance group by region order by region";
    let jsonl = ok(&["query", "--demo", "-o", "jsonl", sql]);
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["region"], "eu-west-1");
    assert_eq!(lines[0]["n"], 4);
    let csv = ok(&["query", "--demo", "-o", "csv", sql]);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("region,n,ids"));
    let first = rows.next().unwrap();
    assert!(first.starts_with("eu-west-1,4,\"[\"\"i-"), "{first}");
}

#[test]
fn table_output_shows_headers_and_values() {
    let out = ok(&["query", "--demo", "select vpc_id, is_default from vpc where region = 'us-east-1' and account_id = '111122223333' order by vpc_id"]);
    assert!(out.contains("vpc_id") && out.contains("is_default"), "{out}");
    assert_eq!(out.matches("vpc-").count(), 2, "{out}");
}

#[test]
fn tables_lists_every_table_and_one_table_in_detail() {
    let all = ok(&["tables"]);
    for t in posture_sql::tables::TABLES {
        assert!(all.contains(&format!("{}\n", t.name)), "{} missing", t.name);
    }
    let one = ok(&["tables", "ec2_instance"]);
    assert!(one.contains("http_tokens") && one.contains("IMDSv1 allowed"), "{one}");
    assert!(!one.contains("ebs_volume"));
    assert_eq!(ok(&["tables", "--output", "markdown"]), std::fs::read_to_string(repo("docs/tables.md")).unwrap());
    assert!(fails(&["tables", "ec2_instances"]).contains("no table `ec2_instances`"));
}

#[test]
fn the_shell_runs_commands_and_multi_line_sql_and_survives_errors() {
    let home = std::env::temp_dir().join(format!("posture-shell-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["query", "--demo", "-o", "csv"])
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b".tables\n.schema ebs_volume\nselect count(*) as n\n  from vpc;\nselect nope from vpc;\n.schema nope\nselect 'still here' as s;\n.quit\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("cloudtrail_trail "), "{stdout}");
    assert!(stdout.contains("attached_instance_ids"), "{stdout}");
    assert!(stdout.contains("n\n5\n"), "{stdout}");
    assert!(stdout.contains("s\nstill here\n"), "{stdout}");
    assert!(stderr.contains("error: Schema error: No field named nope"), "{stderr}");
    assert!(stderr.contains("error: no table `nope`"), "{stderr}");
    let history = std::fs::read_to_string(home.join(".posture_history")).unwrap();
    assert!(history.contains("select 'still here' as s;"), "{history}");
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn errors_are_one_line_with_exit_code_2() {
    assert!(fails(&["query", "select 1"]).contains("pass --inventory PATH"));
    assert!(fails(&["query", "--demo", "select * from nowhere"]).contains("public.nowhere' not found"));
    let err = fails(&["query", "--inventory", "/no/such/dir", "select 1"]);
    assert!(err.contains("/no/such/dir: No such file"), "{err}");
    assert_eq!(fails(&["query", "--demo", "selec 1"]).lines().count(), 1);
    let clap = posture(&["query", "--demo", "--inventory", "demo", "select 1"]);
    assert_eq!(clap.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&clap.stderr).contains("cannot be used with"));
}

#[test]
fn a_bad_inventory_file_names_the_file() {
    let dir = std::env::temp_dir().join(format!("posture-bad-{}", std::process::id()));
    let region = dir.join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&region).unwrap();
    std::fs::write(region.join("addresses.json"), json!({"Addresses": []}).to_string()).unwrap();
    let err = fails(&["query", "-i", dir.to_str().unwrap(), "select 1"]);
    assert!(err.contains("addresses.json: not a recognised `aws` CLI output"), "{err}");
    std::fs::write(region.join("addresses.json"), "{\"Vpcs\": [").unwrap();
    let err = fails(&["query", "-i", dir.to_str().unwrap(), "select 1"]);
    assert!(err.contains("addresses.json: not valid JSON"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
