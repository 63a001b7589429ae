/*
title = "EC2 instances should not have a public IPv4 address"
severity = "high"
resource_type = "AWS::EC2::Instance"
trigger = "change"
frameworks = ["fsbp:EC2.9", "exposure"]
rationale = """
A public IPv4 address on the instance or on any of its network interfaces makes it addressable from
the internet; one security group or network ACL mistake then exposes it. Reach instances through a
load balancer, a NAT gateway or Session Manager instead.
"""
[remediation]
console = "Launch a replacement in a private subnet (public IPs cannot be removed from a running instance's primary interface); disassociate Elastic IPs under EC2 → Elastic IPs → Actions → Disassociate."
cli = "aws ec2 disassociate-address --association-id ASSOCIATION_ID   # Elastic IPs; for auto-assigned IPs: aws ec2 modify-subnet-attribute --subnet-id SUBNET_ID --no-map-public-ip-on-launch and relaunch"
*/
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case
    when instance_state = 'terminated' then 'skip'
    when cardinality(public_ip_addresses) > 0 then 'alarm'
    else 'ok'
  end as status,
  case
    when instance_state = 'terminated' then instance_id || ' is terminated.'
    when cardinality(public_ip_addresses) > 0 then instance_id || ' has public IPv4 address ' || array_to_string(public_ip_addresses, ', ') || '.'
    else instance_id || ' has no public IPv4 address.'
  end as reason,
  account_id,
  region,
  tags
from ec2_instance
