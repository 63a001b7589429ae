use super::prelude::*;

pub static TABLE: Table = Table {
    name: "cloudtrail_trail",
    description: "CloudTrail trails, each once, in its home region (cloudtrail describe-trails and get-trail-status; AWS::CloudTrail::Trail). Logging status is not recorded by AWS Config.",
    kinds: &[Kind::Trail],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &["is_logging", "latest_delivery_time"],
    tag_filters: false,
    records: |inv| {
        inv.of(Kind::Trail)
            .iter()
            // describe-trails lists a multi-region trail in every region; keep its home copy.
            .filter(|t| {
                t.data
                    .str_at("HomeRegion")
                    .is_none_or(|home| home == t.region)
            })
            .map(|t| {
                let name = t.data.str_at("Name").unwrap_or_default();
                let status = inv.get(Kind::TrailStatus, &t.account_id, &t.region, name);
                Record::new(&t.account_id, &t.region, &t.data).with_joined(status.map(|s| &s.data))
            })
            .collect()
    },
    columns: &[
        col("name", Text, "The trail name.", |r| r.resource.text("Name")),
        col("arn", Text, "The trail ARN.", |r| {
            r.resource.text("TrailARN")
        }),
        col(
            "home_region",
            Text,
            "The region the trail was created in.",
            |r| r.resource.text("HomeRegion"),
        ),
        col(
            "is_multi_region_trail",
            Bool,
            "Whether the trail logs every region.",
            |r| r.resource.bool("IsMultiRegionTrail"),
        ),
        col(
            "is_organization_trail",
            Bool,
            "Whether it is an AWS Organizations trail.",
            |r| r.resource.bool("IsOrganizationTrail"),
        ),
        col(
            "include_global_service_events",
            Bool,
            "Whether IAM and other global events are logged.",
            |r| r.resource.bool("IncludeGlobalServiceEvents"),
        ),
        col(
            "log_file_validation_enabled",
            Bool,
            "Whether log file integrity validation is on.",
            |r| r.resource.bool("LogFileValidationEnabled"),
        ),
        col("s3_bucket_name", Text, "The bucket the logs go to.", |r| {
            r.resource.text("S3BucketName")
        }),
        col(
            "kms_key_id",
            Text,
            "The KMS key encrypting the logs, if any.",
            |r| r.resource.text("KmsKeyId"),
        ),
        col(
            "cloud_watch_logs_log_group_arn",
            Text,
            "The CloudWatch Logs group, if any.",
            |r| r.resource.text("CloudWatchLogsLogGroupArn"),
        ),
        col(
            "has_custom_event_selectors",
            Bool,
            "Whether event selectors are customised.",
            |r| r.resource.bool("HasCustomEventSelectors"),
        ),
        col(
            "is_logging",
            Bool,
            "Whether the trail is logging now (get-trail-status; null if not loaded).",
            |r| r.joined.map_or(Cell::Null, |s| s.bool("IsLogging")),
        ),
        col(
            "latest_delivery_time",
            Timestamp,
            "The last delivery of log files to S3 (get-trail-status).",
            |r| {
                r.joined
                    .map_or(Cell::Null, |s| s.timestamp("LatestDeliveryTime"))
            },
        ),
        col(
            "tags",
            Tags,
            "Tags (AWS Config only: describe-trails does not return them).",
            |r| r.resource.tags("Tags"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
