/*
title = "EC2 instances should have an IAM instance profile"
severity = "medium"
resource_type = "AWS::EC2::Instance"
trigger = "change"
frameworks = ["cis:2.17"]
rationale = """
Without an instance profile, software on the instance reaches AWS with long-lived access keys
stored on disk. An instance profile gives it short-lived, rotated role credentials instead, and a
place to scope what it may do.
"""
[remediation]
console = "EC2 console → Instances → select the instance → Actions → Security → Modify IAM role → choose a least-privilege role → Update IAM role."
cli = "aws ec2 associate-iam-instance-profile --instance-id INSTANCE_ID --iam-instance-profile Name=PROFILE_NAME"
*/
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case
    when instance_state = 'terminated' then 'skip'
    when iam_instance_profile_arn is null then 'alarm'
    else 'ok'
  end as status,
  case
    when instance_state = 'terminated' then instance_id || ' is terminated.'
    when iam_instance_profile_arn is null then instance_id || ' has no IAM instance profile.'
    else instance_id || ' has instance profile ' || iam_instance_profile_arn || '.'
  end as reason,
  account_id,
  region,
  tags
from ec2_instance
