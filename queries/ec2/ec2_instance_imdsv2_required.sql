/*
title = "EC2 instances should require IMDSv2"
severity = "high"
resource_type = "AWS::EC2::Instance"
trigger = "change"
frameworks = ["fsbp:EC2.8", "cis:6.7", "exposure"]
rationale = """
IMDSv1 answers any GET from the instance, so an SSRF bug or an open proxy on the instance leaks
the instance role's credentials. IMDSv2 needs a session token obtained with a PUT, which those
paths cannot send. An instance whose metadata endpoint is disabled cannot leak either and passes.
An instance in an Auto Scaling group is replaced from the group's launch template or
configuration, so the reason names the group (from the aws:autoscaling:groupName tag AWS puts on
the group's instances, which the configuration item carries: the rule needs no lookup): the fix
belongs there, with an instance refresh.
"""
[remediation]
console = "EC2 console → Instances → select the instance → Actions → Instance settings → Modify instance metadata options → IMDSv2: Required → Save."
cli = "aws ec2 modify-instance-metadata-options --instance-id INSTANCE_ID --http-tokens required --http-endpoint enabled"
ssm_document = "AWSConfigRemediation-EnforceEC2InstanceIMDSv2"
ssm_resource_parameter = "InstanceId"
*/
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case
    when instance_state = 'terminated' then 'skip'
    when http_endpoint = 'disabled' then 'ok'
    when http_tokens = 'required' then 'ok'
    else 'alarm'
  end as status,
  case
    when instance_state = 'terminated' then instance_id || ' is terminated.'
    when http_endpoint = 'disabled' then instance_id || ' has its instance metadata endpoint disabled.'
    when http_tokens = 'required' then instance_id || ' requires IMDSv2 (http_tokens = required).'
    else instance_id || ' allows IMDSv1: http_tokens is ' || coalesce(http_tokens, 'not reported') || ' while the metadata endpoint is enabled.'
      || coalesce(' Its Auto Scaling group ' || tags['aws:autoscaling:groupName'] || ' replaces it from its launch template or configuration: require IMDSv2 there and start an instance refresh.', '')
  end as reason,
  account_id,
  region,
  tags
from ec2_instance
