/*
title = "Launch templates should require IMDSv2"
severity = "medium"
resource_type = "AWS::EC2::LaunchTemplate"
trigger = "change"
frameworks = ["fsbp:EC2.170"]
rationale = """
Instances launched from the template (by Auto Scaling, for example) inherit its metadata options;
a template that does not require tokens keeps producing IMDSv1 instances. Only the default version
is used when no version is named.
"""
[remediation]
console = "EC2 console → Launch templates → the template → Actions → Modify template (create new version) → Advanced details → Metadata version: V2 only → create, then set it as the default version."
cli = "aws ec2 create-launch-template-version --launch-template-id TEMPLATE_ID --source-version DEFAULT_VERSION --launch-template-data '{\"MetadataOptions\":{\"HttpTokens\":\"required\"}}' && aws ec2 modify-launch-template --launch-template-id TEMPLATE_ID --default-version NEW_VERSION"
*/
select
  arn as resource,
  'AWS::EC2::LaunchTemplate' as resource_type,
  launch_template_id as resource_id,
  case
    when http_endpoint = 'disabled' then 'ok'
    when http_tokens = 'required' then 'ok'
    else 'alarm'
  end as status,
  case
    when http_endpoint = 'disabled' then launch_template_id || ' version ' || coalesce(cast(version_number as text), '?') || ' disables the metadata endpoint.'
    when http_tokens = 'required' then launch_template_id || ' version ' || coalesce(cast(version_number as text), '?') || ' requires IMDSv2.'
    else launch_template_id || ' (' || coalesce(launch_template_name, '') || ') version ' || version_number || ' sets HttpTokens to ' || coalesce(http_tokens, 'nothing (the account default applies)') || '.'
  end as reason,
  account_id,
  region
from ec2_launch_template_version
where is_default_version
