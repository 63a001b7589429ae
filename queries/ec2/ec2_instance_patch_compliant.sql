/*
title = "EC2 instances managed by Systems Manager should be patch compliant"
severity = "high"
resource_type = "AWS::EC2::Instance"
trigger = "periodic"
frameworks = ["fsbp:SSM.2"]
rationale = """
Patch Manager records, per managed instance, how many patches its baseline approves that are
missing, failed to install, or installed but waiting for a reboot to take effect. Any of them
leaves the instance exposed to the vulnerabilities those patches fix. An instance with no patch
state has never been scanned: its compliance is unknown, so it is skipped with that reason, never
passed. Unmanaged instances are ec2_instance_managed_by_ssm's concern.
"""
[remediation]
console = "Systems Manager console → Patch Manager → Patch now → Scan and install for the instance (reboot if needed); for an instance in an Auto Scaling group, update its launch template or configuration and start an instance refresh."
cli = "aws ssm send-command --document-name AWS-RunPatchBaseline --parameters Operation=Install,RebootOption=RebootIfNeeded --instance-ids INSTANCE_ID"
*/
select
  i.arn as resource,
  'AWS::EC2::Instance' as resource_type,
  i.instance_id as resource_id,
  case
    when i.instance_state = 'terminated' then 'skip'
    when m.instance_id is null then 'skip'
    when p.instance_id is null then 'skip'
    when p.missing_count is null or p.failed_count is null or p.installed_pending_reboot_count is null then 'alarm'
    when p.missing_count > 0 or p.failed_count > 0 or p.installed_pending_reboot_count > 0 then 'alarm'
    else 'ok'
  end as status,
  case
    when i.instance_state = 'terminated' then i.instance_id || ' is terminated.'
    when m.instance_id is null then i.instance_id || ' is not managed by Systems Manager, so it has no patch state.'
    when p.instance_id is null then i.instance_id || ' has no patch state: Patch Manager has not scanned it, so its compliance is unknown.'
    when p.missing_count is null or p.failed_count is null or p.installed_pending_reboot_count is null then i.instance_id || '''s patch state lacks its missing, failed or pending-reboot count.'
    when p.missing_count > 0 or p.failed_count > 0 or p.installed_pending_reboot_count > 0
      then i.instance_id || ' is not patch compliant: ' || p.missing_count || ' missing, ' || p.failed_count || ' failed, ' || p.installed_pending_reboot_count || ' installed pending reboot (' || coalesce(p.operation, 'last operation unknown') || coalesce(' ended ' || cast(p.operation_end_time as text), '') || ').'
    else i.instance_id || ' is patch compliant (' || coalesce(p.operation, 'last operation unknown') || coalesce(' ended ' || cast(p.operation_end_time as text), '') || ').'
  end as reason,
  i.account_id,
  i.region,
  i.tags
from ec2_instance i
left join ssm_managed_instance m on m.instance_id = i.instance_id and m.account_id = i.account_id and m.region = i.region
left join ssm_patch_state p on p.instance_id = i.instance_id and p.account_id = i.account_id and p.region = i.region
