//! `posture serve` measured: query latency through the Postgres wire (psycopg, one connection,
//! the median of many runs) against the same query in process (DataFusion over the same demo
//! session), for a point query and for a full scan of `posture_finding` (every control); then
//! the AWS calls of a live query asked five times, with the cache and without (`--cache-ttl 0`),
//! from moto's recorder. Writes target/serve-bench.md.
//!
//!     cargo bench -p posture-cli --bench serve

#[path = "../../tests/support/moto.rs"]
mod moto;
#[path = "../../tests/support/serve.rs"]
mod serve;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serve::Server;

const POINT: &str =
    "select instance_id, http_tokens from ec2_instance where instance_id = 'i-0a1b2c3d4e5f6a001'";
const FINDINGS: &str = "select * from posture_finding";
const RUNS: usize = 30;

/// The median time of `sql` through psycopg, `runs` times on one connection.
fn median(server: &Server, sql: &str, runs: usize) -> Duration {
    let seconds = server.python(
        r#"
import sys, time, statistics, psycopg
port, sql, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with psycopg.connect(host="127.0.0.1", port=port, user="bench", dbname="posture", autocommit=True) as conn:
    conn.execute(sql).fetchall()
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = conn.execute(sql).fetchall()
        took.append(time.perf_counter() - started)
    assert rows
    print(statistics.median(took))
"#,
        &[sql, &runs.to_string()],
    );
    Duration::from_secs_f64(seconds.trim().parse().unwrap())
}

fn median_of(mut took: Vec<Duration>) -> Duration {
    took.sort();
    took[took.len() / 2]
}

fn main() {
    let runtime = posture_sql::sql::runtime().unwrap();
    let mut report = String::from(
        "| query | through the wire (psycopg) | in process | wire / in process |\n|---|---:|---:|---:|\n",
    );
    let server = Server::start(
        Command::new(env!("CARGO_BIN_EXE_posture")),
        &["--demo"],
        &[],
    );
    let ctx = posture_sql::session(Arc::new(posture_sql::Inventory::demo())).unwrap();
    runtime
        .block_on(posture_queries::views::register(&ctx))
        .unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(posture_sql::demo::CAPTURED_AT)
        .unwrap()
        .timestamp_micros();
    let in_process_point = median_of(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let rows = runtime
                    .block_on(posture_sql::sql::run(&ctx, POINT))
                    .unwrap();
                assert!(rows.iter().map(|b| b.num_rows()).sum::<usize>() > 0);
                started.elapsed()
            })
            .collect(),
    );
    let in_process_findings = median_of(
        (0..RUNS / 3)
            .map(|_| {
                let started = Instant::now();
                for control in posture_queries::catalogue() {
                    runtime
                        .block_on(control.run(&ctx, &Default::default(), as_of))
                        .unwrap();
                }
                started.elapsed()
            })
            .collect(),
    );
    for (name, sql, runs, in_process) in [
        ("point query (one instance)", POINT, RUNS, in_process_point),
        (
            "full scan of posture_finding (every control)",
            FINDINGS,
            RUNS / 3,
            in_process_findings,
        ),
    ] {
        let wire = median(&server, sql, runs);
        report += &format!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} |\n",
            wire.as_secs_f64() * 1e3,
            in_process.as_secs_f64() * 1e3,
            wire.as_secs_f64() / in_process.as_secs_f64()
        );
    }
    drop(server);

    // Live: the same query five times, kept and not.
    let moto = moto::Moto::start();
    moto.create_estate();
    report += "\n| live, `select count(*) from ec2_instance` 5 times | DescribeInstances calls | every AWS call |\n|---|---:|---:|\n";
    for (name, ttl) in [
        ("--cache-ttl 300s", "300s"),
        ("--cache-ttl 0 (no cache)", "0"),
    ] {
        let server = Server::start(
            moto.command(),
            &["--regions", "us-east-1,eu-west-1", "--cache-ttl", ttl],
            &[],
        );
        moto.record();
        for _ in 0..5 {
            server.rows("select count(*) from ec2_instance");
        }
        report += &format!(
            "| {name} | {} | {} |\n",
            moto.calls("DescribeInstances").len(),
            moto.requests().len()
        );
    }
    println!("{report}");
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/serve-bench.md"),
        &report,
    )
    .unwrap();
}
