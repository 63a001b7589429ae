/*
title = "EC2 instance roles should not have administrative access"
severity = "critical"
resource_type = "AWS::EC2::Instance"
trigger = "change"
depends_on = ["AWS::IAM::Role", "AWS::IAM::Policy"]
frameworks = ["exposure"]
rationale = """
Anyone who runs code on the instance, or reads its metadata service, holds its role. A role with
AdministratorAccess, IAMFullAccess, or any policy that allows `*` on `*` (or NotAction on `*`)
turns one compromised instance into a compromised account. Only the role's attached and inline
policies grant permissions; its trust policy does not.
"""
[remediation]
console = "IAM console → Roles → the instance's role → Permissions → detach AdministratorAccess/IAMFullAccess and remove admin statements; grant only the actions the workload uses (IAM Access Analyzer can generate a policy from CloudTrail activity)."
cli = "aws iam detach-role-policy --role-name ROLE_NAME --policy-arn arn:aws:iam::aws:policy/AdministratorAccess"
*/
-- AWS managed policies count by ARN (AdministratorAccess, IAMFullAccess): one missing from the
-- inventory leaves no gap.
select resource, resource_type, resource_id, status,
       coalesce(problem, subject || case when status = 'alarm' then ' has administrative access: ' || found || '.' else ' has no administrative policy.' end) as reason,
       account_id, region, tags
from ec2_instance_role_admin
where policy_check = 'admin'
