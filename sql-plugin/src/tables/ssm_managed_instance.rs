use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ssm_managed_instance",
    description: "Instances (and on-premises machines) that AWS Systems Manager manages, one row per instance (aws ssm describe-instance-information, offline in describe-instance-information.json). An EC2 instance with no row here is not managed by Systems Manager in that account and region. AWS Config's AWS::SSM::ManagedInstanceInventory holds inventory without the ping status, so it is not read.",
    kinds: &[Kind::SsmManagedInstance],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::SsmManagedInstance),
    columns: &[
        col(
            "instance_id",
            Text,
            "The instance id (`i-…` for EC2, `mi-…` for a machine outside AWS).",
            |r| r.resource.text("InstanceId"),
        ),
        col(
            "ping_status",
            Text,
            "Whether the SSM Agent is in touch: `Online`, `ConnectionLost` or `Inactive`.",
            |r| r.resource.text("PingStatus"),
        ),
        col(
            "last_ping_date_time",
            Timestamp,
            "When the agent last reported.",
            |r| r.resource.timestamp("LastPingDateTime"),
        ),
        col("agent_version", Text, "The SSM Agent's version.", |r| {
            r.resource.text("AgentVersion")
        }),
        col(
            "is_latest_version",
            Bool,
            "Whether the agent is the latest version (for Linux; null where AWS does not say).",
            |r| r.resource.bool("IsLatestVersion"),
        ),
        col(
            "platform_type",
            Text,
            "`Linux`, `Windows` or `MacOS`.",
            |r| r.resource.text("PlatformType"),
        ),
        col(
            "platform_name",
            Text,
            "The operating system's name (`Amazon Linux`, `Ubuntu`).",
            |r| r.resource.text("PlatformName"),
        ),
        col(
            "platform_version",
            Text,
            "The operating system's version.",
            |r| r.resource.text("PlatformVersion"),
        ),
        col(
            "resource_type",
            Text,
            "`EC2Instance`, or `ManagedInstance` for a machine registered with an activation.",
            |r| r.resource.text("ResourceType"),
        ),
        col(
            "association_status",
            Text,
            "The status of its State Manager associations (`Success`, `Failed`, `Pending`).",
            |r| r.resource.text("AssociationStatus"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
