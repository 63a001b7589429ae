/*
title = "EBS snapshots should not be public"
severity = "critical"
resource_type = "AWS::EC2::Snapshot"
trigger = "periodic"
frameworks = ["fsbp:EC2.1"]
rationale = """
A snapshot restorable by `all` lets any AWS account create a volume from it and read everything
it holds. Share with specific accounts instead. (AWS Config does not record snapshots; as a Config
rule this evaluates the account, naming the public snapshots.)
"""
[remediation]
console = "EC2 console → Snapshots → the snapshot → Actions → Snapshot settings → Modify permissions → Private → Save."
cli = "aws ec2 modify-snapshot-attribute --snapshot-id SNAPSHOT_ID --attribute createVolumePermission --operation-type remove --group-names all"
*/
select
  arn as resource,
  'AWS::EC2::Snapshot' as resource_type,
  snapshot_id as resource_id,
  case
    when owner_id is not null and owner_id <> account_id then 'skip'
    when is_public is null then 'unverified'
    when is_public then 'alarm'
    else 'ok'
  end as status,
  case
    when owner_id is not null and owner_id <> account_id then snapshot_id || ' is owned by ' || owner_id || '.'
    when is_public is null then snapshot_id || ': its createVolumePermission attribute is not in the inventory.'
    when is_public then snapshot_id || ' (' || coalesce(volume_id, 'no volume') || ') can be restored by anyone (createVolumePermission: all).'
    else snapshot_id || ' is not public.'
  end as reason,
  account_id,
  region,
  tags
from ebs_snapshot
