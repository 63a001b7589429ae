-- ec2_instance_role_admin: the instance-role controls' verdicts, two rows per instance (one for
-- each policy_check), in the controls' row shape. Registered as a view by posture_queries::views.
--   policy_check: 'admin', full administrative access (AdministratorAccess, IAMFullAccess, admin
--     statements); 'service_admin', policies granting a service's every action on every resource.
--   status: skip or unverified when there is no role to judge (terminated, no instance profile, a
--     profile missing from the inventory or without a role); else alarm on a finding; else
--     unverified when a policy's statements could not be read; else ok.
--   found: the findings, '; '-separated and sorted; subject: '<instance> role <role arn>'.
--   problem: the reason when the role could not be judged, else null.
-- 'admin' judges AWS managed policies by ARN (AdministratorAccess, IAMFullAccess), so one missing
-- from the inventory leaves no gap for it; 'service_admin' needs every policy's document. Only the
-- role's permission policies count; its trust policy does not.
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
  select i.arn, i.instance_id, i.instance_state, i.iam_instance_profile_arn, i.tags, i.account_id, i.region,
         p.arn as profile_found, p.role_arns[1] as role_arn
  from ec2_instance i
  left join iam_instance_profile p on p.arn = i.iam_instance_profile_arn and p.account_id = i.account_id
),
instances as (
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
    first_value(r.tags) as tags,
    r.account_id,
    r.region
  from instance_roles r
  left join policy_findings f on f.role_arn = r.role_arn and f.account_id = r.account_id
  left join unreadable u on u.role_arn = r.role_arn and u.account_id = r.account_id
  group by r.arn, r.instance_id, r.instance_state, r.iam_instance_profile_arn, r.profile_found, r.role_arn, r.account_id, r.region
),
checks as (
  select *, 'admin' as policy_check, admin as found, gaps_except_unloaded_aws_policies as unread from instances
  union all
  select *, 'service_admin' as policy_check, service_admin as found, gaps as unread from instances
)
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  policy_check,
  case
    when unjudged_status is not null then unjudged_status
    when found <> '' then 'alarm'
    when unread <> '' then 'unverified'
    else 'ok'
  end as status,
  case
    when unjudged_status is not null then unjudged_reason
    when found <> '' then null
    when unread <> '' then instance_id || ' role ' || role_arn || ': ' || unread || '.'
  end as problem,
  instance_id || ' role ' || role_arn as subject,
  found,
  tags,
  account_id,
  region
from checks
