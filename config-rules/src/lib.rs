//! posture's AWS Config custom rules: a Config event in, the control's SQL (the same as
//! `posture check`) over the configuration item turned into table rows, evaluations out in the
//! shape `PutEvaluations` takes.
//!
//! - [`event`]: the Lambda event, its message type, the control it names;
//! - [`evaluate`]: applicability, then the control over the item (change) or over every resource
//!   (periodic);
//! - [`report`]: PutEvaluations in batches, with retries of failed evaluations;
//! - [`config_api`]: the item behind an oversized notification, the resources evaluated before;
//! - [`handler`]: one Lambda invocation, from the event to PutEvaluations (the `bootstrap`
//!   binary is a thin `lambda_runtime` loop around it);
//! - [`cfn`]: the CloudFormation of `cfn/`: the rules, the Lambda and their IAM policies.

pub mod cfn;
pub mod config_api;
pub mod evaluate;
pub mod event;
pub mod handler;
pub mod report;

use serde::Serialize;

pub use evaluate::{Lookups, evaluate, evaluate_fetching};
pub use event::{ConfigEvent, MessageType};
pub use handler::Handler;

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

impl Evaluation {
    /// A control's finding as an evaluation ordered at `time`; the reason cut to what
    /// PutEvaluations takes.
    /// A finding the evidence could not support is NON_COMPLIANT: custom rules cannot put
    /// INSUFFICIENT_DATA, and NOT_APPLICABLE would hide it.
    pub fn of(finding: posture_queries::Finding, time: &str) -> Evaluation {
        use posture_queries::Status;
        let (compliance_type, annotation) = match finding.status {
            // Accepted by a mute (the same file and tags as `posture check --mute`).
            Status::Muted => (
                ComplianceType::Compliant,
                finding.mute.map(|m| m.annotation()).unwrap_or_default(),
            ),
            _ if finding.unverified => (
                ComplianceType::NonCompliant,
                format!("could not verify: {}", finding.reason),
            ),
            Status::Ok => (ComplianceType::Compliant, finding.reason),
            Status::Alarm => (ComplianceType::NonCompliant, finding.reason),
            Status::Skip => (ComplianceType::NotApplicable, finding.reason),
        };
        Evaluation {
            compliance_resource_type: finding.resource_type,
            compliance_resource_id: finding.resource_id,
            compliance_type,
            annotation: posture_queries::shorten(&annotation),
            ordering_timestamp: time.to_string(),
        }
    }
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
    /// A resource beyond the item could not be read: no evaluation rather than a wrong one.
    #[error("looking up resources beyond the item: {0}")]
    Lookup(String),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Report(String),
    /// The mute parameter could not be read or parsed.
    #[error("{0}")]
    Mutes(String),
    /// The invocation stopped before its deadline; what it evaluated was put.
    #[error("{0}")]
    Deadline(String),
}

impl Error {
    /// The Lambda error type AWS shows for a failed invocation.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Event(_) => "posture.MalformedEvent",
            Error::Control(_) => "posture.Control",
            Error::Inventory(_) => "posture.Inventory",
            Error::NeedsAws(_) => "posture.NeedsAws",
            Error::Lookup(_) => "posture.Lookup",
            Error::Config(_) => "posture.ConfigApi",
            Error::Report(_) => "posture.PutEvaluations",
            Error::Deadline(_) => "posture.Deadline",
            Error::Mutes(_) => "posture.Mutes",
        }
    }
}
