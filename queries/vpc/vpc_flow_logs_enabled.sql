/*
title = "VPC flow logging should be enabled"
severity = "medium"
resource_type = "AWS::EC2::VPC"
trigger = "periodic"
frameworks = ["fsbp:EC2.6", "cis:4.7"]
rationale = """
Without flow logs there is no record of who talked to what in the VPC: incident response and
anomaly detection start blind.
"""
[remediation]
console = "VPC console → Your VPCs → the VPC → Flow logs → Create flow log → Filter: All (or Reject) → a CloudWatch Logs group or S3 bucket."
cli = "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type REJECT --log-destination-type cloud-watch-logs --log-group-name VPC_FLOW_LOG_GROUP --deliver-logs-permission-arn ROLE_ARN"
*/
with active as (
  select resource_id, account_id, region, array_to_string(array_sort(array_agg(flow_log_id)), ', ') as flow_logs
  from vpc_flow_log
  where flow_log_status = 'ACTIVE'
  group by resource_id, account_id, region
)
select
  v.arn as resource,
  'AWS::EC2::VPC' as resource_type,
  v.vpc_id as resource_id,
  case when a.flow_logs is null then 'alarm' else 'ok' end as status,
  case
    when a.flow_logs is null then v.vpc_id || ' has no active flow log.'
    else v.vpc_id || ' is logged by ' || a.flow_logs || '.'
  end as reason,
  v.account_id,
  v.region,
  v.tags
from vpc v
left join active a on a.resource_id = v.vpc_id and a.account_id = v.account_id and a.region = v.region
