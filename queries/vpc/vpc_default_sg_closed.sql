/*
title = "VPC default security groups should allow no traffic"
severity = "medium"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = ["fsbp:EC2.2", "cis:6.5"]
rationale = """
Resources launched without an explicit group land in the VPC's default group, whose default
rules let them talk to each other and out to anywhere. With no rules at all, forgetting to choose
a group fails closed.
"""
[remediation]
console = "VPC console → Security groups → the VPC's `default` group → delete every inbound and outbound rule (move resources to purpose-built groups first)."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions '[{\"IpProtocol\":\"-1\",\"UserIdGroupPairs\":[{\"GroupId\":\"GROUP_ID\"}]}]' && aws ec2 revoke-security-group-egress --group-id GROUP_ID --ip-permissions '[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]'"
ssm_document = "AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules"
ssm_resource_parameter = "GroupId"
*/
select
  arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  group_id as resource_id,
  case
    when not is_default then 'skip'
    when ingress_permission_count + egress_permission_count > 0 then 'alarm'
    else 'ok'
  end as status,
  case
    when not is_default then group_id || ' is not a default security group.'
    when ingress_permission_count + egress_permission_count > 0
      then group_id || coalesce(' (default group of ' || vpc_id || ')', '') || ' has ' || ingress_permission_count || ' inbound and ' || egress_permission_count || ' outbound permissions.'
    else group_id || coalesce(' (default group of ' || vpc_id || ')', '') || ' has no rules.'
  end as reason,
  account_id,
  region,
  tags
from ec2_security_group
