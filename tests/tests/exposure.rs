//! `ec2_instance_exposure`: reachable ports, paths and severities, over the reachability verdict
//! estate (tests/fixtures/verdicts.json) and the demo account.

use std::path::Path;
use std::sync::Arc;

use posture_sql::Inventory;
use serde_json::{Map, Value};

use crate::repo;

fn exposure(inventory: Inventory) -> Vec<Map<String, Value>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let ctx = posture_sql::session(Arc::new(inventory)).unwrap();
        posture_queries::views::register(&ctx).await.unwrap();
        let batches = ctx
            .sql("select * from ec2_instance_exposure order by instance_id")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        crate::json_rows(&batches)
    })
}

fn row<'a>(rows: &'a [Map<String, Value>], id: &str) -> &'a Map<String, Value> {
    rows.iter()
        .find(|r| r["instance_id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// The estate of the first `control` case whose name starts with `name`.
fn case_estate(control: &str, name: &str) -> Inventory {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/verdicts.json")).unwrap(),
    )
    .unwrap();
    let case = table["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == control && c["name"].as_str().unwrap().starts_with(name))
        .unwrap();
    let files: Vec<(String, String)> = case["files"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(p, v)| (p.clone(), v.to_string()))
        .collect();
    Inventory::from_files(
        files
            .iter()
            .map(|(p, t)| (Path::new(p.as_str()), t.as_str())),
    )
    .unwrap()
}

/// The estate of the first reachability case whose name starts with `name`.
fn verdict_estate(name: &str) -> Inventory {
    case_estate("ec2_instance_not_internet_reachable", name)
}

const DIRECT: &str = "public IP without an internet-gateway route";
const PATHS: &str = "paths through load balancers";

#[test]
fn ports_and_paths_follow_route_acl_and_groups() {
    let rows = exposure(verdict_estate(DIRECT));
    // A lower-numbered NACL deny on 22 wins over the later allow: only 443 gets through.
    let nacl = row(&rows, "i-nacl");
    assert_eq!(strings(&nacl["internet_reachable_ports"]), ["tcp/443-443"]);
    assert!(
        nacl["path"]
            .as_str()
            .unwrap()
            .contains("acl-no-ssh (rule 90 denies tcp 22, rule 100 allows all traffic"),
        "{nacl:?}"
    );
    // Two security groups add up.
    assert_eq!(
        strings(&row(&rows, "i-two-sgs")["internet_reachable_ports"]),
        ["tcp/22-22", "tcp/443-443"]
    );
    // IPv6 only: reachable through the ::/0 route and a ::/0 rule.
    let v6 = row(&rows, "i-v6");
    assert_eq!(
        (
            v6["internet_reachable"].clone(),
            strings(&v6["internet_reachable_ports"])
        ),
        (Value::Bool(true), vec!["tcp/443-443"])
    );
    assert!(
        v6["path"]
            .as_str()
            .unwrap()
            .starts_with("IPv6 2600:1f18:aa:bb01::10 → rtb-public routes ::/0 to igw-1"),
        "{v6:?}"
    );
    // A public IP whose subnet routes 0.0.0.0/0 to a NAT gateway, not an internet gateway.
    let no_igw = row(&rows, "i-no-igw");
    assert_eq!(no_igw["internet_reachable"], false);
    assert!(strings(&no_igw["internet_reachable_ports"]).is_empty());
    assert!(
        no_igw["path"]
            .as_str()
            .unwrap()
            .contains("IPv4 54.0.0.1 but no 0.0.0.0/0 route to an internet gateway"),
        "{no_igw:?}"
    );
    // No public address: not reachable, whatever its groups allow.
    let private = row(&rows, "i-private");
    assert_eq!(private["internet_reachable"], false);
    assert_eq!(
        private["path"],
        "no public IPv4 address; no public IPv6 address"
    );
    // VPC-wide: 10.0.0.0/8 contains the VPC's 10.0.0.0/16; 10.0.1.0/24 does not.
    assert_eq!(row(&rows, "i-vpcwide")["vpc_wide_reachable"], true);
    assert_eq!(
        strings(&row(&rows, "i-vpcwide")["vpc_wide_rules"]),
        ["sg-db-vpc allows tcp 5432 from 10.0.0.0/8"]
    );
    assert_eq!(row(&rows, "i-narrow")["vpc_wide_reachable"], false);
}

#[test]
fn severity_ranks_traits_as_documented() {
    let rows = exposure(verdict_estate(DIRECT));
    let severity = |id: &str| row(&rows, id)["severity"].as_str().unwrap().to_string();
    // Internet-reachable without IMDSv1 or an admin role: high.
    assert_eq!(severity("i-two-sgs"), "high");
    // Public with SSH open, though not reachable: high.
    assert_eq!(severity("i-no-igw"), "high");
    // Other traits on a running instance: medium; none at all: none.
    assert_eq!(severity("i-vpcwide"), "medium");
    assert_eq!(severity("i-narrow"), "none");
    assert!(row(&rows, "i-narrow")["traits"].is_null());

    let demo = exposure(Inventory::demo());
    let severity = |id: &str| row(&demo, id)["severity"].as_str().unwrap().to_string();
    // Reachable with IMDSv1 (and an admin role): critical.
    assert_eq!(severity("i-50dfe9e0e1992dd9b"), "critical");
    assert!(strings(&row(&demo, "i-2c833a59f0177036b")["traits"]).contains(&"imdsv1"));
    assert_eq!(severity("i-2c833a59f0177036b"), "critical");
    // A stopped instance's traits are latent: low.
    assert_eq!(severity("i-c6761f07284fca2a3"), "low");
    // Every trait carries its remediation.
    for r in &demo {
        let traits = strings(&r["traits"]);
        let fixes = strings(&r["remediation"]);
        assert_eq!(traits.len(), fixes.len(), "{r:?}");
        assert!(
            traits
                .iter()
                .zip(&fixes)
                .all(|(t, f)| f.starts_with(&format!("{t}: "))),
            "{r:?}"
        );
    }
}

fn path(r: &Map<String, Value>) -> &str {
    r["path"].as_str().unwrap()
}

#[test]
fn load_balancers_forward_the_internet_to_private_targets() {
    let rows = exposure(verdict_estate(PATHS));
    // A private instance behind an internet-facing ALB whose group admits only 443, while the
    // target group uses 8080: reachable on 8080, through the ALB and its listener.
    let alb = row(&rows, "i-alb");
    assert_eq!(alb["internet_reachable"], true);
    assert_eq!(strings(&alb["internet_reachable_ports"]), ["tcp/8080-8080"]);
    assert_eq!(
        strings(&alb["reachable_via"]),
        ["load_balancer tcp/8080-8080"]
    );
    assert!(
        path(alb).contains("via alb-public (application, internet-facing; rtb-pub routes 0.0.0.0/0 to igw-1; sg-alb allows tcp 443 from 0.0.0.0/0) listener HTTPS 443 → tg-app → port 8080 admitted by sg-app allows tcp 8080 from sg-alb"),
        "{alb:?}"
    );
    // Public, in a public subnet, same groups: the load balancer is its only way in (its group
    // admits nothing from the world directly).
    let public = row(&rows, "i-alb-public");
    assert_eq!(
        strings(&public["reachable_via"]),
        ["load_balancer tcp/8080-8080"]
    );
    // Behind an internal ALB: nothing.
    let internal = row(&rows, "i-internal");
    assert_eq!(internal["internet_reachable"], false);
    assert!(strings(&internal["reachable_via"]).is_empty());
    // A Classic Load Balancer: the instance port.
    let clb = row(&rows, "i-clb");
    assert_eq!(
        strings(&clb["reachable_via"]),
        ["load_balancer tcp/8000-8000"]
    );
    assert!(
        path(clb).contains("via clb-public (classic, internet-facing"),
        "{clb:?}"
    );
    // An NLB without security groups, an IP target: the instance admits the NLB's subnet.
    let nlb = row(&rows, "i-nlb");
    assert_eq!(
        strings(&nlb["reachable_via"]),
        ["load_balancer tcp/443-443"]
    );
    assert!(
        path(nlb).contains("tg-nlb → 10.0.2.14 → port 443 admitted by sg-nlb-target allows tcp 443 from 10.0.1.0/24"),
        "{nlb:?}"
    );
    // Internet-reachable through a load balancer is the internet_reachable trait.
    assert!(strings(&alb["traits"]).contains(&"internet_reachable"));
}

#[test]
fn connected_networks_and_prefix_lists_are_resolved() {
    let rows = exposure(verdict_estate(PATHS));
    // A route to an active peering covers the rule's source: reachable from that network, not
    // from the internet.
    let peer = row(&rows, "i-peer");
    assert_eq!(
        (
            peer["internet_reachable"].clone(),
            peer["connected_network_reachable"].clone()
        ),
        (Value::Bool(false), Value::Bool(true))
    );
    assert_eq!(strings(&peer["connected_networks"]), ["pcx-1"]);
    assert_eq!(strings(&peer["reachable_via"]), ["peering tcp/443-443"]);
    assert!(
        path(peer).contains("peering: rtb-priv routes 10.50.0.0/16 to pcx-1 → sg-peer allows tcp 443 from 10.50.0.0/16"),
        "{peer:?}"
    );
    assert!(strings(&peer["traits"]).contains(&"connected_network_reachable"));
    // A deleted peering carries nothing.
    assert_eq!(
        row(&rows, "i-old-peer")["connected_network_reachable"],
        false
    );
    // A prefix-list source is its entries: 0.0.0.0/0 in the list opens the port to the world.
    let pl = row(&rows, "i-pl");
    assert_eq!(strings(&pl["reachable_via"]), ["direct tcp/22-22"]);
    assert!(
        path(pl).contains("sg-pl allows tcp 22 from pl-world (0.0.0.0/0)"),
        "{pl:?}"
    );
    // A list whose entries were not read could hold anything: reachable, and the path says why.
    let unread = row(&rows, "i-pl-unread");
    assert_eq!(unread["internet_reachable"], true);
    assert!(
        path(unread).contains("sg-pl-unread allows tcp 22 from pl-unread (entries not read)"),
        "{unread:?}"
    );
}

#[test]
fn projected_severity_is_the_severity_once_each_trait_is_fixed() {
    let demo = exposure(Inventory::demo());
    for r in &demo {
        let traits = strings(&r["traits"]);
        let projected = strings(&r["projected_severity"]);
        assert_eq!(
            traits.iter().map(|t| format!("{t}: ")).collect::<Vec<_>>(),
            projected
                .iter()
                .map(|p| p[..=p.find(": ").unwrap() + 1].to_string())
                .collect::<Vec<_>>(),
            "one projection per trait: {r:?}"
        );
    }
    // Reachable with IMDSv1 and an admin role: fixing either leaves it critical through the
    // other; closing the path leaves the rest.
    let jump = row(&demo, "i-50dfe9e0e1992dd9b");
    assert_eq!(jump["severity"], "critical");
    let projected = strings(&jump["projected_severity"]);
    assert!(projected.contains(&"imdsv1: critical"), "{jump:?}");
    assert!(projected.contains(&"internet_reachable: high"), "{jump:?}");
}

#[test]
fn inspector_findings_give_the_vulnerability_traits() {
    let rows = exposure(case_estate(
        "ec2_instance_no_network_exploitable_vulnerabilities",
        "Inspector:",
    ));
    let traits = |id: &str| strings(&row(&rows, id)["traits"]);
    // Active, critical, network vector, exploit available.
    assert!(traits("i-netcve").contains(&"network_exploitable_vulnerability"));
    assert!(!traits("i-netcve").contains(&"software_vulnerability"));
    // No exploit, or a local attack vector: a software vulnerability only.
    for id in ["i-noexploit", "i-local"] {
        assert!(traits(id).contains(&"software_vulnerability"), "{id}");
        assert!(
            !traits(id).contains(&"network_exploitable_vulnerability"),
            "{id}"
        );
    }
    // Closed and suppressed findings count for neither.
    for id in ["i-closed", "i-stopped", "i-unscanned"] {
        assert!(
            !traits(id).iter().any(|t| t.ends_with("vulnerability")),
            "{id}"
        );
    }
    // The instance in web-asg: its remediations name the group and its launch configuration.
    let fixes = strings(&row(&rows, "i-netcve")["remediation"]);
    for t in ["imdsv1", "network_exploitable_vulnerability"] {
        let fix = fixes.iter().find(|f| f.starts_with(t)).unwrap();
        assert!(
            fix.contains("Auto Scaling group web-asg")
                && fix.contains("launch configuration lc-v1")
                && fix.contains("start-instance-refresh"),
            "{fix}"
        );
    }
    let fix = strings(&row(&rows, "i-local")["remediation"]).join(" ");
    assert!(
        fix.contains("Patch Manager") && !fix.contains("Auto Scaling"),
        "{fix}"
    );
}

#[test]
fn an_internet_reachable_network_exploitable_instance_is_critical() {
    let demo = exposure(Inventory::demo());
    // shop-app-1: reachable through shop-alb, IMDSv1, regreSSHion with an exploit. Requiring
    // IMDSv2 leaves it critical through the CVE, patching leaves it critical through IMDSv1.
    let shop = row(&demo, "i-0a1b2c3d4e5f6a001");
    assert_eq!(shop["severity"], "critical");
    let projected = strings(&shop["projected_severity"]);
    assert!(projected.contains(&"imdsv1: critical"), "{shop:?}");
    assert!(
        projected.contains(&"network_exploitable_vulnerability: critical"),
        "{shop:?}"
    );
    assert!(
        projected.contains(&"internet_reachable: medium"),
        "{shop:?}"
    );
    // edge-proxy: reachable, with the same CVE but no exploit known: high, not critical.
    let edge = row(&demo, "i-0a1b2c3d4e5f6a003");
    assert_eq!(edge["severity"], "high");
    assert!(strings(&edge["traits"]).contains(&"software_vulnerability"));
}
