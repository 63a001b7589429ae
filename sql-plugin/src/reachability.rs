//! Scalar functions for the network reachability model (`ec2_instance_exposure`):
//!
//! - `reachable_ports(sg_protocols, sg_from, sg_to, acl_actions, acl_protocols, acl_from, acl_to)`
//!   → what passes both the security groups' world-open ingress rules (any of them allows) and
//!   the network ACL's world ingress entries (in rule-number order, first match wins, no match
//!   denies; null ACL lists = no ACL known, nothing filtered), as a sorted list of `tcp/443-443`,
//!   `udp/53-53`, `icmp`, or `["all"]` when every protocol passes on every port; empty if nothing;
//! - `cidr_contains(outer, inner)` → whether CIDR `outer` contains all of `inner` (IPv4 or IPv6;
//!   null when either does not parse or the families differ).

use std::net::IpAddr;
use std::sync::Arc;

use arrow::array::{Array, AsArray, BooleanBuilder, GenericListArray, ListBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::error::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

const ALL_PORTS: (i64, i64) = (0, 65535);

/// Sorted, merged, inclusive ranges.
type Ranges = Vec<(i64, i64)>;

fn normalize(mut r: Ranges) -> Ranges {
    r.sort();
    let mut out: Ranges = Vec::new();
    for (a, b) in r {
        match out.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn intersect(x: &Ranges, y: &Ranges) -> Ranges {
    let mut out = Vec::new();
    for &(a, b) in x {
        for &(c, d) in y {
            if a.max(c) <= b.min(d) {
                out.push((a.max(c), b.min(d)));
            }
        }
    }
    normalize(out)
}

fn subtract(x: &Ranges, (c, d): (i64, i64)) -> Ranges {
    let mut out = Vec::new();
    for &(a, b) in x {
        if b < c || a > d {
            out.push((a, b));
            continue;
        }
        if a < c {
            out.push((a, c - 1));
        }
        if b > d {
            out.push((d + 1, b));
        }
    }
    out
}

/// One security-group rule or NACL entry: protocol name and port range (whole range if none).
#[derive(Clone, Debug)]
pub struct Rule {
    pub protocol: String,
    pub ports: (i64, i64),
}

impl Rule {
    fn applies_to(&self, protocol: &str) -> bool {
        self.protocol == "all" || self.protocol == protocol
    }
}

fn has_ports(protocol: &str) -> bool {
    matches!(protocol, "tcp" | "udp")
}

/// What passes: see the module documentation.
pub fn reachable(sg: &[Rule], acl: Option<&[(bool, Rule)]>) -> Vec<String> {
    let mut protocols: Vec<String> = vec!["tcp".into(), "udp".into(), "icmp".into()];
    for r in sg {
        if r.protocol != "all" && !protocols.contains(&r.protocol) {
            protocols.push(r.protocol.clone());
        }
    }
    let mut out = Vec::new();
    let mut everything = sg.iter().any(|r| r.protocol == "all");
    for protocol in &protocols {
        let whole = if has_ports(protocol) {
            ALL_PORTS
        } else {
            (0, 0)
        };
        let clip = |(a, b): (i64, i64)| (a.max(whole.0), b.min(whole.1));
        let allowed_by_sg = normalize(
            sg.iter()
                .filter(|r| r.applies_to(protocol))
                .map(|r| {
                    if has_ports(protocol) && r.protocol != "all" {
                        clip(r.ports)
                    } else {
                        whole
                    }
                })
                .collect(),
        );
        let allowed_by_acl = match acl {
            None => vec![whole],
            Some(entries) => {
                let mut undecided = vec![whole];
                let mut allowed = Vec::new();
                for (allow, entry) in entries.iter().filter(|(_, e)| e.applies_to(protocol)) {
                    let range = if has_ports(protocol) && entry.protocol != "all" {
                        clip(entry.ports)
                    } else {
                        whole
                    };
                    if *allow {
                        allowed.extend(intersect(&undecided, &vec![range]));
                    }
                    undecided = subtract(&undecided, range);
                }
                normalize(allowed)
            }
        };
        let passes = intersect(&allowed_by_sg, &allowed_by_acl);
        everything &= passes == vec![whole];
        for (a, b) in passes {
            out.push(if has_ports(protocol) {
                format!("{protocol}/{a}-{b}")
            } else {
                protocol.clone()
            });
        }
    }
    if everything { vec!["all".into()] } else { out }
}

/// Whether `outer` contains all of `inner`.
pub fn cidr_contains(outer: &str, inner: &str) -> Option<bool> {
    let parse = |c: &str| -> Option<(IpAddr, u32)> {
        let (ip, len) = c.split_once('/')?;
        Some((ip.trim().parse().ok()?, len.trim().parse().ok()?))
    };
    let ((o, olen), (i, ilen)) = (parse(outer)?, parse(inner)?);
    let bits = |ip: IpAddr| -> (u128, u32) {
        match ip {
            IpAddr::V4(v) => (u32::from(v) as u128, 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ((o, width), (i, width_i)) = (bits(o), bits(i));
    if width != width_i || olen > width || ilen > width {
        return None;
    }
    let mask = |len: u32| {
        if len == 0 {
            0
        } else {
            (!0u128 << (width - len))
                & (if width == 128 {
                    !0
                } else {
                    (1u128 << width) - 1
                })
        }
    };
    Some(olen <= ilen && (o & mask(olen)) == (i & mask(olen)))
}

fn texts(list: &GenericListArray<i32>, row: usize) -> Option<Vec<Option<String>>> {
    (!list.is_null(row)).then(|| {
        let values = list.value(row);
        let values = values.as_string::<i32>();
        (0..values.len())
            .map(|i| (!values.is_null(i)).then(|| values.value(i).to_string()))
            .collect()
    })
}

fn ints(list: &GenericListArray<i32>, row: usize) -> Option<Vec<Option<i64>>> {
    (!list.is_null(row)).then(|| {
        let values = list.value(row);
        let values = values.as_primitive::<Int64Type>();
        (0..values.len())
            .map(|i| (!values.is_null(i)).then(|| values.value(i)))
            .collect()
    })
}

fn rules(
    protocols: Option<Vec<Option<String>>>,
    from: Option<Vec<Option<i64>>>,
    to: Option<Vec<Option<i64>>>,
) -> Vec<Rule> {
    let (protocols, from, to) = (
        protocols.unwrap_or_default(),
        from.unwrap_or_default(),
        to.unwrap_or_default(),
    );
    protocols
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let ports = match (from.get(i).copied().flatten(), to.get(i).copied().flatten()) {
                (Some(a), Some(b)) => (a, b),
                _ => ALL_PORTS,
            };
            Some(Rule {
                protocol: p?,
                ports,
            })
        })
        .collect()
}

fn reachable_ports(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let lists: Vec<&GenericListArray<i32>> = arrays.iter().map(|a| a.as_list::<i32>()).collect();
    let mut out = ListBuilder::new(StringBuilder::new());
    for row in 0..arrays[0].len() {
        let sg = rules(
            texts(lists[0], row),
            ints(lists[1], row),
            ints(lists[2], row),
        );
        let acl = texts(lists[3], row).map(|actions| {
            let entries = rules(
                texts(lists[4], row),
                ints(lists[5], row),
                ints(lists[6], row),
            );
            actions
                .into_iter()
                .map(|a| a.as_deref() == Some("allow"))
                .zip(entries)
                .collect::<Vec<_>>()
        });
        for port in reachable(&sg, acl.as_deref()) {
            out.values().append_value(port);
        }
        out.append(true);
    }
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

fn cidr_contains_udf(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let (outer, inner) = (arrays[0].as_string::<i32>(), arrays[1].as_string::<i32>());
    let mut out = BooleanBuilder::new();
    for i in 0..outer.len() {
        out.append_option(
            (!outer.is_null(i) && !inner.is_null(i))
                .then(|| cidr_contains(outer.value(i), inner.value(i)))
                .flatten(),
        );
    }
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

pub fn all() -> Vec<ScalarUDF> {
    let list = |t: DataType| DataType::List(Arc::new(Field::new("item", t, true)));
    let (texts, ints) = (list(DataType::Utf8), list(DataType::Int64));
    vec![
        create_udf(
            "reachable_ports",
            vec![
                texts.clone(),
                ints.clone(),
                ints.clone(),
                texts.clone(),
                texts.clone(),
                ints.clone(),
                ints,
            ],
            texts,
            Volatility::Immutable,
            Arc::new(reachable_ports),
        ),
        create_udf(
            "cidr_contains",
            vec![DataType::Utf8, DataType::Utf8],
            DataType::Boolean,
            Volatility::Immutable,
            Arc::new(cidr_contains_udf),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, a: i64, b: i64) -> Rule {
        Rule {
            protocol: protocol.into(),
            ports: (a, b),
        }
    }

    #[test]
    fn a_lower_numbered_deny_wins_over_a_later_allow() {
        let sg = [rule("tcp", 22, 22), rule("tcp", 443, 443)];
        let acl = [(false, rule("tcp", 22, 22)), (true, rule("all", 0, 65535))];
        assert_eq!(reachable(&sg, Some(&acl)), ["tcp/443-443"]);
        // The same entries the other way round: the allow comes first.
        let acl = [(true, rule("all", 0, 65535)), (false, rule("tcp", 22, 22))];
        assert_eq!(reachable(&sg, Some(&acl)), ["tcp/22-22", "tcp/443-443"]);
    }

    #[test]
    fn no_matching_acl_entry_denies_and_no_acl_filters_nothing() {
        let sg = [rule("all", 0, 65535)];
        assert_eq!(reachable(&sg, Some(&[])), Vec::<String>::new());
        assert_eq!(reachable(&sg, None), ["all"]);
        assert_eq!(
            reachable(&sg, Some(&[(true, rule("tcp", 1000, 2000))])),
            ["tcp/1000-2000"]
        );
        assert_eq!(reachable(&[], None), Vec::<String>::new());
    }

    #[test]
    fn groups_add_up_and_protocols_stay_apart() {
        let sg = [
            rule("tcp", 80, 90),
            rule("tcp", 85, 100),
            rule("udp", 53, 53),
            rule("icmp", 0, 65535),
        ];
        let acl = [(true, rule("all", 0, 65535))];
        assert_eq!(
            reachable(&sg, Some(&acl)),
            ["tcp/80-100", "udp/53-53", "icmp"]
        );
        let acl = [
            (true, rule("tcp", 0, 65535)),
            (false, rule("all", 0, 65535)),
        ];
        assert_eq!(reachable(&sg, Some(&acl)), ["tcp/80-100"]);
    }

    #[test]
    fn cidrs_contain() {
        assert_eq!(cidr_contains("0.0.0.0/0", "10.0.0.0/16"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", "10.20.0.0/16"), Some(true));
        assert_eq!(cidr_contains("10.20.0.0/16", "10.20.0.0/16"), Some(true));
        assert_eq!(cidr_contains("10.20.1.0/24", "10.20.0.0/16"), Some(false));
        assert_eq!(cidr_contains("10.21.0.0/16", "10.20.0.0/16"), Some(false));
        assert_eq!(cidr_contains("::/0", "2600:1f18::/56"), Some(true));
        assert_eq!(
            cidr_contains("2600:1f18::/48", "2600:1f18:0:100::/56"),
            Some(true)
        );
        assert_eq!(cidr_contains("0.0.0.0/0", "2600:1f18::/56"), None);
        assert_eq!(cidr_contains("nonsense", "10.0.0.0/8"), None);
        assert_eq!(cidr_contains("10.0.0.0/33", "10.0.0.0/8"), None);
    }
}
