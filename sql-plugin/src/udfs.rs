//! Scalar functions for the checks that SQL says clumsily. They keep the control SQL the
//! readable definition; each is small and tested here.
//!
//! - `ports_covered(from_port, to_port, 'spec')` → the ports of `spec` (`20,21,1020-1025`) that
//!   the range covers, as text (`21,1020-1021`), or null if none;
//! - `ports_outside(from_port, to_port, 'spec')` → the parts of the range outside `spec`
//!   (`80-442,444-65535`), or null if it lies within;
//! - `port_text(ip_protocol, from_port, to_port)` → `tcp 22`, `udp 1000-2000`, `all traffic`;
//! - `iam_is_admin(effect, actions, not_actions, resources)` → an Allow on `*` of `*`/`*:*`, or
//!   any NotAction;
//! - `iam_service_wildcards(effect, actions, not_actions, resources)` → the `service:*` (or
//!   admin) grants on `*` of a statement, as text, or null.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

/// A set of inclusive port ranges, parsed from `20,21,1020-1025`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSet(Vec<(i64, i64)>);

impl PortSet {
    pub fn parse(spec: &str) -> std::result::Result<PortSet, String> {
        let mut ranges = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let port = |s: &str| match s.trim().parse::<i64>() {
                Ok(p) if (0..=65535).contains(&p) => Ok(p),
                _ => Err(format!(
                    "`{part}` is not a port (0-65535) or a range like 1020-1025"
                )),
            };
            let (a, b) = (port(a)?, port(b)?);
            if a > b {
                return Err(format!("`{part}`: the range is backwards"));
            }
            ranges.push((a, b));
        }
        ranges.sort();
        Ok(PortSet(ranges))
    }

    /// The canonical text form: sorted ranges, `a` for single ports.
    pub fn to_spec(&self) -> String {
        format_ranges(&self.0)
    }

    fn covered(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        self.0
            .iter()
            .filter_map(|&(a, b)| (a.max(from) <= b.min(to)).then(|| (a.max(from), b.min(to))))
            .collect()
    }

    fn outside(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut next = from;
        for &(a, b) in &self.0 {
            if b < next || a > to {
                continue;
            }
            if a > next {
                out.push((next, a - 1));
            }
            next = next.max(b + 1);
        }
        if next <= to {
            out.push((next, to));
        }
        out
    }
}

fn format_ranges(ranges: &[(i64, i64)]) -> String {
    ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn all() -> Vec<ScalarUDF> {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let iam_args = vec![DataType::Utf8, list.clone(), list.clone(), list];
    vec![
        create_udf(
            "ports_covered",
            vec![DataType::Int64, DataType::Int64, DataType::Utf8],
            DataType::Utf8,
            Volatility::Immutable,
            Arc::new(|args| ports(args, PortSet::covered)),
        ),
        create_udf(
            "ports_outside",
            vec![DataType::Int64, DataType::Int64, DataType::Utf8],
            DataType::Utf8,
            Volatility::Immutable,
            Arc::new(|args| ports(args, PortSet::outside)),
        ),
        create_udf(
            "port_text",
            vec![DataType::Utf8, DataType::Int64, DataType::Int64],
            DataType::Utf8,
            Volatility::Immutable,
            Arc::new(port_text),
        ),
        create_udf(
            "iam_is_admin",
            iam_args.clone(),
            DataType::Boolean,
            Volatility::Immutable,
            Arc::new(iam_is_admin),
        ),
        create_udf(
            "iam_service_wildcards",
            iam_args,
            DataType::Utf8,
            Volatility::Immutable,
            Arc::new(iam_service_wildcards),
        ),
    ]
}

fn ports(
    args: &[ColumnarValue],
    pick: fn(&PortSet, i64, i64) -> Vec<(i64, i64)>,
) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let (from, to, spec) = (
        arrays[0].as_primitive::<Int64Type>(),
        arrays[1].as_primitive::<Int64Type>(),
        arrays[2].as_string::<i32>(),
    );
    let mut out = StringBuilder::new();
    let mut parsed: Option<(String, PortSet)> = None;
    for i in 0..from.len() {
        if from.is_null(i) || to.is_null(i) || spec.is_null(i) {
            out.append_null();
            continue;
        }
        let text = spec.value(i);
        if parsed.as_ref().is_none_or(|(t, _)| t != text) {
            let set = PortSet::parse(text)
                .map_err(|e| DataFusionError::Execution(format!("port list {e}")))?;
            parsed = Some((text.to_string(), set));
        }
        let ranges = pick(
            &parsed.as_ref().expect("parsed above").1,
            from.value(i),
            to.value(i),
        );
        if ranges.is_empty() {
            out.append_null()
        } else {
            out.append_value(format_ranges(&ranges))
        }
    }
    Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
}

fn port_text(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let (protocol, from, to) = (
        arrays[0].as_string::<i32>(),
        arrays[1].as_primitive::<Int64Type>(),
        arrays[2].as_primitive::<Int64Type>(),
    );
    let mut out = StringBuilder::new();
    for i in 0..protocol.len() {
        let p = (!protocol.is_null(i)).then(|| protocol.value(i));
        let range = (!from.is_null(i) && !to.is_null(i)).then(|| (from.value(i), to.value(i)));
        out.append_option(p.map(|p| describe_ports(p, range)));
    }
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

pub fn describe_ports(protocol: &str, range: Option<(i64, i64)>) -> String {
    match (protocol, range) {
        ("all", _) => "all traffic".into(),
        ("tcp" | "udp", Some((0, 65535))) => format!("all {protocol} ports"),
        ("tcp" | "udp", Some((a, b))) if a == b => format!("{protocol} {a}"),
        ("tcp" | "udp", Some((a, b))) => format!("{protocol} {a}-{b}"),
        (other, _) => other.to_string(),
    }
}

/// One statement's fields, row by row.
fn statements(args: &[ColumnarValue], mut each: impl FnMut(Option<Statement>)) -> Result<()> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let effect = arrays[0].as_string::<i32>();
    let lists: Vec<_> = arrays[1..].iter().map(|a| a.as_list::<i32>()).collect();
    let strings = |list: &arrow::array::ListArray, i: usize| -> Vec<String> {
        if list.is_null(i) {
            return Vec::new();
        }
        let values = list.value(i);
        let values = values.as_string::<i32>();
        values.iter().flatten().map(str::to_string).collect()
    };
    for i in 0..effect.len() {
        if effect.is_null(i) {
            each(None);
            continue;
        }
        each(Some(Statement {
            allow: effect.value(i).eq_ignore_ascii_case("allow"),
            actions: strings(lists[0], i)
                .into_iter()
                .map(|a| a.to_ascii_lowercase())
                .collect(),
            has_not_action: !strings(lists[1], i).is_empty(),
            on_everything: strings(lists[2], i).iter().any(|r| r == "*"),
        }));
    }
    Ok(())
}

struct Statement {
    allow: bool,
    actions: Vec<String>,
    has_not_action: bool,
    on_everything: bool,
}

impl Statement {
    fn is_admin(&self) -> bool {
        self.allow
            && self.on_everything
            && (self.has_not_action || self.actions.iter().any(|a| a == "*" || a == "*:*"))
    }

    fn service_wildcards(&self) -> Vec<String> {
        if self.is_admin() {
            return vec![if self.has_not_action {
                "NotAction".into()
            } else {
                "*".into()
            }];
        }
        if !(self.allow && self.on_everything) {
            return Vec::new();
        }
        self.actions
            .iter()
            .filter(|a| {
                a.strip_suffix(":*")
                    .is_some_and(|s| !s.is_empty() && !s.contains('*'))
            })
            .cloned()
            .collect()
    }
}

fn iam_is_admin(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let mut out = BooleanBuilder::new();
    statements(args, |s| out.append_option(s.map(|s| s.is_admin())))?;
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

fn iam_service_wildcards(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    let mut out = StringBuilder::new();
    statements(args, |s| match s.map(|s| s.service_wildcards()) {
        Some(w) if !w.is_empty() => out.append_value(w.join(", ")),
        _ => out.append_null(),
    })?;
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_sets_parse_and_reject() {
        assert_eq!(
            PortSet::parse("443, 80,1020-1025").unwrap().to_spec(),
            "80,443,1020-1025"
        );
        assert_eq!(PortSet::parse("").unwrap().to_spec(), "");
        assert!(
            PortSet::parse("22;drop")
                .unwrap_err()
                .contains("`22;drop` is not a port")
        );
        assert!(PortSet::parse("70000").is_err());
        assert!(PortSet::parse("25-20").unwrap_err().contains("backwards"));
    }

    #[test]
    fn ports_read_like_people_write_them() {
        assert_eq!(describe_ports("all", Some((0, 65535))), "all traffic");
        assert_eq!(describe_ports("tcp", Some((0, 65535))), "all tcp ports");
        assert_eq!(describe_ports("tcp", Some((22, 22))), "tcp 22");
        assert_eq!(describe_ports("udp", Some((1000, 2000))), "udp 1000-2000");
        assert_eq!(describe_ports("icmp", Some((8, -1))), "icmp");
    }

    #[test]
    fn coverage_and_outside() {
        let set = PortSet::parse("80,443").unwrap();
        assert_eq!(set.covered(0, 65535), vec![(80, 80), (443, 443)]);
        assert_eq!(set.covered(81, 442), vec![]);
        assert_eq!(set.outside(80, 65535), vec![(81, 442), (444, 65535)]);
        assert_eq!(set.outside(443, 443), vec![]);
        assert_eq!(PortSet::parse("").unwrap().outside(53, 53), vec![(53, 53)]);
        assert_eq!(
            PortSet::parse("1020-1025").unwrap().covered(1000, 1021),
            vec![(1020, 1021)]
        );
    }

    fn statement(allow: bool, actions: &[&str], not_action: bool, resources: &[&str]) -> Statement {
        Statement {
            allow,
            actions: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
            has_not_action: not_action,
            on_everything: resources.contains(&"*"),
        }
    }

    #[test]
    fn admin_and_service_wildcard_statements() {
        assert!(statement(true, &["*"], false, &["*"]).is_admin());
        assert!(statement(true, &["*:*"], false, &["*"]).is_admin());
        assert!(
            statement(true, &[], true, &["*"]).is_admin(),
            "NotAction with Allow on * is admin-equivalent"
        );
        assert!(!statement(false, &["*"], false, &["*"]).is_admin());
        assert!(!statement(true, &["*"], false, &["arn:aws:s3:::b"]).is_admin());
        assert_eq!(
            statement(true, &["S3:*", "ec2:Describe*"], false, &["*"]).service_wildcards(),
            vec!["s3:*"]
        );
        assert_eq!(
            statement(true, &["*"], false, &["*"]).service_wildcards(),
            vec!["*"]
        );
        assert!(
            statement(true, &["s3:get*"], false, &["*"])
                .service_wildcards()
                .is_empty()
        );
        assert!(
            statement(true, &["s3:*"], false, &["arn:aws:s3:::b/*"])
                .service_wildcards()
                .is_empty()
        );
    }
}
