/*
title = "Auto Scaling launch configurations should require IMDSv2"
severity = "high"
resource_type = "AWS::AutoScaling::LaunchConfiguration"
trigger = "change"
frameworks = ["fsbp:AutoScaling.3"]
rationale = """
Every instance an Auto Scaling group launches from the configuration inherits its metadata
options, so a configuration that does not require tokens keeps producing instances that answer
IMDSv1. A launch configuration without metadata options allows IMDSv1. Launch configurations
cannot be edited: the fix is a new configuration (or, better, a launch template) and an instance
refresh.
"""
[remediation]
console = "EC2 console → Auto Scaling groups → the group → Edit: switch to a launch template whose metadata version is V2 only (launch configurations cannot be edited), then Instance refresh → Start."
cli = "aws autoscaling create-launch-configuration --launch-configuration-name NEW_NAME --image-id AMI_ID --instance-type TYPE --metadata-options HttpTokens=required,HttpEndpoint=enabled && aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --launch-configuration-name NEW_NAME && aws autoscaling start-instance-refresh --auto-scaling-group-name GROUP"
*/
select
  arn as resource,
  'AWS::AutoScaling::LaunchConfiguration' as resource_type,
  arn as resource_id,
  case
    when http_endpoint = 'disabled' then 'ok'
    when http_tokens = 'required' then 'ok'
    else 'alarm'
  end as status,
  case
    when http_endpoint = 'disabled' then launch_configuration_name || ' disables the instance metadata endpoint.'
    when http_tokens = 'required' then launch_configuration_name || ' requires IMDSv2.'
    else launch_configuration_name || ' allows IMDSv1: HttpTokens is ' || coalesce(http_tokens, 'not set (no metadata options: IMDSv1 is allowed)') || '.'
  end as reason,
  account_id,
  region
from autoscaling_launch_configuration
