-- ec2_instance_exposure: one row per instance (terminated ones left out): who can reach it, and
-- how bad its exposure is. Registered as a view by posture_queries::views, which puts before
-- this text two CTEs made from the trait controls' own SQL (so a trait means exactly what its
-- control says): trait_findings(trait, instance_id, account_id, region, reason) and
-- group_traits(trait, group_id, account_id, region, reason).
--
-- Internet reachability, per address family: the instance has a public IPv4 (an IPv6 address),
-- the route table of its subnet (explicit association, else the VPC's main table) routes
-- 0.0.0.0/0 (::/0) to an internet gateway, the subnet's network ACL lets the traffic in (world
-- entries in rule-number order, first match wins, no match denies) and a security group allows
-- it from 0.0.0.0/0 (::/0). reachable_ports() does the port arithmetic. Return traffic (ACL
-- egress) is not modelled. VPC-wide: a security group admits a CIDR containing the VPC's CIDR.
instances as (
  select instance_id, arn, instance_state, public_ip_address, ipv6_addresses, subnet_id, vpc_id, security_group_ids, account_id, region
  from ec2_instance
  where instance_state is distinct from 'terminated'
),
instance_groups as (
  select instance_id, account_id, region, unnest(security_group_ids) as group_id from instances
),
families as (
  select 'IPv4' as family, '0.0.0.0/0' as world union all select 'IPv6', '::/0'
),
sg_world as (
  select g.instance_id, g.account_id, g.region, f.family,
         array_agg(r.ip_protocol) as protocols, array_agg(r.from_port) as froms, array_agg(r.to_port) as tos,
         array_to_string(array_sort(array_agg(r.group_id || ' allows ' || port_text(r.ip_protocol, r.from_port, r.to_port) || ' from ' || f.world)), ', ') as rules
  from instance_groups g
  join ec2_security_group_rule r on r.group_id = g.group_id and r.account_id = g.account_id and r.region = g.region
  join families f on coalesce(r.cidr_ipv4, r.cidr_ipv6) = f.world
  where not r.is_egress
  group by g.instance_id, g.account_id, g.region, f.family
),
route_tables as (
  select route_table_id, vpc_id, account_id, region, bool_or(is_main) as is_main, first_value(associated_subnet_ids) as subnet_ids
  from vpc_route
  group by route_table_id, vpc_id, account_id, region
),
subnet_route_table as (
  select i.instance_id, i.account_id, i.region, coalesce(min(e.route_table_id), min(m.route_table_id)) as route_table_id
  from instances i
  left join route_tables e on e.account_id = i.account_id and e.region = i.region and array_has(e.subnet_ids, i.subnet_id)
  left join route_tables m on m.account_id = i.account_id and m.region = i.region and m.vpc_id = i.vpc_id and m.is_main
  group by i.instance_id, i.account_id, i.region
),
gateway_routes as (
  select s.instance_id, s.account_id, s.region, f.family,
         min(s.route_table_id || ' routes ' || f.world || ' to ' || r.gateway_id) as route
  from subnet_route_table s
  join vpc_route r on r.route_table_id = s.route_table_id and r.account_id = s.account_id and r.region = s.region
  join families f on coalesce(r.destination_cidr_block, r.destination_ipv6_cidr_block) = f.world
  where r.gateway_id like 'igw-%' and coalesce(r.state, 'active') = 'active'
  group by s.instance_id, s.account_id, s.region, f.family
),
acls as (
  select network_acl_id, account_id, region, first_value(associated_subnet_ids) as subnet_ids
  from vpc_network_acl_entry
  group by network_acl_id, account_id, region
),
subnet_acl as (
  select i.instance_id, i.account_id, i.region, min(a.network_acl_id) as network_acl_id
  from instances i
  join acls a on a.account_id = i.account_id and a.region = i.region and array_has(a.subnet_ids, i.subnet_id)
  group by i.instance_id, i.account_id, i.region
),
acl_world as (
  select s.instance_id, s.account_id, s.region, f.family,
         array_agg(e.rule_action order by e.rule_number) as actions,
         array_agg(e.protocol order by e.rule_number) as protocols,
         array_agg(e.from_port order by e.rule_number) as froms,
         array_agg(e.to_port order by e.rule_number) as tos,
         array_to_string(array_agg('rule ' || e.rule_number || case e.rule_action when 'allow' then ' allows ' else ' denies ' end || port_text(e.protocol, e.from_port, e.to_port) order by e.rule_number), ', ') as entries
  from subnet_acl s
  join vpc_network_acl_entry e on e.network_acl_id = s.network_acl_id and e.account_id = s.account_id and e.region = s.region
  join families f on coalesce(e.cidr_block, e.ipv6_cidr_block) = f.world
  where not e.egress
  group by s.instance_id, s.account_id, s.region, f.family
),
paths as (
  select i.instance_id, i.account_id, i.region, f.family,
         case when f.family = 'IPv4' then i.public_ip_address else i.ipv6_addresses[1] end as address,
         g.route, a.network_acl_id, w.entries, s.rules,
         -- An ACL without world entries for the family denies it all; no ACL known filters nothing.
         reachable_ports(
           s.protocols, s.froms, s.tos,
           case when a.network_acl_id is null then null else coalesce(w.actions, make_array('deny')) end,
           case when a.network_acl_id is null then null else coalesce(w.protocols, make_array('all')) end,
           case when a.network_acl_id is null then null else coalesce(w.froms, make_array(0)) end,
           case when a.network_acl_id is null then null else coalesce(w.tos, make_array(65535)) end
         ) as ports
  from instances i
  cross join families f
  left join gateway_routes g on g.instance_id = i.instance_id and g.account_id = i.account_id and g.region = i.region and g.family = f.family
  left join subnet_acl a on a.instance_id = i.instance_id and a.account_id = i.account_id and a.region = i.region
  left join acl_world w on w.instance_id = i.instance_id and w.account_id = i.account_id and w.region = i.region and w.family = f.family
  left join sg_world s on s.instance_id = i.instance_id and s.account_id = i.account_id and s.region = i.region and s.family = f.family
),
explained as (
  select instance_id, account_id, region, family,
         address is not null and route is not null and cardinality(ports) > 0 as reachable,
         case when address is not null and route is not null then ports end as open_ports,
         case
           when address is null then 'no public ' || family || ' address'
           when route is null then family || ' ' || address || ' but no ' || case when family = 'IPv4' then '0.0.0.0/0' else '::/0' end || ' route to an internet gateway'
           when rules is null then family || ' ' || address || ' → ' || route || ', but no security group rule is open to the world'
           when cardinality(ports) = 0 then family || ' ' || address || ' → ' || route || ' → ' || network_acl_id || ' (' || coalesce(entries, 'no entries') || ') blocks what ' || rules
           else family || ' ' || address || ' → ' || route || ' → ' || coalesce(network_acl_id || ' (' || coalesce(entries, 'no entries') || ')', 'no network ACL known') || ' → ' || rules
         end as why
  from paths
),
reach as (
  select instance_id, account_id, region,
         bool_or(reachable) as internet_reachable,
         array_distinct(flatten(array_agg(open_ports order by family) filter (where reachable))) as ports,
         coalesce(
           array_to_string(array_agg(why order by family) filter (where reachable), '; '),
           array_to_string(array_agg(why order by family), '; ')
         ) as path
  from explained
  group by instance_id, account_id, region
),
vpc_wide as (
  select i.instance_id, i.account_id, i.region,
         array_sort(array_agg(distinct r.group_id || ' allows ' || port_text(r.ip_protocol, r.from_port, r.to_port) || ' from ' || coalesce(r.cidr_ipv4, r.cidr_ipv6))) as rules
  from instances i
  join instance_groups g on g.instance_id = i.instance_id and g.account_id = i.account_id and g.region = i.region
  join vpc v on v.vpc_id = i.vpc_id and v.account_id = i.account_id and v.region = i.region
  join ec2_security_group_rule r on r.group_id = g.group_id and r.account_id = g.account_id and r.region = g.region
  where not r.is_egress
    and (coalesce(cidr_contains(r.cidr_ipv4, v.cidr_block), false) or coalesce(cidr_contains(r.cidr_ipv6, v.ipv6_cidr_blocks[1]), false))
  group by i.instance_id, i.account_id, i.region
),
group_trait_instances as (
  select g.instance_id, g.account_id, g.region, t.trait, t.reason
  from instance_groups g
  join group_traits t on t.group_id = g.group_id and t.account_id = g.account_id and t.region = g.region
),
all_traits as (
  select trait, instance_id, account_id, region from trait_findings
  union all select trait, instance_id, account_id, region from group_trait_instances
  union all select 'internet_reachable', instance_id, account_id, region from reach where internet_reachable
  union all select 'vpc_wide_reachable', instance_id, account_id, region from vpc_wide
),
remedies as (
  select 'imdsv1' as trait, 'Require IMDSv2: aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required.' as remedy
  union all select 'admin_role', 'Give the instance a least-privilege role: detach AdministratorAccess and admin statements from its role.'
  union all select 'service_admin_role', 'Replace service-wide wildcards (s3:* on *) in the instance role with the actions and resources it needs.'
  union all select 'ssh_rdp_open', 'Restrict SSH/RDP to trusted CIDRs, or close them and use Session Manager.'
  union all select 'open_security_group', 'Restrict the security group''s world-open ingress to trusted CIDRs or a load balancer''s group.'
  union all select 'public_ip', 'Move the instance to a private subnet behind a NAT gateway or a load balancer, and release its public IP.'
  union all select 'internet_reachable', 'Close the path: remove the internet gateway route for the subnet, deny the ports in its network ACL, or narrow the security group.'
  union all select 'vpc_wide_reachable', 'Segment the VPC: allow only the security groups or subnets that need the instance, not the whole VPC CIDR.'
),
traits as (
  select t.instance_id, t.account_id, t.region,
         array_sort(array_agg(distinct t.trait)) as traits,
         array_sort(array_agg(distinct t.trait || ': ' || r.remedy)) as remediation
  from all_traits t
  join remedies r on r.trait = t.trait
  group by t.instance_id, t.account_id, t.region
)
select
  i.instance_id,
  i.arn,
  i.public_ip_address,
  coalesce(x.internet_reachable, false) as internet_reachable,
  coalesce(x.ports, cast(make_array() as varchar[])) as internet_reachable_ports,
  v.instance_id is not null as vpc_wide_reachable,
  v.rules as vpc_wide_rules,
  t.traits,
  case
    when t.traits is null then 'none'
    when array_has(t.traits, 'internet_reachable') and (array_has(t.traits, 'imdsv1') or array_has(t.traits, 'admin_role')) then 'critical'
    when array_has(t.traits, 'internet_reachable') or (array_has(t.traits, 'public_ip') and array_has(t.traits, 'ssh_rdp_open')) then 'high'
    when i.instance_state = 'running' then 'medium'
    else 'low'
  end as severity,
  x.path,
  t.remediation,
  i.account_id,
  i.region
from instances i
left join reach x on x.instance_id = i.instance_id and x.account_id = i.account_id and x.region = i.region
left join vpc_wide v on v.instance_id = i.instance_id and v.account_id = i.account_id and v.region = i.region
left join traits t on t.instance_id = i.instance_id and t.account_id = i.account_id and t.region = i.region
