//! CloudTrail: `DescribeTrails` per region; `GetTrailStatus` per trail in its home region, only
//! when a status column is used, several at once within the limiter.

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{Call, LiveError};
use crate::inventory::Kind;

pub async fn trails(call: &Call<'_>, with_status: bool) -> Result<Vec<(Kind, Value)>, LiveError> {
    let client = call.account.cloudtrail(call.region);
    call.permit("DescribeTrails").await;
    let out = client
        .describe_trails()
        .send()
        .await
        .map_err(|e| LiveError::from_sdk(e).during("DescribeTrails"))?;
    let trails: Vec<&aws_sdk_cloudtrail::types::Trail> = out.trail_list().iter().collect();
    // The status of a multi-region trail is read once, in its home region; a call per trail,
    // several at once within the limiter, kept in listing order.
    let (trails_ref, client_ref) = (&trails, &client);
    let statuses: Vec<Option<Value>> = futures::stream::iter(0..trails.len())
        .map(|i| async move {
            let t = trails_ref[i];
            if !with_status || t.home_region().is_some_and(|home| home != call.region) {
                return Ok(None);
            }
            call.permit("GetTrailStatus").await;
            let name = t.trail_arn().or(t.name()).unwrap_or_default();
            let s = client_ref
                .get_trail_status()
                .name(name)
                .send()
                .await
                .map_err(|e| LiveError::from_sdk(e).during("GetTrailStatus"))?;
            Ok::<_, LiveError>(Some(super::object(json!({
                "Name": t.name(), "IsLogging": s.is_logging(),
                "LatestDeliveryTime": super::time(s.latest_delivery_time()),
            }))))
        })
        .buffered(super::PER_RESOURCE_CALLS)
        .try_collect()
        .await?;
    let mut resources = Vec::new();
    for (t, status) in trails.into_iter().zip(statuses) {
        let trail = super::object(json!({
            "Name": t.name(), "S3BucketName": t.s3_bucket_name(), "S3KeyPrefix": t.s3_key_prefix(), "SnsTopicARN": t.sns_topic_arn(),
            "IncludeGlobalServiceEvents": t.include_global_service_events(), "IsMultiRegionTrail": t.is_multi_region_trail(),
            "HomeRegion": t.home_region(), "TrailARN": t.trail_arn(), "LogFileValidationEnabled": t.log_file_validation_enabled(),
            "CloudWatchLogsLogGroupArn": t.cloud_watch_logs_log_group_arn(), "CloudWatchLogsRoleArn": t.cloud_watch_logs_role_arn(),
            "KmsKeyId": t.kms_key_id(), "HasCustomEventSelectors": t.has_custom_event_selectors(), "HasInsightSelectors": t.has_insight_selectors(),
            "IsOrganizationTrail": t.is_organization_trail(),
        }));
        if let Some(status) = status {
            resources.push((Kind::TrailStatus, status));
        }
        resources.push((Kind::Trail, trail));
    }
    Ok(resources)
}
