/*
title = "Security groups should not allow RDP from the internet"
severity = "high"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = ["fsbp:EC2.14"]
rationale = """
RDP (tcp and udp 3389) open to the world is one of the most attacked services on the internet.
Use Fleet Manager or a bastion reached through Session Manager, or restrict to known CIDRs.
"""
[remediation]
console = "VPC console → Security groups → the group → Inbound rules → Edit → delete or narrow rules covering tcp/udp 3389 from 0.0.0.0/0 or ::/0."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=3389,ToPort=3389,IpRanges=[{CidrIp=0.0.0.0/0}]"
ssm_document = "AWS-DisablePublicAccessForSecurityGroup"
ssm_resource_parameter = "GroupId"
*/
with open_rules as (
  select group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct port_text(ip_protocol, from_port, to_port) || ' from ' || coalesce(cidr_ipv4, cidr_ipv6))), ', ') as rules
  from ec2_security_group_rule
  where not is_egress and is_world_open
    and ip_protocol in ('tcp', 'udp', 'all') and from_port <= 3389 and to_port >= 3389
  group by group_id, account_id, region
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when o.rules is null then 'ok' else 'alarm' end as status,
  case
    when o.rules is null then g.group_id || ' does not open tcp or udp 3389 to 0.0.0.0/0 or ::/0.'
    else g.group_id || ' opens RDP to the internet: ' || o.rules || '.'
  end as reason,
  g.account_id,
  g.region
from ec2_security_group g
left join open_rules o on o.group_id = g.group_id and o.account_id = g.account_id and o.region = g.region
