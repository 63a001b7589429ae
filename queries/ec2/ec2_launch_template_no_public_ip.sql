/*
title = "Launch templates should not assign public IP addresses"
severity = "high"
resource_type = "AWS::EC2::LaunchTemplate"
trigger = "change"
frameworks = ["fsbp:EC2.25"]
rationale = """
A network interface with AssociatePublicIpAddress gives every instance launched from the template
a public address, reachable from the internet.
"""
[remediation]
console = "EC2 console → Launch templates → Modify template (create new version) → Network settings → Advanced network configuration → Auto-assign public IP: Disable → set as default version."
cli = "aws ec2 create-launch-template-version --launch-template-id TEMPLATE_ID --source-version DEFAULT_VERSION --launch-template-data '{\"NetworkInterfaces\":[{\"DeviceIndex\":0,\"AssociatePublicIpAddress\":false}]}'"
*/
select
  arn as resource,
  'AWS::EC2::LaunchTemplate' as resource_type,
  launch_template_id as resource_id,
  case when coalesce(associate_public_ip_address, false) then 'alarm' else 'ok' end as status,
  case
    when coalesce(associate_public_ip_address, false)
      then launch_template_id || ' (' || coalesce(launch_template_name, '') || ') version ' || version_number || ' assigns public IP addresses.'
    else launch_template_id || ' version ' || coalesce(cast(version_number as text), '?') || ' assigns no public IP address.'
  end as reason,
  account_id,
  region
from ec2_launch_template_version
where is_default_version
