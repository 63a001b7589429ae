use super::prelude::*;

pub static TABLE: Table = Table {
    name: "iam_role",
    description: "IAM roles (iam get-account-authorization-details; AWS::IAM::Role).",
    kinds: &[Kind::Role],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::Role),
    columns: &[
        col("role_name", Text, "The role name.", |r| {
            r.resource.text("RoleName")
        }),
        col("role_id", Text, "The role's unique ID (AROA…).", |r| {
            r.resource.text("RoleId")
        }),
        col("arn", Text, "The role ARN.", |r| r.resource.text("Arn")),
        col("path", Text, "The role path.", |r| r.resource.text("Path")),
        col(
            "create_date",
            Timestamp,
            "When the role was created.",
            |r| r.resource.timestamp("CreateDate"),
        ),
        col(
            "assume_role_policy",
            Json,
            "The trust policy (who may assume the role), decoded JSON.",
            |r| r.resource.json("AssumeRolePolicyDocument"),
        ),
        col(
            "attached_policy_arns",
            TextList,
            "Managed policies attached to the role.",
            |r| {
                r.resource
                    .text_list("AttachedManagedPolicies", Some("PolicyArn"))
            },
        ),
        col(
            "inline_policy_names",
            TextList,
            "Inline policies of the role (their statements are in iam_policy_statement).",
            |r| r.resource.text_list("RolePolicyList", Some("PolicyName")),
        ),
        col(
            "inline_policy_problems",
            TextList,
            "Inline policies whose document cannot be read, as `name: why`. Controls judge such a role unverified.",
            |r| {
                let inline = r.resource.at("RolePolicyList").and_then(Value::as_array);
                Cell::TextList(
                    inline
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            let why = super::iam_policy::readable(p.at("PolicyDocument")).err()?;
                            Some(format!(
                                "{}: {why}",
                                p.str_at("PolicyName").unwrap_or("(no name)")
                            ))
                        })
                        .collect(),
                )
            },
        ),
        col(
            "instance_profile_arns",
            TextList,
            "Instance profiles that carry the role.",
            |r| r.resource.text_list("InstanceProfileList", Some("Arn")),
        ),
        col(
            "permissions_boundary_arn",
            Text,
            "The permissions boundary policy, if any.",
            |r| {
                r.resource
                    .text("PermissionsBoundary.PermissionsBoundaryArn")
            },
        ),
        col(
            "role_last_used_date",
            Timestamp,
            "When the role was last used, if known.",
            |r| r.resource.timestamp("RoleLastUsed.LastUsedDate"),
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
