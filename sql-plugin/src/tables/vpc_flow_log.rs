use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_flow_log",
    description: "Flow logs of VPCs, subnets and network interfaces (describe-flow-logs; AWS::EC2::FlowLog).",
    kinds: &[Kind::FlowLog],
    api_filters: &[
        ("flow_log_id", "flow-log-id"),
        ("resource_id", "resource-id"),
        ("traffic_type", "traffic-type"),
    ],
    max_results: true,
    extra_call_columns: &[],
    tag_filters: true,
    records: |inv| each(inv, Kind::FlowLog),
    columns: &[
        col("flow_log_id", Text, "The flow log ID.", |r| {
            r.resource.text("FlowLogId")
        }),
        col("arn", Text, "The flow log ARN.", |r| {
            r.arn(
                "ec2",
                &format!(
                    "vpc-flow-log/{}",
                    r.resource.str_at("FlowLogId").unwrap_or_default()
                ),
            )
        }),
        col(
            "resource_id",
            Text,
            "The VPC, subnet or network interface logged.",
            |r| r.resource.text("ResourceId"),
        ),
        col(
            "flow_log_status",
            Text,
            "`ACTIVE` while the flow log exists.",
            |r| r.resource.text("FlowLogStatus"),
        ),
        col(
            "deliver_logs_status",
            Text,
            "SUCCESS or FAILED (not recorded by AWS Config).",
            |r| r.resource.text("DeliverLogsStatus"),
        ),
        col("traffic_type", Text, "ACCEPT, REJECT or ALL.", |r| {
            r.resource.text("TrafficType")
        }),
        col(
            "log_destination_type",
            Text,
            "cloud-watch-logs, s3 or kinesis-data-firehose.",
            |r| r.resource.text("LogDestinationType"),
        ),
        col("log_destination", Text, "The destination ARN.", |r| {
            r.resource.text("LogDestination")
        }),
        col(
            "log_group_name",
            Text,
            "The CloudWatch Logs group, for that destination type.",
            |r| r.resource.text("LogGroupName"),
        ),
        col(
            "creation_time",
            Timestamp,
            "When the flow log was created (not recorded by AWS Config).",
            |r| r.resource.timestamp("CreationTime"),
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};
