/*
title = "Security groups should open only authorized ports to the internet"
severity = "high"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = ["fsbp:EC2.18"]
rationale = """
Whatever a group opens to 0.0.0.0/0 or ::/0 should be a deliberate, short list (by default, HTTP
and HTTPS). A range such as 80-65535 is not "80 and 443", and all traffic never is. Groups with
no world-open rule are not in scope.
"""
[remediation]
console = "VPC console → Security groups → the group → Inbound rules → Edit → narrow world-open rules to the authorized ports."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=FROM,ToPort=TO,IpRanges=[{CidrIp=0.0.0.0/0}]"

[[parameters]]
name = "authorizedTcpPorts"
type = "port_list"
default = "80,443"
description = "TCP ports or ranges (1020-1025) that may be open to the internet."

[[parameters]]
name = "authorizedUdpPorts"
type = "port_list"
default = ""
description = "UDP ports or ranges that may be open to the internet."
*/
with world as (
  select group_id, account_id, region, ip_protocol, coalesce(cidr_ipv4, cidr_ipv6) as source,
         case
           when ip_protocol = 'all' then 'all traffic'
           when ip_protocol = 'tcp' and ports_outside(from_port, to_port, $authorizedTcpPorts) is not null
             then 'tcp ' || ports_outside(from_port, to_port, $authorizedTcpPorts)
           when ip_protocol = 'udp' and ports_outside(from_port, to_port, $authorizedUdpPorts) is not null
             then 'udp ' || ports_outside(from_port, to_port, $authorizedUdpPorts)
         end as unauthorized
  from ec2_security_group_rule
  where not is_egress and is_world_open
),
per_group as (
  select group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct unauthorized || ' from ' || source) filter (where unauthorized is not null)), ', ') as rules
  from world
  group by group_id, account_id, region
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when w.group_id is null then 'skip' when w.rules <> '' then 'alarm' else 'ok' end as status,
  case
    when w.group_id is null then g.group_id || ' opens nothing to 0.0.0.0/0 or ::/0.'
    when w.rules <> '' then g.group_id || ' opens unauthorized ports to the internet: ' || w.rules || '.'
    else g.group_id || ' opens only authorized ports (tcp ' || $authorizedTcpPorts || ') to the internet.'
  end as reason,
  g.account_id,
  g.region,
  g.tags
from ec2_security_group g
left join per_group w on w.group_id = g.group_id and w.account_id = g.account_id and w.region = g.region
