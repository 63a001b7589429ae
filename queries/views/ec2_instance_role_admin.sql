-- ec2_instance_role_admin: one row per instance: its role, what the role's attached and inline
-- policies grant beyond least privilege, and what could not be read. Registered as a view by
-- posture_queries::views; the instance-role controls judge from it.
--   unjudged_status, unjudged_reason: the verdict when there is no role to judge (terminated, no
--     instance profile, a profile missing from the inventory or without a role), else null.
--   admin: full administrative access (AdministratorAccess, IAMFullAccess, admin statements).
--   service_admin: policies granting a service's every action on every resource, with the grants.
--   gaps: attached or inline policies whose statements could not be read.
--   gaps_except_unloaded_aws_policies: the same without AWS managed policies missing from the
--     inventory, for judging those by their ARN.
-- The lists are '; '-separated and sorted, null when empty. Only the role's permission policies
-- count; its trust policy does not.
with role_statements as (
  -- Attached managed policies by ARN (one row without a statement when the policy is not
  -- loaded), inline policies by role.
  select a.role_arn, a.account_id, a.policy_arn, 'policy ' || s.policy_name as policy,
         s.effect, s.actions, s.not_actions, s.resources, s.condition
  from iam_role_policy_attachment a
  left join iam_policy_statement s on s.policy_arn = a.policy_arn and s.policy_type = 'managed'
  union all
  select role_arn, account_id, null, 'inline policy ' || policy_name,
         effect, actions, not_actions, resources, condition
  from iam_policy_statement
  where policy_type = 'inline'
),
judged_statements as (
  select role_arn, account_id, policy_arn, policy, condition,
         iam_is_admin(effect, actions, not_actions, resources) as is_admin,
         iam_service_wildcards(effect, actions, not_actions, resources) as wildcards
  from role_statements
),
policy_findings as (
  -- The two AWS managed admin policies count by ARN, even when IAM policies were not loaded.
  select role_arn, account_id,
         case
           when policy_arn = 'arn:aws:iam::aws:policy/AdministratorAccess' then 'AdministratorAccess'
           when policy_arn = 'arn:aws:iam::aws:policy/IAMFullAccess' then 'IAMFullAccess'
           when bool_or(is_admin) then policy || case when bool_or(is_admin and condition is not null) then ' (admin statement with a Condition)' else ' (admin statement)' end
         end as admin,
         policy || ' (' || array_to_string(array_sort(array_agg(distinct wildcards) filter (where wildcards is not null)), ', ') || ')' as service_admin
  from judged_statements
  group by role_arn, account_id, policy_arn, policy
),
-- Evidence that could not be read: an attached policy that is not loaded or whose default
-- document is unreadable, an unreadable inline policy.
unreadable as (
  select a.role_arn, a.account_id,
         'policy ' || a.policy_arn || coalesce(': ' || p.document_problem, ' is not in the inventory') as gap,
         p.arn is null and a.policy_arn like 'arn:%:iam::aws:policy/%' as unloaded_aws_policy
  from iam_role_policy_attachment a
  left join iam_policy p on p.arn = a.policy_arn
  where p.arn is null or p.document_problem is not null
  union all
  select role_arn, account_id, 'inline policy ' || problem, false
  from (select arn as role_arn, account_id, unnest(inline_policy_problems) as problem from iam_role)
),
instance_roles as (
  select i.arn, i.instance_id, i.instance_state, i.iam_instance_profile_arn, i.account_id, i.region,
         p.arn as profile_found, p.role_arns[1] as role_arn
  from ec2_instance i
  left join iam_instance_profile p on p.arn = i.iam_instance_profile_arn and p.account_id = i.account_id
)
select
  r.arn,
  r.instance_id,
  r.role_arn,
  case
    when r.instance_state = 'terminated' then 'skip'
    when r.iam_instance_profile_arn is null then 'skip'
    when r.profile_found is null then 'unverified'
    when r.role_arn is null then 'skip'
  end as unjudged_status,
  case
    when r.instance_state = 'terminated' then r.instance_id || ' is terminated.'
    when r.iam_instance_profile_arn is null then r.instance_id || ' has no instance profile.'
    when r.profile_found is null then r.instance_id || ': instance profile ' || r.iam_instance_profile_arn || ' is not in the inventory (load IAM).'
    when r.role_arn is null then r.instance_id || ': instance profile ' || r.iam_instance_profile_arn || ' has no role.'
  end as unjudged_reason,
  array_to_string(array_sort(array_agg(distinct f.admin) filter (where f.admin is not null)), '; ') as admin,
  array_to_string(array_sort(array_agg(distinct f.service_admin) filter (where f.service_admin is not null)), '; ') as service_admin,
  array_to_string(array_sort(array_agg(distinct u.gap) filter (where u.gap is not null)), '; ') as gaps,
  array_to_string(array_sort(array_agg(distinct u.gap) filter (where u.gap is not null and not u.unloaded_aws_policy)), '; ') as gaps_except_unloaded_aws_policies,
  r.account_id,
  r.region
from instance_roles r
left join policy_findings f on f.role_arn = r.role_arn and f.account_id = r.account_id
left join unreadable u on u.role_arn = r.role_arn and u.account_id = r.account_id
group by r.arn, r.instance_id, r.instance_state, r.iam_instance_profile_arn, r.profile_found, r.role_arn, r.account_id, r.region
