/*
title = "EC2 instance roles should not grant a service's every action on every resource"
severity = "high"
resource_type = "AWS::EC2::Instance"
trigger = "change"
depends_on = ["AWS::IAM::Role", "AWS::IAM::Policy"]
frameworks = ["exposure"]
rationale = """
A statement such as `s3:*` on `*` lets whoever holds the instance's credentials read, change and
delete everything of that service in the account. AWS managed policies count by their documents,
so they must be in the inventory (`iam get-account-authorization-details` includes them).
"""
[remediation]
console = "IAM console → Roles → the instance's role → Permissions → replace `service:*` on `*` with the actions and resources the workload uses."
cli = "aws iam put-role-policy --role-name ROLE_NAME --policy-name POLICY_NAME --policy-document file://least-privilege.json"
*/
-- Every attached policy must be readable, AWS managed ones too: their grants come from their documents.
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case
    when unjudged_status is not null then unjudged_status
    when service_admin <> '' then 'alarm'
    when gaps <> '' then 'unverified'
    else 'ok'
  end as status,
  case
    when unjudged_status is not null then unjudged_reason
    when service_admin <> '' then instance_id || ' role ' || role_arn || ' grants service-wide access: ' || service_admin || '.'
    when gaps <> '' then instance_id || ' role ' || role_arn || ': ' || gaps || '.'
    else instance_id || ' role ' || role_arn || ' grants no service-wide wildcard on all resources.'
  end as reason,
  account_id,
  region
from ec2_instance_role_admin
