//! The user's query over `aws` CLI output (`select count(*) from ec2_instance where
//! http_tokens = 'optional'`) for 10,000 and 100,000 instances: `posture query --inventory`
//! against DuckDB on the same files and Python's json module, wall time and peak RSS, by
//! tests/benches/offline.py with .venv's Python (`pip install duckdb` there). Writes
//! target/offline-bench.md. `POSTURE_BENCH_INSTANCES=1000,5000` changes the sizes.
//!
//!     cargo bench -p posture-cli --bench offline

#[path = "../../tests/support/moto.rs"]
mod moto;

fn main() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sizes = std::env::var("POSTURE_BENCH_INSTANCES").unwrap_or_default();
    let out = std::process::Command::new(moto::python())
        .arg(repo.join("tests/benches/offline.py"))
        .arg(env!("CARGO_BIN_EXE_posture"))
        .arg(&repo)
        .args(sizes.split(',').filter(|s| !s.is_empty()))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{table}");
    std::fs::write(repo.join("target/offline-bench.md"), table.as_bytes()).unwrap();
}
