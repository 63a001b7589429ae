/*
title = "Unused security groups should be removed"
severity = "low"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
depends_on = ["AWS::EC2::NetworkInterface", "AWS::EC2::Instance"]
frameworks = ["fsbp:EC2.22"]
rationale = """
A group attached to no network interface still carries rules that someone may reuse by mistake,
and clutters reviews. Default groups cannot be deleted and are out of scope.
"""
[remediation]
console = "VPC console → Security groups → select the group → Actions → Delete security groups (check it is not referenced by other groups first)."
cli = "aws ec2 delete-security-group --group-id GROUP_ID"
ssm_document = "AWSConfigRemediation-DeleteUnusedSecurityGroup"
ssm_resource_parameter = "GroupId"
*/
with used as (
  select distinct group_id, account_id, region
  from (select unnest(security_group_ids) as group_id, account_id, region from ec2_network_interface
        union all
        select unnest(security_group_ids) as group_id, account_id, region from ec2_instance where instance_state <> 'terminated')
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when g.is_default then 'skip' when u.group_id is null then 'alarm' else 'ok' end as status,
  case
    when g.is_default then g.group_id || ' is a default security group.'
    when u.group_id is null then g.group_id || coalesce(' (' || g.group_name || ')', '') || ' is attached to no network interface.'
    else g.group_id || coalesce(' (' || g.group_name || ')', '') || ' is in use.'
  end as reason,
  g.account_id,
  g.region,
  g.tags
from ec2_security_group g
left join used u on u.group_id = g.group_id and u.account_id = g.account_id and u.region = g.region
