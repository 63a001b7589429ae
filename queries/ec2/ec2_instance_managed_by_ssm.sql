/*
title = "EC2 instances should be managed by AWS Systems Manager"
severity = "medium"
resource_type = "AWS::EC2::Instance"
trigger = "periodic"
frameworks = ["fsbp:SSM.1"]
rationale = """
An instance that Systems Manager does not manage cannot be patched by Patch Manager, inventoried
or reached by Session Manager, so its vulnerabilities stay open. An instance is managed when it is
listed by describe-instance-information with an agent that is online; one whose agent lost its
connection is not managed in practice. A stopped instance's agent cannot report and is skipped.
"""
[remediation]
console = "Systems Manager console → Quick Setup → Host Management (or Fleet Manager): attach a role with AmazonSSMManagedInstanceCore to the instance's profile and make sure the SSM Agent runs and reaches the Systems Manager endpoints."
cli = "aws ec2 associate-iam-instance-profile --instance-id INSTANCE_ID --iam-instance-profile Name=PROFILE_WITH_AmazonSSMManagedInstanceCore"
*/
select
  i.arn as resource,
  'AWS::EC2::Instance' as resource_type,
  i.instance_id as resource_id,
  case
    when i.instance_state in ('terminated', 'stopped', 'stopping', 'shutting-down') then 'skip'
    when m.ping_status = 'Online' then 'ok'
    else 'alarm'
  end as status,
  case
    when i.instance_state in ('terminated', 'stopped', 'stopping', 'shutting-down') then i.instance_id || ' is ' || i.instance_state || '.'
    when m.ping_status = 'Online' then i.instance_id || ' is managed by Systems Manager (agent ' || coalesce(m.agent_version, 'of unknown version') || ', online).'
    when m.instance_id is null then i.instance_id || ' is not managed by Systems Manager: describe-instance-information does not list it.'
    else i.instance_id || ' is registered with Systems Manager but its agent is ' || coalesce(m.ping_status, 'of unknown status') || coalesce(' since ' || cast(m.last_ping_date_time as text), '') || '.'
  end as reason,
  i.account_id,
  i.region,
  i.tags
from ec2_instance i
left join ssm_managed_instance m on m.instance_id = i.instance_id and m.account_id = i.account_id and m.region = i.region
