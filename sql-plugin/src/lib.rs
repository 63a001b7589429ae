//! posture's SQL layer: AWS inventories (offline `aws` CLI output and AWS Config items) mapped
//! to documented DataFusion tables.
//!
//! - [`inventory`]: resources in one canonical shape, whatever source they came from;
//! - [`sources`]: the only code that knows the `aws` CLI and AWS Config wire shapes;
//! - [`tables`]: one file per SQL table, registered in [`tables::TABLES`];
//! - [`session`]: a DataFusion session with every table registered;
//! - [`sql`]: the user's SQL, read-only and bounded.

pub mod demo;
pub mod inventory;
#[cfg(feature = "live")]
pub mod live;
pub mod reachability;
pub mod session;
pub mod sources;
pub mod sql;
pub mod table;
pub mod tables;
pub mod text;
pub mod udfs;
pub mod value;

use std::path::PathBuf;

pub use inventory::{Inventory, Kind, Resource};
pub use session::session;
pub use table::{Column, ColumnType, Table};
pub use value::Cell;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: {bytes} bytes, over the limit of {limit} bytes for one inventory file; split it"
    )]
    TooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error("{path}: not valid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{path}: not a recognised `aws` CLI output or AWS Config item (top-level keys: {keys}); see `posture tables` for the supported inputs"
    )]
    UnknownFormat { path: PathBuf, keys: String },
    #[error("{path}: {reason}")]
    Layout { path: PathBuf, reason: String },
    #[error("{path}: AWS Config item {resource}: {reason}")]
    ConfigItem {
        path: PathBuf,
        resource: String,
        reason: String,
    },
    #[error("{path}: field {field}: {reason}")]
    Field {
        path: PathBuf,
        field: String,
        reason: String,
    },
    #[error(
        "table {table}, column {column}: expected {expected:?}, got {got} (a bug in the table definition)"
    )]
    CellType {
        table: &'static str,
        column: &'static str,
        expected: ColumnType,
        got: String,
    },
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
}
