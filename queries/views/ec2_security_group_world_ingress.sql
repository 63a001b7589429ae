-- ec2_security_group_world_ingress: what each security group lets in from the whole internet. One
-- row per group and ingress rule from 0.0.0.0/0 or ::/0; a group with no such rule has one row
-- whose rule columns are null, so a control that aggregates per group judges every group.
-- Registered as a view by posture_queries::views; vpc_sg_restricted_common_ports reads it, and
-- ec2_security_group_world_open for the other port controls.
select
  g.arn,
  g.group_id,
  r.ip_protocol,
  r.from_port,
  r.to_port,
  coalesce(r.cidr_ipv4, r.cidr_ipv6) as source,
  port_text(r.ip_protocol, r.from_port, r.to_port) || ' from ' || coalesce(r.cidr_ipv4, r.cidr_ipv6) as rule,
  g.tags,
  g.account_id,
  g.region
from ec2_security_group g
left join ec2_security_group_rule r
  on r.group_id = g.group_id and r.account_id = g.account_id and r.region = g.region
  and not r.is_egress and r.is_world_open
