//! posture's AWS Config custom rules: a Config event in, the control's SQL (the same as
//! `posture check`) over the configuration item turned into table rows, evaluations out in the
//! shape `PutEvaluations` takes.
//!
//! - [`event`]: the Lambda event, its message type, the control it names;
//! - [`evaluate`]: applicability, then the control over the item (change) or over every resource
//!   (periodic);
//! - [`report`]: PutEvaluations in batches, with retries of failed evaluations.

pub mod evaluate;
pub mod event;
pub mod report;

use serde::Serialize;

pub use evaluate::{Lookups, evaluate};
pub use event::{ConfigEvent, MessageType};

/// Annotations longer than this are refused by PutEvaluations.
pub const ANNOTATION_LIMIT: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceType {
    Compliant,
    NonCompliant,
    NotApplicable,
}

/// One evaluation, as `aws configservice put-evaluations --evaluations` takes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Evaluation {
    pub compliance_resource_type: String,
    pub compliance_resource_id: String,
    pub compliance_type: ComplianceType,
    pub annotation: String,
    /// RFC 3339: the item's capture time (change) or the notification's time (periodic).
    pub ordering_timestamp: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("malformed AWS Config event: {0}")]
    Event(String),
    #[error(transparent)]
    Control(#[from] posture_queries::Error),
    #[error(transparent)]
    Inventory(#[from] posture_sql::Error),
    #[error("{0}")]
    NeedsAws(String),
    #[error("{0}")]
    Report(String),
}
