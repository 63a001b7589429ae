//! `aws` CLI JSON output. The account and region are not in most outputs, so files sit at
//! `<account_id>/<region>/<anything>.json` (`global` for IAM).

use std::path::Path;

use serde_json::Value;

use crate::Error;
use crate::inventory::{CliOutput, Frozen, InventoryBuilder, Kind, Resource};
use crate::sources::Parsed;
use crate::text::{excerpt, excerpt_json};

/// Top-level keys of recognised outputs that carry nothing a table reads.
const IGNORED: &[&str] = &[
    "NextToken",
    "Marker",
    "IsTruncated",
    "UserDetailList",
    "GroupDetailList",
    "NextMarker",
    // inspector2's lowerCamelCase paging.
    "nextToken",
];

/// The keys of one-resource outputs that hold a list: anything else there is an error, not
/// a resource with nothing read.
const LIST_OUTPUTS: &[&str] = &["TargetHealthDescriptions", "Entries"];

/// Loads one output. The resources are moved out of `value`, not copied: a large output is
/// held once, not twice.
pub fn load(
    parsed: Parsed,
    relative: &Path,
    shown: &Path,
    builder: &mut InventoryBuilder,
) -> Result<(), Error> {
    let Parsed { mut value, lists } = parsed;
    if !value.is_object() {
        return Err(Error::UnknownFormat {
            path: shown.to_path_buf(),
            keys: "(not an object)".into(),
        });
    }
    let (account, region) = account_and_region(relative, shown)?;
    let object = value.as_object_mut().expect("checked above");
    let resource = |kind: Kind, mut data: Value, builder: &mut InventoryBuilder| -> Resource {
        let region = if kind.is_global() { "global" } else { region };
        for note in crate::sources::decode_iam_documents(kind, &mut data, shown) {
            builder.note(note);
        }
        Resource::new(kind, account, region, data)
    };
    // A list another kind reads too is copied, not moved.
    let shared = |key: &str| {
        Kind::ALL
            .iter()
            .filter(|k| matches!(k.descriptor().output, CliOutput::List(other) if other == key))
            .count()
            > 1
    };
    let mut recognised = !lists.is_empty();
    for list in lists {
        let region = if list.kind.is_global() {
            "global"
        } else {
            region
        };
        for (id, text) in list.resources {
            let frozen = Frozen {
                kind: list.kind,
                account_id: account.to_string(),
                region: region.to_string(),
                id,
                text,
                captured_at: None,
            };
            builder.add_frozen_from(shown, frozen);
        }
    }
    // Each kind's output shape, from its descriptor.
    for &kind in Kind::ALL {
        let descriptor = kind.descriptor();
        // Recognised, and not read: no table the query reads wants it.
        if !builder.wants(kind) {
            recognised |= kind.output_keys().iter().any(|k| object.contains_key(*k));
            continue;
        }
        match descriptor.output {
            CliOutput::Reservations => {
                let Some(reservations) = object.get_mut("Reservations") else {
                    continue;
                };
                recognised = true;
                for reservation in as_list(reservations, "Reservations", shown)? {
                    let mut none = Value::Null;
                    let instances = match reservation.get_mut("Instances") {
                        Some(instances) => instances,
                        None => &mut none,
                    };
                    for instance in as_list(instances, "Reservations.Instances", shown)? {
                        let r = resource(kind, instance.take(), builder);
                        builder.add_from(shown, r);
                    }
                }
            }
            CliOutput::List(key) => {
                let copy = shared(key);
                let Some(list) = object.get_mut(key) else {
                    continue;
                };
                recognised = true;
                for item in as_list(list, key, shown)? {
                    let item = if copy { item.clone() } else { item.take() };
                    let r = resource(kind, item, builder);
                    builder.add_from(shown, r);
                }
            }
            CliOutput::One(key) if object.contains_key(key) => {
                recognised = true;
                if LIST_OUTPUTS.contains(&key) {
                    as_list(object.get_mut(key).unwrap_or(&mut Value::Null), key, shown)?;
                }
                let mut data = object.clone();
                let id = one_id(kind, &data, shown)?;
                data.insert(descriptor.id_field.into(), Value::String(id));
                let r = resource(kind, Value::Object(data), builder);
                builder.add_from(shown, r);
            }
            CliOutput::Fields(keys) if keys.iter().any(|k| object.contains_key(*k)) => {
                recognised = true;
                let r = resource(kind, Value::Object(object.clone()), builder);
                builder.merge_from(shown, r);
            }
            CliOutput::One(_) | CliOutput::Fields(_) => {}
        }
    }
    if !recognised && !object.keys().all(|k| IGNORED.contains(&k.as_str())) {
        let keys = excerpt(
            &object
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        );
        return Err(Error::UnknownFormat {
            path: shown.to_path_buf(),
            keys,
        });
    }
    Ok(())
}

fn as_list<'v>(v: &'v mut Value, field: &str, shown: &Path) -> Result<&'v mut Vec<Value>, Error> {
    if !v.is_array() {
        return Err(Error::Field {
            path: shown.to_path_buf(),
            field: field.to_string(),
            reason: format!("expected a list, got {}", excerpt_json(v)),
        });
    }
    Ok(v.as_array_mut().expect("checked above"))
}

/// The id of a one-resource output (`describe-snapshot-attribute`, `get-trail-status`), which
/// not every such output carries: its id field (a trail's name may be its ARN; a target group's
/// ARN is kept whole), else the file name `<file>.<id>.json`, as `posture snapshot` writes it.
fn one_id(
    kind: Kind,
    output: &serde_json::Map<String, Value>,
    shown: &Path,
) -> Result<String, Error> {
    let descriptor = kind.descriptor();
    let (id_field, command, file) = (descriptor.id_field, descriptor.command, descriptor.file);
    // A target group is known by `<name>.<id>`, the last two segments of its ARN.
    let (id_pattern, well_formed): (&str, fn(&str) -> bool) = if kind == Kind::TargetHealth {
        ("<target-group-name>.<target-group-id>", |id| {
            id.split_once('.')
                .is_some_and(|(name, id)| !name.is_empty() && !id.is_empty() && !id.contains('.'))
        })
    } else {
        ("<id>", |id| !id.is_empty())
    };
    if let Some(id) = output.get(id_field).and_then(Value::as_str) {
        if kind == Kind::TargetHealth {
            return Ok(id.to_string());
        }
        return Ok(id.rsplit('/').next().unwrap_or(id).to_string());
    }
    let stem = shown
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    match stem
        .strip_prefix(file)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(id) if well_formed(id) => Ok(id.to_string()),
        _ => Err(Error::Field {
            path: shown.to_path_buf(),
            field: id_field.to_string(),
            reason: format!(
                "missing from {command} output, which does not say which resource it describes: add \"{id_field}\": \"<id>\" or name the file {file}.{id_pattern}.json"
            ),
        }),
    }
}

/// `<account_id>/<region>/<file>.json`: the two directories above the file.
fn account_and_region<'p>(relative: &'p Path, shown: &Path) -> Result<(&'p str, &'p str), Error> {
    let layout = |reason: &str| Error::Layout {
        path: shown.to_path_buf(),
        reason: format!(
            "{reason}; `aws` CLI output goes in <inventory>/<account_id>/<region>/<name>.json (region `global` for IAM)"
        ),
    };
    let mut dirs = relative
        .parent()
        .into_iter()
        .flat_map(|p| p.iter().rev())
        .filter_map(|c| c.to_str());
    let (Some(region), Some(account)) = (dirs.next(), dirs.next()) else {
        return Err(layout(
            "no <account_id>/<region> directories above this file",
        ));
    };
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(layout(&format!("`{account}` is not a 12-digit account id")));
    }
    if !(region == "global" || is_region(region)) {
        return Err(layout(&format!("`{region}` is not an AWS region")));
    }
    Ok((account, region))
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-7`.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    let letters = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    first.len() == 2
        && letters(first)
        && !middle.is_empty()
        && middle.iter().all(letters)
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load_one(path: &str, v: Value) -> Result<crate::Inventory, Error> {
        let mut b = InventoryBuilder::default();
        crate::sources::load_file(Path::new(path), Path::new(path), &v.to_string(), &mut b)?;
        Ok(b.finish())
    }

    #[test]
    fn account_and_region_come_from_the_path() {
        let inv = load_one(
            "111122223333/eu-west-1/vpcs.json",
            json!({"Vpcs": [{"VpcId": "vpc-1"}]}),
        )
        .unwrap();
        let vpc = &inv.of(Kind::Vpc)[0];
        assert_eq!(
            (vpc.account_id.as_str(), vpc.region.as_str()),
            ("111122223333", "eu-west-1")
        );
    }

    #[test]
    fn iam_is_global_wherever_it_is_filed() {
        let inv = load_one("111122223333/us-east-1/iam.json", json!({"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r"}], "UserDetailList": []})).unwrap();
        assert_eq!(inv.of(Kind::Role)[0].region, "global");
    }

    #[test]
    fn layout_errors_name_the_file_and_the_fix() {
        let err = load_one("vpcs.json", json!({"Vpcs": []}))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("vpcs.json: no <account_id>/<region>"),
            "{err}"
        );
        let err = load_one("prod/us-east-1/vpcs.json", json!({"Vpcs": []}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`prod` is not a 12-digit account id"), "{err}");
        let err = load_one("111122223333/moon-1/vpcs.json", json!({"Vpcs": []}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`moon-1` is not an AWS region"), "{err}");
    }

    #[test]
    fn unknown_and_malformed_outputs_are_errors() {
        let err = load_one("111122223333/us-east-1/x.json", json!({"Addresses": []}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.json: not a recognised") && err.contains("Addresses"),
            "{err}"
        );
        let err = load_one(
            "111122223333/us-east-1/x.json",
            json!({"Vpcs": {"VpcId": "v"}}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("field Vpcs: expected a list"), "{err}");
        let err = load_one(
            "111122223333/us-east-1/x.json",
            json!({"Vpcs": "é".repeat(100)}),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("expected a list, got \"éééé") && err.ends_with('…'),
            "{err}"
        );
        let err = load_one(
            "111122223333/us-east-1/x.json",
            json!({"CreateVolumePermissions": []}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("field SnapshotId: missing"), "{err}");
    }

    #[test]
    fn trail_status_is_linked_by_name_or_file_name() {
        let inv = load_one(
            "111122223333/us-east-1/get-trail-status.main.json",
            json!({"IsLogging": true}),
        )
        .unwrap();
        assert_eq!(inv.of(Kind::TrailStatus)[0].id(), "main");
        let err = load_one(
            "111122223333/us-east-1/status.json",
            json!({"IsLogging": true}),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("field Name: missing") && err.contains("get-trail-status.<id>.json"),
            "{err}"
        );
    }

    #[test]
    fn prefix_list_entries_are_linked_by_file_name_or_refused() {
        let inv = load_one(
            "111122223333/us-east-1/get-managed-prefix-list-entries.pl-0abc.json",
            json!({"Entries": [{"Cidr": "10.0.0.0/8"}], "NextToken": null}),
        )
        .unwrap();
        assert_eq!(inv.of(Kind::ManagedPrefixListEntries)[0].id(), "pl-0abc");
        let err = load_one(
            "111122223333/us-east-1/entries.json",
            json!({"Entries": [{"Cidr": "10.0.0.0/8"}]}),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("entries.json: field PrefixListId: missing from get-managed-prefix-list-entries output")
                && err.contains("get-managed-prefix-list-entries.<id>.json"),
            "{err}"
        );
        let err = load_one(
            "111122223333/us-east-1/get-managed-prefix-list-entries.pl-0abc.json",
            json!({"Entries": {"Cidr": "10.0.0.0/8"}}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("field Entries: expected a list"), "{err}");
    }

    #[test]
    fn target_health_is_linked_by_file_name_or_arn_or_refused() {
        let dir = "111122223333/us-east-1";
        let health = json!({"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 80}}]});
        let inv = load_one(
            &format!("{dir}/describe-target-health.web-8080.6e7f8a9b0c1d2e3f.json"),
            health.clone(),
        )
        .unwrap();
        assert_eq!(
            inv.of(Kind::TargetHealth)[0].id(),
            "web-8080.6e7f8a9b0c1d2e3f"
        );
        // A group ARN in the output names the group whatever the file's name, kept whole.
        let arn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web-8080/6e7f8a9b0c1d2e3f";
        let mut named = health.clone();
        named["TargetGroupArn"] = json!(arn);
        let inv = load_one(&format!("{dir}/health.json"), named).unwrap();
        let resource = &inv.of(Kind::TargetHealth)[0];
        assert_eq!(resource.id(), "web-8080.6e7f8a9b0c1d2e3f");
        assert_eq!(resource.data["TargetGroupArn"], arn);
        // No group: the file name must give `<name>.<id>`.
        for file in [
            "health.json",
            "describe-target-health.json",
            "describe-target-health.web-8080.json",
            "describe-target-health.a.b.c.json",
        ] {
            let err = load_one(&format!("{dir}/{file}"), health.clone())
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!(
                    "{dir}/{file}: field TargetGroupArn: missing from describe-target-health output"
                )) && err
                    .contains("describe-target-health.<target-group-name>.<target-group-id>.json"),
                "{err}"
            );
        }
        let err = load_one(
            &format!("{dir}/describe-target-health.web-8080.6e7f8a9b0c1d2e3f.json"),
            json!({"TargetHealthDescriptions": {"Target": {"Id": "i-1"}}}),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("field TargetHealthDescriptions: expected a list"),
            "{err}"
        );
    }

    #[test]
    fn both_load_balancer_outputs_are_recognised_in_any_file() {
        let dir = "111122223333/us-east-1";
        let inv = load_one(
            &format!("{dir}/lbs.json"),
            json!({"LoadBalancerDescriptions": [{"LoadBalancerName": "old"}], "NextMarker": null}),
        )
        .unwrap();
        assert_eq!(inv.of(Kind::ClassicLoadBalancer)[0].id(), "old");
        let inv = load_one(
            &format!("{dir}/elb-describe-load-balancers.json"),
            json!({"LoadBalancers": [{"LoadBalancerArn": "arn:lb"}]}),
        )
        .unwrap();
        assert_eq!(inv.of(Kind::LoadBalancerV2)[0].id(), "arn:lb");
        assert!(inv.of(Kind::ClassicLoadBalancer).is_empty());
    }

    #[test]
    fn ebs_defaults_from_two_outputs_make_one_resource() {
        let mut b = InventoryBuilder::default();
        let p = Path::new("111122223333/us-east-1/a.json");
        load(json!({"EbsEncryptionByDefault": true}).into(), p, p, &mut b).unwrap();
        load(json!({"KmsKeyId": "alias/aws/ebs"}).into(), p, p, &mut b).unwrap();
        let inv = b.finish();
        assert_eq!(inv.of(Kind::EbsDefaults).len(), 1);
        assert_eq!(
            inv.of(Kind::EbsDefaults)[0].data,
            json!({"EbsEncryptionByDefault": true, "KmsKeyId": "alias/aws/ebs"})
        );
    }

    #[test]
    fn regions_are_recognised() {
        for r in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-7",
        ] {
            assert!(is_region(r), "{r}");
        }
        for r in ["global", "us-east", "US-EAST-1", "useast1", "us--1"] {
            assert!(!is_region(r), "{r}");
        }
    }
}
