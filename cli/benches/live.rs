//! Live API calls and wall time against a real moto_server. First `posture check` with every
//! control over the test estate (two regions), its calls next to the minimum: each list call
//! once per region (IAM's once per account). Then `posture query` for 1, 100 and 5,000
//! instances in two regions (one of them empty), next to the minimum number of pages and to
//! boto3 paging the way `aws ec2 describe-instances` does (no MaxResults: the server's default
//! page). Writes target/live-bench.md.
//!
//!     cargo bench -p posture-cli --bench live

#[path = "../../tests/support/moto.rs"]
mod moto;

use std::time::Instant;

use aws_sdk_ec2::types::InstanceType;

/// moto pages DescribeInstances by reservations; each launch below is one reservation.
const PER_LAUNCH: usize = 10;
const PAGE: usize = 1000;

/// `posture check`, every control, over the test estate: calls per action against the minimum.
fn check() -> String {
    let moto = moto::Moto::start();
    moto.create_estate();
    moto.record();
    let started = Instant::now();
    let out = moto.posture(&[
        "check",
        "-o",
        "json",
        "--as-of",
        "2026-11-25T18:00:00Z",
        "--regions",
        "us-east-1,eu-west-1",
    ]);
    let wall = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = moto.requests();
    let distinct: std::collections::HashSet<_> = requests.iter().collect();
    let mut table = format!(
        "`posture check`, every control, two regions: {:.2} s\n\n| calls | posture | minimum | ratio |\n|---|---:|---:|---:|\n",
        wall.as_secs_f64()
    );
    for (action, minimum) in [
        ("DescribeInstances", 2),
        ("DescribeSecurityGroups", 2),
        ("GetAccountAuthorizationDetails", 1),
    ] {
        let made = moto.calls(action).len();
        table.push_str(&format!(
            "| {action} | {made} | {minimum} | {:.2} |\n",
            made as f64 / minimum as f64
        ));
    }
    // Each distinct request once: pages and per-resource calls are all needed once.
    table.push_str(&format!(
        "| every call | {} | {} (distinct requests) | {:.2} |\n\n",
        requests.len(),
        distinct.len(),
        requests.len() as f64 / distinct.len() as f64
    ));
    print!("{table}");
    table
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut table = check();
    table.push_str(
        "| instances | reservations | posture calls | minimum calls | posture wall | aws-cli-style calls | aws-cli-style wall | wall ratio (posture / aws-cli-style) |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for n in [1usize, 100, 5000] {
        let moto = moto::Moto::start();
        let east = moto.ec2("us-east-1");
        let reservations = n.div_ceil(PER_LAUNCH);
        runtime.block_on(async {
            for i in 0..reservations {
                let count = PER_LAUNCH.min(n - i * PER_LAUNCH) as i32;
                east.run_instances()
                    .image_id("ami-0c7217cdde317cfec")
                    .instance_type(InstanceType::T3Micro)
                    .min_count(count)
                    .max_count(count)
                    .send()
                    .await
                    .unwrap();
            }
        });

        moto.record();
        let started = Instant::now();
        let out = moto.posture(&[
            "query",
            "--regions",
            "us-east-1,eu-west-1",
            "-o",
            "csv",
            "select instance_id, http_tokens, region from ec2_instance",
        ]);
        let posture_wall = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.stdout.iter().filter(|&&b| b == b'\n').count(),
            n + 1,
            "every instance came back"
        );
        let posture_calls = moto.calls("DescribeInstances").len();
        // One page per 1,000 reservations in the region that has them, one for the empty region.
        let minimum = reservations.div_ceil(PAGE) + 1;

        moto.record();
        let started = Instant::now();
        let script = "import boto3, sys\nfor region in ['us-east-1', 'eu-west-1']:\n    ec2 = boto3.client('ec2', region_name=region, endpoint_url=sys.argv[1], aws_access_key_id='testing', aws_secret_access_key='testing')\n    [i for p in ec2.get_paginator('describe_instances').paginate() for r in p['Reservations'] for i in r['Instances']]\n";
        let status = std::process::Command::new(moto::python())
            .args(["-c", script, &moto.endpoint()])
            .status()
            .unwrap();
        let baseline_wall = started.elapsed();
        assert!(status.success());
        let baseline_calls = moto.calls("DescribeInstances").len();

        let row = format!(
            "| {n} | {reservations} | {posture_calls} | {minimum} | {:.2} s | {baseline_calls} | {:.2} s | {:.2}× |\n",
            posture_wall.as_secs_f64(),
            baseline_wall.as_secs_f64(),
            posture_wall.as_secs_f64() / baseline_wall.as_secs_f64()
        );
        print!("{row}");
        table.push_str(&row);
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/live-bench.md");
    std::fs::write(&path, &table).unwrap();
    println!("\n{table}\nwritten to {}", path.display());
}
