-- ec2_security_group_world_open: one row per security group, in the controls' row shape, with the
-- world-open ingress rules that each fixed port check looks for (from
-- ec2_security_group_world_ingress): ', '-separated and sorted, null when there are none.
-- Registered as a view by posture_queries::views; the unparameterised security-group port
-- controls judge from it.
--   world_rules: every rule from 0.0.0.0/0 or ::/0.
--   ssh_rules: those covering tcp 22; rdp_rules: those covering tcp or udp 3389.
--   high_risk_rules: those covering high-risk ports, each with the ports it covers.
with rules as (
  select *,
         -- The high-risk port list, once; null where a rule opens none of the ports.
         case when ip_protocol = 'all' then 'all traffic' else ip_protocol end || ' '
           || ports_covered(from_port, to_port, '20,21,22,23,25,110,135,143,445,1433,1434,3000,3306,3389,4333,5000,5432,5500,5601,8080,8088,8888,9200,9300')
           || ' from ' || source as high_risk_rule
  from ec2_security_group_world_ingress
)
select
  arn as resource,
  'AWS::EC2::SecurityGroup' as resource_type,
  group_id as resource_id,
  array_to_string(array_sort(array_agg(distinct rule) filter (where rule is not null)), ', ') as world_rules,
  array_to_string(array_sort(array_agg(distinct rule) filter (where ip_protocol in ('tcp', 'all') and from_port <= 22 and to_port >= 22)), ', ') as ssh_rules,
  array_to_string(array_sort(array_agg(distinct rule) filter (where ip_protocol in ('tcp', 'udp', 'all') and from_port <= 3389 and to_port >= 3389)), ', ') as rdp_rules,
  array_to_string(array_sort(array_agg(distinct high_risk_rule) filter (where ip_protocol in ('tcp', 'udp', 'all') and high_risk_rule is not null)), ', ') as high_risk_rules,
  account_id,
  region,
  -- The group's tags, one value per group (a map cannot be a group key).
  first_value(tags) as tags
from rules
group by arn, group_id, account_id, region
