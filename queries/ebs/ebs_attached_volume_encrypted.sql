/*
title = "Attached EBS volumes should be encrypted"
severity = "medium"
resource_type = "AWS::EC2::Volume"
trigger = "change"
frameworks = ["fsbp:EC2.3"]
rationale = """
Encryption at rest protects the data in volumes, their snapshots and anything copied from them,
with keys whose use is logged and can be revoked. With `kmsId` set, volumes must use that key.
"""
[remediation]
console = "EC2 console → Snapshots → snapshot the volume → Copy snapshot with encryption → create a volume from it → stop the instance, swap the volumes. Turn on EBS encryption by default to stop new unencrypted volumes."
cli = "aws ec2 copy-snapshot --source-region REGION --source-snapshot-id SNAPSHOT_ID --encrypted --kms-key-id KMS_KEY_ID"

[[parameters]]
name = "kmsId"
type = "text"
default = ""
description = "If set, the KMS key ID or ARN that attached volumes must be encrypted with."
*/
select
  arn as resource,
  'AWS::EC2::Volume' as resource_type,
  volume_id as resource_id,
  case
    when cardinality(attached_instance_ids) = 0 then 'skip'
    when not coalesce(encrypted, false) then 'alarm'
    when $kmsId <> '' and coalesce(kms_key_id, '') <> $kmsId and kms_key_id not like '%:key/' || $kmsId then 'alarm'
    else 'ok'
  end as status,
  case
    when cardinality(attached_instance_ids) = 0 then volume_id || ' is not attached.'
    when not coalesce(encrypted, false) then volume_id || ' (attached to ' || array_to_string(attached_instance_ids, ', ') || ') is not encrypted.'
    when $kmsId <> '' and coalesce(kms_key_id, '') <> $kmsId and kms_key_id not like '%:key/' || $kmsId
      then volume_id || ' is encrypted with ' || coalesce(kms_key_id, 'an unknown key') || ', not ' || $kmsId || '.'
    else volume_id || ' is encrypted with ' || coalesce(kms_key_id, 'a KMS key') || '.'
  end as reason,
  account_id,
  region,
  tags
from ebs_volume
