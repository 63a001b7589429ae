-- ec2_instance_exposure: one row per instance (terminated ones left out): who can reach it, by
-- which path, and how bad its exposure is. Registered as a view by posture_queries::views, which
-- puts before this text two CTEs made from the trait controls' own SQL (so a trait means exactly
-- what its control says): trait_findings(trait, instance_id, account_id, region, reason) and
-- group_traits(trait, group_id, account_id, region, reason).
--
-- Security group sources are resolved: a CIDR as is, a managed prefix list as its entries (a list
-- whose entries were not read counts as the world: fail closed), another group as that group (a
-- load balancer's group admits what reaches the load balancer). Three kinds of path:
--
-- direct: the instance has a public IPv4 (an IPv6 address), the route table of its subnet
--   (explicit association, else the VPC's main table) routes 0.0.0.0/0 (::/0) to an internet
--   gateway, the subnet's network ACL lets the traffic in (world entries in rule-number order,
--   first match wins, no match denies) and a security group admits the world. reachable_ports()
--   does the port arithmetic. Return traffic (ACL egress) is not modelled.
-- load_balancer: an internet-facing ALB, NLB or Classic LB, one of whose subnets routes to an
--   internet gateway, whose security groups (if it has any) admit the listener port from the
--   world, forwards to the instance (an instance target, or an IP target on one of its
--   addresses; a target group whose targets were not read may hold any instance of its VPC), and
--   the instance's groups admit the target port from the load balancer's group, one of its
--   subnets' CIDRs, or the world. The reported port is the target port. Listener rules are not
--   read: a target group the load balancer serves by no listener's default action counts as
--   served by each of its listeners. Network ACLs are not applied on this path.
-- connected network: the subnet's route table sends a destination to a VPC peering connection
--   (not known to be inactive), a virtual private gateway (VPN) or a transit gateway, and a
--   security group rule's source overlaps that destination. Reachable from that network, not
--   from the internet. Network ACLs are not applied on this path.
--
-- VPC-wide: a security group admits a CIDR containing the VPC's CIDR.
instances as (
  select instance_id, arn, instance_state, public_ip_address, private_ip_address, ipv6_addresses, subnet_id, vpc_id, security_group_ids, tags, account_id, region
  from ec2_instance
  where instance_state is distinct from 'terminated'
),
instance_groups as (
  select instance_id, account_id, region, unnest(security_group_ids) as group_id from instances
),
families as (
  select 'IPv4' as family, '0.0.0.0/0' as world union all select 'IPv6', '::/0'
),
-- Every ingress rule with its source resolved; `world` when the source is all addresses (or
-- unknown), `rule` says it in words.
group_grants as (
  select r.group_id, r.account_id, r.region, r.ip_protocol, r.from_port, r.to_port,
         coalesce(r.cidr_ipv4, r.cidr_ipv6, p.cidr) as cidr,
         r.referenced_group_id,
         r.prefix_list_id is not null and not coalesce(p.entries_read, false) as unresolved,
         r.group_id || ' allows ' || port_text(r.ip_protocol, r.from_port, r.to_port) || ' from ' ||
           case
             when r.prefix_list_id is not null then r.prefix_list_id || ' (' || coalesce(p.cidr, case when p.entries_read then 'no entries' else 'entries not read' end) || ')'
             else coalesce(r.cidr_ipv4, r.cidr_ipv6, r.referenced_group_id)
           end as rule
  from ec2_security_group_rule r
  left join vpc_managed_prefix_list_entry p on p.prefix_list_id = r.prefix_list_id and p.account_id = r.account_id and p.region = r.region
  where not r.is_egress
),
world_grants as (
  select g.*, f.family
  from group_grants g
  join families f on g.cidr = f.world or g.unresolved
),
instance_grants as (
  select i.instance_id, g.*
  from instance_groups i
  join group_grants g on g.group_id = i.group_id and g.account_id = i.account_id and g.region = i.region
),
sg_world as (
  select g.instance_id, g.account_id, g.region, w.family,
         array_agg(w.ip_protocol) as protocols, array_agg(w.from_port) as froms, array_agg(w.to_port) as tos,
         array_to_string(array_sort(array_agg(w.rule)), ', ') as rules
  from instance_groups g
  join world_grants w on w.group_id = g.group_id and w.account_id = g.account_id and w.region = g.region
  group by g.instance_id, g.account_id, g.region, w.family
),
-- Load balancers, Application/Network and Classic alike.
load_balancers as (
  select load_balancer_arn as lb, load_balancer_name as name, type, scheme, vpc_id, subnet_ids, security_group_ids, account_id, region
  from elbv2_load_balancer
  where state is distinct from 'failed'
  union all
  select arn, load_balancer_name, 'classic', scheme, vpc_id, subnet_ids, security_group_ids, account_id, region
  from elb_load_balancer
),
lb_subnets as (
  select lb, account_id, region, vpc_id, unnest(subnet_ids) as subnet_id from load_balancers
),
-- The subnets whose routes matter: the instances' and the load balancers'.
subnets as (
  select subnet_id, vpc_id, account_id, region from instances
  union select subnet_id, vpc_id, account_id, region from lb_subnets
),
route_tables as (
  select route_table_id, vpc_id, account_id, region, bool_or(is_main) as is_main, first_value(associated_subnet_ids) as subnet_ids
  from vpc_route
  group by route_table_id, vpc_id, account_id, region
),
subnet_route_table as (
  select s.subnet_id, s.account_id, s.region, coalesce(min(e.route_table_id), min(m.route_table_id)) as route_table_id
  from subnets s
  left join route_tables e on e.account_id = s.account_id and e.region = s.region and array_has(e.subnet_ids, s.subnet_id)
  left join route_tables m on m.account_id = s.account_id and m.region = s.region and m.vpc_id = s.vpc_id and m.is_main
  group by s.subnet_id, s.account_id, s.region
),
gateway_routes as (
  select s.subnet_id, s.account_id, s.region, f.family,
         min(s.route_table_id || ' routes ' || f.world || ' to ' || r.gateway_id) as route
  from subnet_route_table s
  join vpc_route r on r.route_table_id = s.route_table_id and r.account_id = s.account_id and r.region = s.region
  join families f on coalesce(r.destination_cidr_block, r.destination_ipv6_cidr_block) = f.world
  where r.gateway_id like 'igw-%' and coalesce(r.state, 'active') = 'active'
  group by s.subnet_id, s.account_id, s.region, f.family
),
acls as (
  select network_acl_id, account_id, region, first_value(associated_subnet_ids) as subnet_ids
  from vpc_network_acl_entry
  group by network_acl_id, account_id, region
),
-- Joined by subnet id, not by searching each ACL's subnets for each instance's.
acl_subnets as (
  select network_acl_id, account_id, region, unnest(subnet_ids) as subnet_id from acls
),
subnet_acl as (
  select i.instance_id, i.account_id, i.region, min(a.network_acl_id) as network_acl_id
  from instances i
  join acl_subnets a on a.subnet_id = i.subnet_id and a.account_id = i.account_id and a.region = i.region
  group by i.instance_id, i.account_id, i.region
),
-- Each ACL's world entries in order, once per ACL rather than once per instance behind it.
acl_world as (
  select e.network_acl_id, e.account_id, e.region, f.family,
         array_agg(e.rule_action order by e.rule_number) as actions,
         array_agg(e.protocol order by e.rule_number) as protocols,
         array_agg(e.from_port order by e.rule_number) as froms,
         array_agg(e.to_port order by e.rule_number) as tos,
         array_to_string(array_agg('rule ' || e.rule_number || case e.rule_action when 'allow' then ' allows ' else ' denies ' end || port_text(e.protocol, e.from_port, e.to_port) order by e.rule_number), ', ') as entries
  from vpc_network_acl_entry e
  join families f on coalesce(e.cidr_block, e.ipv6_cidr_block) = f.world
  where not e.egress
  group by e.network_acl_id, e.account_id, e.region, f.family
),
direct as (
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
  left join gateway_routes g on g.subnet_id = i.subnet_id and g.account_id = i.account_id and g.region = i.region and g.family = f.family
  left join subnet_acl a on a.instance_id = i.instance_id and a.account_id = i.account_id and a.region = i.region
  left join acl_world w on w.network_acl_id = a.network_acl_id and w.account_id = i.account_id and w.region = i.region and w.family = f.family
  left join sg_world s on s.instance_id = i.instance_id and s.account_id = i.account_id and s.region = i.region and s.family = f.family
),
direct_explained as (
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
  from direct
),
-- Each listener of an internet-facing load balancer that the internet reaches: a subnet with an
-- internet gateway route, and (when the load balancer has security groups) a world rule on the
-- listener port.
lb_listeners as (
  select load_balancer_arn as lb, port as listener_port, 'listener ' || protocol || ' ' || port as listener,
         case when protocol = 'UDP' then 'udp' else 'tcp' end as protocol, account_id, region
  from elbv2_listener
  union all
  select b.arn, l.load_balancer_port, 'listener ' || l.protocol || ' ' || l.load_balancer_port, 'tcp', l.account_id, l.region
  from elb_listener l
  join elb_load_balancer b on b.load_balancer_name = l.load_balancer_name and b.account_id = l.account_id and b.region = l.region
),
lb_routes as (
  select s.lb, s.account_id, s.region, min(g.route) as route
  from lb_subnets s
  join gateway_routes g on g.subnet_id = s.subnet_id and g.account_id = s.account_id and g.region = s.region
  group by s.lb, s.account_id, s.region
),
lb_groups as (
  select lb, account_id, region, unnest(security_group_ids) as group_id from load_balancers
),
lb_world_rules as (
  select l.lb, l.listener_port, l.account_id, l.region, min(w.rule) as rule
  from lb_listeners l
  join lb_groups g on g.lb = l.lb and g.account_id = l.account_id and g.region = l.region
  join world_grants w on w.group_id = g.group_id and w.account_id = g.account_id and w.region = g.region
  where (w.ip_protocol = 'all' or w.ip_protocol = l.protocol) and w.from_port <= l.listener_port and w.to_port >= l.listener_port
  group by l.lb, l.listener_port, l.account_id, l.region
),
lb_front as (
  select b.lb, l.listener_port, l.protocol, l.account_id, l.region,
         b.name || ' (' || b.type || ', internet-facing; ' || r.route || coalesce('; ' || w.rule, '') || ') ' || l.listener as entry
  from load_balancers b
  join lb_listeners l on l.lb = b.lb and l.account_id = b.account_id and l.region = b.region
  join lb_routes r on r.lb = b.lb and r.account_id = b.account_id and r.region = b.region
  left join lb_world_rules w on w.lb = l.lb and w.listener_port = l.listener_port and w.account_id = l.account_id and w.region = l.region
  where b.scheme = 'internet-facing' and (cardinality(b.security_group_ids) = 0 or w.rule is not null)
),
-- Which target groups each listener forwards to: by its default action, else (rules not read)
-- by every listener of a load balancer the group names.
listener_groups as (
  select load_balancer_arn as lb, port as listener_port, account_id, region, unnest(target_group_arns) as target_group_arn
  from elbv2_listener
),
group_lbs as (
  select target_group_arn, account_id, region, unnest(load_balancer_arns) as lb from elbv2_target_group
),
served as (
  select lb, listener_port, account_id, region, target_group_arn from listener_groups
  union
  select g.lb, l.listener_port, g.account_id, g.region, g.target_group_arn
  from group_lbs g
  join lb_listeners l on l.lb = g.lb and l.account_id = g.account_id and l.region = g.region
  left join listener_groups d on d.lb = g.lb and d.target_group_arn = g.target_group_arn and d.account_id = g.account_id and d.region = g.region
  where d.lb is null
),
served_targets as (
  select s.lb, s.listener_port, s.account_id, s.region, t.target_type, t.target_group_name, t.vpc_id,
         h.targets_read, h.target_id, coalesce(h.target_port, t.port) as target_port
  from served s
  join elbv2_target_group t on t.target_group_arn = s.target_group_arn and t.account_id = s.account_id and t.region = s.region
  join elbv2_target_health h on h.target_group_arn = t.target_group_arn and h.account_id = t.account_id and h.region = t.region
),
instance_addresses as (
  select instance_id, account_id, region, private_ip_address as address from instances where private_ip_address is not null
  union
  select attached_instance_id, account_id, region, unnest(private_ip_addresses) from ec2_network_interface where attached_instance_id is not null
),
-- Each (load balancer listener, instance, target port) the load balancer forwards to.
lb_targets as (
  select lb, listener_port, account_id, region, target_id as instance_id, target_port, target_group_name || ' → ' as via
  from served_targets
  where target_type = 'instance' and targets_read
  union all
  select t.lb, t.listener_port, t.account_id, t.region, a.instance_id, t.target_port, t.target_group_name || ' → ' || t.target_id || ' → '
  from served_targets t
  join instance_addresses a on a.address = t.target_id and a.account_id = t.account_id and a.region = t.region
  where t.target_type = 'ip' and t.targets_read
  union all
  select t.lb, t.listener_port, t.account_id, t.region, i.instance_id, t.target_port, t.target_group_name || ' (targets not read: any instance of ' || t.vpc_id || ') → '
  from served_targets t
  join instances i on i.vpc_id = t.vpc_id and i.account_id = t.account_id and i.region = t.region
  where t.target_type in ('instance', 'ip') and not t.targets_read
  union all
  select c.lb, e.load_balancer_port, c.account_id, c.region, c.instance_id, e.instance_port, ''
  from (select arn as lb, load_balancer_name, account_id, region, unnest(instance_ids) as instance_id from elb_load_balancer) c
  join elb_listener e on e.load_balancer_name = c.load_balancer_name and e.account_id = c.account_id and e.region = c.region
),
-- What an instance's rule must name to admit a load balancer: its group or a subnet's CIDR.
lb_sources as (
  select lb, account_id, region, group_id, cast(null as varchar) as cidr from lb_groups
  union all
  select s.lb, s.account_id, s.region, null, n.cidr_block
  from lb_subnets s
  join vpc_subnet n on n.subnet_id = s.subnet_id and n.account_id = s.account_id and n.region = s.region
),
lb_paths as (
  select t.instance_id, t.account_id, t.region, f.protocol || '/' || t.target_port || '-' || t.target_port as port,
         min('via ' || f.entry || ' → ' || t.via || 'port ' || t.target_port || ' admitted by ' || g.rule) as why
  from lb_targets t
  join lb_front f on f.lb = t.lb and f.listener_port = t.listener_port and f.account_id = t.account_id and f.region = t.region
  join instance_grants g on g.instance_id = t.instance_id and g.account_id = t.account_id and g.region = t.region
  join lb_sources s on s.lb = t.lb and s.account_id = t.account_id and s.region = t.region
  where (g.ip_protocol = 'all' or g.ip_protocol = f.protocol) and g.from_port <= t.target_port and g.to_port >= t.target_port
    and (g.referenced_group_id = s.group_id or coalesce(cidr_contains(g.cidr, s.cidr), false) or g.cidr in ('0.0.0.0/0', '::/0') or g.unresolved)
  group by t.instance_id, t.account_id, t.region, f.protocol, t.target_port
),
-- Routes from the instance's subnet to connected networks, and the rules whose source overlaps
-- what they route.
connected_routes as (
  select i.instance_id, i.account_id, i.region,
         coalesce(r.vpc_peering_connection_id, r.transit_gateway_id, r.gateway_id) as network,
         case when r.vpc_peering_connection_id is not null then 'peering' when r.transit_gateway_id is not null then 'transit_gateway' else 'vpn' end as via,
         coalesce(r.destination_cidr_block, r.destination_ipv6_cidr_block, pl.cidr) as destination,
         r.destination_prefix_list_id is not null and not coalesce(pl.entries_read, false) as unresolved,
         r.route_table_id
  from instances i
  join subnet_route_table s on s.subnet_id = i.subnet_id and s.account_id = i.account_id and s.region = i.region
  join vpc_route r on r.route_table_id = s.route_table_id and r.account_id = s.account_id and r.region = s.region
  left join vpc_managed_prefix_list_entry pl on pl.prefix_list_id = r.destination_prefix_list_id and pl.account_id = r.account_id and pl.region = r.region
  left join vpc_peering_connection p on p.vpc_peering_connection_id = r.vpc_peering_connection_id and p.account_id = r.account_id and p.region = r.region
  where (r.vpc_peering_connection_id is not null or r.transit_gateway_id is not null or r.gateway_id like 'vgw-%')
    and coalesce(r.state, 'active') = 'active'
    and coalesce(p.status, 'active') = 'active'
),
connected_paths as (
  select c.instance_id, c.account_id, c.region, c.network, c.via,
         reachable_ports(array_agg(g.ip_protocol), array_agg(g.from_port), array_agg(g.to_port),
                         cast(null as varchar[]), cast(null as varchar[]), cast(null as bigint[]), cast(null as bigint[])) as ports,
         min(c.route_table_id) || ' routes ' || array_to_string(array_sort(array_agg(distinct coalesce(c.destination, 'unread prefix list'))), ', ') || ' to ' || c.network || ' → ' || array_to_string(array_sort(array_agg(distinct g.rule)), ', ') as route
  from connected_routes c
  join instance_grants g on g.instance_id = c.instance_id and g.account_id = c.account_id and g.region = c.region
  where c.unresolved or g.unresolved
     or coalesce(cidr_contains(g.cidr, c.destination), false) or coalesce(cidr_contains(c.destination, g.cidr), false)
  group by c.instance_id, c.account_id, c.region, c.network, c.via
),
-- Every reachable port with the path that reaches it.
reachable as (
  select instance_id, account_id, region, 'direct' as via, cast(null as varchar) as network, unnest(open_ports) as port, why
  from direct_explained where reachable
  union all
  select instance_id, account_id, region, 'load_balancer', null, port, why from lb_paths
  union all
  select instance_id, account_id, region, via, network, unnest(ports) as port, via || ': ' || route as why from connected_paths
),
-- Ports in numeric order (tcp/80-80 before tcp/443-443).
reach as (
  select instance_id, account_id, region,
         bool_or(via in ('direct', 'load_balancer')) as internet_reachable,
         array_distinct(array_agg(port order by port_protocol, port_from) filter (where via in ('direct', 'load_balancer'))) as ports,
         array_distinct(array_agg(via || ' ' || port order by via, port_protocol, port_from)) as reachable_via,
         bool_or(network is not null) as connected_network_reachable,
         array_sort(array_distinct(array_agg(network) filter (where network is not null))) as connected_networks,
         array_to_string(array_sort(array_distinct(array_agg(why))), '; ') as path
  from (
    select *, split_part(port, '/', 1) as port_protocol, try_cast(split_part(split_part(port, '/', 2), '-', 1) as bigint) as port_from
    from reachable
  )
  group by instance_id, account_id, region
),
-- An instance has one direct_explained row per family: IPv4's reason, then IPv6's (a pivot,
-- not an ordered aggregate, which sorts each instance's rows apart).
unreachable as (
  select instance_id, account_id, region,
         concat_ws('; ', max(case when family = 'IPv4' then why end), max(case when family = 'IPv6' then why end)) as path
  from direct_explained
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
-- The traits the trait controls give each instance (directly, or through its groups).
finding_traits as (
  select instance_id, account_id, region, array_agg(distinct trait) as traits
  from (
    select trait, instance_id, account_id, region from trait_findings
    union all
    select 'software_vulnerability', instance_id, account_id, region from ec2_instance_vulnerability where cardinality(other_active) > 0
    union all
    select t.trait, g.instance_id, g.account_id, g.region
    from instance_groups g
    join group_traits t on t.group_id = g.group_id and t.account_id = g.account_id and t.region = g.region
  )
  group by instance_id, account_id, region
),
-- Each instance's traits: its findings' and those its reachability gives.
facts as (
  select i.instance_id, i.account_id, i.region, i.instance_state,
         array_sort(array_concat(
           coalesce(f.traits, cast(make_array() as varchar[])),
           case when x.internet_reachable then make_array('internet_reachable') else cast(make_array() as varchar[]) end,
           case when x.connected_network_reachable then make_array('connected_network_reachable') else cast(make_array() as varchar[]) end,
           case when v.instance_id is not null then make_array('vpc_wide_reachable') else cast(make_array() as varchar[]) end
         )) as traits
  from instances i
  left join reach x on x.instance_id = i.instance_id and x.account_id = i.account_id and x.region = i.region
  left join vpc_wide v on v.instance_id = i.instance_id and v.account_id = i.account_id and v.region = i.region
  left join finding_traits f on f.instance_id = i.instance_id and f.account_id = i.account_id and f.region = i.region
),
remedies as (
  select 'imdsv1' as trait, 'Require IMDSv2: aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required.' as remedy
  union all select 'admin_role', 'Give the instance a least-privilege role: detach AdministratorAccess and admin statements from its role.'
  union all select 'service_admin_role', 'Replace service-wide wildcards (s3:* on *) in the instance role with the actions and resources it needs.'
  union all select 'ssh_rdp_open', 'Restrict SSH/RDP to trusted CIDRs, or close them and use Session Manager.'
  union all select 'open_security_group', 'Restrict the security group''s world-open ingress to trusted CIDRs or a load balancer''s group.'
  union all select 'public_ip', 'Move the instance to a private subnet behind a NAT gateway or a load balancer, and release its public IP.'
  union all select 'internet_reachable', 'Close the path: remove the internet gateway route for the subnet, deny the ports in its network ACL, or narrow the security group; behind a load balancer, make it internal, narrow its listeners'' security group, or deregister the instance.'
  union all select 'connected_network_reachable', 'Narrow the security group to the hosts of the peered VPC or on-premises network that need the instance, or remove the route to the peering connection, VPN gateway or transit gateway from the subnet''s route table.'
  union all select 'network_exploitable_vulnerability', 'Patch it with Systems Manager Patch Manager (aws ssm send-command --document-name AWS-RunPatchBaseline --parameters Operation=Install --instance-ids ID); the CVEs are in Amazon Inspector.'
  union all select 'software_vulnerability', 'Patch it with Systems Manager Patch Manager (AWS-RunPatchBaseline, Operation=Install); the CVEs are in Amazon Inspector.'
  union all select 'vpc_wide_reachable', 'Segment the VPC: allow only the security groups or subnets that need the instance, not the whole VPC CIDR.'
),
-- The instance as it is (fixed is null), and as it would be once each trait's remediation is
-- applied; one severity rule ranks them all.
scenarios as (
  select *, case when fixed is null then traits else array_remove(traits, fixed) end as remaining
  from (select *, unnest(array_append(traits, cast(null as varchar))) as fixed from facts)
),
assessed as (
  select s.*,
         -- An instance in an Auto Scaling group is replaced from its launch template or
         -- configuration: fixing the instance alone does not last.
         case
           when g.auto_scaling_group_name is not null and s.fixed in ('imdsv1', 'network_exploitable_vulnerability', 'software_vulnerability')
             then 'In Auto Scaling group ' || g.auto_scaling_group_name || ', which launches it from its ' || g.launch_source || ': give the group a launch template with ' || case when s.fixed = 'imdsv1' then 'HttpTokens required' else 'a patched AMI' end || ', then start an instance refresh (aws autoscaling start-instance-refresh --auto-scaling-group-name ' || g.auto_scaling_group_name || '); a fix on the instance alone does not last. ' || r.remedy
           else r.remedy
         end as remedy,
         case
           when cardinality(remaining) = 0 then 'none'
           when array_has(remaining, 'internet_reachable') and (array_has(remaining, 'imdsv1') or array_has(remaining, 'admin_role') or array_has(remaining, 'network_exploitable_vulnerability')) then 'critical'
           when array_has(remaining, 'internet_reachable')
             or (array_has(remaining, 'public_ip') and array_has(remaining, 'ssh_rdp_open'))
             or (array_has(remaining, 'connected_network_reachable') and (array_has(remaining, 'imdsv1') or array_has(remaining, 'admin_role'))) then 'high'
           when instance_state = 'running' then 'medium'
           else 'low'
         end as scenario_severity
  from scenarios s
  left join remedies r on r.trait = s.fixed
  left join ec2_instance_auto_scaling_group g on g.instance_id = s.instance_id and g.account_id = s.account_id and g.region = s.region
),
-- Per instance: its traits with their remediations, its severity and each projection.
ranked as (
  select instance_id, account_id, region,
         array_sort(array_agg(fixed) filter (where fixed is not null)) as traits,
         max(scenario_severity) filter (where fixed is null) as severity,
         array_sort(array_agg(fixed || ': ' || scenario_severity) filter (where fixed is not null)) as projected_severity,
         array_sort(array_agg(fixed || ': ' || remedy) filter (where fixed is not null)) as remediation
  from assessed
  group by instance_id, account_id, region
)
-- Left joins only: a query that reads no trait column (the reachability controls) plans none
-- of the trait controls' SQL.
select
  i.instance_id,
  i.arn,
  i.public_ip_address,
  coalesce(x.internet_reachable, false) as internet_reachable,
  coalesce(x.ports, cast(make_array() as varchar[])) as internet_reachable_ports,
  coalesce(x.reachable_via, cast(make_array() as varchar[])) as reachable_via,
  coalesce(x.connected_network_reachable, false) as connected_network_reachable,
  coalesce(x.connected_networks, cast(make_array() as varchar[])) as connected_networks,
  v.instance_id is not null as vpc_wide_reachable,
  v.rules as vpc_wide_rules,
  t.traits,
  coalesce(t.severity, 'none') as severity,
  t.projected_severity,
  case when x.internet_reachable then x.path else u.path || coalesce('; ' || x.path, '') end as path,
  t.remediation,
  i.tags,
  i.account_id,
  i.region
from instances i
left join reach x on x.instance_id = i.instance_id and x.account_id = i.account_id and x.region = i.region
left join unreachable u on u.instance_id = i.instance_id and u.account_id = i.account_id and u.region = i.region
left join vpc_wide v on v.instance_id = i.instance_id and v.account_id = i.account_id and v.region = i.region
left join ranked t on t.instance_id = i.instance_id and t.account_id = i.account_id and t.region = i.region
