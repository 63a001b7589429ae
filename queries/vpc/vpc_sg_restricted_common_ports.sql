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
with blocked as (
  -- Per group, the world-open rules covering blocked ports, each with the ports it covers.
  select arn, group_id, account_id, region,
         array_to_string(array_sort(array_agg(distinct 'tcp ' || ports_covered(from_port, to_port, $blockedPorts) || ' from ' || source)
           filter (where ip_protocol in ('tcp', 'all') and ports_covered(from_port, to_port, $blockedPorts) is not null)), ', ') as rules,
         first_value(tags) as tags
  from ec2_security_group_world_ingress
  group by arn, group_id, account_id, region
)
select arn as resource, 'AWS::EC2::SecurityGroup' as resource_type, group_id as resource_id,
       case when rules is null then 'ok' else 'alarm' end as status,
       case when rules is null then group_id || ' opens none of tcp ' || $blockedPorts || ' to the internet.' else group_id || ' opens blocked ports to the internet: ' || rules || '.' end as reason,
       account_id, region, tags
from blocked
