//! `PutEvaluations`: batches of at most 100, `TestMode` when the result token is `TESTMODE`,
//! evaluations AWS Config reports as failed sent again with backoff, throttling left to the SDK's
//! adaptive retries. Nothing is dropped silently: what still fails is an error naming it.

use std::time::Duration;

use aws_sdk_config::primitives::{DateTime, DateTimeFormat};
use aws_sdk_config::types::{ComplianceType as SdkCompliance, Evaluation as SdkEvaluation};

use posture_sql::live::LiveError;

use crate::{ComplianceType, Error, Evaluation};

/// PutEvaluations takes at most this many evaluations.
pub const BATCH: usize = 100;
/// Sends of one batch's failed evaluations, the first included.
const ATTEMPTS: u32 = 4;

fn sdk(e: &Evaluation) -> Result<SdkEvaluation, Error> {
    let time =
        DateTime::from_str(&e.ordering_timestamp, DateTimeFormat::DateTime).map_err(|err| {
            Error::Report(format!(
                "{} {}: OrderingTimestamp {:?}: {err}",
                e.compliance_resource_type, e.compliance_resource_id, e.ordering_timestamp
            ))
        })?;
    let compliance = match e.compliance_type {
        ComplianceType::Compliant => SdkCompliance::Compliant,
        ComplianceType::NonCompliant => SdkCompliance::NonCompliant,
        ComplianceType::NotApplicable => SdkCompliance::NotApplicable,
    };
    SdkEvaluation::builder()
        .compliance_resource_type(&e.compliance_resource_type)
        .compliance_resource_id(&e.compliance_resource_id)
        .compliance_type(compliance)
        .annotation(&e.annotation)
        .ordering_timestamp(time)
        .build()
        .map_err(|err| Error::Report(err.to_string()))
}

/// Reports `evaluations`; returns the number of PutEvaluations requests made.
pub async fn put_evaluations(
    client: &aws_sdk_config::Client,
    result_token: &str,
    evaluations: &[Evaluation],
) -> Result<usize, Error> {
    let test_mode = result_token == "TESTMODE";
    let mut requests = 0;
    for batch in evaluations.chunks(BATCH) {
        let mut pending: Vec<SdkEvaluation> = batch.iter().map(sdk).collect::<Result<_, _>>()?;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            requests += 1;
            let out = client
                .put_evaluations()
                .set_evaluations(Some(pending.clone()))
                .result_token(result_token)
                .test_mode(test_mode)
                .send()
                .await
                .map_err(|e| {
                    Error::Report(LiveError::from_sdk(e).during("PutEvaluations").to_string())
                })?;
            let failed = out.failed_evaluations();
            pending.retain(|p| {
                failed.iter().any(|f| {
                    f.compliance_resource_id() == p.compliance_resource_id()
                        && f.compliance_resource_type() == p.compliance_resource_type()
                })
            });
            if pending.is_empty() {
                break;
            }
        }
        if !pending.is_empty() {
            let ids: Vec<String> = pending
                .iter()
                .map(|p| {
                    format!(
                        "{} {}",
                        p.compliance_resource_type(),
                        p.compliance_resource_id()
                    )
                })
                .collect();
            return Err(Error::Report(format!(
                "AWS Config kept failing {} evaluations after {ATTEMPTS} sends: {}",
                ids.len(),
                ids.join(", ")
            )));
        }
    }
    Ok(requests)
}
