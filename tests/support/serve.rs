//! A `posture serve` process for the tests and the benchmark, and its clients: psql and the
//! venv's Python (psycopg, SQLAlchemy). Include it beside `moto.rs` (its Python).
//! Shared by `#[path]`: each includer uses part of it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `posture serve` on 127.0.0.1, on a port the system chose; killed (by its handle) when
/// dropped.
pub struct Server {
    child: Child,
    pub port: String,
    /// What it printed on stderr after its first line.
    pub said: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// `posture serve` on a free port, with `args`: `command` is the posture binary, with the
    /// environment it needs (moto's for live runs).
    pub fn start(mut command: Command, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let port = line
            .split_once("listening on 127.0.0.1:")
            .and_then(|(_, rest)| rest.split(',').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        // Keep reading what it says, so it never blocks on a full pipe.
        let said = Arc::new(Mutex::new(Vec::new()));
        let lines = said.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        Server { child, port, said }
    }

    /// Waits up to 10 seconds for a line of stderr holding `text`.
    pub fn says(&self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.said.lock().unwrap().iter().any(|l| l.contains(text)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn psql(&self, sql: &str) -> Output {
        self.psql_as("analyst", sql, None)
    }

    pub fn psql_as(&self, user: &str, sql: &str, password: Option<&str>) -> Output {
        let mut command = Command::new("psql");
        command
            .args(["-X", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1"])
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port,
                "-U",
                user,
                "-d",
                "posture",
            ])
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGPASSWORD");
        if let Some(password) = password {
            command.env("PGPASSWORD", password);
        }
        command.output().expect("psql (Debian's postgresql-client)")
    }

    /// Rows psql printed for `sql`, each `a|b|…`.
    pub fn rows(&self, sql: &str) -> Vec<String> {
        let out = self.psql(sql);
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Runs `script` with the venv's Python, the server's port then `args` as its arguments;
    /// its stdout.
    pub fn python(&self, script: &str, args: &[&str]) -> String {
        let out = Command::new(crate::moto::python())
            .args(["-c", script, &self.port])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
