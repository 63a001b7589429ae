use super::prelude::*;

pub static TABLE: Table = Table {
    name: "elbv2_listener",
    description: "Listeners of Application, Network and Gateway Load Balancers, one row per listener (aws elbv2 describe-listeners --load-balancer-arn, one call per load balancer; offline, their outputs in any number of files, as each listener names its load balancer: posture snapshot writes them all to describe-listeners.json; AWS::ElasticLoadBalancingV2::Listener). `target_group_arns` are the groups its default actions forward to; listener rules are not read.",
    kinds: &[Kind::Listener],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::Listener),
    columns: &[
        col("listener_arn", Text, "The listener's ARN.", |r| {
            r.resource.text("ListenerArn")
        }),
        col(
            "load_balancer_arn",
            Text,
            "Its load balancer (elbv2_load_balancer.load_balancer_arn).",
            |r| r.resource.text("LoadBalancerArn"),
        ),
        col("port", Int, "The port it listens on.", |r| {
            r.resource.int("Port")
        }),
        col(
            "protocol",
            Text,
            "`HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`, …",
            |r| r.resource.text("Protocol"),
        ),
        col(
            "default_action_types",
            TextList,
            "The types of its default actions, in order: `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, `authenticate-cognito`.",
            |r| r.resource.text_list("DefaultActions", Some("Type")),
        ),
        col(
            "target_group_arns",
            TextList,
            "Every target group its default actions forward to (`TargetGroupArn`, and each of a weighted `ForwardConfig`), once each.",
            |r| Cell::TextList(forwarded_groups(r.resource)),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};

/// The target groups of every default action: the action's own and its forward config's.
fn forwarded_groups(listener: &Value) -> Vec<String> {
    let actions = listener.at("DefaultActions").and_then(Value::as_array);
    distinct(actions.into_iter().flatten().flat_map(|action| {
        action
            .str_at("TargetGroupArn")
            .map(str::to_string)
            .into_iter()
            .chain(strings(
                action.at("ForwardConfig.TargetGroups"),
                Some("TargetGroupArn"),
            ))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_groups_come_from_both_shapes_once_each() {
        let listener = json!({"DefaultActions": [
            {"Type": "forward", "TargetGroupArn": "tg-a", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "tg-a", "Weight": 1}, {"TargetGroupArn": "tg-b", "Weight": 1}]}},
            {"Type": "redirect"},
            {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "tg-c"}]}},
        ]});
        assert_eq!(forwarded_groups(&listener), ["tg-a", "tg-b", "tg-c"]);
        assert!(forwarded_groups(&json!({"DefaultActions": "oops"})).is_empty());
    }
}
