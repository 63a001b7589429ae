/*
title = "Security groups should not open commonly attacked TCP ports to the internet"
severity = "high"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = []
rationale = """
FTP, RDP, MySQL and similar services are scanned for constantly. The ports checked are a parameter
(AWS Config's restricted-common-ports rule uses the same default list).
"""
[remediation]
console = "VPC console → Security groups → the group → Inbound rules → Edit → restrict the listed ports to trusted CIDRs or security groups."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=PORT,ToPort=PORT,IpRanges=[{CidrIp=0.0.0.0/0}]"

[[parameters]]
name = "blockedPorts"
type = "port_list"
default = "20,21,3389,3306,4333"
description = "TCP ports (or ranges like 1020-1025) that must not be open to the internet."
*/
with open_rules as (
  select group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct 'tcp ' || ports_covered(from_port, to_port, $blockedPorts) || ' from ' || coalesce(cidr_ipv4, cidr_ipv6))), ', ') as rules
  from ec2_security_group_rule
  where not is_egress and is_world_open
    and ip_protocol in ('tcp', 'all') and ports_covered(from_port, to_port, $blockedPorts) is not null
  group by group_id, account_id, region
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when o.rules is null then 'ok' else 'alarm' end as status,
  case
    when o.rules is null then g.group_id || ' opens none of tcp ' || $blockedPorts || ' to the internet.'
    else g.group_id || ' opens blocked ports to the internet: ' || o.rules || '.'
  end as reason,
  g.account_id,
  g.region
from ec2_security_group g
left join open_rules o on o.group_id = g.group_id and o.account_id = g.account_id and o.region = g.region
