//! The real `bootstrap` binary under a local Lambda Runtime API: `cargo lambda watch
//! --only-lambda-apis` (cargo-lambda from PyPI, installed by .ci/run into .venv;
//! POSTURE_CARGO_LAMBDA overrides the path) serves the runtime API on 127.0.0.1 and takes
//! invocations; the function process is started here, with its AWS calls going to moto.
//! Shared by `#[path]` from the packages whose tests and benchmarks use it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::moto::Moto;

pub struct Lambda {
    runtime: Child,
    function: Option<Child>,
    port: u16,
}

/// The function binary: POSTURE_BOOTSTRAP (the deployable artifact CI builds), else the one
/// cargo built for this test.
pub fn bootstrap() -> PathBuf {
    std::env::var_os("POSTURE_BOOTSTRAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(
                option_env!("CARGO_BIN_EXE_bootstrap")
                    .expect("a test of the posture-config-rules package"),
            )
        })
}

/// The deployable artifact, `cargo lambda build --profile lambda --output-format zip` (see
/// config-rules/README.md): the zip, and the binary it holds, where cargo wrote it.
pub fn artifact_zip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/lambda/bootstrap/bootstrap.zip")
}

pub fn artifact() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/x86_64-unknown-linux-gnu/lambda/bootstrap")
}

/// Benchmarks measure the artifact unless POSTURE_BOOTSTRAP names another binary. Call before
/// any thread reads the environment.
pub fn measure_the_artifact_by_default() {
    if std::env::var_os("POSTURE_BOOTSTRAP").is_none() {
        assert!(
            artifact().exists(),
            "{} not found: build the artifact first (BENCHMARKS.md) or set POSTURE_BOOTSTRAP",
            artifact().display()
        );
        // SAFETY: called first in a benchmark's main, before other threads exist.
        unsafe { std::env::set_var("POSTURE_BOOTSTRAP", artifact()) };
    }
}

fn cargo_lambda() -> PathBuf {
    let path = std::env::var_os("POSTURE_CARGO_LAMBDA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/cargo-lambda")
        });
    assert!(
        path.exists(),
        "{} not found: run .ci/run (it installs cargo-lambda into .venv) or set POSTURE_CARGO_LAMBDA",
        path.display()
    );
    path
}

impl Lambda {
    /// The runtime API, up and listening.
    pub fn runtime() -> Lambda {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let runtime = Command::new(cargo_lambda())
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "-A",
                "127.0.0.1",
                "-P",
            ])
            .arg(port.to_string())
            .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Lambda {
            runtime,
            function: None,
            port,
        }
    }

    /// Starts the function process (replacing one started before), its AWS calls going to
    /// moto, as the Lambda service would start it: the runtime API and function variables set.
    pub fn start(&mut self, moto: &Moto, configure: impl FnOnce(&mut Command)) {
        self.stop();
        let mut command = moto.aws(Command::new(bootstrap()));
        command
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{}/.rt", self.port),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        configure(&mut command);
        self.function = Some(command.spawn().unwrap());
    }

    pub fn stop(&mut self) {
        if let Some(mut f) = self.function.take() {
            let _ = f.kill();
            let _ = f.wait();
        }
    }

    /// The function process's id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.function.as_ref().map(Child::id)
    }

    /// One invocation: the HTTP status and the function's response (or error) body.
    pub fn invoke(&self, event: &Value) -> (u16, Value) {
        self.invoke_within(event, Duration::from_secs(120))
    }

    /// One invocation that may take up to `limit` (then the call fails).
    pub fn invoke_within(&self, event: &Value, limit: Duration) -> (u16, Value) {
        let body = event.to_string();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        // A function that died never answers: fail, not hang.
        stream.set_read_timeout(Some(limit)).unwrap();
        write!(
            stream,
            "POST /2015-03-31/functions/_/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .unwrap_or_else(|e| panic!("the function did not answer within {limit:?}: {e}"));
        let response = String::from_utf8_lossy(&response);
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_string()
        };
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

impl Drop for Lambda {
    fn drop(&mut self) {
        self.stop();
        let _ = self.runtime.kill();
        let _ = self.runtime.wait();
    }
}
