/*
title = "EC2 instances should not be reachable from the internet"
severity = "high"
resource_type = "AWS::EC2::Instance"
trigger = "change"
depends_on = ["AWS::EC2::SecurityGroup", "AWS::EC2::PrefixList", "AWS::EC2::NetworkInterface", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::NetworkAcl", "AWS::EC2::VPCPeeringConnection", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancing::LoadBalancer"]
frameworks = ["exposure"]
rationale = """
An instance is reachable from the internet on a port when every layer lets the traffic through.
Directly: a public IPv4 (or an IPv6 address), a 0.0.0.0/0 (::/0) route to an internet gateway in
its subnet's route table, a network ACL whose first matching world entry allows it, and a
security group open to the world on it (a prefix list counts as its entries). Through a load
balancer: an internet-facing ALB, NLB or Classic Load Balancer in a subnet routed to an internet
gateway, whose security groups admit the listener port from the world, forwards to the instance,
and the instance's groups admit the target port from the load balancer. Any one closed layer
stops the traffic, so a world-open security group alone does not make an instance reachable, and
a private instance behind a NAT gateway or an internal load balancer is not. The reason lists the
reachable ports and each path. The verdict spans the instance, its security groups, its subnet,
that subnet's route table and network ACL, and the load balancers in front of it: in AWS Config a
change to any of them re-evaluates the instances.
"""
[remediation]
console = "VPC console → the instance's subnet → Route table: remove the 0.0.0.0/0 route to the internet gateway (use a NAT gateway for egress), or deny the ports in its Network ACL; EC2 console → Security groups: restrict the world-open inbound rules to trusted CIDRs or a load balancer's group; EC2 console → Load balancers: for a path through a load balancer, make it internal, narrow its security group, or deregister the instance from the target group."
cli = "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=tcp,FromPort=PORT,ToPort=PORT,IpRanges=[{CidrIp=0.0.0.0/0}]"
*/
select
  arn as resource,
  'AWS::EC2::Instance' as resource_type,
  instance_id as resource_id,
  case when internet_reachable then 'alarm' else 'ok' end as status,
  case
    when internet_reachable then instance_id || ' is reachable from the internet on ' || array_to_string(internet_reachable_ports, ', ') || ': ' || path || '.'
    else instance_id || ' is not reachable from the internet: ' || coalesce(path, 'no path') || '.'
  end as reason,
  account_id,
  region,
  tags
from ec2_instance_exposure
