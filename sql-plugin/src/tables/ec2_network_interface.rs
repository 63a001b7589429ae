use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_network_interface",
    description: "Elastic network interfaces (describe-network-interfaces; AWS::EC2::NetworkInterface).",
    kinds: &[Kind::NetworkInterface],
    api_filters: &[
        ("network_interface_id", "network-interface-id"),
        ("attached_instance_id", "attachment.instance-id"),
        ("vpc_id", "vpc-id"),
        ("subnet_id", "subnet-id"),
        ("interface_type", "interface-type"),
        ("status", "status"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::NetworkInterface),
    columns: &[
        col(
            "network_interface_id",
            Text,
            "The network interface ID.",
            |r| r.resource.text("NetworkInterfaceId"),
        ),
        col("arn", Text, "The network interface ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "network-interface/{}",
                    r.resource.str_at("NetworkInterfaceId").unwrap_or_default()
                ),
            )
        }),
        col(
            "interface_type",
            Text,
            "interface, nat_gateway, load_balancer, lambda, …",
            |r| r.resource.text("InterfaceType"),
        ),
        col("status", Text, "available, in-use, …", |r| {
            r.resource.text("Status")
        }),
        col("description", Text, "The description.", |r| {
            r.resource.text("Description")
        }),
        col(
            "attached_instance_id",
            Text,
            "The instance it is attached to, if any.",
            |r| r.resource.text("Attachment.InstanceId"),
        ),
        col("vpc_id", Text, "The VPC.", |r| r.resource.text("VpcId")),
        col("subnet_id", Text, "The subnet.", |r| {
            r.resource.text("SubnetId")
        }),
        col("availability_zone", Text, "The Availability Zone.", |r| {
            r.resource.text("AvailabilityZone")
        }),
        col(
            "private_ip_address",
            Text,
            "The primary private IPv4 address.",
            |r| r.resource.text("PrivateIpAddress"),
        ),
        col(
            "private_ip_addresses",
            TextList,
            "All private IPv4 addresses.",
            |r| {
                r.resource
                    .text_list("PrivateIpAddresses", Some("PrivateIpAddress"))
            },
        ),
        col(
            "public_ip_address",
            Text,
            "The public IPv4 address of the primary private address, if any.",
            |r| r.resource.text("Association.PublicIp"),
        ),
        col(
            "public_ip_addresses",
            TextList,
            "Every public IPv4 address associated with the interface.",
            |r| {
                let mut ips = strings(
                    r.resource.at("PrivateIpAddresses"),
                    Some("Association.PublicIp"),
                );
                ips.extend(
                    r.resource
                        .str_at("Association.PublicIp")
                        .map(str::to_string),
                );
                ips.sort();
                ips.dedup();
                Cell::TextList(ips)
            },
        ),
        col("ipv6_addresses", TextList, "IPv6 addresses.", |r| {
            r.resource.text_list("Ipv6Addresses", Some("Ipv6Address"))
        }),
        col(
            "security_group_ids",
            TextList,
            "Security groups of the interface.",
            |r| r.resource.text_list("Groups", Some("GroupId")),
        ),
        col(
            "requester_managed",
            Bool,
            "Whether an AWS service manages the interface.",
            |r| r.resource.bool("RequesterManaged"),
        ),
        col(
            "source_dest_check",
            Bool,
            "Whether source/destination checking is on.",
            |r| r.resource.bool("SourceDestCheck"),
        ),
        col("tags", Tags, "Tags.", |r| {
            r.resource.tags(if r.resource.at("TagSet").is_some() {
                "TagSet"
            } else {
                "Tags"
            })
        }),
        ACCOUNT_ID,
        REGION,
    ],
};
