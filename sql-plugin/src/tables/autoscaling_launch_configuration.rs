use super::prelude::*;

pub static TABLE: Table = Table {
    name: "autoscaling_launch_configuration",
    description: "EC2 Auto Scaling launch configurations, one row per configuration (aws autoscaling describe-launch-configurations, offline in describe-launch-configurations.json; AWS::AutoScaling::LaunchConfiguration). A configuration never changes: an Auto Scaling group is fixed by a new configuration (or a launch template) and an instance refresh.",
    kinds: &[Kind::LaunchConfiguration],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::LaunchConfiguration),
    columns: &[
        col(
            "launch_configuration_name",
            Text,
            "The configuration's name.",
            |r| r.resource.text("LaunchConfigurationName"),
        ),
        col("arn", Text, "Its ARN.", |r| {
            r.resource.text("LaunchConfigurationARN")
        }),
        col(
            "image_id",
            Text,
            "The AMI its instances launch from.",
            |r| r.resource.text("ImageId"),
        ),
        col("instance_type", Text, "The instance type.", |r| {
            r.resource.text("InstanceType")
        }),
        col(
            "iam_instance_profile",
            Text,
            "The instance profile its instances get: a name or an ARN, as given.",
            |r| non_empty(r.resource.text("IamInstanceProfile")),
        ),
        col(
            "security_group_ids",
            TextList,
            "The security groups its instances get.",
            |r| r.resource.text_list("SecurityGroups", None),
        ),
        col(
            "associate_public_ip_address",
            Bool,
            "Whether its instances get a public IPv4 address; null when unset (then the subnet's setting decides).",
            |r| r.resource.bool("AssociatePublicIpAddress"),
        ),
        col(
            "http_tokens",
            Text,
            "`required` (IMDSv2 only) or `optional` (IMDSv1 allowed). Null when the configuration has no metadata options: AWS then launches with IMDSv1 allowed (`optional`), the default for launch configurations.",
            |r| r.resource.text("MetadataOptions.HttpTokens"),
        ),
        col(
            "http_endpoint",
            Text,
            "Whether instance metadata is reachable: `enabled` or `disabled`.",
            |r| r.resource.text("MetadataOptions.HttpEndpoint"),
        ),
        col(
            "http_put_response_hop_limit",
            Int,
            "The hop limit of metadata token responses.",
            |r| r.resource.int("MetadataOptions.HttpPutResponseHopLimit"),
        ),
        col("created_time", Timestamp, "When it was created.", |r| {
            r.resource.timestamp("CreatedTime")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};
