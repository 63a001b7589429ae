//! A real `moto_server` on 127.0.0.1 for the live and Lambda tests and benchmarks (installed by
//! .ci/run into .venv; POSTURE_MOTO_SERVER overrides the path), its request recorder, and
//! programs (`posture`, `bootstrap`) run with the standard AWS environment pointing at it.
//! Shared by `#[path]` from the packages whose tests use it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

pub struct Moto {
    child: Child,
    port: u16,
    pub dir: PathBuf,
}

impl Moto {
    pub fn start() -> Moto {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let server = std::env::var_os("POSTURE_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo.join(".venv/bin/moto_server"));
        assert!(
            server.exists(),
            "{} not found: run .ci/run (it installs moto[server] into .venv) or set POSTURE_MOTO_SERVER",
            server.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("posture-moto-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // moto_server with a stand-in for the Systems Manager calls moto lacks
        // (tests/fixtures/moto_server.py), run by moto's own python.
        let child = Command::new(server.with_file_name("python"))
            .arg(repo.join("tests/fixtures/moto_server.py"))
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
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A bare HTTP/1.1 request to moto's own API.
    pub fn moto_api(&self, method: &str, path: &str) -> String {
        self.moto_api_with(method, path, "")
    }

    pub fn moto_api_with(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default()
    }

    /// From now on, moto checks every request against its IAM users and policies.
    pub fn enforce_iam(&self) {
        self.moto_api_with("POST", "/moto-api/reset-auth", "0");
    }

    /// Records requests from now on, forgetting earlier ones.
    pub fn record(&self) {
        self.moto_api("POST", "/moto-api/recorder/reset-recording");
        self.moto_api("POST", "/moto-api/recorder/start-recording");
    }

    /// First attempts since `record()`, in order: (action, region, request body). Query
    /// protocols name the action in the body's `Action=`, JSON ones in X-Amz-Target, REST ones
    /// by the request path (`/findings/list`).
    pub fn requests(&self) -> Vec<(String, String, String)> {
        let recording =
            std::fs::read_to_string(self.dir.join("recording.jsonl")).unwrap_or_default();
        recording
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|r| {
                r["headers"]["Amz-Sdk-Request"]
                    .as_str()
                    .is_none_or(|a| a.starts_with("attempt=1;"))
            })
            .map(|r| {
                let body = r["body"].as_str().unwrap_or_default();
                // moto stores bodies base64-encoded when it says so.
                let body = if r["body_encoded"] == true {
                    String::from_utf8(BASE64.decode(body).unwrap_or_default()).unwrap_or_default()
                } else {
                    body.to_string()
                };
                let auth = r["headers"]["Authorization"].as_str().unwrap_or_default();
                let region = auth.split('/').nth(2).unwrap_or_default().to_string();
                let action = match r["headers"]["X-Amz-Target"].as_str() {
                    Some(target) => target.rsplit('.').next().unwrap_or(target).to_string(),
                    // REST protocols (Inspector) name it by the path.
                    None => body
                        .split('&')
                        .find_map(|p| p.strip_prefix("Action="))
                        .or_else(|| {
                            let rest = r["url"].as_str()?.split("://").nth(1)?;
                            rest[rest.find('/')?..].split('?').next()
                        })
                        .unwrap_or("(no action)")
                        .to_string(),
                };
                (action, region, body)
            })
            .collect()
    }

    /// First attempts of `action` since `record()`, as (region, request body).
    pub fn calls(&self, action: &str) -> Vec<(String, String)> {
        self.requests()
            .into_iter()
            .filter(|(a, _, _)| a == action)
            .map(|(_, region, body)| (region, body))
            .collect()
    }

    /// First attempts since `record()`, counted per action.
    pub fn actions(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for (action, _, _) in self.requests() {
            *counts.entry(action).or_insert(0) += 1;
        }
        counts
    }

    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }

    /// `posture` with the standard AWS environment pointing at moto, and nothing else.
    pub fn command(&self) -> Command {
        let posture =
            option_env!("CARGO_BIN_EXE_posture").expect("a test of the posture-cli package");
        self.aws(Command::new(posture))
    }

    /// `command` with the standard AWS environment pointing at moto, and nothing else.
    pub fn aws(&self, mut command: Command) -> Command {
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // moto answers 500 to what it has not implemented: fail after one retry, not four.
            .env("AWS_MAX_ATTEMPTS", "2")
            .env("AWS_CONFIG_FILE", self.dir.join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.join("no-credentials"),
            );
        command
    }

    pub fn posture(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    pub fn query(&self, args: &[&str]) -> Vec<Value> {
        let out = self.posture(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// moto's venv python, with boto3.
pub fn python() -> PathBuf {
    std::env::var_os("POSTURE_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server")
        })
        .with_file_name("python")
}

/// tests/fixtures/moto_estate.py with these arguments; its stdout.
pub fn estate(args: &[&str]) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/moto_estate.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "moto_estate.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl Moto {
    /// Creates the estate of moto_estate.py; returns what it made.
    pub fn create_estate(&self) -> Value {
        serde_json::from_str(&estate(&["create", &self.endpoint()])).unwrap()
    }

    /// The estate's us-east-1 resources as AWS Config items (tests/fixtures/cli_to_config.py
    /// over the boto3 dump), the newest capture of each; `made` is what [`Self::create_estate`]
    /// returned.
    pub fn config_items(&self, made: &Value) -> Vec<Value> {
        const ACCOUNT: &str = "123456789012";
        let dump = self.dir.join("dump");
        self.dump(&dump, &["us-east-1"]);
        // moto leaves PolicyId and PolicyName out of GetAccountAuthorizationDetails' policies:
        // the estate's customer managed policy gets the id CreatePolicy gave it, and its name.
        let details = dump
            .join(ACCOUNT)
            .join("global/get-account-authorization-details.json");
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&details).unwrap()).unwrap();
        for policy in v["Policies"].as_array_mut().unwrap() {
            if policy["Arn"] == format!("arn:aws:iam::{ACCOUNT}:policy/ec2-all") {
                policy["PolicyId"] = made["ec2_all_policy"].clone();
                policy["PolicyName"] = Value::from("ec2-all");
            }
        }
        std::fs::write(&details, v.to_string()).unwrap();
        // …and LogDestination out of a CloudWatch Logs flow log.
        let flows = dump.join(ACCOUNT).join("us-east-1/describe-flow-logs.json");
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&flows).unwrap()).unwrap();
        for flow in v["FlowLogs"].as_array_mut().unwrap() {
            if flow.get("LogDestination").is_none() {
                flow["LogDestination"] = Value::Null;
            }
        }
        std::fs::write(&flows, v.to_string()).unwrap();
        let items = self.dir.join("items");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cli_to_config.py");
        let out = Command::new(python())
            .arg(script)
            .arg(&dump)
            .arg(&items)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut newest: std::collections::BTreeMap<(String, String), Value> = Default::default();
        for file in ["config-snapshot.json", "iam-resource-config-history.json"] {
            let v: Value =
                serde_json::from_str(&std::fs::read_to_string(items.join(file)).unwrap()).unwrap();
            for item in v["configurationItems"].as_array().unwrap() {
                if item["configurationItemStatus"] != "OK" {
                    continue;
                }
                let key = (
                    item["resourceType"].as_str().unwrap().to_string(),
                    item["resourceId"].as_str().unwrap().to_string(),
                );
                let newer = newest.get(&key).is_none_or(|old| {
                    old["configurationItemCaptureTime"].as_str()
                        < item["configurationItemCaptureTime"].as_str()
                });
                if newer {
                    newest.insert(key, item.clone());
                }
            }
        }
        newest.into_values().collect()
    }

    /// Dumps the estate as `aws` CLI output into `dir`, through boto3.
    pub fn dump(&self, dir: &Path, regions: &[&str]) {
        let endpoint = self.endpoint();
        let mut args = vec!["dump", &endpoint, dir.to_str().unwrap()];
        args.extend(regions);
        estate(&args);
    }
}
