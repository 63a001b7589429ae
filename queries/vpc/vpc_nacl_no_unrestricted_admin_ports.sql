/*
title = "Network ACLs should not allow SSH or RDP from the internet"
severity = "medium"
resource_type = "AWS::EC2::NetworkAcl"
trigger = "change"
frameworks = ["fsbp:EC2.21", "cis:6.2"]
rationale = """
A network ACL is the subnet's second line of defence. AWS evaluates inbound entries by ascending
rule number and the first match decides, so a lower-numbered deny of 22 wins over a later
allow-all. The check asks, for internet traffic over IPv4 (0.0.0.0/0) and IPv6 (::/0) to tcp 22,
tcp 3389 and udp 3389, which entry decides, and alarms when it allows.
"""
[remediation]
console = "VPC console → Network ACLs → the ACL → Inbound rules → Edit → add deny entries for tcp 22 and tcp/udp 3389 from 0.0.0.0/0 and ::/0 numbered below the allow entries."
cli = "aws ec2 create-network-acl-entry --network-acl-id ACL_ID --ingress --rule-number 50 --protocol tcp --port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny"
*/
with probes as (
  select 'tcp' as protocol, 22 as port, 'SSH' as service
  union all select 'tcp', 3389, 'RDP'
  union all select 'udp', 3389, 'RDP'
),
families as (
  select '0.0.0.0/0' as world union all select '::/0'
),
matches as (
  select e.network_acl_id, e.account_id, e.region, p.protocol, p.port, p.service, f.world, e.rule_number, e.rule_action,
         row_number() over (partition by e.network_acl_id, e.account_id, e.region, p.protocol, p.port, f.world order by e.rule_number) as n
  from vpc_network_acl_entry e
  cross join probes p
  cross join families f
  where not e.egress
    and coalesce(e.cidr_block, e.ipv6_cidr_block) = f.world
    and (e.protocol = 'all' or (e.protocol = p.protocol and e.from_port <= p.port and e.to_port >= p.port))
),
allowed as (
  select network_acl_id, account_id, region,
         array_to_string(array_sort(array_agg(service || ' (' || protocol || ' ' || port || ') from ' || world || ' by rule ' || rule_number)), ', ') as openings
  from matches
  where n = 1 and rule_action = 'allow'
  group by network_acl_id, account_id, region
),
acls as (
  -- One row per ACL with its tags (a map cannot be a group key).
  select network_acl_id, arn, account_id, region, first_value(tags) as tags
  from vpc_network_acl_entry
  group by network_acl_id, arn, account_id, region
)
select
  a.arn as resource,
  'AWS::EC2::NetworkAcl' as resource_type,
  a.network_acl_id as resource_id,
  case when o.openings is null then 'ok' else 'alarm' end as status,
  case
    when o.openings is null then a.network_acl_id || ' lets no SSH or RDP in from the internet.'
    else a.network_acl_id || ' allows ' || o.openings || '.'
  end as reason,
  a.account_id,
  a.region,
  a.tags
from acls a
left join allowed o on o.network_acl_id = a.network_acl_id and o.account_id = a.account_id and o.region = a.region
