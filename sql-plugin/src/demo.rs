//! The bundled demo account: `demo/` at the repository root, compiled in so `--demo` needs
//! neither AWS credentials nor a checkout.

use std::path::Path;

use include_dir::{Dir, DirEntry, include_dir};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../demo");

/// Every demo file as (path below `demo/`, contents).
pub fn files() -> impl Iterator<Item = (&'static Path, &'static str)> {
    let mut out = Vec::new();
    walk(&DEMO, &mut out);
    out.sort_by_key(|(p, _)| *p);
    out.into_iter()
}

fn walk(dir: &'static Dir<'static>, out: &mut Vec<(&'static Path, &'static str)>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => walk(d, out),
            DirEntry::File(f) if f.path().extension().is_some_and(|e| e == "json") => {
                out.push((f.path(), f.contents_utf8().expect("demo files are UTF-8")));
            }
            DirEntry::File(_) => {}
        }
    }
}

/// When the demo account was captured: time-based controls evaluate it as of this moment, so
/// its verdicts do not drift with the calendar.
pub const CAPTURED_AT: &str = "2026-11-25T14:00:00Z";
