/*
title = "Customer managed IAM policies should not allow a service's every action on every resource"
severity = "medium"
resource_type = "AWS::IAM::Policy"
trigger = "change"
frameworks = ["fsbp:IAM.21"]
rationale = """
`service:*` on `*` grants every current and future action of the service, across the account.
Name the actions and resources. Only the default version counts.
"""
[remediation]
console = "IAM console → Policies → the policy → Edit → replace `service:*` with the needed actions, and `*` with the resources → Save."
cli = "aws iam create-policy-version --policy-arn POLICY_ARN --policy-document file://least-privilege.json --set-as-default"
*/
with wildcards as (
  select policy_arn, array_to_string(array_sort(array_agg(distinct iam_service_wildcards(effect, actions, not_actions, resources))), ', ') as grants
  from iam_policy_statement
  where policy_type = 'managed' and iam_service_wildcards(effect, actions, not_actions, resources) is not null
  group by policy_arn
)
select
  p.arn as resource,
  'AWS::IAM::Policy' as resource_type,
  coalesce(p.policy_id, p.arn) as resource_id, -- the id (what AWS Config names), else the ARN if the source left it out
  case
    when w.policy_arn is not null then 'alarm'
    when p.document_problem is not null then 'unverified'
    else 'ok'
  end as status,
  case
    when w.policy_arn is null and p.document_problem is not null then coalesce(p.policy_name, p.arn) || ': ' || p.document_problem || ', so its statements could not be checked.'
    when w.policy_arn is null then coalesce(p.policy_name, p.arn) || ' grants no service-wide wildcard on all resources.'
    else coalesce(p.policy_name, p.arn) || ' grants ' || w.grants || ' on all resources.'
  end as reason,
  p.account_id,
  p.region,
  p.tags
from iam_policy p
left join wildcards w on w.policy_arn = p.arn
where not p.is_aws_managed
