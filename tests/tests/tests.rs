//! posture's cross-crate tests, one binary (so DataFusion is linked once):
//!
//! - `parity`: the `aws` CLI dumps and the AWS Config items of the same estate give the same
//!   rows in every table;
//! - `reference_items`: real AWS Config items from public sources load into the right rows;
//! - `demo`: the bundled demo account loads and fills every table;
//! - `verdicts`: each control's verdict table, and every demo finding with its reason;
//! - `config_rules`: Config events through the rule handler, and its verdicts against `check`'s;
//! - `cfn`: the CloudFormation templates are as generated, complete and least-privilege;
//! - `exposure`: the reachability model's ports, paths and severities;
//! - `tidy`: invariants of the table registry, the control catalogue and the generated docs.

mod cfn;
mod config_rules;
mod demo;
mod exposure;
mod lambda_handler;
mod parity;
mod reference_items;
mod tidy;
mod verdicts;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::json::writer::{JsonArray, WriterBuilder};
use datafusion::arrow::record_batch::RecordBatch;
use posture_sql::Inventory;
use serde_json::{Map, Value};

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// Runs SQL over an inventory and returns the rows as JSON objects.
pub fn query(inventory: &Arc<Inventory>, sql: &str) -> Vec<Map<String, Value>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let ctx = posture_sql::session(inventory.clone()).unwrap();
        let batches = ctx
            .sql(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .collect()
            .await
            .unwrap();
        json_rows(&batches)
    })
}

/// Rows as JSON objects, every column present: what `posture query --output json` prints.
pub fn json_rows(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let mut buffer = Vec::new();
    let mut writer = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(&mut buffer);
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    if buffer.is_empty() {
        return Vec::new();
    }
    serde_json::from_slice(&buffer).unwrap()
}
