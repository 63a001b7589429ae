use super::prelude::*;

pub static TABLE: Table = Table {
    name: "elb_listener",
    description: "Listeners of Classic Load Balancers, one row per listener, from the same outputs and items as elb_load_balancer (its ListenerDescriptions): the port it listens on and the instance port it forwards to.",
    kinds: &[Kind::ClassicLoadBalancer],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| {
        let mut out = Vec::new();
        for lb in inv.of(Kind::ClassicLoadBalancer) {
            let listeners = lb.data.at("ListenerDescriptions").and_then(Value::as_array);
            for listener in listeners.into_iter().flatten() {
                if let Some(l) = listener.at("Listener") {
                    out.push(Record::new(&lb.account_id, &lb.region, &lb.data).with_item(l));
                }
            }
        }
        out
    },
    columns: &[
        col(
            "load_balancer_name",
            Text,
            "Its load balancer (elb_load_balancer.load_balancer_name).",
            |r| r.resource.text("LoadBalancerName"),
        ),
        col(
            "protocol",
            Text,
            "The protocol it listens with: `HTTP`, `HTTPS`, `TCP` or `SSL`.",
            |r| r.item.text("Protocol"),
        ),
        col("load_balancer_port", Int, "The port it listens on.", |r| {
            r.item.int("LoadBalancerPort")
        }),
        col(
            "instance_protocol",
            Text,
            "The protocol to the instances.",
            |r| r.item.text("InstanceProtocol"),
        ),
        col(
            "instance_port",
            Int,
            "The port on the instances it forwards to.",
            |r| r.item.int("InstancePort"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
