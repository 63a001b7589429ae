/*
title = "Security groups should not allow SSH from the internet"
severity = "high"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = ["fsbp:EC2.13", "exposure"]
rationale = """
SSH open to 0.0.0.0/0 or ::/0 invites credential stuffing and exploitation of sshd from anywhere.
An all-traffic rule from the world opens SSH too. Use Session Manager, or restrict SSH to known
CIDRs or a prefix list.
"""
[remediation]
console = "VPC console → Security groups → the group → Inbound rules → Edit → delete or narrow the rule covering tcp 22 from 0.0.0.0/0 or ::/0."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]"
ssm_document = "AWS-DisablePublicAccessForSecurityGroup"
ssm_resource_parameter = "GroupId"
*/
with open_rules as (
  select group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct port_text(ip_protocol, from_port, to_port) || ' from ' || coalesce(cidr_ipv4, cidr_ipv6))), ', ') as rules
  from ec2_security_group_rule
  where not is_egress and is_world_open
    and ip_protocol in ('tcp', 'all') and from_port <= 22 and to_port >= 22
  group by group_id, account_id, region
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when o.rules is null then 'ok' else 'alarm' end as status,
  case
    when o.rules is null then g.group_id || ' does not open tcp 22 to 0.0.0.0/0 or ::/0.'
    else g.group_id || ' opens SSH to the internet: ' || o.rules || '.'
  end as reason,
  g.account_id,
  g.region
from ec2_security_group g
left join open_rules o on o.group_id = g.group_id and o.account_id = g.account_id and o.region = g.region
