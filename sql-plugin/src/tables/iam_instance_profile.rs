use super::prelude::*;

pub static TABLE: Table = Table {
    name: "iam_instance_profile",
    description: "IAM instance profiles with their roles (from the roles' InstanceProfileList in get-account-authorization-details or AWS::IAM::Role). Profiles without a role do not appear.",
    kinds: &[Kind::Role],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for role in inv.of(Kind::Role) {
            for profile in role
                .data
                .at("InstanceProfileList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if seen.insert((role.account_id.as_str(), profile.str_at("Arn"))) {
                    out.push(
                        Record::new(&role.account_id, &role.region, &role.data).with_item(profile),
                    );
                }
            }
        }
        out
    },
    columns: &[
        col(
            "instance_profile_name",
            Text,
            "The instance profile name.",
            |r| r.item.text("InstanceProfileName"),
        ),
        col(
            "instance_profile_id",
            Text,
            "The instance profile's unique ID (AIPA…).",
            |r| r.item.text("InstanceProfileId"),
        ),
        col(
            "arn",
            Text,
            "The instance profile ARN (what ec2_instance.iam_instance_profile_arn holds).",
            |r| r.item.text("Arn"),
        ),
        col("path", Text, "The path.", |r| r.item.text("Path")),
        col(
            "create_date",
            Timestamp,
            "When the profile was created.",
            |r| r.item.timestamp("CreateDate"),
        ),
        col(
            "role_names",
            TextList,
            "The roles in the profile (at most one).",
            |r| r.item.text_list("Roles", Some("RoleName")),
        ),
        col("role_arns", TextList, "The ARNs of those roles.", |r| {
            r.item.text_list("Roles", Some("Arn"))
        }),
        ACCOUNT_ID,
        REGION,
    ],
};
