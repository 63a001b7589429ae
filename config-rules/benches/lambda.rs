//! The Config rule Lambda, measured: the zipped artifact's size; cold start of the `bootstrap`
//! process to its first PutEvaluations answered, under the local Lambda Runtime API (`cargo
//! lambda watch`) with moto as AWS, and to a first answer that evaluates nothing; a warm
//! invocation, the Runtime API round trip alone (a refused invocation) and moto's PutEvaluations
//! round trip alone (sent from the benchmark); and evaluations per
//! second over a corpus of generated instance items next to serde_json parsing the same items,
//! one event at a time both with the container's session and plans kept and with a new one per
//! event (the path before), in the same run. Writes target/lambda-bench.md.
//!
//!     cargo lambda build --profile lambda --disable-optimizations --output-format zip \
//!         -p posture-config-rules --bin bootstrap --target x86_64-unknown-linux-gnu.2.34
//!     cargo bench -p posture-config-rules --bench lambda
//!
//! (`cargo zigbuild --profile lambda --target x86_64-unknown-linux-gnu.2.34 -p
//! posture-config-rules --bench lambda` builds the benchmark on the artifact's compiled
//! dependencies instead of a second release build; run the binary it writes with `--bench`.)
//!
//! POSTURE_BOOTSTRAP names the binary to start (default: the artifact's, the one `cargo lambda
//! build` zipped); POSTURE_BENCH_ITEMS the corpus size (default 5,000).

#[path = "../../tests/support/lambda.rs"]
mod lambda;
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use posture_config_rules::{ConfigEvent, Evaluation, Lookups, evaluate};
use posture_sql::inventory::InventoryBuilder;
use serde_json::{Value, json};

const CONTROL: &str = "ec2_instance_imdsv2_required";
const TIME: &str = "2026-11-25T14:00:00.000Z";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// The fastest of `runs` runs of `f`.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut fastest = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let value = f();
        fastest = fastest.min(started.elapsed());
        out = Some(value);
    }
    (fastest, out.unwrap())
}

/// `n` instance items in the event shape, from a real one of the demo's Config twin, with
/// their ids, metadata options and public addresses varied.
fn corpus(n: usize) -> Vec<Value> {
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/demo-config/config-snapshot.json")).unwrap(),
    )
    .unwrap();
    let template = snapshot["configurationItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["resourceType"] == "AWS::EC2::Instance")
        .unwrap()
        .clone();
    (0..n)
        .map(|i| {
            let mut item = template.clone();
            let id = format!("i-{i:017x}");
            item["resourceId"] = json!(id);
            item["ARN"] = json!(format!("arn:aws:ec2:eu-west-1:111122223333:instance/{id}"));
            item["configuration"]["instanceId"] = json!(id);
            item["configuration"]["metadataOptions"]["httpTokens"] =
                json!(if i % 3 == 0 { "optional" } else { "required" });
            if i % 2 == 0 {
                item["configuration"]["publicIpAddress"] = json!(format!("203.0.113.{}", i % 250));
            }
            item
        })
        .collect()
}

fn change_event(item: &Value) -> String {
    json!({
        "invokingEvent": json!({"configurationItem": item, "notificationCreationTime": TIME, "messageType": "ConfigurationItemChangeNotification"}).to_string(),
        "ruleParameters": json!({"controlId": CONTROL}).to_string(),
        "resultToken": "TESTMODE",
        "configRuleName": "posture-ec2-instance-imdsv2-required",
    })
    .to_string()
}

/// Every item at once: parsed, mapped to table rows, the control's SQL run once.
async fn evaluate_all(text: &str) -> Vec<Evaluation> {
    let snapshot: Value = serde_json::from_str(text).unwrap();
    let mut builder = InventoryBuilder::default();
    posture_sql::sources::config_item::load(&snapshot, Path::new("corpus"), &mut builder).unwrap();
    let ctx = posture_sql::session(Arc::new(builder.finish())).unwrap();
    let control = posture_queries::control(CONTROL).unwrap();
    control
        .run(&ctx, &Default::default(), 0)
        .await
        .unwrap()
        .into_iter()
        .map(|f| Evaluation::of(f, TIME))
        .collect()
}

/// Whether the events of a run share a container (the Lambda's session and plans).
#[derive(Clone, Copy)]
enum Container {
    Kept,
    /// As every event was evaluated before issue 18: a session and a plan each.
    PerEvent,
}

/// One event at a time, as the Lambda gets them: event parsed, the item evaluated.
async fn evaluate_each(events: &[String], container: Container) -> usize {
    let kept = Lookups::default();
    let mut evaluations = 0;
    for text in events {
        let event = ConfigEvent::parse(&serde_json::from_str(text).unwrap()).unwrap();
        let fresh;
        let lookups = match container {
            Container::Kept => &kept,
            Container::PerEvent => {
                fresh = Lookups::default();
                &fresh
            }
        };
        evaluations += evaluate(&event, None, lookups).await.unwrap().len();
    }
    evaluations
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn main() {
    lambda::measure_the_artifact_by_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let n: usize = std::env::var("POSTURE_BENCH_ITEMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5000);
    let mut report =
        String::from("| measure | posture | baseline | ratio |\n|---|---:|---:|---:|\n");

    // The artifact.
    let zip = lambda::artifact_zip();
    let zipped = std::fs::metadata(&zip)
        .unwrap_or_else(|e| panic!("{}: {e}; build it first (see the header)", zip.display()))
        .len();
    report += &format!(
        "| zipped artifact | {:.1} MB | 25 MB (target) | {:.2} |\n",
        zipped as f64 / 1e6,
        zipped as f64 / 25e6
    );

    // Cold start: process start → the first invocation's response, which comes after its
    // PutEvaluations was answered.
    let moto = moto::Moto::start();
    let mut function = lambda::Lambda::runtime();
    let item = &corpus(1)[0];
    let event: Value = serde_json::from_str(&change_event(item)).unwrap();
    // The Runtime API's share: an invocation the function refuses before evaluating anything
    // or calling AWS (an unknown control), so what it takes is the round trip.
    let mut refused = event.clone();
    refused["ruleParameters"] = json!(json!({"controlId": "no_such_control"}).to_string());
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut round_trip = Vec::new();
    for _ in 0..15 {
        moto.record();
        // The previous container's exit is not this one's start.
        function.stop();
        let started = Instant::now();
        function.start(&moto, |_| {});
        let (status, body) = function.invoke(&event);
        cold.push(started.elapsed());
        assert_eq!(status, 200, "{body}");
        let started = Instant::now();
        let (status, body) = function.invoke(&event);
        warm.push(started.elapsed());
        assert_eq!(status, 200, "{body}");
        assert_eq!(moto.calls("PutEvaluations").len(), 2);
        let started = Instant::now();
        let (status, body) = function.invoke(&refused);
        round_trip.push(started.elapsed());
        assert_ne!(status, 200, "{body}");
    }
    // The process alone: start to its first answer, a refused invocation (init and the Runtime
    // API, nothing evaluated).
    let mut init = Vec::new();
    for _ in 0..15 {
        function.stop();
        let started = Instant::now();
        function.start(&moto, |_| {});
        let (status, body) = function.invoke(&refused);
        init.push(started.elapsed());
        assert_ne!(status, 200, "{body}");
    }
    // moto's share: a PutEvaluations like the function's, sent from here (the function's
    // Rust SDK, a kept connection), median of 15.
    let config = aws_sdk_config::Client::from_conf(
        aws_sdk_config::Config::builder()
            .behavior_version_latest()
            .endpoint_url(moto.endpoint())
            .region(aws_sdk_config::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_config::config::Credentials::new(
                "testing", "testing", None, None, "bench",
            ))
            .build(),
    );
    let evaluation = Evaluation {
        compliance_resource_type: "AWS::EC2::Instance".into(),
        compliance_resource_id: "i-0123456789abcdef0".into(),
        compliance_type: posture_config_rules::ComplianceType::Compliant,
        annotation: "benchmark".into(),
        ordering_timestamp: TIME.into(),
    };
    let mut put = Vec::new();
    for _ in 0..16 {
        let started = Instant::now();
        runtime
            .block_on(posture_config_rules::report::put_evaluations(
                &config,
                "TESTMODE",
                std::slice::from_ref(&evaluation),
            ))
            .unwrap();
        put.push(started.elapsed());
    }
    put.remove(0); // the connection's set-up
    cold.sort();
    warm.sort();
    round_trip.sort();
    init.sort();
    put.sort();
    report += &format!(
        "| cold start to first PutEvaluations answered (median of 15; min {:.1} ms) | {:.1} ms | 20 ms (target) | {:.2} |\n",
        cold[0].as_secs_f64() * 1e3,
        cold[7].as_secs_f64() * 1e3,
        cold[7].as_secs_f64() / 0.020
    );
    report += &format!(
        "| cold start to a first answer that evaluates nothing (a refused invocation; median of 15) | {:.1} ms | 20 ms (target) | {:.2} |\n",
        init[7].as_secs_f64() * 1e3,
        init[7].as_secs_f64() / 0.020
    );
    report += &format!(
        "| warm invocation, same container (median of 15) | {:.1} ms | | |\n",
        warm[7].as_secs_f64() * 1e3
    );
    report += &format!(
        "| Runtime API round trip: a refused invocation, warm (median of 15) | {:.1} ms | | |\n",
        round_trip[7].as_secs_f64() * 1e3
    );
    report += &format!(
        "| PutEvaluations round trip to moto, one evaluation, kept connection (median of 15) | {:.1} ms | | |\n",
        put[7].as_secs_f64() * 1e3
    );

    // Throughput over the corpus, next to serde_json parsing the same text.
    let items = corpus(n);
    let snapshot = json!({ "configurationItems": items }).to_string();
    let (parse, _) = best(5, || serde_json::from_str::<Value>(&snapshot).unwrap());
    let (all, evaluations) = best(5, || runtime.block_on(evaluate_all(&snapshot)));
    assert_eq!(evaluations.len(), n);
    report += &format!(
        "| {n} items at once (one SQL run): evaluations/s vs serde_json parses/s | {:.0} | {:.0} | {:.2} |\n",
        rate(n, all),
        rate(n, parse),
        rate(n, parse).recip() * rate(n, all)
    );
    let events: Vec<String> = items.iter().take(500).map(change_event).collect();
    let (parse_each, _) = best(3, || {
        events
            .iter()
            .map(|e| serde_json::from_str::<Value>(e).unwrap())
            .count()
    });
    let (each, count) = best(3, || {
        runtime.block_on(evaluate_each(&events, Container::Kept))
    });
    assert_eq!(count, events.len());
    let (fresh, count) = best(3, || {
        runtime.block_on(evaluate_each(&events, Container::PerEvent))
    });
    assert_eq!(count, events.len());
    for (path, took) in [
        ("a new container each (session and plan per event)", fresh),
        ("one container (its session and plan reused)", each),
    ] {
        report += &format!(
            "| {} events one by one, {path}: evaluations/s vs serde_json parses/s | {:.0} | {:.0} | {:.4} |\n",
            events.len(),
            rate(events.len(), took),
            rate(events.len(), parse_each),
            rate(events.len(), took) / rate(events.len(), parse_each)
        );
    }
    report += &format!(
        "| one event, one container: parse, evaluate (no Runtime API, no PutEvaluations), mean | {:.3} ms | 0.5 ms (target) | {:.2} |\n",
        each.as_secs_f64() * 1e3 / events.len() as f64,
        each.as_secs_f64() / events.len() as f64 / 0.0005
    );
    report += &format!(
        "| events one by one, one container against a new container each | {:.2}× the rate | | |\n",
        fresh.as_secs_f64() / each.as_secs_f64()
    );

    println!("{report}");
    std::fs::write(repo("target/lambda-bench.md"), &report).unwrap();
}
