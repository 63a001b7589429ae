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
-- Every attached policy must be readable, AWS managed ones too: their grants come from their
-- documents.
select resource, resource_type, resource_id, status,
       coalesce(problem, subject || case when status = 'alarm' then ' grants service-wide access: ' || found || '.' else ' grants no service-wide wildcard on all resources.' end) as reason,
       account_id, region, tags
from ec2_instance_role_admin
where policy_check = 'service_admin'
