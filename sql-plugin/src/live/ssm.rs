//! AWS Systems Manager: the managed instances (`DescribeInstanceInformation`, paged by
//! `NextToken` at the largest page, 50) and their patch states (`DescribeInstancePatchStates`
//! for those instances, at most 50 ids a call, several calls at once within the limiter), in the
//! shape `aws ssm` prints.

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{Call, LiveError, object, time};

/// The largest page of DescribeInstanceInformation, and the most ids
/// DescribeInstancePatchStates takes.
const PAGE_SIZE: i32 = 50;
const IDS_PER_CALL: usize = 50;

pub(super) fn instance_information(i: &aws_sdk_ssm::types::InstanceInformation) -> Value {
    object(json!({
        "InstanceId": i.instance_id(), "PingStatus": i.ping_status().map(|s| s.as_str()),
        "LastPingDateTime": time(i.last_ping_date_time()), "AgentVersion": i.agent_version(),
        "IsLatestVersion": i.is_latest_version(), "PlatformType": i.platform_type().map(|p| p.as_str()),
        "PlatformName": i.platform_name(), "PlatformVersion": i.platform_version(),
        "ResourceType": i.resource_type().map(|r| r.as_str()), "IamRole": i.iam_role(),
        "ComputerName": i.computer_name(), "IPAddress": i.ip_address(),
        "AssociationStatus": i.association_status(),
    }))
}

pub(super) fn patch_state(p: &aws_sdk_ssm::types::InstancePatchState) -> Value {
    object(json!({
        "InstanceId": p.instance_id(), "PatchGroup": p.patch_group(), "BaselineId": p.baseline_id(),
        "InstalledCount": p.installed_count(), "InstalledOtherCount": p.installed_other_count(),
        "InstalledPendingRebootCount": p.installed_pending_reboot_count(),
        "InstalledRejectedCount": p.installed_rejected_count(), "MissingCount": p.missing_count(),
        "FailedCount": p.failed_count(), "NotApplicableCount": p.not_applicable_count(),
        "UnreportedNotApplicableCount": p.unreported_not_applicable_count(),
        "CriticalNonCompliantCount": p.critical_non_compliant_count(),
        "SecurityNonCompliantCount": p.security_non_compliant_count(),
        "OtherNonCompliantCount": p.other_non_compliant_count(),
        "OperationStartTime": time(Some(p.operation_start_time())), "OperationEndTime": time(Some(p.operation_end_time())),
        "Operation": p.operation().as_str(), "RebootOption": p.reboot_option().map(|r| r.as_str()),
    }))
}

/// Every managed instance.
pub async fn managed_instances(call: &Call<'_>) -> Result<Vec<Value>, LiveError> {
    let client = call.account.ssm(call.region);
    Ok(token_pages!(
        call,
        "DescribeInstanceInformation",
        client
            .describe_instance_information()
            .max_results(PAGE_SIZE),
        instance_information_list,
        instance_information
    ))
}

/// The patch states of `managed` (from [`managed_instances`]), 50 ids a call.
pub async fn patch_states(call: &Call<'_>, managed: &[Value]) -> Result<Vec<Value>, LiveError> {
    let client = call.account.ssm(call.region);
    let ids: Vec<String> = managed
        .iter()
        .filter_map(|i| i["InstanceId"].as_str().map(str::to_string))
        .collect();
    let batches: Vec<Vec<String>> = ids.chunks(IDS_PER_CALL).map(<[String]>::to_vec).collect();
    let per_batch: Vec<Vec<Value>> = futures::stream::iter(batches)
        .map(|batch| {
            let client = client.clone();
            async move {
                Ok::<_, LiveError>(token_pages!(
                    call,
                    "DescribeInstancePatchStates",
                    client
                        .describe_instance_patch_states()
                        .set_instance_ids(Some(batch.clone())),
                    instance_patch_states,
                    patch_state
                ))
            }
        })
        .buffered(super::PER_RESOURCE_CALLS)
        .try_collect()
        .await?;
    Ok(per_batch.into_iter().flatten().collect())
}
