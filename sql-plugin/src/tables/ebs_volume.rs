use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ebs_volume",
    description: "EBS volumes (describe-volumes; AWS::EC2::Volume).",
    kinds: &[Kind::Volume],
    api_filters: &[
        ("volume_id", "volume-id"),
        ("encrypted", "encrypted"),
        ("state", "status"),
        ("volume_type", "volume-type"),
        ("availability_zone", "availability-zone"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::Volume),
    columns: &[
        col("volume_id", Text, "The volume ID.", |r| {
            r.resource.text("VolumeId")
        }),
        col("arn", Text, "The volume ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "volume/{}",
                    r.resource.str_at("VolumeId").unwrap_or_default()
                ),
            )
        }),
        col(
            "volume_type",
            Text,
            "gp2, gp3, io1, io2, st1, sc1 or standard.",
            |r| r.resource.text("VolumeType"),
        ),
        col("size", Int, "Size in GiB.", |r| r.resource.int("Size")),
        col("iops", Int, "Provisioned IOPS.", |r| r.resource.int("Iops")),
        col("encrypted", Bool, "Whether the volume is encrypted.", |r| {
            r.resource.bool("Encrypted")
        }),
        col(
            "kms_key_id",
            Text,
            "The KMS key that encrypts the volume.",
            |r| r.resource.text("KmsKeyId"),
        ),
        col(
            "state",
            Text,
            "creating, available, in-use, deleting, deleted or error.",
            |r| r.resource.text("State"),
        ),
        col("availability_zone", Text, "The Availability Zone.", |r| {
            r.resource.text("AvailabilityZone")
        }),
        col(
            "snapshot_id",
            Text,
            "The snapshot the volume was created from.",
            |r| non_empty(r.resource.text("SnapshotId")),
        ),
        col(
            "create_time",
            Timestamp,
            "When the volume was created.",
            |r| r.resource.timestamp("CreateTime"),
        ),
        col(
            "attached_instance_ids",
            TextList,
            "Instances the volume is attached to.",
            |r| r.resource.text_list("Attachments", Some("InstanceId")),
        ),
        col(
            "multi_attach_enabled",
            Bool,
            "Whether Multi-Attach is on.",
            |r| r.resource.bool("MultiAttachEnabled"),
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
