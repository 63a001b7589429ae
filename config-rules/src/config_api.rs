//! The AWS Config API beyond PutEvaluations: the full item behind an oversized notification
//! (GetResourceConfigHistory, converted to the item shape the mapper reads), and the resources a
//! periodic rule evaluated before (GetComplianceDetailsByConfigRule), so that those gone since
//! can be marked NOT_APPLICABLE.

use aws_sdk_config::config::http::HttpResponse;
use aws_sdk_config::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_config::primitives::{DateTime, DateTimeFormat};
use aws_sdk_config::types::{ComplianceType as SdkCompliance, ConfigurationItem, ResourceType};
use posture_sql::live::LiveError;
use serde_json::{Map, Value, json};

use crate::Error;

/// One AWS error, as one line naming the call (rendered as the live tables render theirs).
fn sdk_error<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
    api: &str,
    e: SdkError<E, HttpResponse>,
) -> Error {
    Error::Config(LiveError::from_sdk(e).during(api).to_string())
}

fn time(t: Option<&DateTime>) -> Value {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
        .map_or(Value::Null, Value::String)
}

/// A JSON document in a string, parsed; other text kept as it is.
fn document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// The newest configuration item of the resource an oversized notification summarises.
pub async fn oversized_item(
    client: &aws_sdk_config::Client,
    summary: &Value,
) -> Result<Value, Error> {
    let field = |name: &str| {
        summary
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Event(format!("configurationItemSummary has no {name}")))
    };
    let (resource_type, resource_id) = (field("resourceType")?, field("resourceId")?);
    let out = client
        .get_resource_config_history()
        .resource_type(ResourceType::from(resource_type))
        .resource_id(resource_id)
        .limit(1)
        .send()
        .await
        .map_err(|e| sdk_error("GetResourceConfigHistory", e))?;
    let item = out.configuration_items().first().ok_or_else(|| {
        Error::Config(format!(
            "GetResourceConfigHistory: no configuration item for {resource_type} {resource_id}"
        ))
    })?;
    Ok(item_json(item))
}

/// An API configuration item as the JSON the Config mapper reads (the API shape; see
/// `posture_sql::sources::config_item`), with its JSON-in-string documents parsed.
pub fn item_json(item: &ConfigurationItem) -> Value {
    let relationships: Vec<Value> = item
        .relationships()
        .iter()
        .map(|r| {
            json!({
                "resourceType": r.resource_type().map(|t| t.as_str()),
                "resourceId": r.resource_id(),
                "resourceName": r.resource_name(),
                "relationshipName": r.relationship_name(),
            })
        })
        .collect();
    let supplementary: Map<String, Value> = item
        .supplementary_configuration()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), document(v)))
        .collect();
    json!({
        "version": item.version(),
        "accountId": item.account_id(),
        "configurationItemCaptureTime": time(item.configuration_item_capture_time()),
        "configurationItemStatus": item.configuration_item_status().map(|s| s.as_str()),
        "configurationStateId": item.configuration_state_id(),
        "configurationItemMD5Hash": item.configuration_item_md5_hash(),
        "arn": item.arn(),
        "resourceType": item.resource_type().map(|t| t.as_str()),
        "resourceId": item.resource_id(),
        "resourceName": item.resource_name(),
        "awsRegion": item.aws_region(),
        "availabilityZone": item.availability_zone(),
        "resourceCreationTime": time(item.resource_creation_time()),
        "tags": item.tags(),
        "relatedEvents": item.related_events(),
        "relationships": relationships,
        "configuration": item.configuration().map(document),
        "supplementaryConfiguration": supplementary,
    })
}

/// The resources `rule` holds a COMPLIANT or NON_COMPLIANT evaluation for, as (type, id).
pub async fn previously_evaluated(
    client: &aws_sdk_config::Client,
    rule: &str,
) -> Result<Vec<(String, String)>, Error> {
    let mut pages = client
        .get_compliance_details_by_config_rule()
        .config_rule_name(rule)
        .compliance_types(SdkCompliance::Compliant)
        .compliance_types(SdkCompliance::NonCompliant)
        .limit(100)
        .into_paginator()
        .send();
    let mut resources = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error("GetComplianceDetailsByConfigRule", e))?;
        resources.extend(page.evaluation_results().iter().filter_map(|r| {
            let q = r
                .evaluation_result_identifier()?
                .evaluation_result_qualifier()?;
            Some((q.resource_type()?.to_string(), q.resource_id()?.to_string()))
        }));
    }
    Ok(resources)
}
