/*
title = "At least one multi-region CloudTrail trail should be logging"
severity = "high"
resource_type = "AWS::::Account"
trigger = "periodic"
frameworks = ["fsbp:CloudTrail.1", "cis:4.1"]
rationale = """
Without a logging multi-region trail, API activity in some regions — often the ones nobody
watches, where attackers start crypto miners — is not recorded.
"""
[remediation]
console = "CloudTrail console → Trails → Create trail (or edit one) → Enable for all accounts/regions → Management events: Read and Write → Start logging."
cli = "aws cloudtrail create-trail --name TRAIL_NAME --s3-bucket-name BUCKET --is-multi-region-trail && aws cloudtrail start-logging --name TRAIL_NAME"
*/
with accounts as (
  select distinct account_id from ec2_regional_settings
  union select distinct account_id from ec2_instance
  union select distinct account_id from vpc
  union select distinct account_id from iam_role
  union select distinct account_id from cloudtrail_trail
),
trails as (
  select account_id,
         array_to_string(array_sort(array_agg(name) filter (where is_multi_region_trail and is_logging)), ', ') as logging,
         array_to_string(array_sort(array_agg(name) filter (where is_multi_region_trail and is_logging is null)), ', ') as unknown
  from cloudtrail_trail
  group by account_id
)
select
  'arn:aws:cloudtrail::' || a.account_id || ':account' as resource,
  'AWS::::Account' as resource_type,
  a.account_id as resource_id,
  case when t.logging <> '' then 'ok' else 'alarm' end as status,
  case
    when t.logging <> '' then 'Multi-region trail ' || t.logging || ' is logging.'
    when t.unknown <> '' then 'No multi-region trail is known to be logging: the status of ' || t.unknown || ' is not in the inventory.'
    else 'Account ' || a.account_id || ' has no logging multi-region trail.'
  end as reason,
  a.account_id,
  'global' as region
from accounts a
left join trails t on t.account_id = a.account_id
