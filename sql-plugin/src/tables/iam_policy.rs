use super::prelude::*;

pub static TABLE: Table = Table {
    name: "iam_policy",
    description: "Managed IAM policies, customer and AWS managed when loaded (iam get-account-authorization-details; AWS::IAM::Policy records customer managed ones).",
    records: |inv| each(inv, Kind::Policy),
    columns: &[
        col(
            "policy_name",
            Text,
            "The policy name (from the ARN when the source leaves it out).",
            |r| match r.resource.text("PolicyName") {
                Cell::Null => r
                    .resource
                    .str_at("Arn")
                    .and_then(|arn| arn.rsplit('/').next())
                    .map_or(Cell::Null, |name| Cell::Text(name.to_string())),
                name => name,
            },
        ),
        col(
            "policy_id",
            Text,
            "The policy's unique ID (ANPA…).",
            |r| r.resource.text("PolicyId"),
        ),
        col("arn", Text, "The policy ARN.", |r| r.resource.text("Arn")),
        col("path", Text, "The policy path.", |r| {
            r.resource.text("Path")
        }),
        col(
            "is_aws_managed",
            Bool,
            "Whether AWS owns the policy (arn:aws:iam::aws:policy/…).",
            |r| Cell::Bool(is_aws_managed(r.resource.str_at("Arn").unwrap_or_default())),
        ),
        col(
            "default_version_id",
            Text,
            "The default version, the only one that takes effect.",
            |r| r.resource.text("DefaultVersionId"),
        ),
        col(
            "attachment_count",
            Int,
            "Number of users, groups and roles it is attached to.",
            |r| r.resource.int("AttachmentCount"),
        ),
        col("is_attachable", Bool, "Whether it can be attached.", |r| {
            r.resource.bool("IsAttachable")
        }),
        col(
            "create_date",
            Timestamp,
            "When the policy was created.",
            |r| r.resource.timestamp("CreateDate"),
        ),
        col(
            "update_date",
            Timestamp,
            "When the policy last changed.",
            |r| r.resource.timestamp("UpdateDate"),
        ),
        col(
            "document",
            Json,
            "The default version's policy document, decoded JSON.",
            |r| default_document(r.resource).map_or(Cell::Null, |d| Cell::Text(d.to_string())),
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};

/// The default version's document: the version marked default, else the one whose id is
/// DefaultVersionId.
pub fn default_document(policy: &Value) -> Option<&Value> {
    let versions = policy.at("PolicyVersionList")?.as_array()?;
    let default_id = policy.str_at("DefaultVersionId");
    versions
        .iter()
        .find(|v| v.at("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
        .or_else(|| {
            versions
                .iter()
                .find(|v| default_id.is_some() && v.str_at("VersionId") == default_id)
        })
        .and_then(|v| v.at("Document"))
}
