//! AWS Config items in any container (snapshot, history, batch, event, bare items), as bytes:
//! mapped into an inventory by the Config item mapper, then every table built over it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use posture_sql::inventory::InventoryBuilder;
use posture_sql::sources::config_item;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = config_item::recognises(&value);
    let mut builder = InventoryBuilder::default();
    // A failed file is an error; what it added before failing is still built, as a panic there
    // would be a bug too.
    let _ = config_item::load(&value, Path::new("fuzz.json"), &mut builder);
    posture_fuzz::build_tables(&builder.finish());
});
