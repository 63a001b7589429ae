/*
title = "EBS encryption by default should be enabled"
severity = "medium"
resource_type = "AWS::::Account"
trigger = "periodic"
frameworks = ["fsbp:EC2.7", "cis:6.1.1"]
rationale = """
With encryption by default, every new volume and snapshot copy in the region is encrypted, whoever
launches it and however. It is a per-region account setting.
"""
[remediation]
console = "EC2 console (in each region) → Settings → Data protection and security → EBS encryption → Manage → Always encrypt new EBS volumes → Update."
cli = "aws ec2 enable-ebs-encryption-by-default --region REGION"
ssm_document = "AWSConfigRemediation-EnableEbsEncryptionByDefault"
*/
select
  'arn:aws:ec2:' || region || ':' || account_id || ':ebs-encryption-by-default' as resource,
  'AWS::::Account' as resource_type,
  account_id as resource_id,
  case when coalesce(ebs_encryption_by_default, false) then 'ok' else 'alarm' end as status,
  case
    when ebs_encryption_by_default then 'EBS encryption by default is on in ' || region || ' (key ' || coalesce(ebs_default_kms_key_id, 'alias/aws/ebs') || ').'
    when ebs_encryption_by_default is null then 'EBS encryption by default is not reported for ' || region || '.'
    else 'EBS encryption by default is off in ' || region || '.'
  end as reason,
  account_id,
  region
from ec2_regional_settings
