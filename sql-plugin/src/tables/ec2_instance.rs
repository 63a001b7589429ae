use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_instance",
    description: "EC2 instances (describe-instances; AWS::EC2::Instance).",
    kinds: &[Kind::Instance],
    // Ids go through the `instance-id` filter, not the id list: an id list fails with
    // InvalidInstanceID.NotFound in every region that does not hold the instance.
    api_filters: &[
        ("instance_id", "instance-id"),
        ("instance_state", "instance-state-name"),
        ("vpc_id", "vpc-id"),
        ("subnet_id", "subnet-id"),
        ("image_id", "image-id"),
        ("instance_type", "instance-type"),
        ("key_name", "key-name"),
        ("iam_instance_profile_arn", "iam-instance-profile.arn"),
        ("http_tokens", "metadata-options.http-tokens"),
        ("http_endpoint", "metadata-options.http-endpoint"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::Instance),
    columns: &[
        col("instance_id", Text, "The instance ID.", |r| {
            r.resource.text("InstanceId")
        }),
        col("arn", Text, "The instance ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "instance/{}",
                    r.resource.str_at("InstanceId").unwrap_or_default()
                ),
            )
        }),
        col(
            "instance_state",
            Text,
            "pending, running, shutting-down, terminated, stopping or stopped.",
            |r| r.resource.text("State.Name"),
        ),
        col(
            "instance_type",
            Text,
            "The instance type, e.g. t3.micro.",
            |r| r.resource.text("InstanceType"),
        ),
        col(
            "image_id",
            Text,
            "The AMI the instance was launched from.",
            |r| r.resource.text("ImageId"),
        ),
        col(
            "launch_time",
            Timestamp,
            "When the instance was last launched.",
            |r| r.resource.timestamp("LaunchTime"),
        ),
        col(
            "state_transition_time",
            Timestamp,
            "When the instance last changed state, read from the state transition reason (null if AWS gave none).",
            |r| {
                r.resource
                    .str_at("StateTransitionReason")
                    .and_then(transition_time)
                    .map_or(Cell::Null, Cell::Timestamp)
            },
        ),
        col(
            "state_transition_reason",
            Text,
            "AWS's text for the last state change, e.g. `User initiated (2024-01-02 10:00:00 GMT)`.",
            |r| r.resource.text("StateTransitionReason"),
        ),
        col(
            "http_tokens",
            Text,
            "IMDS token use: `required` (IMDSv2 only) or `optional` (IMDSv1 allowed).",
            |r| r.resource.text("MetadataOptions.HttpTokens"),
        ),
        col(
            "http_endpoint",
            Text,
            "Whether the instance metadata endpoint is `enabled` or `disabled`.",
            |r| r.resource.text("MetadataOptions.HttpEndpoint"),
        ),
        col(
            "http_put_response_hop_limit",
            Int,
            "IMDS PUT response hop limit.",
            |r| r.resource.int("MetadataOptions.HttpPutResponseHopLimit"),
        ),
        col(
            "instance_metadata_tags",
            Text,
            "Whether tags are readable from instance metadata (`enabled`/`disabled`).",
            |r| r.resource.text("MetadataOptions.InstanceMetadataTags"),
        ),
        col(
            "public_ip_address",
            Text,
            "The primary public IPv4 address, if any.",
            |r| r.resource.text("PublicIpAddress"),
        ),
        col(
            "public_ip_addresses",
            TextList,
            "Every public IPv4 address on the instance and its network interfaces.",
            |r| Cell::TextList(public_ips(r.resource)),
        ),
        col(
            "public_dns_name",
            Text,
            "The public DNS name, if any.",
            |r| non_empty(r.resource.text("PublicDnsName")),
        ),
        col(
            "private_ip_address",
            Text,
            "The primary private IPv4 address.",
            |r| r.resource.text("PrivateIpAddress"),
        ),
        col(
            "ipv6_addresses",
            TextList,
            "IPv6 addresses of the instance's network interfaces.",
            |r| Cell::TextList(ipv6(r.resource)),
        ),
        col(
            "iam_instance_profile_arn",
            Text,
            "The attached IAM instance profile's ARN, null if none.",
            |r| r.resource.text("IamInstanceProfile.Arn"),
        ),
        col(
            "iam_instance_profile_id",
            Text,
            "The attached IAM instance profile's ID.",
            |r| r.resource.text("IamInstanceProfile.Id"),
        ),
        col("vpc_id", Text, "The VPC the instance runs in.", |r| {
            r.resource.text("VpcId")
        }),
        col(
            "subnet_id",
            Text,
            "The subnet of the primary network interface.",
            |r| r.resource.text("SubnetId"),
        ),
        col("availability_zone", Text, "The Availability Zone.", |r| {
            r.resource.text("Placement.AvailabilityZone")
        }),
        col(
            "security_group_ids",
            TextList,
            "Security groups of the instance and all its network interfaces.",
            |r| Cell::TextList(group_ids(r.resource)),
        ),
        col(
            "network_interface_ids",
            TextList,
            "The attached network interfaces.",
            |r| {
                r.resource
                    .text_list("NetworkInterfaces", Some("NetworkInterfaceId"))
            },
        ),
        col(
            "key_name",
            Text,
            "The EC2 key pair name, if launched with one.",
            |r| r.resource.text("KeyName"),
        ),
        col(
            "platform",
            Text,
            "`windows` for Windows instances, else null.",
            |r| r.resource.text("Platform"),
        ),
        col(
            "monitoring_state",
            Text,
            "Detailed monitoring: `enabled` or `disabled`.",
            |r| r.resource.text("Monitoring.State"),
        ),
        col(
            "ebs_optimized",
            Bool,
            "Whether the instance is EBS-optimized.",
            |r| r.resource.bool("EbsOptimized"),
        ),
        col(
            "root_device_type",
            Text,
            "`ebs` or `instance-store`.",
            |r| r.resource.text("RootDeviceType"),
        ),
        col(
            "volume_ids",
            TextList,
            "EBS volumes in the block device mappings.",
            |r| {
                r.resource
                    .text_list("BlockDeviceMappings", Some("Ebs.VolumeId"))
            },
        ),
        col("tags", Tags, "Tags; `tags['Name']` reads one.", |r| {
            r.resource.tags("Tags")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};

fn interfaces(i: &Value) -> &[Value] {
    i.at("NetworkInterfaces")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn public_ips(i: &Value) -> Vec<String> {
    let mut ips: Vec<String> = i
        .str_at("PublicIpAddress")
        .map(str::to_string)
        .into_iter()
        .collect();
    for eni in interfaces(i) {
        ips.extend(eni.str_at("Association.PublicIp").map(str::to_string));
        ips.extend(strings(
            eni.at("PrivateIpAddresses"),
            Some("Association.PublicIp"),
        ));
    }
    ips.sort();
    ips.dedup();
    ips
}

fn ipv6(i: &Value) -> Vec<String> {
    let mut ips: Vec<String> = i
        .str_at("Ipv6Address")
        .map(str::to_string)
        .into_iter()
        .collect();
    for eni in interfaces(i) {
        ips.extend(strings(eni.at("Ipv6Addresses"), Some("Ipv6Address")));
    }
    ips.sort();
    ips.dedup();
    ips
}

fn group_ids(i: &Value) -> Vec<String> {
    let own = strings(i.at("SecurityGroups"), Some("GroupId"));
    let enis = interfaces(i)
        .iter()
        .flat_map(|e| strings(e.at("Groups"), Some("GroupId")));
    distinct(own.into_iter().chain(enis))
}

/// `User initiated (2023-04-27 15:01:07 GMT)` → that time.
fn transition_time(reason: &str) -> Option<i64> {
    let start = reason.find('(')? + 1;
    let end = start + reason[start..].find(')')?;
    crate::value::parse_time(&reason[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_time_reads_the_parenthesised_stamp() {
        assert_eq!(
            transition_time("User initiated (2023-04-27 15:01:07 GMT)"),
            crate::value::parse_time("2023-04-27T15:01:07Z")
        );
        assert_eq!(transition_time(""), None);
        assert_eq!(transition_time("Server.ScheduledStop"), None);
    }
}
