/*
title = "Security groups should not open high-risk ports to the internet"
severity = "high"
resource_type = "AWS::EC2::SecurityGroup"
trigger = "change"
frameworks = ["fsbp:EC2.19"]
rationale = """
Remote administration, file sharing, mail, databases and search clusters on these ports are
prime targets; none should take connections from 0.0.0.0/0 or ::/0, over tcp or udp.
"""
[remediation]
console = "VPC console → Security groups → the group → Inbound rules → Edit → remove world-open rules covering the listed ports, or restrict them to trusted sources."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=PORT,ToPort=PORT,IpRanges=[{CidrIp=0.0.0.0/0}]"
*/
with open_rules as (
  select group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct
           case when ip_protocol = 'all' then 'all traffic' else ip_protocol end || ' ' ||
           ports_covered(from_port, to_port, '20,21,22,23,25,110,135,143,445,1433,1434,3000,3306,3389,4333,5000,5432,5500,5601,8080,8088,8888,9200,9300')
           || ' from ' || coalesce(cidr_ipv4, cidr_ipv6))), ', ') as rules
  from ec2_security_group_rule
  where not is_egress and is_world_open and ip_protocol in ('tcp', 'udp', 'all')
    and ports_covered(from_port, to_port, '20,21,22,23,25,110,135,143,445,1433,1434,3000,3306,3389,4333,5000,5432,5500,5601,8080,8088,8888,9200,9300') is not null
  group by group_id, account_id, region
)
select
  g.arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  g.group_id as resource_id,
  case when o.rules is null then 'ok' else 'alarm' end as status,
  case
    when o.rules is null then g.group_id || ' opens no high-risk port to the internet.'
    else g.group_id || ' opens high-risk ports to the internet: ' || o.rules || '.'
  end as reason,
  g.account_id,
  g.region
from ec2_security_group g
left join open_rules o on o.group_id = g.group_id and o.account_id = g.account_id and o.region = g.region
