/*
title = "Subnets should not assign public IPv4 addresses automatically"
severity = "medium"
resource_type = "AWS::EC2::Subnet"
trigger = "change"
frameworks = ["fsbp:EC2.15"]
rationale = """
With MapPublicIpOnLaunch, every instance launched into the subnet gets a public address unless
the launcher remembers to opt out. Make public addressing an explicit choice.
"""
[remediation]
console = "VPC console → Subnets → the subnet → Actions → Edit subnet settings → clear \"Enable auto-assign public IPv4 address\" → Save."
cli = "aws ec2 modify-subnet-attribute --subnet-id SUBNET_ID --no-map-public-ip-on-launch"
ssm_document = "AWSConfigRemediation-DisableSubnetAutoAssignPublicIP"
ssm_resource_parameter = "SubnetId"
*/
select
  arn as resource,
  'AWS::EC2::Subnet' as resource_type,
  subnet_id as resource_id,
  case when map_public_ip_on_launch then 'alarm' else 'ok' end as status,
  case
    when map_public_ip_on_launch then subnet_id || coalesce(' (' || vpc_id || ')', '') || ' assigns a public IPv4 address to every instance launched in it.'
    else subnet_id || ' does not assign public IPv4 addresses automatically.'
  end as reason,
  account_id,
  region,
  tags
from vpc_subnet
