/*
title = "Stopped EC2 instances should be removed after a number of days"
severity = "medium"
resource_type = "AWS::EC2::Instance"
trigger = "periodic"
frameworks = ["fsbp:EC2.4"]
rationale = """
A long-stopped instance is forgotten: it misses patches, keeps its volumes, roles and security
groups, and comes back outdated when someone starts it. Terminate it, or keep an AMI instead.
The stop time is AWS's state transition time; "now" is the check's as-of time.
"""
[remediation]
console = "EC2 console → Instances → filter Instance state = stopped → create an AMI if needed → Instance state → Terminate instance."
cli = "aws ec2 terminate-instances --instance-ids INSTANCE_ID"

[[parameters]]
name = "allowedDays"
type = "int"
default = "30"
description = "Days an instance may stay stopped."
*/
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case
    when instance_state <> 'stopped' then 'skip'
    when state_transition_time is null then 'alarm'
    when date_part('day', cast($as_of as timestamp) - cast(state_transition_time as timestamp)) > cast($allowedDays as bigint) then 'alarm'
    else 'ok'
  end as status,
  case
    when instance_state <> 'stopped' then instance_id || ' is ' || coalesce(instance_state, 'in an unknown state') || ', not stopped.'
    when state_transition_time is null then instance_id || ' is stopped and AWS reports no stop time.'
    else instance_id || ' has been stopped since ' || date_format(state_transition_time, '%Y-%m-%d') || ', '
         || cast(date_part('day', cast($as_of as timestamp) - cast(state_transition_time as timestamp)) as bigint) || ' days (allowed: ' || cast($allowedDays as bigint) || ').'
  end as reason,
  account_id,
  region,
  tags
from ec2_instance
