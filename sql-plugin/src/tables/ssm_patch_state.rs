use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ssm_patch_state",
    description: "Each managed instance's patch state after its last Patch Manager scan or install, one row per instance (aws ssm describe-instance-patch-states --instance-ids …, at most 50 ids a call, offline in describe-instance-patch-states.json or any file holding `InstancePatchStates`; live, for the instances of ssm_managed_instance). An instance with no row has never reported a patch operation: its compliance is unknown, not compliant. AWS Config's AWS::SSM::PatchCompliance holds per-patch compliance items, not these counts, so it is not read.",
    kinds: &[Kind::SsmPatchState],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::SsmPatchState),
    columns: &[
        col("instance_id", Text, "The managed instance.", |r| {
            r.resource.text("InstanceId")
        }),
        col("patch_group", Text, "Its patch group, if any.", |r| {
            non_empty(r.resource.text("PatchGroup"))
        }),
        col(
            "baseline_id",
            Text,
            "The patch baseline it was judged against.",
            |r| r.resource.text("BaselineId"),
        ),
        col("installed_count", Int, "Patches installed.", |r| {
            r.resource.int("InstalledCount")
        }),
        col(
            "installed_other_count",
            Int,
            "Patches installed that the baseline does not approve, or not in it.",
            |r| r.resource.int("InstalledOtherCount"),
        ),
        col(
            "installed_pending_reboot_count",
            Int,
            "Patches installed that take effect only after a reboot not yet done.",
            |r| r.resource.int("InstalledPendingRebootCount"),
        ),
        col(
            "installed_rejected_count",
            Int,
            "Installed patches the baseline rejects.",
            |r| r.resource.int("InstalledRejectedCount"),
        ),
        col(
            "missing_count",
            Int,
            "Approved patches that apply and are not installed.",
            |r| r.resource.int("MissingCount"),
        ),
        col(
            "failed_count",
            Int,
            "Patches that failed to install.",
            |r| r.resource.int("FailedCount"),
        ),
        col(
            "not_applicable_count",
            Int,
            "Patches that do not apply to the instance.",
            |r| r.resource.int("NotApplicableCount"),
        ),
        col(
            "critical_non_compliant_count",
            Int,
            "Non-compliant patches of critical severity.",
            |r| r.resource.int("CriticalNonCompliantCount"),
        ),
        col(
            "security_non_compliant_count",
            Int,
            "Non-compliant security patches.",
            |r| r.resource.int("SecurityNonCompliantCount"),
        ),
        col(
            "operation",
            Text,
            "The last patch operation: `Scan` or `Install`.",
            |r| r.resource.text("Operation"),
        ),
        col(
            "operation_start_time",
            Timestamp,
            "When the last operation started.",
            |r| r.resource.timestamp("OperationStartTime"),
        ),
        col(
            "operation_end_time",
            Timestamp,
            "When the last operation ended.",
            |r| r.resource.timestamp("OperationEndTime"),
        ),
        col(
            "reboot_option",
            Text,
            "`RebootIfNeeded` or `NoReboot`.",
            |r| r.resource.text("RebootOption"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
