use super::prelude::*;
use crate::inventory::target_group_key;

pub static TABLE: Table = Table {
    name: "elbv2_target_health",
    description: "The registered targets of every target group and their health, one row per (target group, target) (aws elbv2 describe-target-groups, plus describe-target-health --target-group-arn per group: its output does not name the group, so offline it is in a file named describe-target-health.<target-group-name>.<target-group-id>.json, the last two segments of the group's ARN; AWS Config does not record target health). A group whose health was not read has one row with null target columns and `targets_read` false: never take it for a group without targets. A group read and empty has one row with null target columns and `targets_read` true. Live, the health is read only when a target column or `targets_read` is used, one call per group; otherwise there is one row per group.",
    kinds: &[Kind::TargetGroup],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[
        "targets_read",
        "target_id",
        "target_port",
        "availability_zone",
        "health_state",
        "health_reason",
    ],
    tag_filters: false,
    records: |inv| {
        let mut out = Vec::new();
        for group in inv.of(Kind::TargetGroup) {
            let key = target_group_key(group.data.str_at("TargetGroupArn").unwrap_or_default());
            let health = inv
                .get(Kind::TargetHealth, &group.account_id, &group.region, &key)
                .and_then(|h| h.data.at("TargetHealthDescriptions"));
            child_records(group, health, &mut out);
        }
        out
    },
    columns: &[
        col(
            "target_group_arn",
            Text,
            "The target group (elbv2_target_group.target_group_arn).",
            |r| r.resource.text("TargetGroupArn"),
        ),
        col("target_group_name", Text, "The group's name.", |r| {
            r.resource.text("TargetGroupName")
        }),
        col(
            "target_type",
            Text,
            "The group's target type, which says what `target_id` is: `instance`, `ip`, `lambda` or `alb`.",
            |r| r.resource.text("TargetType"),
        ),
        col(
            "targets_read",
            Bool,
            "Whether the group's targets were read: false means they are unknown, not absent.",
            |r| Cell::Bool(r.joined.is_some_and(Value::is_array)),
        ),
        col(
            "target_id",
            Text,
            "The target: an instance id (`instance`), an IP address (`ip`), a Lambda function ARN or a load balancer ARN; null when the group has no targets or they were not read.",
            |r| r.item.text("Target.Id"),
        ),
        col(
            "target_port",
            Int,
            "The port the target receives traffic on.",
            |r| r.item.int("Target.Port"),
        ),
        col(
            "availability_zone",
            Text,
            "The target's availability zone (`all` for an IP outside the VPC).",
            |r| r.item.text("Target.AvailabilityZone"),
        ),
        col(
            "health_state",
            Text,
            "`initial`, `healthy`, `unhealthy`, `unhealthy.draining`, `unused`, `draining` or `unavailable`.",
            |r| r.item.text("TargetHealth.State"),
        ),
        col(
            "health_reason",
            Text,
            "Why, when not healthy (`Target.ResponseCodeMismatch`, `Target.NotInUse`, …).",
            |r| r.item.text("TargetHealth.Reason"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// (target_group_name, target_id, target_port, targets_read) of every row.
    fn rows(files: &[(&str, Value)]) -> Vec<Vec<Cell>> {
        crate::tables::cli_rows(
            &TABLE,
            files,
            &[
                "target_group_name",
                "target_id",
                "target_port",
                "targets_read",
            ],
        )
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn targets_join_their_group_by_file_name_or_arn_and_unread_groups_fail_closed() {
        let arn = |name: &str, id: &str| {
            format!("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/{name}/{id}")
        };
        let groups = json!({"TargetGroups": [
            {"TargetGroupArn": arn("web", "0a1b"), "TargetGroupName": "web"},
            {"TargetGroupArn": arn("empty", "2c3d"), "TargetGroupName": "empty"},
            {"TargetGroupArn": arn("unread", "4e5f"), "TargetGroupName": "unread"},
            {"TargetGroupArn": arn("named", "6a7b"), "TargetGroupName": "named"},
        ]});
        let dir = "111122223333/us-east-1";
        let rows = rows(&[
            (&format!("{dir}/describe-target-groups.json"), groups),
            (
                &format!("{dir}/describe-target-health.web.0a1b.json"),
                json!({"TargetHealthDescriptions": [
                    {"Target": {"Id": "i-1", "Port": 8080}, "TargetHealth": {"State": "healthy"}},
                    {"Target": {"Id": "i-2", "Port": 8081}, "TargetHealth": {"State": "unhealthy"}},
                ]}),
            ),
            (
                &format!("{dir}/describe-target-health.empty.2c3d.json"),
                json!({"TargetHealthDescriptions": []}),
            ),
            // A file whose output names its group (as `posture snapshot` writes it).
            (
                &format!("{dir}/health.json"),
                json!({"TargetGroupArn": arn("named", "6a7b"), "TargetHealthDescriptions": [{"Target": {"Id": "10.0.0.5", "Port": 443}}]}),
            ),
            // The same name in another account: not this group's.
            (
                "444455556666/us-east-1/describe-target-health.unread.4e5f.json",
                json!({"TargetHealthDescriptions": [{"Target": {"Id": "i-9", "Port": 80}}]}),
            ),
        ]);
        assert_eq!(
            rows,
            [
                [text("empty"), Cell::Null, Cell::Null, Cell::Bool(true)],
                [
                    text("named"),
                    text("10.0.0.5"),
                    Cell::Int(443),
                    Cell::Bool(true)
                ],
                [text("unread"), Cell::Null, Cell::Null, Cell::Bool(false)],
                [text("web"), text("i-1"), Cell::Int(8080), Cell::Bool(true)],
                [text("web"), text("i-2"), Cell::Int(8081), Cell::Bool(true)],
            ]
        );
    }
}
