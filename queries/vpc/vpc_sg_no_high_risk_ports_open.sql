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
-- The ports are listed in queries/views/ec2_security_group_world_open.sql.
select resource, resource_type, resource_id,
       case when high_risk_rules is null then 'ok' else 'alarm' end as status,
       case when high_risk_rules is null then resource_id || ' opens no high-risk port to the internet.' else resource_id || ' opens high-risk ports to the internet: ' || high_risk_rules || '.' end as reason,
       account_id, region, tags
from ec2_security_group_world_open
