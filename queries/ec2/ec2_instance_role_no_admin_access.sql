/*
title = "EC2 instance roles should not have administrative access"
severity = "critical"
resource_type = "AWS::EC2::Instance"
trigger = "change"
depends_on = ["AWS::IAM::Role", "AWS::IAM::Policy"]
frameworks = ["exposure"]
rationale = """
Anyone who runs code on the instance, or reads its metadata service, holds its role. A role with
AdministratorAccess, IAMFullAccess, or any policy that allows `*` on `*` (or NotAction on `*`)
turns one compromised instance into a compromised account. Only the role's attached and inline
policies grant permissions; its trust policy does not.
"""
[remediation]
console = "IAM console → Roles → the instance's role → Permissions → detach AdministratorAccess/IAMFullAccess and remove admin statements; grant only the actions the workload uses (IAM Access Analyzer can generate a policy from CloudTrail activity)."
cli = "aws iam detach-role-policy --role-name ROLE_NAME --policy-arn arn:aws:iam::aws:policy/AdministratorAccess"
*/
with admin_policies as (
  -- By ARN, so the two AWS managed policies count even when IAM policies were not loaded;
  -- min() keeps one finding per policy when its document also matches.
  select arn, min(finding) as finding
  from (
    select 'arn:aws:iam::aws:policy/AdministratorAccess' as arn, 'AdministratorAccess' as finding
    union all
    select 'arn:aws:iam::aws:policy/IAMFullAccess', 'IAMFullAccess'
    union all
    select policy_arn, 'policy ' || policy_name || case when bool_or(condition is not null) then ' (admin statement with a Condition)' else ' (admin statement)' end
    from iam_policy_statement
    where policy_type = 'managed' and iam_is_admin(effect, actions, not_actions, resources)
    group by policy_arn, policy_name
  )
  group by arn
),
role_findings as (
  select a.role_arn, a.account_id, p.finding
  from iam_role_policy_attachment a
  join admin_policies p on p.arn = a.policy_arn
  union all
  select role_arn, account_id, 'inline policy ' || policy_name || case when bool_or(condition is not null) then ' (admin statement with a Condition)' else ' (admin statement)' end
  from iam_policy_statement
  where policy_type = 'inline' and iam_is_admin(effect, actions, not_actions, resources)
  group by role_arn, account_id, policy_name
),
-- Evidence that could not be read: an attached customer managed policy that is not loaded or
-- whose default document is unreadable, an unreadable inline policy.
unreadable as (
  select a.role_arn, a.account_id,
         'policy ' || a.policy_arn || coalesce(': ' || p.document_problem, ' is not in the inventory') as gap
  from iam_role_policy_attachment a
  left join iam_policy p on p.arn = a.policy_arn
  where (p.arn is null and a.policy_arn not like 'arn:%:iam::aws:policy/%') or p.document_problem is not null
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
    when findings <> '' then instance_id || ' role ' || role_arn || ' has administrative access: ' || findings || '.'
    when gaps <> '' then instance_id || ' role ' || role_arn || ': ' || gaps || '.'
    else instance_id || ' role ' || role_arn || ' has no administrative policy.'
  end as reason,
  account_id,
  region
from verdicts
