//! One Lambda invocation: the event parsed, an oversized item fetched, the control evaluated,
//! resources a periodic rule evaluated before and no longer sees marked NOT_APPLICABLE, and
//! everything reported through PutEvaluations. Clients and the live connection live in the
//! [`Handler`], built once per container.

use std::collections::HashSet;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use posture_sql::live::LiveOptions;
use serde::Serialize;
use serde_json::Value;

use crate::{ComplianceType, ConfigEvent, Error, Evaluation, Lookups, MessageType, config_api};

/// An AWS Config client from the standard AWS chain (`AWS_REGION`, the function role's
/// credentials, `AWS_ENDPOINT_URL` for tests), with adaptive retries for throttling.
pub async fn config_client() -> aws_sdk_config::Client {
    let attempts = std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(attempts))
        .load()
        .await;
    aws_sdk_config::Client::new(&sdk)
}

pub struct Handler {
    config: aws_sdk_config::Client,
    lookups: Lookups,
}

/// What an invocation did: the Lambda's response, and a log line.
#[derive(Debug, Serialize, PartialEq)]
pub struct Outcome {
    pub control: String,
    pub evaluations: usize,
    pub compliant: usize,
    pub non_compliant: usize,
    pub not_applicable: usize,
    pub put_evaluations_requests: usize,
}

impl Handler {
    /// Clients from the Lambda environment, built once per container.
    pub async fn from_env() -> Handler {
        Handler::new(
            config_client().await,
            // A lookup AWS refuses fails the invocation: a missing resource would be a wrong verdict.
            Lookups::live(LiveOptions {
                strict: true,
                ..LiveOptions::default()
            }),
        )
    }

    pub fn new(config: aws_sdk_config::Client, lookups: Lookups) -> Handler {
        Handler { config, lookups }
    }

    pub async fn handle(&self, event: &Value) -> Result<Outcome, Error> {
        let mut event = ConfigEvent::parse(event)?;
        // An unknown control or a bad parameter is the rule's error, before any AWS call.
        let (control, params) = event.control(None)?;
        control.bind(&params, 0)?;
        if event.message_type == MessageType::Oversized {
            let summary = event.item.as_ref().expect("parsed");
            event = event.with_item(config_api::oversized_item(&self.config, summary).await?);
        }
        let mut evaluations = crate::evaluate(&event, None, &self.lookups).await?;
        // Evaluations computed are reported even when the previous ones cannot be read; that
        // failure is the invocation's error afterwards.
        let gone = match event.message_type {
            MessageType::Scheduled => self.gone(&event, &mut evaluations).await,
            _ => Ok(()),
        };
        let requests =
            crate::report::put_evaluations(&self.config, &event.result_token, &evaluations).await?;
        gone?;
        let count = |t| {
            evaluations
                .iter()
                .filter(|e| e.compliance_type == t)
                .count()
        };
        Ok(Outcome {
            control: control.id.clone(),
            evaluations: evaluations.len(),
            compliant: count(ComplianceType::Compliant),
            non_compliant: count(ComplianceType::NonCompliant),
            not_applicable: count(ComplianceType::NotApplicable),
            put_evaluations_requests: requests,
        })
    }

    /// Resources the rule evaluated before that this run no longer sees: NOT_APPLICABLE.
    async fn gone(
        &self,
        event: &ConfigEvent,
        evaluations: &mut Vec<Evaluation>,
    ) -> Result<(), Error> {
        let seen: HashSet<(String, String)> = evaluations
            .iter()
            .map(|e| {
                (
                    e.compliance_resource_type.clone(),
                    e.compliance_resource_id.clone(),
                )
            })
            .collect();
        let time = evaluations
            .first()
            .map(|e| e.ordering_timestamp.clone())
            .or_else(|| event.notification_time.clone())
            .unwrap_or_else(|| {
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            });
        let previous = config_api::previously_evaluated(&self.config, &event.rule_name)
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "{e} (the {} evaluations of this run were still reported; resources gone since the previous run are not marked NOT_APPLICABLE)",
                    evaluations.len()
                ))
            })?;
        for (resource_type, resource_id) in previous {
            if !seen.contains(&(resource_type.clone(), resource_id.clone())) {
                evaluations.push(Evaluation {
                    annotation: format!("{resource_id} no longer exists."),
                    compliance_resource_type: resource_type,
                    compliance_resource_id: resource_id,
                    compliance_type: ComplianceType::NotApplicable,
                    ordering_timestamp: time.clone(),
                });
            }
        }
        Ok(())
    }
}
