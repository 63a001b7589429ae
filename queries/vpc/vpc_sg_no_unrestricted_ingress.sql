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
  select group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct port_text(ip_protocol, from_port, to_port) || ' from ' || coalesce(cidr_ipv4, cidr_ipv6))), ', ') as rules
  from ec2_security_group_rule
  where not is_egress and is_world_open
  group by group_id, account_id, region
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when o.rules is null then 'ok' else 'alarm' end as status,
  case
    when o.rules is null then g.group_id || ' allows no ingress from 0.0.0.0/0 or ::/0.'
    else g.group_id || ' allows ingress from the internet: ' || o.rules || '.'
  end as reason,
  g.account_id,
  g.region
from ec2_security_group g
left join open_rules o on o.group_id = g.group_id and o.account_id = g.account_id and o.region = g.region
