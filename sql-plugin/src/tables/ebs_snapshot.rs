use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ebs_snapshot",
    description: "EBS snapshots owned by the account (describe-snapshots --owner-ids self, plus describe-snapshot-attribute --attribute createVolumePermission). AWS Config does not record snapshots.",
    kinds: &[Kind::Snapshot],
    api_filters: &[
        ("snapshot_id", "snapshot-id"),
        ("volume_id", "volume-id"),
        ("encrypted", "encrypted"),
        ("state", "status"),
    ],
    max_results: true,
    extra_call_columns: &["create_volume_permissions", "is_public"],
    tag_filters: true,
    records: |inv| {
        inv.of(Kind::Snapshot)
            .iter()
            .map(|s| {
                let id = s.data.str_at("SnapshotId").unwrap_or_default();
                let permissions = inv.get(Kind::SnapshotPermissions, &s.account_id, &s.region, id);
                Record::new(&s.account_id, &s.region, &s.data)
                    .with_joined(permissions.map(|p| &p.data))
            })
            .collect()
    },
    columns: &[
        col("snapshot_id", Text, "The snapshot ID.", |r| {
            r.resource.text("SnapshotId")
        }),
        col("arn", Text, "The snapshot ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "snapshot/{}",
                    r.resource.str_at("SnapshotId").unwrap_or_default()
                ),
            )
        }),
        col("volume_id", Text, "The volume it was taken from.", |r| {
            r.resource.text("VolumeId")
        }),
        col("volume_size", Int, "Size in GiB.", |r| {
            r.resource.int("VolumeSize")
        }),
        col("state", Text, "pending, completed or error.", |r| {
            r.resource.text("State")
        }),
        col(
            "encrypted",
            Bool,
            "Whether the snapshot is encrypted.",
            |r| r.resource.bool("Encrypted"),
        ),
        col("kms_key_id", Text, "The KMS key.", |r| {
            r.resource.text("KmsKeyId")
        }),
        col("owner_id", Text, "The owning account.", |r| {
            r.resource.text("OwnerId")
        }),
        col("description", Text, "The description.", |r| {
            r.resource.text("Description")
        }),
        col(
            "start_time",
            Timestamp,
            "When the snapshot was started.",
            |r| r.resource.timestamp("StartTime"),
        ),
        col(
            "create_volume_permissions",
            TextList,
            "Who may create volumes from it: `all` (public) or account ids; null if the attribute was not loaded.",
            |r| match r.joined {
                Some(p) => Cell::TextList(permissions(p)),
                None => Cell::Null,
            },
        ),
        col(
            "is_public",
            Bool,
            "Whether anyone may restore it (`all` in createVolumePermission); null if the attribute was not loaded.",
            |r| match r.joined {
                Some(p) => Cell::Bool(permissions(p).iter().any(|g| g == "all")),
                None => Cell::Null,
            },
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};

fn permissions(p: &Value) -> Vec<String> {
    let list = p
        .at("CreateVolumePermissions")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    list.iter()
        .filter_map(|g| g.str_at("Group").or_else(|| g.str_at("UserId")))
        .map(str::to_string)
        .collect()
}
