//! `posture snapshot`: everything the tables read, fetched live and written in the offline
//! layout (`<account>/<region>/<aws cli command>.json`), so `--inventory DIR` answers later.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::{ApiRequest, Call, Live, LiveError, scan};
use crate::api::SPECS;
use crate::inventory::{Kind, Resource};

/// The files written, and how many resources went into them.
pub struct Written {
    pub files: usize,
    pub resources: usize,
}

/// Fetches every (account, region), concurrently, and writes it under `out`. Access errors warn
/// and go on (errors with `--strict`), like queries.
pub async fn snapshot(live: &Live, out: &Path) -> Result<Written, LiveError> {
    let partitions = live
        .partitions(true)
        .into_iter()
        .chain(live.partitions(false));
    let done = futures::future::try_join_all(
        partitions.map(|(account, region)| partition(live, account, region, out)),
    )
    .await?;
    Ok(Written {
        files: done.iter().map(|w| w.files).sum(),
        resources: done.iter().map(|w| w.resources).sum(),
    })
}

async fn partition(
    live: &Live,
    account: usize,
    region: String,
    out: &Path,
) -> Result<Written, LiveError> {
    let account = &live.accounts[account];
    let call = Call {
        live,
        account,
        region: &region,
    };
    let global = region == "global";
    let mut resources: Vec<Resource> = Vec::new();
    let mut fetched: Vec<&[Kind]> = Vec::new();
    for spec in SPECS.iter().filter(|s| s.global() == global) {
        if fetched
            .iter()
            .any(|k| spec.kinds.iter().all(|kind| k.contains(kind)))
        {
            continue;
        }
        live.progress
            .start(&format!("snapshot {}/{region}", account.id));
        let result = scan::fetch(
            &call,
            spec.kinds,
            &ApiRequest {
                extra: true,
                ..ApiRequest::default()
            },
        )
        .await;
        live.progress.done();
        match result {
            Ok(r) => resources.extend(r),
            Err(e) if e.is_access() && !live.strict => eprintln!(
                "warning: {}/{region}: {e}; skipped (--strict makes this an error)",
                account.id
            ),
            Err(e) => {
                return Err(LiveError {
                    message: format!("{}/{region}: {}", account.id, e.message),
                    ..e
                });
            }
        }
        fetched.push(spec.kinds);
    }
    let dir = out.join(&account.id).join(&region);
    let files = files(resources.iter());
    for (file, content) in &files {
        write(&dir.join(file), content)?;
    }
    Ok(Written {
        files: files.len(),
        resources: resources.len(),
    })
}

fn write(path: &Path, content: &Value) -> Result<(), LiveError> {
    let io = |e: std::io::Error| LiveError::new(format!("{}: {e}", path.display()));
    std::fs::create_dir_all(path.parent().expect("a file under a directory")).map_err(io)?;
    std::fs::write(
        path,
        serde_json::to_vec_pretty(content).expect("JSON values serialize"),
    )
    .map_err(io)
}

/// The `aws` CLI output files the resources of one (account, region) make.
fn files<'a>(resources: impl Iterator<Item = &'a Resource>) -> BTreeMap<String, Value> {
    let mut lists: BTreeMap<(&str, &str), Vec<Value>> = BTreeMap::new();
    let mut files = BTreeMap::new();
    for r in resources {
        let data = r.data.clone();
        let (file, key) = match r.kind {
            Kind::Instance => ("describe-instances", "Reservations"),
            Kind::SecurityGroup => ("describe-security-groups", "SecurityGroups"),
            Kind::SecurityGroupRule => ("describe-security-group-rules", "SecurityGroupRules"),
            Kind::NetworkInterface => ("describe-network-interfaces", "NetworkInterfaces"),
            Kind::Volume => ("describe-volumes", "Volumes"),
            Kind::Snapshot => ("describe-snapshots", "Snapshots"),
            Kind::Image => ("describe-images", "Images"),
            Kind::LaunchTemplateVersion => (
                "describe-launch-template-versions",
                "LaunchTemplateVersions",
            ),
            Kind::Vpc => ("describe-vpcs", "Vpcs"),
            Kind::Subnet => ("describe-subnets", "Subnets"),
            Kind::NetworkAcl => ("describe-network-acls", "NetworkAcls"),
            Kind::RouteTable => ("describe-route-tables", "RouteTables"),
            Kind::FlowLog => ("describe-flow-logs", "FlowLogs"),
            Kind::Trail => ("describe-trails", "trailList"),
            Kind::Role => ("get-account-authorization-details", "RoleDetailList"),
            Kind::Policy => ("get-account-authorization-details", "Policies"),
            Kind::SnapshotPermissions => {
                files.insert(format!("describe-snapshot-attribute.{}.json", r.id()), data);
                continue;
            }
            Kind::TrailStatus => {
                files.insert(format!("get-trail-status.{}.json", r.id()), data);
                continue;
            }
            Kind::EbsDefaults => {
                files.insert("get-ebs-encryption-by-default.json".to_string(), data);
                continue;
            }
        };
        lists.entry((file, key)).or_default().push(data);
    }
    for ((file, key), items) in lists {
        let entry = files
            .entry(format!("{file}.json"))
            .or_insert_with(|| json!({}));
        entry[key] = match key {
            // One reservation holds them all: posture does not read reservations.
            "Reservations" => json!([{"Instances": items}]),
            _ => Value::Array(items),
        };
    }
    files
}
