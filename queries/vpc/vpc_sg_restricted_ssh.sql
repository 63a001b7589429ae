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
-- An all-traffic rule from the world opens SSH too.
select resource, resource_type, resource_id,
       case when ssh_rules is null then 'ok' else 'alarm' end as status,
       case when ssh_rules is null then resource_id || ' does not open tcp 22 to 0.0.0.0/0 or ::/0.' else resource_id || ' opens SSH to the internet: ' || ssh_rules || '.' end as reason,
       account_id, region, tags
from ec2_security_group_world_open
