use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_launch_template_version",
    description: "Launch template versions (describe-launch-template-versions; AWS::EC2::LaunchTemplate records the default version only).",
    kinds: &[Kind::LaunchTemplateVersion],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::LaunchTemplateVersion),
    columns: &[
        col("launch_template_id", Text, "The launch template ID.", |r| {
            r.resource.text("LaunchTemplateId")
        }),
        col(
            "launch_template_name",
            Text,
            "The launch template name.",
            |r| r.resource.text("LaunchTemplateName"),
        ),
        col("arn", Text, "The launch template ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "launch-template/{}",
                    r.resource.str_at("LaunchTemplateId").unwrap_or_default()
                ),
            )
        }),
        col("version_number", Int, "The version number.", |r| {
            r.resource.int("VersionNumber")
        }),
        col(
            "is_default_version",
            Bool,
            "Whether this is the template's default version.",
            |r| r.resource.bool("DefaultVersion"),
        ),
        col(
            "create_time",
            Timestamp,
            "When the version was created (not recorded by AWS Config).",
            |r| r.resource.timestamp("CreateTime"),
        ),
        col(
            "http_tokens",
            Text,
            "MetadataOptions.HttpTokens: `required`, `optional`, or null when the version leaves it to the account default.",
            |r| {
                r.resource
                    .text("LaunchTemplateData.MetadataOptions.HttpTokens")
            },
        ),
        col(
            "http_endpoint",
            Text,
            "MetadataOptions.HttpEndpoint: `enabled`, `disabled` or null.",
            |r| {
                r.resource
                    .text("LaunchTemplateData.MetadataOptions.HttpEndpoint")
            },
        ),
        col(
            "http_put_response_hop_limit",
            Int,
            "MetadataOptions.HttpPutResponseHopLimit.",
            |r| {
                r.resource
                    .int("LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit")
            },
        ),
        col(
            "associate_public_ip_address",
            Bool,
            "true if any network interface sets AssociatePublicIpAddress, false if one sets it false, null if none sets it.",
            |r| {
                let nis = r
                    .resource
                    .at("LaunchTemplateData.NetworkInterfaces")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                let flags: Vec<bool> = nis
                    .iter()
                    .filter_map(|n| n.at("AssociatePublicIpAddress").and_then(Value::as_bool))
                    .collect();
                if flags.is_empty() {
                    Cell::Null
                } else {
                    Cell::Bool(flags.contains(&true))
                }
            },
        ),
        col("image_id", Text, "The AMI.", |r| {
            r.resource.text("LaunchTemplateData.ImageId")
        }),
        col("instance_type", Text, "The instance type.", |r| {
            r.resource.text("LaunchTemplateData.InstanceType")
        }),
        col(
            "iam_instance_profile_arn",
            Text,
            "The instance profile ARN (or name, when given by name).",
            |r| match r.resource.text("LaunchTemplateData.IamInstanceProfile.Arn") {
                Cell::Null => r
                    .resource
                    .text("LaunchTemplateData.IamInstanceProfile.Name"),
                arn => arn,
            },
        ),
        col(
            "security_group_ids",
            TextList,
            "Security groups, of the template and its network interfaces.",
            |r| {
                let data = r.resource.at("LaunchTemplateData").unwrap_or(&Value::Null);
                let nis = data
                    .at("NetworkInterfaces")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                let own = strings(data.at("SecurityGroupIds"), None);
                Cell::TextList(distinct(
                    own.into_iter()
                        .chain(nis.iter().flat_map(|n| strings(n.at("Groups"), None))),
                ))
            },
        ),
        col(
            "launch_template_data",
            Json,
            "The whole LaunchTemplateData document.",
            |r| r.resource.json("LaunchTemplateData"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
