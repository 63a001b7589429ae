//! One `aws` CLI output file, as bytes: an optional first line with its path below the
//! inventory root (`<account_id>/<region>/<name>.json`, which names the account, the region and
//! a trail's status), then its JSON. Loaded as the inventory walker loads a file (format
//! detection included), then every table built over the inventory.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use posture_sql::inventory::InventoryBuilder;
use posture_sql::sources;

const DEFAULT_PATH: &str = "111122223333/us-east-1/fuzz.json";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (relative, json) = match text.split_once('\n') {
        Some((first, rest)) if !first.trim_start().starts_with(['{', '[']) => (first, rest),
        _ => (DEFAULT_PATH, text),
    };
    let relative = Path::new(relative);
    let mut builder = InventoryBuilder::default();
    let _ = sources::load_file(relative, relative, json, &mut builder);
    posture_fuzz::build_tables(&builder.finish());
});
