//! `posture serve` with real clients, each started by the test against a server the test
//! starts on 127.0.0.1: Debian's psql, psycopg and SQLAlchemy (from the test venv, which
//! `.ci/run` makes); then bad statements, a dropped client and 50 clients at once.

#[path = "../../tests/support/moto.rs"]
mod moto;
#[path = "../../tests/support/serve.rs"]
mod serve;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use moto::Moto;
use serde_json::Value;
use serve::Server;

/// A server over the demo.
fn demo_server(args: &[&str], env: &[(&str, &str)]) -> Server {
    Server::start(Command::new(env!("CARGO_BIN_EXE_posture")), args, env)
}

/// What `posture query --demo` answers, as psql prints it.
fn in_process(sql: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["query", "--demo", "--output", "csv", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.replace(',', "|"))
        .collect()
}

const IMDSV1: &str = "select instance_id, region from ec2_instance where http_tokens = 'optional' order by instance_id, region";
const JOIN: &str = "select i.instance_id, v.cidr_block from ec2_instance i join vpc v on v.vpc_id = i.vpc_id and v.account_id = i.account_id and v.region = i.region order by 1, 2";

#[test]
fn psql_lists_describes_and_queries_tables_and_findings() {
    let mutes =
        std::env::temp_dir().join(format!("posture-serve-mutes-{}.toml", std::process::id()));
    std::fs::write(&mutes, "[[mute]]\ncontrol = \"ec2_instance_imdsv2_required\"\nresource = \"i-2c833a59f0177036b\"\nreason = \"legacy agent\"\n").unwrap();
    let mutes = mutes.to_str().unwrap();
    let server = demo_server(&["--demo", "--mute", mutes], &[]);
    let tables = server.rows("\\dt");
    for table in ["ec2_instance", "vpc", "iam_role", "posture_control"] {
        assert!(
            tables.iter().any(|t| t.split('|').nth(1) == Some(table)),
            "{table} not in {tables:?}"
        );
    }
    let described = server.rows("\\d ec2_instance");
    assert!(
        described.iter().any(|c| c.starts_with("http_tokens|text")),
        "{described:?}"
    );

    let imdsv1 = server.rows(IMDSV1);
    assert!(!imdsv1.is_empty());
    assert_eq!(imdsv1, in_process(IMDSV1));
    let count = "select count(*) from ec2_instance";
    assert_eq!(server.rows(count), in_process(count));
    let joined = server.rows(JOIN);
    assert!(!joined.is_empty());
    assert_eq!(joined, in_process(JOIN));

    // posture_finding is `posture check --output json`, row for row, with the same mutes.
    let check = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["check", "--demo", "--output", "json", "--mute", mutes])
        .output()
        .unwrap();
    let check: Vec<Value> = serde_json::from_slice(&check.stdout).unwrap();
    let expected: BTreeSet<String> = check
        .iter()
        .filter(|f| f["status"] == "alarm")
        .map(|f| {
            format!(
                "{}|{}|{}",
                f["control_id"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                f["reason"].as_str().unwrap()
            )
        })
        .collect();
    let served: BTreeSet<String> = server
        .rows("select control_id, resource, reason from posture_finding where status = 'alarm'")
        .into_iter()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(served, expected);
    let muted: Vec<String> = check
        .iter()
        .filter(|f| f["status"] == "muted")
        .map(|f| {
            format!(
                "{}|{}|{}|{}",
                f["control_id"].as_str().unwrap(),
                f["resource_id"].as_str().unwrap(),
                f["mute"]["reason"].as_str().unwrap(),
                f["mute"]["by"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(muted.len(), 1, "{check:?}");
    assert_eq!(
        server.rows("select control_id, resource_id, mute_reason, muted_by from posture_finding where status = 'muted'"),
        muted
    );
    std::fs::remove_file(mutes).unwrap();
    let controls = server.rows("select count(*) from posture_control");
    assert_eq!(
        controls,
        vec![posture_queries::catalogue().len().to_string()]
    );
}

#[test]
fn psycopg_prepares_a_statement_with_parameters() {
    let server = demo_server(&["--demo"], &[]);
    let out = server.python(
        r#"
import sys, psycopg
with psycopg.connect(host="127.0.0.1", port=int(sys.argv[1]), user="notebook", dbname="posture") as conn:
    for tokens in ["optional", "required"]:
        rows = conn.execute(
            "select instance_id, region from ec2_instance where http_tokens = %s order by instance_id, region",
            (tokens,), prepare=True).fetchall()
        print(tokens, len(rows))
        for row in rows:
            print("|".join(row))
    # A parameter it cannot bind is refused, never answered as NULL.
    try:
        conn.execute("select (select %s::varchar)", ("b",))
        print("answered")
    except psycopg.Error as e:
        print("refused:", e.sqlstate, str(e).splitlines()[0])
"#,
        &[],
    );
    let mut lines = out.lines();
    let optional = in_process(IMDSV1);
    assert_eq!(
        lines.next(),
        Some(format!("optional {}", optional.len()).as_str())
    );
    let got: Vec<String> = lines
        .by_ref()
        .take(optional.len())
        .map(str::to_string)
        .collect();
    assert_eq!(got, optional);
    let required = in_process(&IMDSV1.replace("'optional'", "'required'"));
    assert!(!required.is_empty());
    assert_eq!(
        lines.next(),
        Some(format!("required {}", required.len()).as_str())
    );
}

#[test]
fn sqlalchemy_lists_every_table_view_and_column() {
    let server = demo_server(&["--demo"], &[]);
    let out = server.python(
        r#"
import sys, json, psycopg, sqlalchemy
# Client-side binding: SQLAlchemy's column listing has parameters inside subqueries.
engine = sqlalchemy.create_engine(f"postgresql+psycopg://bi@127.0.0.1:{sys.argv[1]}/posture",
                                  connect_args={"cursor_factory": psycopg.ClientCursor})
inspector = sqlalchemy.inspect(engine)
names = inspector.get_table_names() + inspector.get_view_names()
print(json.dumps({t: [c["name"] for c in inspector.get_columns(t)] for t in names}))
"#,
        &[],
    );
    let listed: serde_json::Map<String, Value> = serde_json::from_str(out.trim()).unwrap();
    for table in posture_sql::tables::TABLES {
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        let got: Vec<&str> = listed
            .get(table.name)
            .unwrap_or_else(|| panic!("{} not listed: {:?}", table.name, listed.keys()))
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(got, columns, "{}", table.name);
    }
    // The controls as data, and the views (posture_finding is one: evaluated when read).
    for table in [
        "posture_finding",
        "posture_control",
        "ec2_instance_exposure",
    ] {
        assert!(listed.contains_key(table), "{table}");
    }
    assert_eq!(listed["posture_finding"][0], "control_id");
}

#[test]
fn bad_sql_writes_and_dropped_clients_get_errors_and_the_server_keeps_serving() {
    let server = demo_server(&["--demo"], &[]);
    let bad = server.psql("select no_such_column from ec2_instance");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no_such_column"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // Nesting that planning would recurse through is refused as `posture query` refuses it.
    let deep = server.psql(&format!("select {}1", "1+".repeat(10_000)));
    let stderr = String::from_utf8_lossy(&deep.stderr);
    assert!(!deep.status.success());
    assert!(stderr.contains("nests deeper than 256 levels"), "{stderr}");
    for write in [
        "create table notes (a int)",
        "insert into ec2_instance (instance_id) values ('i-1')",
        "drop table ec2_instance",
        "explain analyze insert into ec2_instance (instance_id) values ('i-1')",
    ] {
        let out = server.psql(write);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{write}");
        assert!(stderr.contains("read-only"), "{write}: {stderr}");
    }
    // A client that sends a query and goes away before reading the answer: its query, every
    // control (seconds here), is stopped.
    server.python(
        r#"
import sys, socket, struct
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
params = b"user\x00gone\x00database\x00posture\x00\x00"
s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
s.recv(4096)
query = b"select * from posture_finding\x00"
s.sendall(b"Q" + struct.pack("!i", 4 + len(query)) + query)
s.close()
"#,
        &[],
    );
    assert!(
        server.says("the client went away; its query was stopped"),
        "{:?}",
        server.said.lock().unwrap()
    );
    assert_eq!(server.rows("select 1"), vec!["1"]);
    assert!(!server.rows(IMDSV1).is_empty());

    // A cancel request (psql's Ctrl-C, psycopg's cancel()) stops a running query: every
    // control, evaluated when posture_finding is read, takes seconds here.
    let canceled = server.python(
        r#"
import sys, threading, psycopg
with psycopg.connect(host="127.0.0.1", port=int(sys.argv[1]), user="impatient", dbname="posture") as conn:
    threading.Timer(0.3, conn.cancel).start()
    try:
        conn.execute("select count(*) from posture_finding").fetchall()
        print("finished")
    except psycopg.errors.QueryCanceled as e:
        print("canceled", e.sqlstate)
"#,
        &[],
    );
    assert_eq!(canceled.trim(), "canceled 57014");
    assert_eq!(server.rows("select count(*) from posture_control").len(), 1);
}

#[test]
fn fifty_clients_at_once_get_correct_answers() {
    let server = demo_server(&["--demo"], &[]);
    let expected = in_process(IMDSV1).len();
    let started = Instant::now();
    let out = server.python(
        r#"
import sys, psycopg
from concurrent.futures import ThreadPoolExecutor
def one(_):
    with psycopg.connect(host="127.0.0.1", port=int(sys.argv[1]), user="load", dbname="posture") as conn:
        return len(conn.execute(sys.argv[2]).fetchall())
with ThreadPoolExecutor(50) as pool:
    print(sorted(set(pool.map(one, range(50)))))
"#,
        &[IMDSV1],
    );
    assert_eq!(out.trim(), format!("[{expected}]"));
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bad_options_are_errors_and_a_password_is_needed_beyond_loopback_and_checked() {
    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["serve", "--demo", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--password-env"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["serve", "--demo", "--password-env", "POSTURE_TEST_UNSET"])
        .env_remove("POSTURE_TEST_UNSET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("POSTURE_TEST_UNSET"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["serve", "--demo", "--cache-ttl", "5 minutes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--cache-ttl") && stderr.contains("300s, 10m or 1h"),
        "{stderr}"
    );

    let server = demo_server(
        &["--demo", "--password-env", "POSTURE_TEST_PASSWORD"],
        &[("POSTURE_TEST_PASSWORD", "correct horse")],
    );
    let wrong = server.psql_as("analyst", "select 1", Some("wrong"));
    assert!(!wrong.status.success());
    let right = server.psql_as("analyst", "select 1", Some("correct horse"));
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&right.stdout).trim(), "1");

    // A port in use is an error naming the address.
    let taken = format!("127.0.0.1:{}", server.port);
    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["serve", "--demo", "--listen", &taken])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("--listen {taken}")), "{stderr}");
}

/// Live, a query's fetches are kept for the cache TTL: asked again, the same query makes no
/// call; `posture_clear_cache()` drops them; with a TTL of 0 every query fetches.
#[test]
fn live_fetches_are_kept_for_the_ttl_and_cleared_on_demand() {
    let moto = Moto::start();
    moto.create_estate();
    let query = "select instance_id from ec2_instance order by instance_id";
    let expected: Vec<String> = moto
        .query(&["query", "--regions", "us-east-1", "-o", "json", query])
        .iter()
        .map(|r| r["instance_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty());

    let kept = Server::start(moto.command(), &["--regions", "us-east-1"], &[]);
    moto.record();
    assert_eq!(kept.rows(query), expected);
    assert_eq!(kept.rows(query), expected);
    assert_eq!(moto.calls("DescribeInstances").len(), 1);
    assert_eq!(kept.rows("select posture_clear_cache()"), vec!["cleared"]);
    assert_eq!(kept.rows(query), expected);
    assert_eq!(moto.calls("DescribeInstances").len(), 2);

    let uncached = Server::start(
        moto.command(),
        &["--regions", "us-east-1", "--cache-ttl", "0"],
        &[],
    );
    moto.record();
    assert_eq!(uncached.rows(query), expected);
    assert_eq!(uncached.rows(query), expected);
    assert_eq!(moto.calls("DescribeInstances").len(), 2);
}
