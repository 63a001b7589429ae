/*
title = "AMIs should not be public"
severity = "high"
resource_type = "AWS::EC2::Image"
trigger = "periodic"
frameworks = []
rationale = """
A public AMI can be launched by anyone, who then reads its disks: baked-in credentials, keys and
data leak. (AWS Config does not record AMIs; as a Config rule this evaluates the account.)
"""
[remediation]
console = "EC2 console → AMIs → the AMI → Actions → Edit AMI permissions → Private → Save."
cli = "aws ec2 modify-image-attribute --image-id IMAGE_ID --launch-permission \"Remove=[{Group=all}]\""
*/
select
  arn as resource,
  'AWS::EC2::Image' as resource_type,
  image_id as resource_id,
  case
    when owner_id is not null and owner_id <> account_id then 'skip'
    when is_public then 'alarm'
    else 'ok'
  end as status,
  case
    when owner_id is not null and owner_id <> account_id then image_id || ' is owned by ' || owner_id || '.'
    when is_public then image_id || ' (' || coalesce(name, 'unnamed') || ') is public.'
    else image_id || ' (' || coalesce(name, 'unnamed') || ') is private.'
  end as reason,
  account_id,
  region,
  tags
from ec2_image
