/*
title = "EC2 instances should not be reachable from the whole VPC"
severity = "medium"
resource_type = "AWS::EC2::Instance"
trigger = "change"
depends_on = ["AWS::EC2::SecurityGroup", "AWS::EC2::VPC"]
frameworks = ["exposure"]
rationale = """
A security group rule whose source contains the VPC's whole CIDR block (10.0.0.0/8 in a
10.0.0.0/16 VPC, or 0.0.0.0/0) lets every workload in the VPC reach the instance, so one
compromised host anywhere in the VPC can move to it. Segmenting by security group references or
narrow subnets limits that blast radius. The verdict spans the instance, its security groups and
its VPC: in AWS Config a change to any of them re-evaluates the instances.
"""
[remediation]
console = "EC2 console → Security groups → the group named in the reason → Edit inbound rules: replace the VPC-wide source with the security groups or subnets that need the instance."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=PORT,ToPort=PORT,IpRanges=[{CidrIp=VPC_WIDE_CIDR}]"
*/
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case when vpc_wide_reachable then 'alarm' else 'ok' end as status,
  case
    when vpc_wide_reachable then instance_id || ' is reachable from its whole VPC: ' || array_to_string(vpc_wide_rules, ', ') || '.'
    else instance_id || ' admits no source that spans its VPC.'
  end as reason,
  account_id,
  region,
  tags
from ec2_instance_exposure
