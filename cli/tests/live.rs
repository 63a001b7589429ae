//! `posture` against live AWS, played by a real `moto_server` that this test starts on
//! 127.0.0.1 (installed by .ci/run into .venv; POSTURE_MOTO_SERVER overrides the path). Rows must
//! match what was created through the SDK, across two regions, and moto's request recorder
//! must show no more DescribeInstances calls than the rows need.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use aws_sdk_ec2::types::{HttpTokensState, InstanceMetadataOptionsRequest};
use serde_json::Value;

struct Moto {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Moto {
    fn start() -> Moto {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let server = std::env::var_os("POSTURE_MOTO_SERVER").map(PathBuf::from).unwrap_or_else(|| repo.join(".venv/bin/moto_server"));
        assert!(server.exists(), "{} not found: run .ci/run (it installs moto[server] into .venv) or set POSTURE_MOTO_SERVER", server.display());
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("posture-moto-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .env("MOTO_RECORDER_FILEPATH", dir.join("recording.jsonl"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let moto = Moto { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A bare HTTP/1.1 request to moto's own API.
    fn moto_api(&self, method: &str, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default()
    }

    /// Records requests from now on, forgetting earlier ones.
    fn record(&self) {
        self.moto_api("POST", "/moto-api/recorder/reset-recording");
        self.moto_api("POST", "/moto-api/recorder/start-recording");
    }

    /// First attempts of `action` since `record()`, as (region, request body).
    fn calls(&self, action: &str) -> Vec<(String, String)> {
        let recording = std::fs::read_to_string(self.dir.join("recording.jsonl")).unwrap_or_default();
        recording
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|r| r["headers"]["Amz-Sdk-Request"].as_str().is_none_or(|a| a.starts_with("attempt=1;")))
            .filter_map(|r| {
                let body = r["body"].as_str().unwrap_or_default();
                // moto stores bodies base64-encoded when it says so.
                let body = if r["body_encoded"] == true { String::from_utf8(BASE64.decode(body).ok()?).ok()? } else { body.to_string() };
                let auth = r["headers"]["Authorization"].as_str().unwrap_or_default();
                let region = auth.split('/').nth(2).unwrap_or_default().to_string();
                body.contains(&format!("Action={action}&")).then_some((region, body))
            })
            .collect()
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }

    /// `posture` with the standard AWS environment pointing at moto, and nothing else.
    fn posture(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_posture"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.dir.join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.dir.join("no-credentials"))
            .output()
            .unwrap()
    }

    fn query(&self, args: &[&str]) -> Vec<Value> {
        let out = self.posture(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Launches `count` instances with the given IMDS token setting; returns their ids.
async fn launch(client: &aws_sdk_ec2::Client, count: i32, tokens: HttpTokensState) -> Vec<String> {
    let out = client
        .run_instances()
        .image_id("ami-0c7217cdde317cfec")
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(count)
        .max_count(count)
        .metadata_options(InstanceMetadataOptionsRequest::builder().http_tokens(tokens).build())
        .send()
        .await
        .unwrap();
    out.instances().iter().map(|i| i.instance_id().unwrap().to_string()).collect()
}

fn ids(rows: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = rows.iter().map(|r| r["instance_id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn live_instances_match_what_was_created_across_two_regions() {
    let moto = Moto::start();
    let (east, west) = (moto.ec2("us-east-1"), moto.ec2("eu-west-1"));
    let mut optional = launch(&east, 3, HttpTokensState::Optional).await;
    let required = launch(&east, 2, HttpTokensState::Required).await;
    optional.extend(launch(&west, 2, HttpTokensState::Optional).await);
    optional.sort();

    // The user's query: exactly the optional-token instances, from both regions.
    moto.record();
    let rows = moto.query(&["query", "--regions", "us-east-1,eu-west-1", "-o", "json", "select * from ec2_instance where http_tokens = 'optional'"]);
    assert_eq!(ids(&rows), optional);
    assert!(rows.iter().all(|r| r["account_id"] == "123456789012"));
    assert_eq!(rows.iter().filter(|r| r["region"] == "eu-west-1").count(), 2);
    // moto answers 500 to the http-tokens filter: fetched unfiltered once more, and the
    // connection stops sending it (regions run concurrently, so both may try it once).
    let calls = moto.calls("DescribeInstances");
    assert!(calls.iter().any(|(_, body)| body.contains("metadata-options.http-tokens")), "the filter was pushed: {calls:?}");
    assert!(calls.len() <= 4, "one page per region, plus at most one fallback per region: {calls:?}");
    assert_eq!(calls.iter().filter(|(_, body)| !body.contains("Filter")).count(), 2, "each region fetched unfiltered once: {calls:?}");

    // Ids are pushed down as the instance-id filter: one call per region, no NotFound errors
    // from the region that does not hold them.
    moto.record();
    let rows = moto.query(&["query", "--regions", "us-east-1,eu-west-1", "-o", "json", &format!("select instance_id from ec2_instance where instance_id in ('{}', '{}')", required[0], required[1])]);
    assert_eq!(ids(&rows), { let mut r = required.clone(); r.sort(); r });
    let calls = moto.calls("DescribeInstances");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|(_, body)| body.contains("Filter.1.Name=instance-id")), "{calls:?}");

    moto.record();
    let rows = moto.query(&["query", "--regions", "us-east-1", "-o", "json", "select instance_id, instance_state from ec2_instance where instance_state = 'running'"]);
    assert_eq!(rows.len(), 5);
    let calls = moto.calls("DescribeInstances");
    assert_eq!(calls.len(), 1);
    assert!(calls[0].1.contains("Filter.1.Name=instance-state-name"), "{calls:?}");

    // LIMIT becomes MaxResults and stops early.
    moto.record();
    let rows = moto.query(&["query", "--regions", "us-east-1", "-o", "json", "select instance_id from ec2_instance limit 2"]);
    assert_eq!(rows.len(), 2);
    let calls = moto.calls("DescribeInstances");
    assert_eq!(calls.len(), 1);
    assert!(calls[0].1.contains("MaxResults=5"), "{calls:?}");

    // EXPLAIN shows what is pushed.
    let plan = moto.posture(&["query", "--regions", "us-east-1", "-o", "csv", "explain select instance_id from ec2_instance where vpc_id = 'vpc-1' limit 3"]);
    let plan = String::from_utf8(plan.stdout).unwrap();
    assert!(plan.contains("LiveScanExec: table=ec2_instance") && plan.contains("filter vpc-id=[vpc-1]"), "{plan}");
}

#[tokio::test(flavor = "multi_thread")]
async fn live_errors_are_one_line() {
    let moto = Moto::start();
    let out = moto.posture(&["query", "--regions", "moon-1", "select 1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("`moon-1` is not an AWS region"), "{err}");
    let out = moto.posture(&["query", "select count(*) from ebs_snapshot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("table ebs_snapshot is not available from live AWS yet"));
    // Nothing listens on this endpoint.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["query", "select count(*) from ec2_instance"])
        .env_clear()
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot reach AWS as the configured identity"), "{err}");
}

/// The estate as `aws ec2 describe-instances` prints it, dumped by boto3 (which the aws CLI is
/// built on) from moto's venv: independent of posture's own SDK mapping.
fn dump_with_boto3(moto: &Moto, region: &str, dir: &std::path::Path) {
    let python = std::env::var_os("POSTURE_MOTO_SERVER").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server")).with_file_name("python");
    let out_dir = dir.join("123456789012").join(region);
    std::fs::create_dir_all(&out_dir).unwrap();
    let script = r#"
import boto3, json, sys
endpoint, region, path = sys.argv[1:4]
ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
for op, key in [("describe_instances", "Reservations"), ("describe_security_groups", "SecurityGroups"), ("describe_volumes", "Volumes"), ("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets")]:
    items = [i for page in ec2.get_paginator(op).paginate() for i in page[key]]
    json.dump({key: items}, open(f"{path}/{op}.json", "w"), default=lambda d: d.isoformat(), indent=1)
"#;
    let status = Command::new(python).args(["-c", script, &moto.endpoint(), region, out_dir.to_str().unwrap()]).status().unwrap();
    assert!(status.success(), "boto3 dump");
}

fn sorted(mut rows: Vec<Value>) -> Vec<String> {
    let mut rows: Vec<String> = rows.drain(..).map(|r| r.to_string()).collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn live_and_offline_give_the_same_rows_and_findings() {
    let moto = Moto::start();
    let east = moto.ec2("us-east-1");
    launch(&east, 2, HttpTokensState::Optional).await;
    let instance = launch(&east, 2, HttpTokensState::Required).await.remove(0);
    let group = east.create_security_group().group_name("web").description("web tier").send().await.unwrap().group_id().unwrap().to_string();
    east.authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(aws_sdk_ec2::types::IpPermission::builder().ip_protocol("tcp").from_port(22).to_port(22).ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip("0.0.0.0/0").build()).build())
        .ip_permissions(aws_sdk_ec2::types::IpPermission::builder().ip_protocol("-1").ipv6_ranges(aws_sdk_ec2::types::Ipv6Range::builder().cidr_ipv6("::/0").build()).build())
        .send()
        .await
        .unwrap();
    let volume = east.create_volume().availability_zone("us-east-1a").size(8).encrypted(false).send().await.unwrap().volume_id().unwrap().to_string();
    east.attach_volume().volume_id(&volume).instance_id(&instance).device("/dev/sdf").send().await.unwrap();
    east.create_volume().availability_zone("us-east-1a").size(20).encrypted(true).send().await.unwrap();
    let dir = moto.dir.join("inventory");
    dump_with_boto3(&moto, "us-east-1", &dir);
    let offline = dir.to_str().unwrap();

    for table in ["ec2_instance", "ec2_security_group", "ec2_security_group_rule", "ebs_volume", "vpc", "vpc_subnet"] {
        let sql = format!("select * from {table}");
        let live = moto.query(&["query", "-o", "json", &sql]);
        assert!(!live.is_empty(), "{table} has rows");
        assert_eq!(sorted(live), sorted(moto.query(&["query", "-i", offline, "-o", "json", &sql])), "{table}: live and offline rows differ");
    }

    let controls = ["-c", "ec2_instance_imdsv2_required", "-c", "ec2_instance_no_public_ip", "-c", "ec2_instance_profile_attached",
        "-c", "vpc_sg_restricted_ssh", "-c", "vpc_sg_no_unrestricted_ingress", "-c", "vpc_default_sg_closed", "-c", "vpc_sg_authorized_ports_only",
        "-c", "ebs_attached_volume_encrypted", "-c", "vpc_subnet_no_auto_public_ip"];
    let check = |source: &[&str]| {
        let args: Vec<&str> = ["check", "-o", "json"].iter().chain(source).chain(controls.iter()).copied().collect();
        let out = moto.posture(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        sorted(serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone())
    };
    let live = check(&[]);
    assert!(live.iter().any(|f| f.contains(&group) && f.contains("\"alarm\"")), "the web group's world-open SSH alarms");
    assert!(live.iter().any(|f| f.contains(&volume) && f.contains("\"alarm\"")), "the attached unencrypted volume alarms");
    assert_eq!(live, check(&["-i", offline]));
}
