//! Source mappers: the only code that knows AWS wire shapes. Each turns one input file into
//! canonical [`Resource`](crate::Resource)s; the format is detected from the content.
//!
//! - [`cli_dump`]: `aws` CLI JSON output, PascalCase, placed at `<account_id>/<region>/*.json`;
//! - [`config_item`]: AWS Config items (snapshot files, `get-resource-config-history`,
//!   `batch-get-resource-config`, single items, Lambda events), camelCase, event or API shape;
//! - [`files`]: files and directory trees (and the bundled demo) read into an inventory.

pub mod cli_dump;
pub mod config_item;
pub mod files;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use percent_encoding::percent_decode_str;
use serde::Deserializer;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::Error;
use crate::inventory::{CliOutput, InventoryBuilder, Kind};
use crate::text::excerpt_json;

/// Loads one file. `relative` is its path below the inventory root, `shown` the path for errors.
pub fn load_file(
    relative: &Path,
    shown: &Path,
    text: &str,
    builder: &mut InventoryBuilder,
) -> Result<(), Error> {
    let parsed = parse(
        shown,
        text,
        &builder.unwanted_keys(),
        &builder.frozen_keys(),
    )?;
    load_json(relative, shown, parsed, builder)
}

/// A file's JSON: the top-level value, and the resource lists taken out of it, frozen
/// ([`crate::inventory::Frozen`]).
pub struct Parsed {
    pub value: Value,
    pub lists: Vec<FrozenList>,
}

/// The resources of one top-level key of an `aws` CLI output, each its id and compact text.
pub struct FrozenList {
    pub kind: Kind,
    pub resources: Vec<(String, Box<str>)>,
}

impl From<Value> for Parsed {
    fn from(value: Value) -> Parsed {
        Parsed {
            value,
            lists: Vec::new(),
        }
    }
}

/// A file's JSON. The values of the top-level keys in `unwanted`
/// ([`InventoryBuilder::unwanted_keys`]) are checked for syntax and left null, not built: a
/// query pays for the outputs its tables read. The lists under the keys in `frozen`
/// ([`InventoryBuilder::frozen_keys`]) are taken out, each resource frozen as it is read, so
/// that no tree of the whole output is ever built; an output they do not fit as expected (an
/// item that is not an object, a reservation without its instance list, an AWS Config file) is
/// parsed whole instead, to be loaded, or refused, as any other.
pub fn parse(
    shown: &Path,
    text: &str,
    unwanted: &HashSet<&str>,
    frozen: &HashMap<&str, Kind>,
) -> Result<Parsed, Error> {
    let error = |e| Error::Json {
        path: shown.to_path_buf(),
        source: e,
    };
    if (unwanted.is_empty() && frozen.is_empty()) || !text.trim_start().starts_with('{') {
        return serde_json::from_str::<Value>(text)
            .map(Parsed::from)
            .map_err(error);
    }
    let top_level = |frozen| {
        let mut json = serde_json::Deserializer::from_str(text);
        let parsed = json.deserialize_map(TopLevel { unwanted, frozen })?;
        json.end().map(|()| parsed)
    };
    match top_level(frozen) {
        Ok(parsed) if parsed.lists.is_empty() || !config_item::recognises(&parsed.value) => {
            Ok(parsed)
        }
        _ => top_level(&HashMap::new()).map_err(error),
    }
}

/// A top-level object whose unwanted keys' values are skipped and whose resource lists are
/// frozen.
struct TopLevel<'a> {
    unwanted: &'a HashSet<&'a str>,
    frozen: &'a HashMap<&'a str, Kind>,
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut object = serde_json::Map::new();
        let mut lists: Vec<(String, FrozenList)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            // The last of a repeated key counts, as in a Value.
            lists.retain(|(k, _)| *k != key);
            if let Some(&kind) = self.frozen.get(key.as_str()) {
                let resources = if kind.descriptor().output == CliOutput::Reservations {
                    map.next_value_seed(Reservations(kind))?
                } else {
                    map.next_value_seed(Resources(kind))?
                };
                lists.push((key, FrozenList { kind, resources }));
                continue;
            }
            let value = if self.unwanted.contains(key.as_str()) {
                map.next_value::<IgnoredAny>()?;
                Value::Null
            } else {
                map.next_value()?
            };
            object.insert(key, value);
        }
        Ok(Parsed {
            value: Value::Object(object),
            lists: lists.into_iter().map(|(_, list)| list).collect(),
        })
    }
}

/// A list of resources of one kind, each frozen as it is read.
struct Resources(Kind);

impl<'de> DeserializeSeed<'de> for Resources {
    type Value = Vec<(String, Box<str>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Resources {
    type Value = Vec<(String, Box<str>)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            if !item.is_object() {
                return Err(A::Error::custom("a resource that is not an object"));
            }
            out.push((self.0.id(&item), item.to_string().into()));
        }
        Ok(out)
    }
}

/// `describe-instances`' reservations: their instances, each frozen as it is read.
struct Reservations(Kind);

impl<'de> DeserializeSeed<'de> for Reservations {
    type Value = Vec<(String, Box<str>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Reservations {
    type Value = Vec<(String, Box<str>)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of reservations")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(instances) = seq.next_element_seed(Reservation(self.0))? {
            out.extend(instances);
        }
        Ok(out)
    }
}

/// One reservation: its instance list, once; its other fields are not read.
struct Reservation(Kind);

impl<'de> DeserializeSeed<'de> for Reservation {
    type Value = Vec<(String, Box<str>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Reservation {
    type Value = Vec<(String, Box<str>)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a reservation")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut instances = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "Instances" {
                map.next_value::<IgnoredAny>()?;
            } else if instances.is_some() {
                return Err(A::Error::custom("Instances given twice"));
            } else {
                instances = Some(map.next_value_seed(Resources(self.0))?);
            }
        }
        instances.ok_or_else(|| A::Error::custom("a reservation without Instances"))
    }
}

/// Loads one file's JSON ([`load_file`] once parsed), the format detected from its content.
pub fn load_json(
    relative: &Path,
    shown: &Path,
    parsed: Parsed,
    builder: &mut InventoryBuilder,
) -> Result<(), Error> {
    if parsed.lists.is_empty() && config_item::recognises(&parsed.value) {
        config_item::load(&parsed.value, shown, builder)
    } else {
        cli_dump::load(parsed, relative, shown, builder)
    }
}

/// An IAM policy document as JSON: the API returns it URL-encoded, the CLI decodes it, AWS
/// Config keeps it encoded, and some tools wrap it in a one-element list.
pub fn policy_document(v: &Value, shown: &Path, field: &str) -> Result<Value, Error> {
    let bad = |reason: String| Error::Field {
        path: shown.to_path_buf(),
        field: field.to_string(),
        reason,
    };
    let decoded = match v {
        Value::Object(_) => v.clone(),
        Value::Array(items) => match items.as_slice() {
            [only @ Value::Object(_)] => only.clone(),
            _ => {
                return Err(bad(format!(
                    "expected a policy document, got {}",
                    excerpt_json(v)
                )));
            }
        },
        Value::String(s) => {
            let text = if s.trim_start().starts_with('{') {
                s.clone()
            } else {
                percent_decode_str(s)
                    .decode_utf8()
                    .map_err(|e| bad(format!("URL-encoded policy document is not UTF-8: {e}")))?
                    .into_owned()
            };
            serde_json::from_str(&text)
                .map_err(|e| bad(format!("policy document is not JSON: {e}")))?
        }
        other => {
            return Err(bad(format!(
                "expected a policy document, got {}",
                excerpt_json(other)
            )));
        }
    };
    match decoded {
        Value::Object(_) => Ok(decoded),
        other => Err(bad(format!(
            "policy document is {}, not an object",
            config_item::json_type(&other)
        ))),
    }
}

/// Decodes every policy document of a canonical IAM role or managed policy in place. A document
/// that cannot be read stays as it came, so the tables judge its policy unverified (never as
/// having no statements); the returned notes say which and why.
pub fn decode_iam_documents(kind: crate::Kind, data: &mut Value, shown: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    let mut decode = |v: &mut Value, field: &str| {
        if !v.is_null() {
            match policy_document(v, shown, field) {
                Ok(doc) => *v = doc,
                Err(e) => notes.push(format!("{e}; its policy is judged unverified")),
            }
        }
    };
    match kind {
        crate::Kind::Role => {
            if let Some(doc) = data.get_mut("AssumeRolePolicyDocument") {
                decode(doc, "AssumeRolePolicyDocument");
            }
            if let Some(Value::Array(policies)) = data.get_mut("RolePolicyList") {
                for p in policies {
                    if let Some(doc) = p.get_mut("PolicyDocument") {
                        decode(doc, "RolePolicyList.PolicyDocument");
                    }
                }
            }
        }
        crate::Kind::Policy => {
            if let Some(Value::Array(versions)) = data.get_mut("PolicyVersionList") {
                for v in versions {
                    if let Some(doc) = v.get_mut("Document") {
                        decode(doc, "PolicyVersionList.Document");
                    }
                }
            }
        }
        _ => {}
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inventory;
    use serde_json::json;

    /// Every demo file loaded whole, as a tree.
    fn demo_as_trees() -> Inventory {
        let mut builder = InventoryBuilder::default();
        for (path, text) in crate::demo::files() {
            let value: Value = serde_json::from_str(text).unwrap();
            load_json(path, path, value.into(), &mut builder).unwrap();
        }
        builder.finish()
    }

    #[test]
    fn frozen_outputs_load_as_their_trees_do() {
        let (frozen, trees) = (Inventory::demo(), demo_as_trees());
        let (path, text) = crate::demo::files()
            .find(|(p, _)| p.ends_with("describe-instances.json"))
            .unwrap();
        let keys = InventoryBuilder::default().frozen_keys();
        let parsed = parse(path, text, &HashSet::new(), &keys).unwrap();
        assert_eq!(parsed.lists.len(), 1, "describe-instances is frozen");
        assert!(frozen.frozen_parts(Kind::Instance, 1).is_some());
        assert!(trees.frozen_parts(Kind::Instance, 1).is_none());
        for &kind in Kind::ALL {
            assert_eq!(frozen.of(kind), trees.of(kind), "{kind:?}");
        }
        assert_eq!(frozen.notes, trees.notes);
    }

    /// What freezing does not fit is parsed whole, and loaded or refused as before.
    #[test]
    fn outputs_freezing_does_not_fit_load_whole() {
        let keys = InventoryBuilder::default().frozen_keys();
        let p = Path::new("111122223333/us-east-1/x.json");
        for text in [
            r#"{"Reservations": [{"OwnerId": "1"}]}"#,
            r#"{"Reservations": [{"Instances": [1]}]}"#,
            r#"{"Vpcs": [{"VpcId": "vpc-1"}, "vpc-2"]}"#,
            r#"{"Vpcs": {"VpcId": "vpc-1"}}"#,
            r#"{"configurationItems": [], "Vpcs": [{"VpcId": "vpc-1"}]}"#,
        ] {
            let parsed = parse(p, text, &HashSet::new(), &keys).unwrap();
            assert!(parsed.lists.is_empty(), "{text}");
            assert_eq!(parsed.value, serde_json::from_str::<Value>(text).unwrap());
        }
        // Repeated keys: the last counts, as in a tree.
        let parsed = parse(
            p,
            r#"{"Vpcs": [{"VpcId": "vpc-1"}], "Vpcs": [{"VpcId": "vpc-2"}]}"#,
            &HashSet::new(),
            &keys,
        )
        .unwrap();
        assert_eq!(parsed.lists.len(), 1);
        assert_eq!(parsed.lists[0].resources[0].0, "vpc-2");
        let err = parse(
            p,
            r#"{"Vpcs": [{"VpcId": "vpc-1"},]}"#,
            &HashSet::new(),
            &keys,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(err.starts_with("111122223333/us-east-1/x.json: "), "{err}");
    }

    #[test]
    fn policy_documents_decode_from_every_shape() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let p = Path::new("f.json");
        assert_eq!(policy_document(&json!(encoded), p, "d").unwrap(), doc);
        assert_eq!(
            policy_document(&json!(doc.to_string()), p, "d").unwrap(),
            doc
        );
        assert_eq!(policy_document(&json!([doc.clone()]), p, "d").unwrap(), doc);
        assert_eq!(policy_document(&doc, p, "d").unwrap(), doc);
    }

    #[test]
    fn a_broken_policy_document_names_file_and_field() {
        let err = policy_document(
            &json!("%7Bnot-json"),
            Path::new("iam.json"),
            "PolicyDocument",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("iam.json: field PolicyDocument: policy document is not JSON"),
            "{err}"
        );
        let err = policy_document(&json!(3), Path::new("iam.json"), "Document").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a policy document, got 3"),
            "{err}"
        );
        // Valid JSON that is not a policy: an encoded array (`[]`), a string, a number.
        for (encoded, got) in [
            ("%5B%5D", "an array"),
            ("%22x%22", "a string"),
            ("7", "a number"),
        ] {
            let err = policy_document(&json!(encoded), Path::new("iam.json"), "Document")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("policy document is {got}, not an object")),
                "{err}"
            );
        }
    }

    #[test]
    fn an_unreadable_document_stays_as_it_came_with_a_note() {
        let mut policy = json!({"PolicyVersionList": [
            {"VersionId": "v1", "IsDefaultVersion": true, "Document": "%5B%7B%7D%2C%7B%7D%5D"},
            {"VersionId": "v2", "IsDefaultVersion": false, "Document": {"Statement": []}},
        ]});
        let notes = decode_iam_documents(crate::Kind::Policy, &mut policy, Path::new("p.json"));
        assert_eq!(
            policy["PolicyVersionList"][0]["Document"],
            "%5B%7B%7D%2C%7B%7D%5D"
        );
        assert_eq!(
            notes,
            [
                "p.json: field PolicyVersionList.Document: policy document is an array, not an object; its policy is judged unverified"
            ]
        );
    }

    #[test]
    fn policy_document_errors_quote_bounded_excerpts() {
        let err = policy_document(&json!("x".repeat(500)), Path::new("iam.json"), "Document")
            .unwrap_err()
            .to_string();
        assert!(err.len() < 200, "{err}");
        let err = policy_document(
            &json!([{"a": "x".repeat(500)}, {}]),
            Path::new("iam.json"),
            "Document",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with(
                "iam.json: field Document: expected a policy document, got [{\"a\":\"xxx"
            ) && err.ends_with('…')
                && err.chars().count() < 150,
            "{err}"
        );
    }
}
