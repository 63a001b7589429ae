/*
title = "EC2 instance roles should not grant a service's every action on every resource"
severity = "high"
resource_type = "AWS::EC2::Instance"
trigger = "change"
depends_on = ["AWS::IAM::Role", "AWS::IAM::Policy"]
frameworks = ["exposure"]
rationale = """
A statement such as `s3:*` on `*` lets whoever holds the instance's credentials read, change and
delete everything of that service in the account. AWS managed policies count by their documents,
so they must be in the inventory (`iam get-account-authorization-details` includes them).
"""
[remediation]
console = "IAM console → Roles → the instance's role → Permissions → replace `service:*` on `*` with the actions and resources the workload uses."
cli = "aws iam put-role-policy --role-name ROLE_NAME --policy-name POLICY_NAME --policy-document file://least-privilege.json"
*/
with wildcard_policies as (
  select policy_arn as arn, policy_name,
         array_to_string(array_sort(array_agg(distinct iam_service_wildcards(effect, actions, not_actions, resources))), ', ') as grants
  from iam_policy_statement
  where policy_type = 'managed' and iam_service_wildcards(effect, actions, not_actions, resources) is not null
  group by policy_arn, policy_name
),
role_findings as (
  select a.role_arn, a.account_id, 'policy ' || p.policy_name || ' (' || p.grants || ')' as finding
  from iam_role_policy_attachment a
  join wildcard_policies p on p.arn = a.policy_arn
  union all
  select role_arn, account_id, 'inline policy ' || policy_name || ' (' || array_to_string(array_sort(array_agg(distinct iam_service_wildcards(effect, actions, not_actions, resources))), ', ') || ')'
  from iam_policy_statement
  where policy_type = 'inline' and iam_service_wildcards(effect, actions, not_actions, resources) is not null
  group by role_arn, account_id, policy_name
),
-- Evidence that could not be read: an attached policy (AWS managed ones too: their grants come from their documents) that is not loaded or
-- whose default document is unreadable, an unreadable inline policy.
unreadable as (
  select a.role_arn, a.account_id,
         'policy ' || a.policy_arn || coalesce(': ' || p.document_problem, ' is not in the inventory') as gap
  from iam_role_policy_attachment a
  left join iam_policy p on p.arn = a.policy_arn
  where p.arn is null or p.document_problem is not null
  union all
  select role_arn, account_id, 'inline policy ' || problem
  from (select arn as role_arn, account_id, unnest(inline_policy_problems) as problem from iam_role)
),
instance_roles as (
  select i.arn, i.instance_id, i.instance_state, i.iam_instance_profile_arn, i.account_id, i.region,
         p.arn as profile_found, p.role_arns[1] as role_arn
  from ec2_instance i
  left join iam_instance_profile p on p.arn = i.iam_instance_profile_arn and p.account_id = i.account_id
),
verdicts as (
  select r.arn, r.instance_id, r.instance_state, r.iam_instance_profile_arn, r.profile_found, r.role_arn, r.account_id, r.region,
         array_to_string(array_sort(array_agg(distinct f.finding) filter (where f.finding is not null)), '; ') as findings,
         array_to_string(array_sort(array_agg(distinct u.gap) filter (where u.gap is not null)), '; ') as gaps
  from instance_roles r
  left join role_findings f on f.role_arn = r.role_arn and f.account_id = r.account_id
  left join unreadable u on u.role_arn = r.role_arn and u.account_id = r.account_id
  group by r.arn, r.instance_id, r.instance_state, r.iam_instance_profile_arn, r.profile_found, r.role_arn, r.account_id, r.region
)
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case
    when instance_state = 'terminated' then 'skip'
    when iam_instance_profile_arn is null then 'skip'
    when profile_found is null then 'unverified'
    when role_arn is null then 'skip'
    when findings <> '' then 'alarm'
    when gaps <> '' then 'unverified'
    else 'ok'
  end as status,
  case
    when instance_state = 'terminated' then instance_id || ' is terminated.'
    when iam_instance_profile_arn is null then instance_id || ' has no instance profile.'
    when profile_found is null then instance_id || ': instance profile ' || iam_instance_profile_arn || ' is not in the inventory (load IAM).'
    when role_arn is null then instance_id || ': instance profile ' || iam_instance_profile_arn || ' has no role.'
    when findings <> '' then instance_id || ' role ' || role_arn || ' grants service-wide access: ' || findings || '.'
    when gaps <> '' then instance_id || ' role ' || role_arn || ': ' || gaps || '.'
    else instance_id || ' role ' || role_arn || ' grants no service-wide wildcard on all resources.'
  end as reason,
  account_id,
  region
from verdicts
