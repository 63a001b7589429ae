//! A Lambda event from AWS Config, as bytes: parsed, its control named and its parameters
//! bound, the configuration item mapped into the tables the control reads; then evaluated as the
//! handler does (`evaluate`, lookups from an empty offline inventory: no AWS).
//!
//! The evaluation runs the control's SQL in DataFusion, about 140 ms an input in the
//! unoptimised, instrumented build (7 executions a second): it runs for one input in
//! [`EVALUATE_ONE_IN`], chosen by a hash of the bytes so that a crash reproduces. Every input
//! goes through every step before the SQL.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use posture_config_rules::{ConfigEvent, Lookups, evaluate};
use posture_sql::inventory::InventoryBuilder;
use posture_sql::sources::config_item;
use serde_json::Value;

const EVALUATE_ONE_IN: u64 = 1024;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
});
static LOOKUPS: LazyLock<Lookups> = LazyLock::new(Lookups::default);

/// FNV-1a: which inputs get the full evaluation, the same on every run.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(event) = ConfigEvent::parse(&event) else {
        return;
    };
    // What `evaluate` does before the SQL, step by step.
    let Ok((control, params)) = event.control(None) else {
        return;
    };
    if control.bind(&params, 0).is_err() {
        return;
    }
    if let Some(item) = &event.item {
        let mut builder = InventoryBuilder::default();
        let _ = config_item::load(item, Path::new("configurationItem"), &mut builder);
        let inventory = builder.finish();
        for name in control.tables().unwrap_or_default() {
            if let Some(table) = posture_sql::tables::table(name) {
                let _ = table.batch(&inventory);
            }
        }
    }
    if fnv(data) % EVALUATE_ONE_IN == 0 {
        let _ = RUNTIME.block_on(evaluate(&event, None, &LOOKUPS));
    }
});
