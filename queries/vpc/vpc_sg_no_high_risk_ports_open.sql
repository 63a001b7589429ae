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
with high_risk as (
  -- The port list, once; null where a rule opens none of the ports.
  select arn, group_id, account_id, region, ip_protocol,
         case when ip_protocol = 'all' then 'all traffic' else ip_protocol end || ' '
           || ports_covered(from_port, to_port, '20,21,22,23,25,110,135,143,445,1433,1434,3000,3306,3389,4333,5000,5432,5500,5601,8080,8088,8888,9200,9300')
           || ' from ' || source as rule
  from ec2_security_group_world_ingress
),
per_group as (
  select arn, group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct rule) filter (where ip_protocol in ('tcp', 'udp', 'all') and rule is not null)), ', ') as rules
  from high_risk
  group by arn, group_id, account_id, region
)
select
  arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  group_id as resource_id,
  case when rules is null then 'ok' else 'alarm' end as status,
  case
    when rules is null then group_id || ' opens no high-risk port to the internet.'
    else group_id || ' opens high-risk ports to the internet: ' || rules || '.'
  end as reason,
  account_id,
  region
from per_group
