//! Reading canonical resource JSON (the AWS API's PascalCase shape) into [`Cell`]s.
//!
//! Every accessor treats a JSON `null` like an absent field, because AWS Config writes `null`
//! where the `aws` CLI leaves a field out.

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;

/// What a column getter returns for one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    Timestamp(i64),
    TextList(Vec<String>),
    Tags(Vec<(String, String)>),
}

/// Field access by a dotted path (`MetadataOptions.HttpTokens`).
pub trait Json {
    fn at(&self, path: &str) -> Option<&Value>;

    fn text(&self, path: &str) -> Cell {
        self.at(path).map_or(Cell::Null, text_cell)
    }

    fn str_at(&self, path: &str) -> Option<&str> {
        self.at(path).and_then(Value::as_str)
    }

    fn bool(&self, path: &str) -> Cell {
        match self.at(path) {
            Some(Value::Bool(b)) => Cell::Bool(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Cell::Bool(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Cell::Bool(false),
            _ => Cell::Null,
        }
    }

    fn int(&self, path: &str) -> Cell {
        match self.at(path) {
            Some(Value::Number(n)) => n.as_i64().map_or(Cell::Null, Cell::Int),
            Some(Value::String(s)) => s.trim().parse().map_or(Cell::Null, Cell::Int),
            _ => Cell::Null,
        }
    }

    /// A number (or numeric text) as a float; NaN and infinities are no value.
    fn float(&self, path: &str) -> Cell {
        let f = match self.at(path) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        f.filter(|f| f.is_finite()).map_or(Cell::Null, Cell::Float)
    }

    fn timestamp(&self, path: &str) -> Cell {
        self.at(path)
            .and_then(timestamp_micros)
            .map_or(Cell::Null, Cell::Timestamp)
    }

    /// A list of strings: `["a", "b"]`, or `[{key: "a"}, …]` read at `key` when given.
    fn text_list(&self, path: &str, key: Option<&str>) -> Cell {
        Cell::TextList(strings(self.at(path), key))
    }

    /// Tags from `[{Key, Value}]` (API shape) or `{key: value}` (Config's top-level map).
    fn tags(&self, path: &str) -> Cell {
        Cell::Tags(tag_pairs(self.at(path)))
    }

    /// The value as JSON text.
    /// JSON text with keys sorted, so the same document reads the same from every source.
    fn json(&self, path: &str) -> Cell {
        self.at(path)
            .map_or(Cell::Null, |v| Cell::Text(sorted_keys(v).to_string()))
    }
}

fn sorted_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by_key(|(k, _)| *k);
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

impl Json for Value {
    fn at(&self, path: &str) -> Option<&Value> {
        let mut v = self;
        for key in path.split('.') {
            v = v.get(key)?;
        }
        (!v.is_null()).then_some(v)
    }
}

/// Strings, numbers and booleans as text; anything else as its JSON.
pub fn text_cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

pub fn strings(v: Option<&Value>, key: Option<&str>) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match key {
            Some(k) => i.at(k),
            None => Some(i),
        })
        .filter_map(|i| match text_cell(i) {
            Cell::Text(s) => Some(s),
            _ => None,
        })
        .collect()
}

pub fn tag_pairs(v: Option<&Value>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|t| {
                let key = t.str_at("Key")?;
                let value = t.str_at("Value").unwrap_or_default();
                Some((key.to_string(), value.to_string()))
            })
            .collect(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => Vec::new(),
    };
    // Tag order differs between the CLI and Config; a map compares by content.
    pairs.sort();
    pairs
}

/// RFC 3339 text (`2023-04-27T14:57:16.000Z`, `…+00:00`), the `April 29, 2016 10:11:26 AM`
/// form old Config items use, or epoch seconds / milliseconds.
pub fn timestamp_micros(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => parse_time(s),
        Value::Number(n) => {
            let n = n.as_f64()?;
            // Config writes epoch milliseconds; anything below 1e11 is seconds.
            let seconds = if n.abs() >= 1e11 { n / 1000.0 } else { n };
            Some((seconds * 1e6) as i64)
        }
        _ => None,
    }
}

pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    for format in [
        "%B %d, %Y %I:%M:%S %p",
        "%Y-%m-%d %H:%M:%S GMT",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_reads_as_absent() {
        let v = json!({"Association": null, "A": {"B": 1}});
        assert_eq!(v.text("Association.PublicIp"), Cell::Null);
        assert_eq!(v.text("A.B"), Cell::Text("1".into()));
        assert_eq!(v.int("A.B"), Cell::Int(1));
        let f = serde_json::json!({"a": 9.8, "b": "0.91", "c": "high", "d": true, "e": 7});
        assert_eq!(f.float("a"), Cell::Float(9.8));
        assert_eq!(f.float("b"), Cell::Float(0.91));
        assert_eq!(f.float("e"), Cell::Float(7.0));
        assert_eq!(
            (f.float("c"), f.float("d"), f.float("x")),
            (Cell::Null, Cell::Null, Cell::Null)
        );
        assert_eq!(serde_json::json!({"n": "NaN"}).float("n"), Cell::Null);
    }

    #[test]
    fn times_from_cli_config_and_epoch_agree() {
        let cli = parse_time("2023-04-27T14:57:16+00:00").unwrap();
        assert_eq!(parse_time("2023-04-27T14:57:16.000Z"), Some(cli));
        assert_eq!(timestamp_micros(&json!(1682607436000i64)), Some(cli));
        assert_eq!(timestamp_micros(&json!(1682607436)), Some(cli));
        assert_eq!(parse_time("April 27, 2023 2:57:16 PM"), Some(cli));
        assert_eq!(parse_time("2023-04-27 14:57:16 GMT"), Some(cli));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn tags_from_list_and_map_are_equal() {
        let list = json!([{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]);
        let map = json!({"a": "1", "b": "2"});
        assert_eq!(tag_pairs(Some(&list)), tag_pairs(Some(&map)));
    }
}
