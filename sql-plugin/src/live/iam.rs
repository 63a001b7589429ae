//! IAM through `GetAccountAuthorizationDetails`: every role and managed policy, with their
//! inline and attached policies, in ⌈entities / 1000⌉ calls instead of calls per role.

use aws_sdk_iam::types::{EntityType, Tag};
use serde_json::{Value, json};

use super::{Call, LiveError, object, time};
use crate::inventory::Kind;

fn tags(tags: &[Tag]) -> Value {
    tags.iter()
        .map(|t| json!({"Key": t.key(), "Value": t.value()}))
        .collect()
}

/// The roles and/or managed policies (AWS and customer managed) of the account.
pub async fn authorization_details(
    call: &Call<'_>,
    kinds: &[Kind],
) -> Result<Vec<(Kind, Value)>, LiveError> {
    let mut filters = Vec::new();
    if kinds.contains(&Kind::Role) {
        filters.push(EntityType::Role);
    }
    if kinds.contains(&Kind::Policy) {
        filters.extend([EntityType::LocalManagedPolicy, EntityType::AwsManagedPolicy]);
    }
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        call.permit("GetAccountAuthorizationDetails").await;
        let page = call
            .account
            .iam
            .get_account_authorization_details()
            .set_filter(Some(filters.clone()))
            .max_items(1000)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| LiveError::from_sdk(e).during("GetAccountAuthorizationDetails"))?;
        out.extend(
            page.role_detail_list()
                .iter()
                .map(|r| (Kind::Role, object(role(r)))),
        );
        out.extend(
            page.policies()
                .iter()
                .map(|p| (Kind::Policy, object(policy(p)))),
        );
        marker = page
            .marker()
            .filter(|_| page.is_truncated())
            .map(str::to_string);
        if marker.is_none() {
            return Ok(out);
        }
    }
}

fn role(r: &aws_sdk_iam::types::RoleDetail) -> Value {
    json!({
        "Path": r.path(), "RoleName": r.role_name(), "RoleId": r.role_id(), "Arn": r.arn(), "CreateDate": time(r.create_date()),
        "AssumeRolePolicyDocument": r.assume_role_policy_document(),
        "InstanceProfileList": r.instance_profile_list().iter().map(|p| json!({
            "Path": p.path(), "InstanceProfileName": p.instance_profile_name(), "InstanceProfileId": p.instance_profile_id(), "Arn": p.arn(),
            "CreateDate": time(Some(p.create_date())),
            "Roles": p.roles().iter().map(|r| json!({"Path": r.path(), "RoleName": r.role_name(), "RoleId": r.role_id(), "Arn": r.arn()})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "RolePolicyList": r.role_policy_list().iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()})).collect::<Vec<_>>(),
        "AttachedManagedPolicies": r.attached_managed_policies().iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()})).collect::<Vec<_>>(),
        "PermissionsBoundary": r.permissions_boundary().map(|b| json!({"PermissionsBoundaryType": b.permissions_boundary_type().map(|t| t.as_str()), "PermissionsBoundaryArn": b.permissions_boundary_arn()})),
        "RoleLastUsed": r.role_last_used().map(|u| json!({"LastUsedDate": time(u.last_used_date()), "Region": u.region()})),
        "Tags": tags(r.tags()),
    })
}

fn policy(p: &aws_sdk_iam::types::ManagedPolicyDetail) -> Value {
    json!({
        "PolicyName": p.policy_name(), "PolicyId": p.policy_id(), "Arn": p.arn(), "Path": p.path(), "DefaultVersionId": p.default_version_id(),
        "AttachmentCount": p.attachment_count(), "PermissionsBoundaryUsageCount": p.permissions_boundary_usage_count(), "IsAttachable": p.is_attachable(),
        "Description": p.description(), "CreateDate": time(p.create_date()), "UpdateDate": time(p.update_date()),
        "PolicyVersionList": p.policy_version_list().iter().map(|v| json!({
            "Document": v.document(), "VersionId": v.version_id(), "IsDefaultVersion": v.is_default_version(), "CreateDate": time(v.create_date()),
        })).collect::<Vec<_>>(),
    })
}
