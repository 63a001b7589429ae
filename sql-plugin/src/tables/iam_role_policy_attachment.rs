use super::prelude::*;

pub static TABLE: Table = Table {
    name: "iam_role_policy_attachment",
    description: "Managed policies attached to roles, one row per (role, policy).",
    kinds: &[Kind::Role],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| {
        let mut out = Vec::new();
        for role in inv.of(Kind::Role) {
            for attached in role
                .data
                .at("AttachedManagedPolicies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(
                    Record::new(&role.account_id, &role.region, &role.data).with_item(attached),
                );
            }
        }
        out
    },
    columns: &[
        col("role_name", Text, "The role.", |r| {
            r.resource.text("RoleName")
        }),
        col("role_arn", Text, "The role's ARN.", |r| {
            r.resource.text("Arn")
        }),
        col("policy_name", Text, "The attached policy's name.", |r| {
            r.item.text("PolicyName")
        }),
        col(
            "policy_arn",
            Text,
            "The attached policy's ARN (joins iam_policy.arn).",
            |r| r.item.text("PolicyArn"),
        ),
        col(
            "is_aws_managed",
            Bool,
            "Whether the policy is AWS managed.",
            |r| Cell::Bool(r.item.str_at("PolicyArn").is_some_and(is_aws_managed)),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
