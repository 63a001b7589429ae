/*
title = "CloudTrail log file validation should be enabled"
severity = "low"
resource_type = "AWS::CloudTrail::Trail"
trigger = "change"
frameworks = ["fsbp:CloudTrail.4", "cis:4.2"]
rationale = """
Validation writes signed digest files, so you can prove after an incident that no log file was
changed or deleted. Each trail is counted once, in its home region.
"""
[remediation]
console = "CloudTrail console → Trails → the trail → General details → Edit → Log file validation: Enabled → Save."
cli = "aws cloudtrail update-trail --name TRAIL_NAME --enable-log-file-validation"
ssm_document = "AWSConfigRemediation-EnableCloudTrailLogFileValidation"
ssm_resource_parameter = "TrailName"
*/
select
  arn as resource,
  'AWS::CloudTrail::Trail' as resource_type,
  name as resource_id,
  case when coalesce(log_file_validation_enabled, false) then 'ok' else 'alarm' end as status,
  case
    when coalesce(log_file_validation_enabled, false) then 'Trail ' || name || ' validates its log files.'
    else 'Trail ' || name || ' does not validate its log files.'
  end as reason,
  account_id,
  region,
  tags
from cloudtrail_trail
