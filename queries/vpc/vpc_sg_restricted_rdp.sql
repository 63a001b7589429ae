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
-- RDP listens on tcp and udp 3389; an all-traffic rule opens both.
select resource, resource_type, resource_id,
       case when rdp_rules is null then 'ok' else 'alarm' end as status,
       case when rdp_rules is null then resource_id || ' does not open tcp or udp 3389 to 0.0.0.0/0 or ::/0.' else resource_id || ' opens RDP to the internet: ' || rdp_rules || '.' end as reason,
       account_id, region, tags
from ec2_security_group_world_open
