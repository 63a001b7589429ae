/*
title = "Auto Scaling launch configurations should not assign public IP addresses"
severity = "high"
resource_type = "AWS::AutoScaling::LaunchConfiguration"
trigger = "change"
frameworks = ["fsbp:AutoScaling.5"]
rationale = """
With AssociatePublicIpAddress every instance the group launches gets a public address, reachable
from the internet wherever its subnet routes to an internet gateway. Unset, the subnet's
auto-assign setting decides (vpc_subnet_no_auto_public_ip checks that).
"""
[remediation]
console = "EC2 console → Auto Scaling groups → the group → Edit: switch to a launch template (or a new launch configuration) that does not assign public IP addresses, then Instance refresh → Start."
cli = "aws autoscaling create-launch-configuration --launch-configuration-name NEW_NAME --image-id AMI_ID --instance-type TYPE --no-associate-public-ip-address && aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --launch-configuration-name NEW_NAME"
*/
select
  arn as resource,
  'AWS::AutoScaling::LaunchConfiguration' as resource_type,
  arn as resource_id,
  case when associate_public_ip_address then 'alarm' else 'ok' end as status,
  case
    when associate_public_ip_address then launch_configuration_name || ' assigns a public IP address to every instance it launches.'
    when associate_public_ip_address is null then launch_configuration_name || ' does not set AssociatePublicIpAddress: the subnet''s auto-assign setting decides.'
    else launch_configuration_name || ' assigns no public IP address.'
  end as reason,
  account_id,
  region
from autoscaling_launch_configuration
