/*
title = "Security groups should not allow ingress from the whole internet"
severity = "medium"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = ["exposure"]
rationale = """
Every world-open ingress rule is attack surface that must be justified; Security Hub's exposure
findings count it as the "open security group" trait. Public web front ends belong behind a load
balancer whose group is the only one open to the world.
"""
[remediation]
console = "VPC console → Security groups → the group → Inbound rules → Edit → replace 0.0.0.0/0 and ::/0 with trusted CIDRs, prefix lists or security groups."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=PROTOCOL,FromPort=FROM,ToPort=TO,IpRanges=[{CidrIp=0.0.0.0/0}]"
*/
with open_rules as (
  select arn, group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct rule) filter (where rule is not null)), ', ') as rules
  from ec2_security_group_world_ingress
  group by arn, group_id, account_id, region
)
select
  arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  group_id as resource_id,
  case when rules is null then 'ok' else 'alarm' end as status,
  case
    when rules is null then group_id || ' allows no ingress from 0.0.0.0/0 or ::/0.'
    else group_id || ' allows ingress from the internet: ' || rules || '.'
  end as reason,
  account_id,
  region
from open_rules
