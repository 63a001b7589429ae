/*
title = "Customer managed IAM policies should not allow full administrative access"
severity = "high"
resource_type = "AWS::IAM::Policy"
trigger = "change"
frameworks = ["fsbp:IAM.1"]
rationale = """
A policy that allows `*` on `*` (or NotAction on `*`) grants everything, including IAM itself: one
attachment makes a principal an administrator. Conditions do not make it safe, but the finding
names them. Only the default version counts.
"""
[remediation]
console = "IAM console → Policies → the policy → Edit → replace the admin statement with the actions and resources needed → Save (this creates the new default version)."
cli = "aws iam create-policy-version --policy-arn POLICY_ARN --policy-document file://least-privilege.json --set-as-default"
*/
with admin as (
  select policy_arn, bool_or(condition is not null) as conditional, count(*) as statements
  from iam_policy_statement
  where policy_type = 'managed' and iam_is_admin(effect, actions, not_actions, resources)
  group by policy_arn
)
select
  p.arn as resource,
  'AWS::IAM::Policy' as resource_type,
  coalesce(p.policy_id, p.arn) as resource_id, -- the id (what AWS Config names), else the ARN if the source left it out
  case
    when a.policy_arn is not null then 'alarm'
    when p.document_problem is not null then 'unverified'
    else 'ok'
  end as status,
  case
    when a.policy_arn is null and p.document_problem is not null then coalesce(p.policy_name, p.arn) || ': ' || p.document_problem || ', so its statements could not be checked.'
    when a.policy_arn is null then coalesce(p.policy_name, p.arn) || ' (default version ' || coalesce(p.default_version_id, '?') || ') has no admin statement.'
    else coalesce(p.policy_name, p.arn) || ' (default version ' || coalesce(p.default_version_id, '?') || ') allows * on *' || case when a.conditional then ', under a Condition' else '' end || '.'
  end as reason,
  p.account_id,
  p.region,
  p.tags
from iam_policy p
left join admin a on a.policy_arn = p.arn
where not p.is_aws_managed
