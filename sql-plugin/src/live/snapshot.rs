//! `posture snapshot`: everything the tables read, fetched live and written in the offline
//! layout (`<account>/<region>/<aws cli command>.json`, named by each kind's descriptor), so `--inventory DIR` answers later.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::{ApiRequest, Call, Live, LiveError, fetch};
use crate::inventory::{CliOutput, Kind, Resource};
use crate::tables::TABLES;

/// The files written, and how many resources went into them.
pub struct Written {
    pub files: usize,
    pub resources: usize,
}

/// Fetches every (account, region), concurrently, and writes it under `out`. Access errors are
/// notices on `live` and the rest goes on (errors with `--strict`), like queries.
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
    for table in TABLES.iter().filter(|t| t.is_global() == global) {
        if fetched
            .iter()
            .any(|k| table.kinds.iter().all(|kind| k.contains(kind)))
        {
            continue;
        }
        live.progress
            .start(&format!("snapshot {}/{region}", account.id));
        let result = fetch::fetch(
            &call,
            table.kinds,
            &ApiRequest {
                extra: true,
                ..ApiRequest::default()
            },
        )
        .await;
        live.progress.done();
        match result {
            Ok(r) => resources.extend(r),
            Err(e) if e.is_access() && !live.strict => live.skipped(&account.id, &region, &e),
            Err(e) => {
                return Err(LiveError {
                    message: format!("{}/{region}: {}", account.id, e.message),
                    ..e
                });
            }
        }
        fetched.push(table.kinds);
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

/// The `aws` CLI output files the resources of one (account, region) make, each where its
/// kind's descriptor says.
fn files<'a>(resources: impl Iterator<Item = &'a Resource>) -> BTreeMap<String, Value> {
    let mut lists: BTreeMap<(&str, CliOutput), Vec<Value>> = BTreeMap::new();
    let mut files = BTreeMap::new();
    for r in resources {
        let data = r.data.clone();
        let kind = r.kind.descriptor();
        match kind.output {
            CliOutput::List(_) | CliOutput::Reservations => {
                lists
                    .entry((kind.file, kind.output))
                    .or_default()
                    .push(data);
            }
            CliOutput::One(_) => {
                files.insert(format!("{}.{}.json", kind.file, r.id()), data);
            }
            CliOutput::Fields(_) => {
                files.insert(format!("{}.json", kind.file), data);
            }
        }
    }
    for ((file, output), items) in lists {
        let entry = files
            .entry(format!("{file}.json"))
            .or_insert_with(|| json!({}));
        match output {
            // One reservation holds them all: posture does not read reservations.
            CliOutput::Reservations => entry["Reservations"] = json!([{"Instances": items}]),
            CliOutput::List(key) => entry[key] = Value::Array(items),
            CliOutput::One(_) | CliOutput::Fields(_) => unreachable!("not a list"),
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_gets_its_own_file_even_where_commands_share_a_name() {
        let r = |kind, data: Value| Resource::new(kind, "111122223333", "us-east-1", data);
        let arn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/6e7f";
        let resources = [
            r(Kind::LoadBalancerV2, json!({"LoadBalancerArn": "arn:lb"})),
            r(
                Kind::ClassicLoadBalancer,
                json!({"LoadBalancerName": "old"}),
            ),
            r(
                Kind::TargetHealth,
                json!({"TargetGroupArn": arn, "TargetHealthDescriptions": []}),
            ),
        ];
        let files = files(resources.iter());
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            [
                "describe-load-balancers.json",
                "describe-target-health.web.6e7f.json",
                "elb-describe-load-balancers.json"
            ]
        );
        assert_eq!(
            files["describe-load-balancers.json"],
            json!({"LoadBalancers": [{"LoadBalancerArn": "arn:lb"}]})
        );
        assert_eq!(
            files["elb-describe-load-balancers.json"],
            json!({"LoadBalancerDescriptions": [{"LoadBalancerName": "old"}]})
        );
    }
}
