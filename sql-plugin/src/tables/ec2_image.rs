use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_image",
    description: "AMIs owned by the account (describe-images --owners self). AWS Config does not record AMIs.",
    kinds: &[Kind::Image],
    api_filters: &[
        ("image_id", "image-id"),
        ("name", "name"),
        ("state", "state"),
        ("is_public", "is-public"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::Image),
    columns: &[
        col("image_id", Text, "The AMI ID.", |r| {
            r.resource.text("ImageId")
        }),
        col("arn", Text, "The AMI ARN.", |r| {
            Cell::Text(format!(
                "arn:aws:ec2:{}::image/{}",
                r.region,
                r.resource.str_at("ImageId").unwrap_or_default()
            ))
        }),
        col("name", Text, "The AMI name.", |r| r.resource.text("Name")),
        col("owner_id", Text, "The owning account.", |r| {
            r.resource.text("OwnerId")
        }),
        col(
            "is_public",
            Bool,
            "Whether the AMI has public launch permissions.",
            |r| r.resource.bool("Public"),
        ),
        col(
            "state",
            Text,
            "pending, available, invalid, deregistered, …",
            |r| r.resource.text("State"),
        ),
        col(
            "creation_date",
            Timestamp,
            "When the AMI was created.",
            |r| r.resource.timestamp("CreationDate"),
        ),
        col("architecture", Text, "x86_64, arm64, …", |r| {
            r.resource.text("Architecture")
        }),
        col(
            "platform_details",
            Text,
            "The operating system platform.",
            |r| r.resource.text("PlatformDetails"),
        ),
        col(
            "root_device_type",
            Text,
            "`ebs` or `instance-store`.",
            |r| r.resource.text("RootDeviceType"),
        ),
        col(
            "imds_support",
            Text,
            "`v2.0` when instances launched from it require IMDSv2.",
            |r| r.resource.text("ImdsSupport"),
        ),
        col(
            "snapshot_ids",
            TextList,
            "Snapshots behind its block devices.",
            |r| {
                r.resource
                    .text_list("BlockDeviceMappings", Some("Ebs.SnapshotId"))
            },
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
