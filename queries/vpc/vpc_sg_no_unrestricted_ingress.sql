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
select resource, resource_type, resource_id,
       case when world_rules is null then 'ok' else 'alarm' end as status,
       case when world_rules is null then resource_id || ' allows no ingress from 0.0.0.0/0 or ::/0.' else resource_id || ' allows ingress from the internet: ' || world_rules || '.' end as reason,
       account_id, region, tags
from ec2_security_group_world_open
