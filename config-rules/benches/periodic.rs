//! The Config rule Lambda's periodic run at account scale: the real `bootstrap` under the local
//! Lambda Runtime API (`cargo lambda watch`) with moto as AWS, given a ScheduledNotification for
//! (a) `ebs_snapshot_not_public` over 2,000 snapshots (a DescribeSnapshotAttribute per
//! snapshot) and (b) `ec2_instance_role_no_admin_access` over 5,000 instances (a change rule
//! whose ScheduledNotification backstop runs it over every instance, IAM fetched live). Per
//! invocation: wall time next to the template's Timeout, the function process's peak RSS
//! (VmHWM) next to its MemorySize, and the AWS calls moto recorded per action next to the
//! fewest that could do. Every resource must come back as exactly one evaluation. Writes
//! target/periodic-bench.md.
//!
//!     cargo lambda build --profile lambda --disable-optimizations --output-format zip \
//!         -p posture-config-rules --bin bootstrap --target x86_64-unknown-linux-gnu.2.34
//!     cargo bench -p posture-config-rules --bench periodic
//!
//! POSTURE_BOOTSTRAP names the binary to start (default: the artifact, as in `lambda`);
//! POSTURE_BENCH_INSTANCES and POSTURE_BENCH_SNAPSHOTS resize the estate (5,000 and 2,000).

#[path = "../../tests/support/lambda.rs"]
mod lambda;
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{
    IamInstanceProfileSpecification, InstanceType, OperationType, SnapshotAttributeName,
};
use serde_json::{Value, json};

/// moto's account.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
/// Instances per RunInstances call (one reservation each). moto gives the instance profile to
/// the first instance of a launch only, so one instance per launch has a role.
const PER_LAUNCH: usize = 100;
/// Snapshots are taken of this many volumes; one in PUBLIC_EVERY is made public.
const VOLUMES: usize = 4;
const PUBLIC_EVERY: usize = 10;
/// Calls to moto at once while populating it.
const AT_ONCE: usize = 16;
/// The largest page posture asks for (DescribeInstances, DescribeSnapshots,
/// GetAccountAuthorizationDetails), and the most evaluations per PutEvaluations.
const PAGE: usize = 1000;
const BATCH: usize = 100;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("{var}={n}: not a number"))
        })
        .unwrap_or(default)
}

/// The Lambda function's `key` (MemorySize, Timeout) in the deployed template.
fn function_setting(key: &str) -> u64 {
    let template = std::fs::read_to_string(repo("cfn/posture-rules.yaml")).unwrap();
    let values: Vec<u64> = template
        .lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key}:")))
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("cfn/posture-rules.yaml: {key}: {v} is not a number"))
        })
        .collect();
    assert_eq!(
        values.len(),
        1,
        "cfn/posture-rules.yaml: one {key} expected (the one Lambda function)"
    );
    values[0]
}

/// Peak resident set size of a process, from /proc/<pid>/status (VmHWM, kB).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("/proc/{pid}/status has no VmHWM"))
}

fn scheduled(control: &str) -> Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "invokingEvent": json!({"awsAccountId": ACCOUNT, "notificationCreationTime": now, "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": json!({"controlId": control}).to_string(),
        "resultToken": "TESTMODE",
        "eventLeftScope": false,
        "configRuleName": format!("posture-{}", control.replace('_', "-")),
        "accountId": ACCOUNT,
    })
}

/// Runs `calls` against moto, AT_ONCE at a time.
async fn at_once<F>(calls: impl IntoIterator<Item = F>)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for call in calls {
        if running.len() >= AT_ONCE {
            running.join_next().await.unwrap().unwrap();
        }
        running.spawn(call);
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
}

/// moto_estate.py's estate, grown to `instances` instances and `snapshots` snapshots in
/// us-east-1; returns the reservations there.
async fn populate(moto: &moto::Moto, made: &Value, instances: usize, snapshots: usize) -> usize {
    let ec2 = moto.ec2(REGION);
    let have =
        |reservations: &aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput| {
            reservations
                .reservations()
                .iter()
                .map(|r| r.instances().len())
                .sum::<usize>()
        };
    let existing = have(&ec2.describe_instances().send().await.unwrap());
    let profiles = [
        made["profiles"]["admin-app"].as_str().unwrap().to_string(),
        made["profiles"]["reader"].as_str().unwrap().to_string(),
    ];
    let missing = instances
        .checked_sub(existing)
        .expect("more instances than the estate has");
    at_once((0..missing.div_ceil(PER_LAUNCH)).map(|launch| {
        let ec2 = ec2.clone();
        let n = PER_LAUNCH.min(missing - launch * PER_LAUNCH) as i32;
        let profile = profiles[launch % 2].clone();
        async move {
            ec2.run_instances()
                .image_id("ami-0c7217cdde317cfec")
                .instance_type(InstanceType::T3Micro)
                .min_count(n)
                .max_count(n)
                .iam_instance_profile(
                    IamInstanceProfileSpecification::builder()
                        .arn(profile)
                        .build(),
                )
                .send()
                .await
                .unwrap();
        }
    }))
    .await;
    let listed = ec2.describe_instances().send().await.unwrap();
    assert_eq!(have(&listed), instances, "moto holds every instance");

    let existing = ec2
        .describe_snapshots()
        .owner_ids("self")
        .send()
        .await
        .unwrap()
        .snapshots()
        .len();
    let mut volumes = Vec::new();
    for _ in 0..VOLUMES {
        let volume = ec2
            .create_volume()
            .availability_zone("us-east-1a")
            .size(8)
            .send()
            .await
            .unwrap();
        volumes.push(volume.volume_id().unwrap().to_string());
    }
    let missing = snapshots
        .checked_sub(existing)
        .expect("more snapshots than the estate has");
    at_once((0..missing).map(|i| {
        let ec2 = ec2.clone();
        let volume = volumes[i % VOLUMES].clone();
        async move {
            let id = ec2
                .create_snapshot()
                .volume_id(volume)
                .send()
                .await
                .unwrap()
                .snapshot_id()
                .unwrap()
                .to_string();
            if i % PUBLIC_EVERY == 0 {
                ec2.modify_snapshot_attribute()
                    .snapshot_id(id)
                    .attribute(SnapshotAttributeName::CreateVolumePermission)
                    .operation_type(OperationType::Add)
                    .group_names("all")
                    .send()
                    .await
                    .unwrap();
            }
        }
    }))
    .await;
    listed.reservations().len()
}

/// IAM roles and managed policies (local and AWS's) in moto: the entities
/// GetAccountAuthorizationDetails lists for the role control.
fn iam_entities(moto: &moto::Moto) -> usize {
    let script = "import boto3, sys\niam = boto3.client('iam', region_name='us-east-1', endpoint_url=sys.argv[1], aws_access_key_id='testing', aws_secret_access_key='testing')\nn = sum(len(p['Roles']) for p in iam.get_paginator('list_roles').paginate())\nn += sum(len(p['Policies']) for p in iam.get_paginator('list_policies').paginate(Scope='All'))\nprint(n)\n";
    let out = std::process::Command::new(moto::python())
        .args(["-c", script, &moto.endpoint()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The evaluations in the PutEvaluations moto recorded: per compliance type (how many, and the
/// first one's annotation), all of them, and the distinct resources.
fn evaluations_put(moto: &moto::Moto) -> (BTreeMap<String, (usize, String)>, usize, usize) {
    let mut types = BTreeMap::new();
    let mut resources = HashSet::new();
    let mut total = 0;
    for (_, body) in moto.calls("PutEvaluations") {
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["TestMode"], true);
        for e in body["Evaluations"].as_array().unwrap() {
            total += 1;
            types
                .entry(e["ComplianceType"].as_str().unwrap().to_string())
                .or_insert((0, e["Annotation"].as_str().unwrap_or_default().to_string()))
                .0 += 1;
            resources.insert(e["ComplianceResourceId"].as_str().unwrap().to_string());
        }
    }
    (types, total, resources.len())
}

struct Measured {
    wall: Duration,
    peak_kib: u64,
    calls: BTreeMap<String, usize>,
    types: BTreeMap<String, (usize, String)>,
    answer: String,
}

/// One ScheduledNotification for `control` to a fresh function process; every one of
/// `resources` must come back as exactly one evaluation.
fn measure(
    function: &mut lambda::Lambda,
    moto: &moto::Moto,
    control: &str,
    resources: usize,
    limit: Duration,
) -> Measured {
    moto.record();
    function.start(moto, |_| {});
    let pid = function.pid().unwrap();
    let started = Instant::now();
    let (status, body) = function.invoke_within(&scheduled(control), limit);
    let wall = started.elapsed();
    // The process still runs, waiting for its next invocation: its high-water mark is this one's.
    let peak_kib = peak_rss_kib(pid);
    function.stop();
    let (types, total, distinct) = evaluations_put(moto);
    assert_eq!(
        (total, distinct),
        (resources, resources),
        "{control}: one evaluation per resource; the function answered {body}"
    );
    let answer = if status == 200 {
        assert_eq!(body["evaluations"], resources, "{control}: {body}");
        "200".to_string()
    } else {
        // moto has no GetComplianceDetailsByConfigRule: after putting every evaluation the
        // run fails saying resources gone since the previous run could not be marked. Any
        // other failure is the benchmark's.
        let message = body["errorMessage"].as_str().unwrap_or_default();
        assert!(
            body["errorType"] == "posture.ConfigApi"
                && message.starts_with("GetComplianceDetailsByConfigRule: HTTP 500")
                && message.contains(&format!(
                    "the {resources} evaluations of this run were still reported"
                )),
            "{control}: {status} {body}"
        );
        format!(
            "{status} {} (every evaluation put first)",
            body["errorType"].as_str().unwrap()
        )
    };
    Measured {
        wall,
        peak_kib,
        calls: moto.actions(),
        types,
        answer,
    }
}

fn section(
    title: &str,
    m: &Measured,
    minimum: &BTreeMap<&str, (usize, &str)>,
    memory_mib: u64,
    timeout_s: u64,
) -> String {
    let mut out =
        format!("### {title}\n\n| measure | value | limit | ratio |\n|---|---:|---:|---:|\n");
    out += &format!(
        "| wall time | {:.1} s | {timeout_s} s (Timeout) | {:.2} |\n",
        m.wall.as_secs_f64(),
        m.wall.as_secs_f64() / timeout_s as f64
    );
    let peak_mib = m.peak_kib as f64 / 1024.0;
    out += &format!(
        "| peak RSS (VmHWM) | {peak_mib:.1} MiB | {memory_mib} MiB (MemorySize) | {:.2} |\n",
        peak_mib / memory_mib as f64
    );
    let types: Vec<String> = m
        .types
        .iter()
        .map(|(t, (n, _))| format!("{n} {t}"))
        .collect();
    out += &format!(
        "| evaluations put | {} ({}) | | |\n",
        m.types.values().map(|(n, _)| n).sum::<usize>(),
        types.join(", ")
    );
    out += &format!("| the function's answer | {} | | |\n", m.answer);
    for (t, (_, annotation)) in &m.types {
        out += &format!("| a {t} annotation | {annotation} | | |\n");
    }
    out += "\n";
    out += "| AWS action | calls | minimum | minimum is |\n|---|---:|---:|---|\n";
    let actions: std::collections::BTreeSet<&str> = m
        .calls
        .keys()
        .map(String::as_str)
        .chain(minimum.keys().copied())
        .collect();
    for action in actions {
        let calls = m.calls.get(action).copied().unwrap_or(0);
        let (least, why) = minimum.get(action).copied().unwrap_or((0, "not needed"));
        // Fewer pages than the minimum: moto's pages are larger than AWS's largest.
        let moto = if calls < least {
            " (moto answered in fewer, larger pages)"
        } else {
            ""
        };
        out += &format!("| {action} | {calls} | {least} | {why}{moto} |\n");
    }
    out
}

fn main() {
    lambda::measure_the_artifact_by_default();
    let instances = count("POSTURE_BENCH_INSTANCES", 5000);
    let snapshots = count("POSTURE_BENCH_SNAPSHOTS", 2000);
    let memory_mib = function_setting("MemorySize");
    let timeout_s = function_setting("Timeout");
    // The local runtime gives no deadline of the template's Timeout (see config-rules/README.md):
    // wait for the answer a while past it, then fail.
    let limit = Duration::from_secs(timeout_s * 2);
    let runtime = tokio::runtime::Runtime::new().unwrap();

    let moto = moto::Moto::start();
    let made = moto.create_estate();
    let started = Instant::now();
    let reservations = runtime.block_on(populate(&moto, &made, instances, snapshots));
    eprintln!(
        "moto populated in {:.0} s: {instances} instances in {reservations} reservations, {snapshots} snapshots",
        started.elapsed().as_secs_f64()
    );
    let entities = iam_entities(&moto);
    let mut function = lambda::Lambda::runtime();
    let bootstrap = lambda::bootstrap();
    let mut report = format!(
        "bootstrap: `{}`; {} cores; {}\n\n",
        bootstrap.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );

    let snapshot = measure(
        &mut function,
        &moto,
        "ebs_snapshot_not_public",
        snapshots,
        limit,
    );
    let minimum = BTreeMap::from([
        (
            "DescribeSnapshots",
            (snapshots.div_ceil(PAGE), "a page per 1,000 snapshots"),
        ),
        ("DescribeSnapshotAttribute", (snapshots, "one per snapshot")),
        (
            "PutEvaluations",
            (snapshots.div_ceil(BATCH), "a request per 100 evaluations"),
        ),
        (
            "GetComplianceDetailsByConfigRule",
            (
                1,
                "a page of the rule's previous evaluations (moto has none: HTTP 500)",
            ),
        ),
    ]);
    report += &section(
        &format!("ebs_snapshot_not_public, ScheduledNotification, {snapshots} snapshots"),
        &snapshot,
        &minimum,
        memory_mib,
        timeout_s,
    );

    let instance = measure(
        &mut function,
        &moto,
        "ec2_instance_role_no_admin_access",
        instances,
        limit,
    );
    let minimum = BTreeMap::from([
        (
            "DescribeInstances",
            (reservations.div_ceil(PAGE), "a page per 1,000 reservations"),
        ),
        (
            "GetAccountAuthorizationDetails",
            (
                entities.div_ceil(PAGE),
                "a page per 1,000 roles and managed policies",
            ),
        ),
        (
            "PutEvaluations",
            (instances.div_ceil(BATCH), "a request per 100 evaluations"),
        ),
        (
            "GetComplianceDetailsByConfigRule",
            (
                1,
                "a page of the rule's previous evaluations (moto has none: HTTP 500)",
            ),
        ),
    ]);
    report += "\n";
    report += &section(
        &format!(
            "ec2_instance_role_no_admin_access, ScheduledNotification, {instances} instances ({reservations} reservations), {entities} IAM roles and policies"
        ),
        &instance,
        &minimum,
        memory_mib,
        timeout_s,
    );

    println!("{report}");
    std::fs::write(repo("target/periodic-bench.md"), &report).unwrap();
}
