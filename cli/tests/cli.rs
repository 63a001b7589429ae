//! The `posture` binary end to end: formats, both source formats, the shell, and every error
//! path giving one clear line and exit code 2.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn posture(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = posture(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
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

const IMDSV1: &str =
    "select instance_id from ec2_instance where http_tokens='optional' order by instance_id";

#[test]
fn json_output_is_one_array_of_rows_and_equal_for_both_formats() {
    let demo = repo("demo");
    let config = repo("tests/fixtures/demo-config");
    let from_cli: Value = serde_json::from_str(&ok(&[
        "query",
        "--inventory",
        demo.to_str().unwrap(),
        "--output",
        "json",
        IMDSV1,
    ]))
    .unwrap();
    let from_config: Value = serde_json::from_str(&ok(&[
        "query",
        "-i",
        config.to_str().unwrap(),
        "-o",
        "json",
        IMDSV1,
    ]))
    .unwrap();
    let bundled: Value =
        serde_json::from_str(&ok(&["query", "--demo", "-o", "json", IMDSV1])).unwrap();
    assert_eq!(from_cli.as_array().unwrap().len(), 7);
    assert!(
        from_cli.as_array().unwrap().iter().all(|r| r
            .as_object()
            .unwrap()
            .keys()
            .eq(["instance_id"]))
    );
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
    assert!(
        row.as_object()
            .unwrap()
            .contains_key("iam_instance_profile_arn")
    );
    assert_eq!(
        ok(&["query", "--demo", "-o", "json", "select 1 as a where false"]).trim(),
        "[]"
    );
}

#[test]
fn jsonl_and_csv_outputs() {
    let sql = "select region, count(*) as n, array_agg(instance_id order by instance_id) as ids from ec2_instance group by region order by region";
    let jsonl = ok(&["query", "--demo", "-o", "jsonl", sql]);
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
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
    let out = ok(&[
        "query",
        "--demo",
        "select vpc_id, is_default from vpc where region = 'us-east-1' and account_id = '111122223333' order by vpc_id",
    ]);
    assert!(
        out.contains("vpc_id") && out.contains("is_default"),
        "{out}"
    );
    assert_eq!(out.matches("vpc-").count(), 2, "{out}");
}

#[test]
fn tables_lists_every_table_and_one_table_in_detail() {
    let all = ok(&["tables"]);
    for t in posture_sql::tables::TABLES {
        assert!(all.contains(&format!("{}\n", t.name)), "{} missing", t.name);
    }
    let one = ok(&["tables", "ec2_instance"]);
    assert!(
        one.contains("http_tokens") && one.contains("IMDSv1 allowed"),
        "{one}"
    );
    assert!(!one.contains("ebs_volume"));
    assert_eq!(
        ok(&["tables", "--output", "markdown"]),
        std::fs::read_to_string(repo("docs/tables.md")).unwrap()
    );
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
    assert!(
        stderr.contains("error: Schema error: No field named nope"),
        "{stderr}"
    );
    assert!(stderr.contains("error: no table `nope`"), "{stderr}");
    let history = std::fs::read_to_string(home.join(".posture_history")).unwrap();
    assert!(history.contains("select 'still here' as s;"), "{history}");
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn errors_are_one_line_with_exit_code_2() {
    assert!(
        fails(&["query", "--demo", "select * from nowhere"]).contains("public.nowhere' not found")
    );
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
    std::fs::write(
        region.join("addresses.json"),
        json!({"Addresses": []}).to_string(),
    )
    .unwrap();
    let err = fails(&["query", "-i", dir.to_str().unwrap(), "select 1"]);
    assert!(
        err.contains("addresses.json: not a recognised `aws` CLI output"),
        "{err}"
    );
    std::fs::write(region.join("addresses.json"), "{\"Vpcs\": [").unwrap();
    let err = fails(&["query", "-i", dir.to_str().unwrap(), "select 1"]);
    assert!(err.contains("addresses.json: not valid JSON"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

fn check_json(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = posture(args);
    let rows: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), rows.as_array().unwrap().clone())
}

#[test]
fn check_on_the_demo_shows_every_control_both_ways_and_exits_1() {
    let (code, rows) = check_json(&["check", "--demo", "--output", "json"]);
    assert_eq!(code, Some(1), "alarms exit 1");
    for key in [
        "control_id",
        "title",
        "severity",
        "resource",
        "resource_type",
        "resource_id",
        "status",
        "reason",
        "account_id",
        "region",
    ] {
        assert!(
            rows.iter()
                .all(|r| r.get(key).is_some_and(|v| !v.is_null())),
            "every finding has {key}"
        );
    }
    for c in posture_queries::catalogue() {
        let statuses: Vec<&str> = rows
            .iter()
            .filter(|r| r["control_id"] == c.id.as_str())
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert!(
            statuses.contains(&"ok") && statuses.contains(&"alarm"),
            "{}: {statuses:?}",
            c.id
        );
    }
    let table = ok_or_alarm(&["check", "--demo"]);
    assert!(table.contains("34 controls, 34 with alarms"), "{table}");
    assert!(table.find("alarm 1 · ok 3").is_some());
}

fn ok_or_alarm(args: &[&str]) -> String {
    let out = posture(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_selects_by_benchmark_or_control_and_exits_0_when_clean() {
    let (_, cis) = check_json(&["check", "--demo", "--benchmark", "cis", "-o", "json"]);
    let ids: std::collections::BTreeSet<&str> = cis
        .iter()
        .map(|r| r["control_id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| {
        posture_queries::control(id)
            .unwrap()
            .frameworks
            .iter()
            .any(|f| f.starts_with("cis:"))
    }));
    assert_eq!(ids.len(), posture_queries::benchmark("cis").unwrap().len());
    let dir = std::env::temp_dir().join(format!("posture-clean-{}", std::process::id()));
    let region = dir.join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&region).unwrap();
    std::fs::write(region.join("sg.json"), json!({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]}]}).to_string()).unwrap();
    let out = posture(&[
        "check",
        "-i",
        dir.to_str().unwrap(),
        "--control",
        "vpc_sg_restricted_ssh",
        "--control",
        "vpc_sg_restricted_rdp",
        "-o",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "nothing alarms: exit 0");
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("control_id,title,severity,resource,resource_type,resource_id,status,reason,account_id,region,mute_reason,mute_expires,mute_owner,muted_by\n"), "{csv}");
    assert_eq!(csv.lines().count(), 3);
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--inventory` loads only what the run's tables read: every control, the exposure view and a
/// query see what the whole demo holds.
#[test]
fn loading_what_the_run_reads_gives_what_loading_everything_gives() {
    let demo = repo("demo");
    let demo = demo.to_str().unwrap();
    for args in [
        // As of the demo's capture, which --demo implies.
        ["check", "-o", "json", "--as-of", "2026-11-25T14:00:00Z"].as_slice(),
        &["exposure", "-o", "json"],
        &[
            "query",
            "-o",
            "json",
            "select name, is_logging from cloudtrail_trail order by name",
        ],
    ] {
        let (command, rest) = args.split_first().unwrap();
        let loaded = ok_or_alarm(&[[*command, "-i", demo].as_slice(), rest].concat());
        let bundled = ok_or_alarm(&[[*command, "--demo"].as_slice(), rest].concat());
        assert!(loaded.len() > 100, "{loaded}");
        assert_eq!(loaded, bundled, "{command}");
    }
    // Tables not known from the plan (information_schema beside a table) load everything;
    // refused SQL loads nothing and is the error.
    let count = |sql: &str| ok(&["query", "-i", demo, "-o", "csv", sql]);
    assert_eq!(
        count(
            "select count(*) as n from ec2_instance where exists (select 1 from information_schema.tables where table_name = 'ec2_instance')"
        ),
        count("select count(*) as n from ec2_instance")
    );
    assert_ne!(count("select count(*) as n from ec2_instance"), "n\n0\n");
    assert!(fails(&["query", "-i", demo, "drop table ec2_instance"]).contains("DROP"));
}

#[test]
fn check_parameters_are_typed_and_checked() {
    let (_, rows) = check_json(&[
        "check",
        "--demo",
        "-c",
        "vpc_sg_restricted_common_ports",
        "-p",
        "vpc_sg_restricted_common_ports.blockedPorts=8000-8100",
        "-o",
        "json",
    ]);
    let alarms: Vec<&str> = rows
        .iter()
        .filter(|r| r["status"] == "alarm")
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        alarms.len(),
        2,
        "only the all-traffic and the 80-65535 groups cover 8000-8100: {alarms:?}"
    );
    assert!(
        alarms
            .iter()
            .all(|r| r.contains("tcp 8000-8100 from 0.0.0.0/0")),
        "{alarms:?}"
    );
    let err = fails(&[
        "check",
        "--demo",
        "-p",
        "vpc_sg_restricted_common_ports.blockedPorts=22;drop",
    ]);
    assert!(
        err.contains("parameter vpc_sg_restricted_common_ports.blockedPorts = `22;drop`"),
        "{err}"
    );
    assert!(fails(&["check", "--demo", "-p", "nope.x=1"]).contains("unknown control `nope`"));
    assert!(
        fails(&["check", "--demo", "-p", "vpc_sg_restricted_ssh.port=1"])
            .contains("has no parameter `port` (it takes none)")
    );
    assert!(
        fails(&["check", "--demo", "-p", "blockedPorts"])
            .contains("expected CONTROL_ID.NAME=VALUE")
    );
    assert!(
        fails(&["check", "--demo", "-c", "ec2_instance_imdsv2"])
            .contains("unknown control `ec2_instance_imdsv2`")
    );
    assert!(
        fails(&["check", "--demo", "--as-of", "yesterday"])
            .contains("--as-of yesterday: expected an RFC 3339 time")
    );
    let (_, rows) = check_json(&[
        "check",
        "--demo",
        "-c",
        "ec2_instance_stopped_too_long",
        "--as-of",
        "2026-06-10T00:00:00Z",
        "-o",
        "json",
    ]);
    assert!(
        rows.iter().all(|r| r["status"] != "alarm"),
        "a week after it stopped, nothing is stopped too long"
    );
}

#[test]
fn controls_lists_and_shows() {
    let list = ok(&["controls"]);
    assert_eq!(list.lines().count(), posture_queries::catalogue().len());
    assert!(list.contains("vpc_sg_restricted_ssh") && list.contains("fsbp:EC2.13"));
    let one = ok(&["controls", "show", "vpc_sg_authorized_ports_only"]);
    for expected in [
        "FSBP",
        "authorizedTcpPorts",
        "default `80,443`",
        "from ec2_security_group_rule",
        "aws ec2 revoke-security-group-ingress",
    ] {
        assert!(
            one.to_lowercase().contains(&expected.to_lowercase()),
            "{expected} in {one}"
        );
    }
    assert!(fails(&["controls", "show", "nope"]).contains("unknown control `nope`"));
}

#[test]
fn asff_findings_are_importable_and_have_stable_distinct_ids() {
    let (code, asff) = check_json(&["check", "--demo", "-o", "asff"]);
    assert_eq!(code, Some(1));
    let (_, plain) = check_json(&["check", "--demo", "-o", "json"]);
    assert_eq!(
        asff.len(),
        plain.len(),
        "one finding per (control, resource)"
    );
    let ids: std::collections::HashSet<&str> =
        asff.iter().map(|f| f["Id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), asff.len(), "Ids are distinct");
    let (_, again) = check_json(&["check", "--demo", "-o", "asff"]);
    assert!(
        asff == again,
        "Ids, order and content are stable across runs"
    );
    for f in &asff {
        for key in [
            "SchemaVersion",
            "Id",
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "Types",
            "CreatedAt",
            "UpdatedAt",
            "Severity",
            "Title",
            "Description",
            "Resources",
        ] {
            assert!(f.get(key).is_some(), "required ASFF field {key} in {f}");
        }
        assert_eq!(f["SchemaVersion"], "2018-10-08");
        let account = f["AwsAccountId"].as_str().unwrap();
        assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            f["ProductArn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:securityhub:")
        );
        assert!(
            f["Id"].as_str().unwrap().len() <= 512 && f["Title"].as_str().unwrap().len() <= 256
        );
        assert!(f["Description"].as_str().unwrap().chars().count() <= 1024);
        assert!(
            f["Remediation"]["Recommendation"]["Text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 512
        );
        let resource = &f["Resources"][0];
        assert!(
            resource["Id"].as_str().unwrap().starts_with("arn:aws:")
                && resource["Region"].as_str().unwrap().contains('-')
        );
        let status = f["Compliance"]["Status"].as_str().unwrap();
        let label = f["Severity"]["Label"].as_str().unwrap();
        match status {
            "FAILED" => assert!(["CRITICAL", "HIGH", "MEDIUM", "LOW"].contains(&label)),
            "PASSED" | "NOT_AVAILABLE" => assert_eq!(label, "INFORMATIONAL"),
            other => panic!("compliance status {other}"),
        }
    }
    let failed = asff
        .iter()
        .filter(|f| f["Compliance"]["Status"] == "FAILED")
        .count();
    assert_eq!(
        failed,
        plain.iter().filter(|r| r["status"] == "alarm").count()
    );
}

#[test]
fn ocsf_findings_are_compliance_findings() {
    let (_, ocsf) = check_json(&["check", "--demo", "-o", "ocsf", "-b", "cis"]);
    let (_, plain) = check_json(&["check", "--demo", "-o", "json", "-b", "cis"]);
    assert_eq!(ocsf.len(), plain.len());
    for (f, p) in ocsf.iter().zip(&plain) {
        assert_eq!(
            (
                f["class_uid"].as_i64(),
                f["category_uid"].as_i64(),
                f["type_uid"].as_i64()
            ),
            (Some(2003), Some(2), Some(200301))
        );
        assert_eq!(f["metadata"]["product"]["name"], "posture");
        assert_eq!(f["compliance"]["control"], p["control_id"]);
        let expected = match p["status"].as_str().unwrap() {
            "ok" => 1,
            "alarm" => 3,
            _ => 99,
        };
        assert_eq!(f["compliance"]["status_id"], expected);
        assert!(
            f["compliance"]["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r
                    .as_str()
                    .unwrap()
                    .starts_with("CIS AWS Foundations Benchmark"))
        );
        assert_eq!(f["resources"][0]["uid"], p["resource"]);
        assert_eq!(f["cloud"]["account"]["uid"], p["account_id"]);
        assert!((1..=5).contains(&f["severity_id"].as_i64().unwrap()));
    }
}

#[test]
fn the_html_report_is_one_self_contained_page() {
    let out = posture(&["check", "--demo", "-o", "html"]);
    assert_eq!(out.status.code(), Some(1));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.trim_end().ends_with("</html>"));
    for c in posture_queries::catalogue() {
        assert!(
            html.contains(&format!("<section class=\"control\" id=\"{}\">", c.id)),
            "{} has a section",
            c.id
        );
    }
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "a chart per severity and per benchmark"
    );
    for external in ["<script", "<link", "src=", "href=", "url("] {
        assert!(
            !html.contains(external),
            "the page loads nothing: found {external}"
        );
    }
    assert!(!html.contains("<td>i-<"), "text is escaped, not raw");
}

#[test]
fn exposure_ranks_the_demo_instances_and_exits_1_on_critical() {
    let out = posture(&["exposure", "--demo", "--output", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "critical and high instances gate CI"
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let order = ["critical", "high", "medium", "low", "none"];
    let ranks: Vec<usize> = rows
        .iter()
        .map(|r| order.iter().position(|s| r["severity"] == *s).unwrap())
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "most exposed first: {ranks:?}"
    );
    assert_eq!(rows[0]["severity"], "critical");
    assert!(
        order
            .iter()
            .all(|s| rows.iter().any(|r| r["severity"] == *s)),
        "the demo has every severity"
    );
    let table = ok_or_alarm(&["exposure", "--demo"]);
    assert!(
        table.starts_with("CRITICAL")
            && table.contains("  path: IPv4 ")
            && table.contains("  fix imdsv1: Require IMDSv2"),
        "{table}"
    );
    // Each way in: shop-app-1 behind shop-alb, edge-proxy behind edge-nlb (an IP target),
    // legacy-reports behind the Classic legacy-web, partner-api over a peering and a VPN.
    for shown in [
        "  path: via shop-alb (application, internet-facing;",
        "  reachable via: load_balancer tcp/8080-8080",
        "  path: via edge-nlb (network, internet-facing;",
        "  path: via legacy-web (classic, internet-facing;",
        "  reachable from connected networks: pcx-0a1b2c3d4e5f60718, vgw-0d4e5f6a7b8c9d0e1",
        "  reachable via: peering tcp/443-443, vpn tcp/22-22",
        "  severity once fixed: imdsv1: critical, internet_reachable: medium, network_exploitable_vulnerability: critical",
    ] {
        assert!(table.contains(shown), "{shown} in {table}");
    }
    let html = ok_or_alarm(&["exposure", "--demo", "--output", "html"]);
    assert!(
        html.starts_with("<!doctype html>")
            && !html.contains("<script")
            && html.contains("class=\"sev critical\""),
        "{html}"
    );
    assert!(fails(&["exposure", "--inventory", "no/such/dir"]).contains("no/such/dir"));
}

#[test]
fn rules_eval_prints_put_evaluations_json_for_a_config_event() {
    let event = repo(
        "tests/fixtures/config-events/event-awsConfigRuleConfigurationChanged.powertools.json",
    );
    let event = event.to_str().unwrap();
    // The real event's own rule parameters belong to another rule: a clear error, no evaluations.
    let err = fails(&[
        "rules",
        "eval",
        "--event",
        event,
        "--control",
        "ec2_instance_imdsv2_required",
    ]);
    assert!(
        err.contains("has no parameter `desiredInstanceType`"),
        "{err}"
    );
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(event).unwrap()).unwrap();
    value["ruleParameters"] =
        serde_json::json!("{\"controlId\": \"ec2_instance_imdsv2_required\"}");
    let path = std::env::temp_dir().join(format!("posture-event-{}.json", std::process::id()));
    std::fs::write(&path, value.to_string()).unwrap();
    let out = posture(&["rules", "eval", "--event", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "NON_COMPLIANT exits 1");
    let evaluations: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        evaluations,
        serde_json::json!([{
            "ComplianceResourceType": "AWS::EC2::Instance",
            "ComplianceResourceId": "i-042dd005362091826",
            "ComplianceType": "NON_COMPLIANT",
            "Annotation": "i-042dd005362091826 allows IMDSv1: http_tokens is optional while the metadata endpoint is enabled.",
            "OrderingTimestamp": "2023-04-27T15:03:11.636Z"
        }])
    );
    // A mute file, as the rule's SSM parameter holds it: COMPLIANT with the mute's annotation.
    let mutes = path.with_extension("toml");
    std::fs::write(&mutes, "[[mute]]\ncontrol = \"ec2_instance_imdsv2_required\"\nresource = \"i-042dd005362091826\"\nreason = \"vendor appliance\"\nexpires = 2099-12-31\n").unwrap();
    let muted = ["rules", "eval", "--event", path.to_str().unwrap(), "--mute"];
    let out = posture(&[&muted[..], &[mutes.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(0), "muted: no NON_COMPLIANT");
    let evaluations: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            &evaluations[0]["ComplianceType"],
            &evaluations[0]["Annotation"]
        ),
        (
            &serde_json::json!("COMPLIANT"),
            &serde_json::json!("muted: vendor appliance (until 2099-12-31)")
        )
    );
    std::fs::write(&mutes, "[[mute]]\ncontrol = \"*\"\nresource = \"*\"\n").unwrap();
    let err = fails(&[&muted[..], &[mutes.to_str().unwrap()]].concat());
    assert!(err.contains(":1: a mute needs a reason"), "{err}");
    std::fs::remove_file(&mutes).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        fails(&["rules", "eval", "--event", "no/such/event.json"]).contains("no/such/event.json")
    );
    assert!(
        fails(&[
            "rules",
            "eval",
            "--event",
            repo("README.md").to_str().unwrap()
        ])
        .contains("README.md: not JSON")
    );
}

#[test]
fn rules_eval_of_a_role_change_prints_the_new_verdict_of_each_instance_of_the_rule() {
    // AdministratorAccess attached to web-app-role: its instances turn NON_COMPLIANT; the other
    // instances of the inventory (the lookups stand for the rule's account) keep posture check's
    // verdicts.
    let event = repo("tests/fixtures/config-events/role-change.json");
    let control = "ec2_instance_role_no_admin_access";
    let out = posture(&[
        "rules",
        "eval",
        "--event",
        event.to_str().unwrap(),
        "--inventory",
        repo("demo").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "NON_COMPLIANT exits 1");
    let evaluations: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let (_, check) = check_json(&["check", "--demo", "--control", control, "--output", "json"]);
    let mut expected = BTreeMap::new();
    let mut web_app = 0;
    for row in &check {
        let uses_role = row["reason"]
            .as_str()
            .unwrap()
            .contains("role/web-app-role ");
        web_app += usize::from(uses_role);
        let verdict = match row["status"].as_str().unwrap() {
            _ if uses_role || row["unverified"] == true => "NON_COMPLIANT",
            "ok" => "COMPLIANT",
            "alarm" => "NON_COMPLIANT",
            _ => "NOT_APPLICABLE",
        };
        expected.insert(row["resource_id"].as_str().unwrap().to_string(), verdict);
    }
    assert!(web_app >= 2, "the demo has instances using web-app-role");
    let got: BTreeMap<String, &str> = evaluations
        .iter()
        .map(|e| {
            assert_eq!(e["ComplianceResourceType"], "AWS::EC2::Instance", "{e}");
            assert_eq!(e["OrderingTimestamp"], "2026-11-25T14:00:00.000Z", "{e}");
            (
                e["ComplianceResourceId"].as_str().unwrap().to_string(),
                e["ComplianceType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

/// The real change event of the fixtures, its configuration item edited by `edit` and its rule
/// set to `control`, written to `path`.
fn write_change_event(path: &std::path::Path, control: &str, edit: impl FnOnce(&mut Value)) {
    let event = repo(
        "tests/fixtures/config-events/event-awsConfigRuleConfigurationChanged.powertools.json",
    );
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(event).unwrap()).unwrap();
    let mut invoking: Value =
        serde_json::from_str(value["invokingEvent"].as_str().unwrap()).unwrap();
    edit(&mut invoking["configurationItem"]);
    value["invokingEvent"] = json!(invoking.to_string());
    value["ruleParameters"] = json!(json!({ "controlId": control }).to_string());
    std::fs::write(path, value.to_string()).unwrap();
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("posture-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `posture` and kills it when it takes over 30 seconds: a hang fails the test.
fn posture_within_seconds(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{args:?} did not finish within 30 seconds");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn hostile_config_items_give_one_error_line_not_a_panic() {
    let dir = scratch("hostile-items");
    let item = |kind: &str, id: &str, configuration: Value| json!({"resourceType": kind, "resourceId": id, "accountId": "111122223333", "awsRegion": "us-east-1", "configurationItemStatus": "OK", "configuration": configuration, "tags": {"Name": "x"}});
    let cases = [
        (
            "array.json",
            item("AWS::EC2::Instance", "i-1", json!("[1, 2]")),
            "array.json: AWS Config item i-1: field configuration: a JSON string holding an array, not an object",
        ),
        (
            "number.json",
            item("AWS::EC2::FlowLog", "fl-1", json!("3")),
            "number.json: AWS Config item fl-1: field configuration: a JSON string holding a number, not an object",
        ),
        (
            "bool.json",
            item("AWS::EC2::Volume", "vol-1", json!("true")),
            "bool.json: AWS Config item vol-1: field configuration: a JSON string holding a boolean, not an object",
        ),
        (
            "scalar.json",
            json!([item("AWS::S3::Bucket", "b", json!({})), 3]),
            "scalar.json: field [1]: expected an AWS Config item (an object), got 3",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content.to_string()).unwrap();
        let path = path.to_str().unwrap();
        let err = fails(&["query", "--inventory", path, "select 1"]);
        assert_eq!(err, format!("error: {}/{expected}\n", dir.display()));
        let err = fails(&["check", "--inventory", path]);
        assert_eq!(err, format!("error: {}/{expected}\n", dir.display()));
    }
    // The same item in a Config rule's event.
    let path = dir.join("event.json");
    write_change_event(&path, "ec2_instance_imdsv2_required", |item| {
        item["configuration"] = json!("[1, 2]")
    });
    let err = fails(&["rules", "eval", "--event", path.to_str().unwrap()]);
    assert!(
        err.contains("field configuration: a JSON string holding an array, not an object")
            && err.lines().count() == 1,
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fifos_and_symlink_loops_in_an_inventory_are_skipped_with_notes() {
    let dir = scratch("walk");
    let region = dir.join("111122223333/us-east-1");
    std::fs::create_dir_all(&region).unwrap();
    std::fs::write(
        region.join("vpcs.json"),
        r#"{"Vpcs": [{"VpcId": "vpc-1"}]}"#,
    )
    .unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(region.join("x.json"))
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("..", region.join("up")).unwrap();
    std::os::unix::fs::symlink("../..", dir.join("111122223333/up2")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
    let out = posture_within_seconds(&[
        "query",
        "--inventory",
        dir.to_str().unwrap(),
        "-o",
        "csv",
        "select vpc_id from vpc",
    ]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "vpc_id\nvpc-1\n");
    let notes: Vec<&str> = stderr.lines().collect();
    assert_eq!(notes.len(), 4, "{stderr}");
    assert!(notes.iter().all(|n| n.starts_with("note: ")), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: skipped: not a regular file (a FIFO)",
            region.join("x.json").display()
        )) && stderr.contains(&format!(
            "{}: a symlink, not followed: it points out of the inventory, to /etc",
            dir.join("etc").display()
        )) && stderr.contains(&format!(
            "{}: a symlink, not followed: it points to",
            region.join("up").display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn list_policies_output_never_replaces_the_documents_of_gaad() {
    let dir = scratch("list-policies");
    let global = dir.join("111122223333/global");
    std::fs::create_dir_all(&global).unwrap();
    let listed = json!({"PolicyName": "admin", "PolicyId": "ANPAADMIN", "Arn": "arn:aws:iam::111122223333:policy/admin", "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true});
    let mut detailed = listed.clone();
    detailed["PolicyVersionList"] = json!([{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]);
    std::fs::write(
        global.join("get-account-authorization-details.json"),
        json!({"Policies": [detailed], "RoleDetailList": [], "UserDetailList": [], "GroupDetailList": []}).to_string(),
    )
    .unwrap();
    // `list-policies` sorts after `get-account-authorization-details`: it is loaded last.
    std::fs::write(
        global.join("list-policies.json"),
        json!({"Policies": [listed]}).to_string(),
    )
    .unwrap();
    let (code, rows) = check_json(&[
        "check",
        "--inventory",
        dir.to_str().unwrap(),
        "--control",
        "iam_policy_no_admin_access",
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(1), "{rows:?}");
    let statuses: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["resource_id"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [("ANPAADMIN", "alarm")], "{rows:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn two_dumps_of_one_instance_give_a_note_naming_both_files() {
    let dir = scratch("two-dumps");
    let region = dir.join("111122223333/us-east-1");
    std::fs::create_dir_all(&region).unwrap();
    let dump = |tokens: &str| {
        json!({"Reservations": [{"Instances": [{"InstanceId": "i-1", "MetadataOptions": {"HttpTokens": tokens, "HttpEndpoint": "enabled"}}]}]}).to_string()
    };
    let (a, b) = (region.join("a.json"), region.join("b.json"));
    let query = "select http_tokens from ec2_instance";
    let run = || {
        let out = posture(&["query", "-i", dir.to_str().unwrap(), "-o", "csv", query]);
        assert!(out.status.success());
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    std::fs::write(&a, dump("required")).unwrap();
    std::fs::write(&b, dump("optional")).unwrap();
    let (rows, notes) = run();
    assert_eq!(rows, "http_tokens\noptional\n");
    assert_eq!(
        notes,
        format!(
            "note: Instance i-1 (111122223333, us-east-1): {} and {} hold different records of it; kept the one from {} (the one loaded last)\n",
            a.display(),
            b.display(),
            b.display()
        )
    );
    // The richer record wins, whichever file it is in.
    std::fs::write(
        &a,
        dump("required").replace("\"i-1\"", "\"i-1\", \"ImageId\": \"ami-1\""),
    )
    .unwrap();
    let (rows, notes) = run();
    assert_eq!(rows, "http_tokens\nrequired\n");
    assert!(
        notes.contains(&format!(
            "kept the one from {} (the record with more values)",
            a.display()
        )),
        "{notes}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// An instance id, a Name tag and a security group name as a hostile file could hold them.
const HOSTILE_ID: &str = "i-<script>alert(2)</script>'\"&\u{1b}[2J";
const HOSTILE_NAME: &str =
    "=HYPERLINK(\"http://x\",\"click\")\u{1b}]0;pwned\u{7}<script>alert(1)</script>";

fn hostile_inventory() -> PathBuf {
    let dir = scratch("hostile-values");
    let region = dir.join("111122223333/us-east-1");
    std::fs::create_dir_all(&region).unwrap();
    let instances = json!({"Reservations": [{"OwnerId": "111122223333", "Instances": [{
        "InstanceId": HOSTILE_ID, "State": {"Name": "running"}, "PublicIpAddress": "203.0.113.9",
        "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        "Tags": [{"Key": "Name", "Value": HOSTILE_NAME}]}]}]});
    std::fs::write(region.join("instances.json"), instances.to_string()).unwrap();
    let groups = json!({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "-2+3 <i>x</i> &amp;", "VpcId": "vpc-1", "OwnerId": "111122223333", "IpPermissions": [], "IpPermissionsEgress": []}]});
    std::fs::write(region.join("groups.json"), groups.to_string()).unwrap();
    dir
}

#[test]
fn hostile_values_are_escaped_in_every_output() {
    let dir = hostile_inventory();
    let inventory = dir.to_str().unwrap();
    let escaped_id = "i-&lt;script&gt;alert(2)&lt;/script&gt;&#39;&quot;&amp;";
    for args in [
        vec!["check", "-i", inventory, "-o", "html"],
        vec!["exposure", "-i", inventory, "-o", "html"],
    ] {
        let html = String::from_utf8(posture(&args).stdout).unwrap();
        assert!(html.contains(escaped_id), "{args:?}: {html}");
        for raw in ["<script", "<i>", "'\"&", "\u{1b}"] {
            assert!(!html.contains(raw), "{args:?}: {raw} reached the page raw");
        }
    }
    // Text for terminals: the escape sequences are shown, never sent.
    let table = posture(&[
        "check",
        "-i",
        inventory,
        "--control",
        "ec2_instance_imdsv2_required",
    ]);
    let query = posture(&[
        "query",
        "-i",
        inventory,
        "select instance_id, tags['Name'] as name from ec2_instance",
    ]);
    for out in [&table, &query] {
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}[2J"), "{text}");
    }
    assert!(String::from_utf8_lossy(&query.stdout).contains("\\u{1b}]0;pwned\\u{7}"));
    // CSV: a text cell a spreadsheet would run as a formula starts with a quote.
    let csv = ok(&[
        "query",
        "-i",
        inventory,
        "-o",
        "csv",
        "select tags['Name'] as name, 1 - 2 as n from ec2_instance",
    ]);
    assert!(
        csv.starts_with("name,n\n\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")"),
        "{csv}"
    );
    assert!(
        csv.ends_with(",-1\n"),
        "numbers are left as they are: {csv}"
    );
    let check_csv = String::from_utf8(
        posture(&[
            "check",
            "-i",
            inventory,
            "--control",
            "vpc_sg_unused",
            "-o",
            "csv",
        ])
        .stdout,
    )
    .unwrap();
    assert!(
        check_csv.contains("sg-1 (-2+3 <i>x</i> &amp;) is attached"),
        "{check_csv}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn query_is_read_only_and_bounded() {
    let dir = scratch("read-only");
    let written = dir.join("out.csv");
    for (sql, statement) in [
        (
            format!("copy (select 1) to '{}'", written.display()),
            "COPY",
        ),
        (
            format!(
                "create external table t stored as csv location '{}'",
                repo("demo").display()
            ),
            "CREATE EXTERNAL",
        ),
        (
            "insert into vpc (vpc_id) values ('x')".to_string(),
            "INSERT INTO",
        ),
        ("set datafusion.execution.batch_size = 1".to_string(), "SET"),
    ] {
        let err = fails(&["query", "--demo", &sql]);
        assert_eq!(
            err,
            format!(
                "error: posture's SQL is read-only: {statement} statements are refused; run SELECT, WITH, EXPLAIN, SHOW or DESCRIBE\n"
            )
        );
    }
    assert!(!written.exists());
    for sql in ["show tables", "describe vpc", "explain select * from vpc"] {
        assert!(!ok(&["query", "--demo", sql]).is_empty(), "{sql}");
    }
    // A chain a few tens of thousands deep: one error line within seconds, not a stack overflow.
    let deep = format!("select 1{}", "+1".repeat(60_000));
    let out = posture_within_seconds(&["query", "--demo", &deep]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: SQL nests deeper than 256 levels of expressions and subqueries; simplify it\n"
    );
    // The shell refuses the same, and goes on.
    let mut child = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["query", "--demo", "-o", "csv"])
        .env("HOME", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let script = format!(
        "copy (select 1) to '{}';\nselect 'still here' as s;\n",
        written.display()
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("s\nstill here\n")
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("error: posture's SQL is read-only: COPY")
    );
    assert!(!written.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unreadable_or_contradictory_iam_evidence_is_unverified_never_ok() {
    let dir = scratch("unverified-iam");
    let account = dir.join("111122223333");
    std::fs::create_dir_all(account.join("global")).unwrap();
    std::fs::create_dir_all(account.join("us-east-1")).unwrap();
    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let policy = |name: &str, id: &str, default: &str, versions: Value| json!({"PolicyName": name, "PolicyId": id, "Arn": format!("arn:aws:iam::111122223333:policy/{name}"), "DefaultVersionId": default, "PolicyVersionList": versions});
    let policies = [
        // No version is the default: which one applies is unknown.
        policy(
            "no-default",
            "ANPANODEFAULT",
            "v2",
            json!([{"VersionId": "v1", "IsDefaultVersion": false, "Document": admin}]),
        ),
        // `"true"` as a string still marks the default: the admin document counts.
        policy(
            "string-default",
            "ANPASTRING",
            "v1",
            json!([{"VersionId": "v1", "IsDefaultVersion": "true", "Document": admin}]),
        ),
        // URL-encoded `[]`: not a policy document.
        policy(
            "array-document",
            "ANPAARRAY",
            "v1",
            json!([{"VersionId": "v1", "IsDefaultVersion": true, "Document": "%5B%5D"}]),
        ),
    ];
    let profile = |name: &str| json!({"InstanceProfileName": name, "Arn": format!("arn:aws:iam::111122223333:instance-profile/{name}"), "Roles": [{"RoleName": name, "Arn": format!("arn:aws:iam::111122223333:role/{name}")}]});
    let roles = [
        json!({"RoleName": "uses-array", "Arn": "arn:aws:iam::111122223333:role/uses-array", "InstanceProfileList": [profile("uses-array")], "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "array-document", "PolicyArn": "arn:aws:iam::111122223333:policy/array-document"}]}),
        json!({"RoleName": "bad-inline", "Arn": "arn:aws:iam::111122223333:role/bad-inline", "InstanceProfileList": [profile("bad-inline")], "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": "%5B%5D"}], "AttachedManagedPolicies": []}),
    ];
    std::fs::write(
        account.join("global/get-account-authorization-details.json"),
        json!({"Policies": policies, "RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": []}).to_string(),
    )
    .unwrap();
    let instance = |id: &str, profile: &str| json!({"InstanceId": id, "State": {"Name": "running"}, "IamInstanceProfile": {"Arn": format!("arn:aws:iam::111122223333:instance-profile/{profile}")}});
    std::fs::write(
        account.join("us-east-1/describe-instances.json"),
        json!({"Reservations": [{"OwnerId": "111122223333", "Instances": [
            instance("i-array", "uses-array"), instance("i-inline", "bad-inline"), instance("i-unknown", "not-loaded")]}]})
        .to_string(),
    )
    .unwrap();
    let verdicts = |control: &str| -> BTreeMap<String, (String, bool, String)> {
        let (_, rows) = check_json(&[
            "check",
            "-i",
            dir.to_str().unwrap(),
            "--control",
            control,
            "-o",
            "json",
        ]);
        rows.iter()
            .map(|r| {
                (
                    r["resource_id"].as_str().unwrap().to_string(),
                    (
                        r["status"].as_str().unwrap().to_string(),
                        r["unverified"].as_bool().unwrap(),
                        r["reason"].as_str().unwrap().to_string(),
                    ),
                )
            })
            .collect()
    };
    let policies = verdicts("iam_policy_no_admin_access");
    let status = |v: &BTreeMap<String, (String, bool, String)>, id: &str| {
        let (status, unverified, reason) = &v[id];
        (status.clone(), *unverified, reason.clone())
    };
    assert_eq!(status(&policies, "ANPASTRING").0, "alarm");
    for id in ["ANPANODEFAULT", "ANPAARRAY"] {
        let (s, unverified, reason) = status(&policies, id);
        assert!(
            s == "skip" && unverified && reason.contains("could not be checked"),
            "{id}: {reason}"
        );
    }
    let roles = verdicts("ec2_instance_role_no_admin_access");
    for id in ["i-array", "i-inline", "i-unknown"] {
        let (s, unverified, reason) = status(&roles, id);
        assert!(s == "skip" && unverified, "{id}: {s} {reason}");
    }
    assert!(
        status(&roles, "i-unknown")
            .2
            .contains("not in the inventory"),
        "{roles:?}"
    );

    // The same policy as an AWS Config item: the Lambda's verdict is NON_COMPLIANT, annotated.
    let path = dir.join("policy-event.json");
    write_change_event(&path, "iam_policy_no_admin_access", |item| {
        item["resourceType"] = json!("AWS::IAM::Policy");
        item["resourceId"] = json!("ANPAARRAY");
        item["resourceName"] = json!("array-document");
        item["ARN"] = json!("arn:aws:iam::111122223333:policy/array-document");
        item["awsRegion"] = json!("global");
        item["relationships"] = json!([]);
        item["configuration"] = json!({"policyName": "array-document", "policyId": "ANPAARRAY", "arn": "arn:aws:iam::111122223333:policy/array-document", "defaultVersionId": "v1", "policyVersionList": [{"versionId": "v1", "isDefaultVersion": true, "document": "%5B%5D"}]});
    });
    let out = posture(&["rules", "eval", "--event", path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let evaluations: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(evaluations.len(), 1);
    assert_eq!(evaluations[0]["ComplianceType"], "NON_COMPLIANT");
    assert!(
        evaluations[0]["Annotation"]
            .as_str()
            .unwrap()
            .starts_with("could not verify: "),
        "{evaluations:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Copies `from` into `to`, recursively.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Two demo runs: between them one instance was fixed (IMDSv2 now required), one broke
/// (IMDSv1 allowed), and one still alarming joined an Auto Scaling group, which its reason
/// names; `posture diff` reports each so, in every format, and `--fail-on new` gates on the
/// break alone.
#[test]
fn diff_reports_fixed_broken_and_changed_between_two_demo_runs() {
    let dir = scratch("diff");
    let later = dir.join("later");
    copy_dir(&repo("demo"), &later);
    let instances_file = later.join("111122223333/us-east-1/describe-instances.json");
    let mut instances: Value =
        serde_json::from_str(&std::fs::read_to_string(&instances_file).unwrap()).unwrap();
    for reservation in instances["Reservations"].as_array_mut().unwrap() {
        for instance in reservation["Instances"].as_array_mut().unwrap() {
            match instance["InstanceId"].as_str().unwrap() {
                "i-2c833a59f0177036b" => {
                    instance["MetadataOptions"]["HttpTokens"] = json!("required")
                }
                "i-0a1b2c3d4e5f6a002" => {
                    instance["MetadataOptions"]["HttpTokens"] = json!("optional")
                }
                "i-9c0e3a0881f8caef5" => instance["Tags"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"Key": "aws:autoscaling:groupName", "Value": "web-asg"})),
                _ => {}
            }
        }
    }
    std::fs::write(&instances_file, instances.to_string()).unwrap();
    let control = "ec2_instance_imdsv2_required";
    let run = |source: &[&str], name: &str| {
        let path = dir.join(name);
        let out = posture(&[&["check", "-c", control, "-o", "json"], source].concat());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&path, out.stdout).unwrap();
        path.to_str().unwrap().to_string()
    };
    let old = run(&["--inventory", repo("demo").to_str().unwrap()], "old.json");
    let new = run(&["--inventory", later.to_str().unwrap()], "new.json");

    let diff: Value = serde_json::from_str(&ok(&["diff", &old, &new, "-o", "json"])).unwrap();
    let ids = |section: &str| -> Vec<String> {
        diff[section]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["resource_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("new"), ["i-0a1b2c3d4e5f6a002"]);
    assert_eq!(ids("fixed"), ["i-2c833a59f0177036b"]);
    assert_eq!(ids("changed"), ["i-9c0e3a0881f8caef5"]);
    assert!(
        diff["changed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("web-asg")
    );
    assert!(
        !diff["changed"][0]["old_reason"]
            .as_str()
            .unwrap()
            .contains("web-asg")
    );
    assert!(ids("gone").is_empty());
    assert_eq!(ids("still").len(), 3);
    // The fixed finding is the new run's: its status and reason say why it passes now.
    assert_eq!(diff["fixed"][0]["status"], "ok");

    let markdown = ok(&["diff", &old, &new, "-o", "markdown"]);
    assert!(
        markdown.starts_with(
            "### posture diff: 1 new alarms, 1 fixed, 1 changed reasons, 0 gone, 0 newly muted, 3 still alarming"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("<details><summary>Still alarming (3)</summary>"));
    let table = ok(&["diff", &old, &new]);
    assert!(table.contains("New alarms: 1\n  ec2_instance_imdsv2_required  arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f6a002"), "{table}");

    // The gate: 1 with a new alarm (swapped, the fix is a break too), 0 without one.
    assert_eq!(
        posture(&["diff", &old, &new, "--fail-on", "new"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        posture(&["diff", &new, &old, "--fail-on", "new"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        posture(&["diff", &old, &old, "--fail-on", "new"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(posture(&["diff", &old, &new]).status.code(), Some(0));

    // `posture check --baseline`: the same diff in the table and the HTML report, and the exit
    // code of `--fail-on new`.
    let later = later.to_str().unwrap();
    let check = |baseline: &str, output: &str| {
        posture(&[
            "check",
            "--inventory",
            later,
            "-c",
            control,
            "--baseline",
            baseline,
            "-o",
            output,
        ])
    };
    let out = check(&old, "table");
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("Since the baseline:\nNew alarms: 1\n"),
        "{table}"
    );
    let out = check(&old, "html");
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("<h2>Since the baseline</h2><p>1 new alarms · 1 fixed · 1 changed reasons · 0 gone · 0 newly muted · 3 still alarming</p>"), "{html}");
    // Alarms, all there before: exit 0.
    let out = check(&new, "table");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bad baseline is an error before anything runs.
    let stderr = fails(&["check", "--demo", "--baseline", later]);
    assert!(stderr.contains(later), "{stderr}");
}

#[test]
fn diff_errors_name_the_file_and_what_is_wrong() {
    let dir = scratch("diff-errors");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let good = write("good.json", "[]");
    let missing = dir.join("missing.json").to_str().unwrap().to_string();
    assert!(fails(&["diff", &missing, &good]).contains("missing.json"));
    let not_json = write("report.html", "<html>");
    let stderr = fails(&["diff", &not_json, &good]);
    assert!(
        stderr.contains("report.html: not the output of `posture check --output json`"),
        "{stderr}"
    );
    let no_status = write(
        "no-status.json",
        r#"[{"control_id": "c", "resource": "r", "reason": "x"}]"#,
    );
    let stderr = fails(&["diff", &good, &no_status]);
    assert!(
        stderr.contains("no-status.json") && stderr.contains("status"),
        "{stderr}"
    );
    let twice = write(
        "twice.json",
        r#"[{"control_id": "c", "resource": "r", "status": "ok", "reason": "x"}, {"control_id": "c", "resource": "r", "status": "alarm", "reason": "y"}]"#,
    );
    let stderr = fails(&["diff", &good, &twice]);
    assert!(stderr.contains("twice.json: c reports r twice"), "{stderr}");
}

/// Values from the estate cannot break out of a markdown table cell, open HTML or mention
/// anyone in a pull-request comment.
#[test]
fn diff_markdown_escapes_what_the_estate_wrote() {
    let dir = scratch("diff-markdown");
    let old = dir.join("old.json");
    let new = dir.join("new.json");
    std::fs::write(&old, "[]").unwrap();
    std::fs::write(
        &new,
        json!([{"control_id": "c", "resource": "r|<img src=x>", "status": "alarm", "reason": "@team `x`\nnext"}]).to_string(),
    )
    .unwrap();
    let markdown = ok(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "-o",
        "markdown",
    ]);
    let row = markdown.lines().find(|l| l.starts_with("| c |")).unwrap();
    assert_eq!(
        row,
        "| c | r&#124;&lt;img src=x&gt; | &#64;team &#96;x&#96;\\u{a}next |"
    );
}

/// Mutes by id, by ARN glob within an account and region, by tag match and by the resource's
/// own `posture:mute` tags: each demo alarm is muted with its entry's reason, nothing is dropped,
/// and the run exits 0; an expired mute stops applying and says so; every output shows it.
#[test]
fn mutes_by_id_glob_tag_account_and_region_and_expiry() {
    let dir = scratch("mute");
    let demo = dir.join("demo");
    copy_dir(&repo("demo"), &demo);
    let instances_file = demo.join("111122223333/us-east-1/describe-instances.json");
    let mut instances: Value =
        serde_json::from_str(&std::fs::read_to_string(&instances_file).unwrap()).unwrap();
    for reservation in instances["Reservations"].as_array_mut().unwrap() {
        for instance in reservation["Instances"].as_array_mut().unwrap() {
            let id = instance["InstanceId"].as_str().unwrap().to_string();
            let tags = instance["Tags"].as_array_mut().unwrap();
            match id.as_str() {
                "i-0a1b2c3d4e5f6a001" => tags.extend([
                    json!({"Key": "posture:mute", "Value": "ec2_instance_no_public_ip,ec2_instance_imdsv2_required ec2_instance_not_internet_reachable"}),
                    json!({"Key": "posture:mute-reason", "Value": "replaced by the shop-asg refresh"}),
                ]),
                // A tag mute without a reason: not applied, and said (the file mutes it here).
                "i-2c833a59f0177036b" => tags.push(json!({"Key": "posture:mute", "Value": "*"})),
                _ => {}
            }
        }
    }
    std::fs::write(&instances_file, instances.to_string()).unwrap();
    // A security group's tags reach the port controls through the grouped world-open view.
    let groups_file = demo.join("111122223333/us-east-1/describe-security-groups.json");
    let mut groups: Value =
        serde_json::from_str(&std::fs::read_to_string(&groups_file).unwrap()).unwrap();
    for group in groups["SecurityGroups"].as_array_mut().unwrap() {
        if group["GroupId"] == "sg-66108edd2c35da423" {
            group["Tags"].as_array_mut().unwrap().extend([
                json!({"Key": "posture:mute", "Value": "vpc_sg_restricted_ssh"}),
                json!({"Key": "posture:mute-reason", "Value": "bastion, allow-listed upstream"}),
            ]);
        }
    }
    std::fs::write(&groups_file, groups.to_string()).unwrap();
    let mutes = dir.join("mutes.toml");
    std::fs::write(
        &mutes,
        r#"[[mute]]
control = "ec2_instance_imdsv2_required"
resource = "i-2c833a59f0177036b"
reason = "legacy agent needs IMDSv1"
expires = 2099-12-31
owner = "team-shop"

[[mute]]
control = "*"
resource = "*"
region = "ap-south-1"
reason = "matches nothing: another region"

[[mute]]
control = "ec2_*"
resource = "arn:aws:ec2:eu-west-1:*:instance/i-50df*"
account = "111122223333"
region = "eu-west-1"
reason = "lab in Ireland"

[[mute]]
control = "ec2_instance_imdsv2_required"
resource = "*"
tags = { Name = "partner-*" }
reason = "partner SDK pins IMDSv1"

[[mute]]
control = "ec2_instance_imdsv2_required"
resource = "i-9c0e3a0881f8caef5"
reason = "was a pilot"
expires = 2020-01-01

[[mute]]
control = "ec2_instance_imdsv2_required"
resource = "i-9c0e*"
reason = "batch host, rebuilt monthly"
"#,
    )
    .unwrap();
    let (inventory, mutes) = (demo.to_str().unwrap(), mutes.to_str().unwrap());
    let control = "ec2_instance_imdsv2_required";
    let check = |extra: &[&str]| {
        posture(
            &[
                &[
                    "check",
                    "-i",
                    inventory,
                    "-c",
                    control,
                    "--as-of",
                    "2026-11-25T00:00:00Z",
                ],
                extra,
            ]
            .concat(),
        )
    };

    // The same demo without its posture:mute tags or a mute file: every status unmuted.
    let plain = posture(&[
        "check",
        "-i",
        repo("demo").to_str().unwrap(),
        "-c",
        control,
        "--as-of",
        "2026-11-25T00:00:00Z",
        "-o",
        "json",
    ]);
    let plain: Vec<Value> = serde_json::from_slice(&plain.stdout).unwrap();
    let out = check(&["--mute", mutes, "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "every alarm muted: {stderr}");
    assert!(
        stderr.contains(&format!(
            "{mutes}:27: the mute expired on 2020-01-01 and no longer applies"
        )),
        "{stderr}"
    );
    let muted: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(muted.len(), plain.len(), "nothing dropped");
    let by: BTreeMap<&str, (&str, &str)> = muted
        .iter()
        .filter(|f| f["status"] == "muted")
        .map(|f| {
            (
                f["resource_id"].as_str().unwrap(),
                (
                    f["mute"]["reason"].as_str().unwrap(),
                    f["mute"]["by"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    let at = |line: u32| format!("{mutes}:{line}");
    assert_eq!(
        by,
        BTreeMap::from([
            (
                "i-0a1b2c3d4e5f6a001",
                ("replaced by the shop-asg refresh", "tag posture:mute")
            ),
            (
                "i-0a1b2c3d4e5f6a005",
                ("partner SDK pins IMDSv1", at(21).as_str())
            ),
            (
                "i-2c833a59f0177036b",
                ("legacy agent needs IMDSv1", at(1).as_str())
            ),
            ("i-50dfe9e0e1992dd9b", ("lab in Ireland", at(14).as_str())),
            (
                "i-9c0e3a0881f8caef5",
                ("batch host, rebuilt monthly", at(33).as_str())
            ),
        ])
    );
    let was: BTreeMap<&str, &Value> = plain
        .iter()
        .map(|f| (f["resource_id"].as_str().unwrap(), &f["status"]))
        .collect();
    for f in &muted {
        let id = f["resource_id"].as_str().unwrap();
        match by.contains_key(id) {
            true => assert_eq!(was[id], "alarm", "{id}: only alarms are muted"),
            false => assert_eq!(&f["status"], was[id], "{id}"),
        }
    }
    assert_eq!(
        muted
            .iter()
            .find(|f| f["resource_id"] == "i-2c833a59f0177036b")
            .unwrap()["mute"],
        json!({"reason": "legacy agent needs IMDSv1", "expires": "2099-12-31", "owner": "team-shop", "by": at(1)})
    );

    // The tags mute controls judged from views too: the instance's exposure, the group's ports.
    let out = posture(&[
        "check",
        "-i",
        inventory,
        "-c",
        "ec2_instance_not_internet_reachable",
        "-c",
        "vpc_sg_restricted_ssh",
        "-o",
        "json",
    ]);
    let tag_muted: BTreeMap<String, String> = serde_json::from_slice::<Vec<Value>>(&out.stdout)
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "muted")
        .map(|f| {
            (
                format!(
                    "{} {}",
                    f["control_id"].as_str().unwrap(),
                    f["resource_id"].as_str().unwrap()
                ),
                f["mute"]["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        tag_muted,
        BTreeMap::from([
            (
                "ec2_instance_not_internet_reachable i-0a1b2c3d4e5f6a001".to_string(),
                "replaced by the shop-asg refresh".to_string()
            ),
            (
                "vpc_sg_restricted_ssh sg-66108edd2c35da423".to_string(),
                "bastion, allow-listed upstream".to_string()
            ),
        ])
    );

    // Expired and alone, a mute leaves the alarm.
    let expired = dir.join("expired.toml");
    std::fs::write(&expired, "[[mute]]\ncontrol = \"*\"\nresource = \"i-9c0e3a0881f8caef5\"\nreason = \"was a pilot\"\nexpires = 2026-11-24\n").unwrap();
    let out = check(&["--mute", expired.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        findings
            .iter()
            .find(|f| f["resource_id"] == "i-9c0e3a0881f8caef5")
            .unwrap()["status"],
        "alarm"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("expired.toml:1: the mute expired on 2026-11-24"),
        "{stderr}"
    );
    // Not muted by the file here, its posture:mute tag is read, and it has no reason.
    assert!(
        stderr.contains("i-2c833a59f0177036b: tag posture:mute without posture:mute-reason"),
        "{stderr}"
    );

    // Every output shows the mute.
    let text = |args: &[&str]| {
        String::from_utf8(check(&[&["--mute", mutes], args].concat()).stdout).unwrap()
    };
    let csv = text(&["-o", "csv"]);
    assert!(
        csv.lines()
            .any(|l| l.contains(",i-2c833a59f0177036b,muted,")
                && l.ends_with(
                    &(",legacy agent needs IMDSv1,2099-12-31,team-shop,".to_string() + &at(1))
                )),
        "{csv}"
    );
    let asff: Vec<Value> = serde_json::from_str(&text(&["-o", "asff"])).unwrap();
    let a = asff
        .iter()
        .find(|f| {
            f["Resources"][0]["Id"]
                .as_str()
                .unwrap()
                .ends_with("i-50dfe9e0e1992dd9b")
        })
        .unwrap();
    assert_eq!(
        (&a["Workflow"]["Status"], &a["Compliance"]["Status"]),
        (&json!("SUPPRESSED"), &json!("FAILED"))
    );
    assert!(
        a["Note"]["Text"]
            .as_str()
            .unwrap()
            .starts_with("muted: lab in Ireland"),
        "{a}"
    );
    let ocsf: Vec<Value> = serde_json::from_str(&text(&["-o", "ocsf"])).unwrap();
    let o = ocsf
        .iter()
        .find(|f| f["resources"][0]["name"] == "i-50dfe9e0e1992dd9b")
        .unwrap();
    assert_eq!(
        (&o["status"], &o["status_code"], &o["compliance"]["status"]),
        (&json!("Suppressed"), &json!("MUTED"), &json!("Fail"))
    );
    let table = text(&[]);
    assert!(
        table.contains("Muted (5): still failing, accepted with a reason"),
        "{table}"
    );
    assert!(
        table.contains("muted: legacy agent needs IMDSv1 (until 2099-12-31)"),
        "{table}"
    );
    let html = text(&["-o", "html"]);
    assert!(
        html.contains("<section class=\"muted\"><h2>Muted (5)</h2>"),
        "{html}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A mute file's mistakes are errors naming the file and line, before anything runs.
#[test]
fn a_mute_without_a_reason_is_an_error_naming_its_line() {
    let dir = scratch("mute-errors");
    let file = dir.join("mutes.toml");
    std::fs::write(&file, "[[mute]]\ncontrol = \"*\"\nresource = \"i-1\"\nreason = \"ok\"\n\n[[mute]]\ncontrol = \"*\"\nresource = \"i-2\"\n").unwrap();
    let file = file.to_str().unwrap();
    let stderr = fails(&["check", "--demo", "--mute", file]);
    assert!(
        stderr.contains(&format!("{file}:6: a mute needs a reason")),
        "{stderr}"
    );
    let missing = dir.join("missing.toml");
    let stderr = fails(&["check", "--demo", "--mute", missing.to_str().unwrap()]);
    assert!(
        stderr.contains("--mute") && stderr.contains("missing.toml"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
