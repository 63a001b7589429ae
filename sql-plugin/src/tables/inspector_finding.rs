use super::prelude::*;

pub static TABLE: Table = Table {
    name: "inspector_finding",
    description: "Amazon Inspector package-vulnerability findings on EC2 instances, one row per finding (aws inspector2 list-findings, offline in list-findings.json: lowerCamelCase, as Inspector prints it; live, every status, filtered to findingType PACKAGE_VULNERABILITY and resourceType AWS_EC2_INSTANCE). Other findings in the same output (ECR images, Lambda functions, network reachability: their `type` or resource type says so) are not rows here; a finding that names neither is a row, its missing columns null. AWS Config does not record Inspector findings. An instance with no row is not known to be free of vulnerabilities unless Inspector scans it: read `status` and whether Inspector covers the account.",
    kinds: &[Kind::InspectorFinding],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| {
        inv.of(Kind::InspectorFinding)
            .iter()
            .filter(|f| !is_other_finding(&f.data))
            .map(|f| Record::new(&f.account_id, &f.region, &f.data))
            .collect()
    },
    columns: &[
        col("finding_arn", Text, "The finding's ARN.", |r| {
            r.resource.text("findingArn")
        }),
        col(
            "instance_id",
            Text,
            "The EC2 instance it is on (its `AWS_EC2_INSTANCE` resource).",
            |r| instance(r.resource).map_or(Cell::Null, |i| i.text("id")),
        ),
        col(
            "vulnerability_id",
            Text,
            "The vulnerability: a CVE id (`CVE-2024-6387`) or the vendor's advisory id.",
            |r| {
                r.resource
                    .text("packageVulnerabilityDetails.vulnerabilityId")
            },
        ),
        col(
            "severity",
            Text,
            "`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL` or `UNTRIAGED`.",
            |r| r.resource.text("severity"),
        ),
        col(
            "inspector_score",
            Float,
            "Inspector's score, 0-10: the CVSS base score adjusted to the instance's environment.",
            |r| r.resource.float("inspectorScore"),
        ),
        col(
            "exploit_available",
            Bool,
            "Whether a known exploit exists (`exploitAvailable` `YES`/`NO`); null when not given.",
            |r| yes_no(r.resource.str_at("exploitAvailable")),
        ),
        col(
            "epss_score",
            Float,
            "The EPSS score, 0-1: the likelihood of exploitation in the next 30 days.",
            |r| r.resource.float("epss.score"),
        ),
        col(
            "fix_available",
            Text,
            "Whether a fixed version exists for every vulnerable package: `YES`, `NO` or `PARTIAL`.",
            |r| r.resource.text("fixAvailable"),
        ),
        col(
            "attack_vector_network",
            Bool,
            "Whether the vulnerability is exploitable over the network: the CVSS vector (`cvss_vector`) has `AV:N`. Null when no vector is known.",
            |r| cvss_vector(r.resource).map_or(Cell::Null, |v| Cell::Bool(network(v))),
        ),
        col(
            "cvss_vector",
            Text,
            "The CVSS vector the attack vector is read from: Inspector's adjusted one (`inspectorScoreDetails.adjustedCvss`), else the first CVSS v3 or v4 vector of `packageVulnerabilityDetails.cvss`, else the first vector there.",
            |r| cvss_vector(r.resource).map_or(Cell::Null, |v| Cell::Text(v.to_string())),
        ),
        col(
            "packages",
            TextList,
            "The vulnerable packages, `name@version`.",
            |r| {
                let packages = r
                    .resource
                    .at("packageVulnerabilityDetails.vulnerablePackages")
                    .and_then(Value::as_array);
                Cell::TextList(
                    packages
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            let name = p.str_at("name")?;
                            Some(match p.str_at("version") {
                                Some(v) => format!("{name}@{v}"),
                                None => name.to_string(),
                            })
                        })
                        .collect(),
                )
            },
        ),
        col(
            "status",
            Text,
            "`ACTIVE` (open), `SUPPRESSED` (hidden by a suppression rule) or `CLOSED` (remediated).",
            |r| r.resource.text("status"),
        ),
        col("title", Text, "The finding's title.", |r| {
            r.resource.text("title")
        }),
        col(
            "first_observed_at",
            Timestamp,
            "When Inspector first observed it.",
            |r| r.resource.timestamp("firstObservedAt"),
        ),
        col(
            "last_observed_at",
            Timestamp,
            "When Inspector last observed it.",
            |r| r.resource.timestamp("lastObservedAt"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};

/// Not a package vulnerability on an EC2 instance: a finding that says it is of another type, or
/// whose resources all say they are something else. A finding that says neither stays a row
/// (its missing columns null), never dropped unseen.
fn is_other_finding(finding: &Value) -> bool {
    let other_type = finding
        .str_at("type")
        .is_some_and(|t| t != "PACKAGE_VULNERABILITY");
    let other_resources = finding
        .at("resources")
        .and_then(Value::as_array)
        .is_some_and(|rs| {
            !rs.is_empty()
                && rs
                    .iter()
                    .all(|r| r.str_at("type").is_some_and(|t| t != "AWS_EC2_INSTANCE"))
        });
    other_type || other_resources
}

/// The finding's `AWS_EC2_INSTANCE` resource.
fn instance(finding: &Value) -> Option<&Value> {
    finding
        .at("resources")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.str_at("type") == Some("AWS_EC2_INSTANCE"))
}

fn yes_no(v: Option<&str>) -> Cell {
    match v {
        Some(v) if v.eq_ignore_ascii_case("YES") => Cell::Bool(true),
        Some(v) if v.eq_ignore_ascii_case("NO") => Cell::Bool(false),
        _ => Cell::Null,
    }
}

/// Text that says something.
fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|v| !v.trim().is_empty())
}

/// The CVSS vector the attack vector is judged from (see the `cvss_vector` column).
fn cvss_vector(finding: &Value) -> Option<&str> {
    if let Some(v) = given(finding.str_at("inspectorScoreDetails.adjustedCvss.scoringVector")) {
        return Some(v);
    }
    let cvss = finding
        .at("packageVulnerabilityDetails.cvss")
        .and_then(Value::as_array)?;
    let vectors = || cvss.iter().filter_map(|c| given(c.str_at("scoringVector")));
    vectors()
        .find(|v| v.starts_with("CVSS:3") || v.starts_with("CVSS:4"))
        .or_else(|| vectors().next())
}

/// Whether a CVSS vector (v2, v3 or v4) says the attack vector is the network.
fn network(vector: &str) -> bool {
    vector.split('/').any(|part| part.trim() == "AV:N")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attack_vector_is_a_whole_component_of_the_vector() {
        assert!(network("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"));
        assert!(network("AV:N/AC:L/Au:N/C:C/I:C/A:C"));
        assert!(!network("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"));
        assert!(!network("CVSS:3.1/AV:A/AC:L"));
        // `AV:N` inside another component is not the attack vector.
        assert!(!network("CVSS:4.0/AV:L/XAV:N"));
    }

    #[test]
    fn the_vector_is_inspectors_else_the_first_v3_or_v4_else_any() {
        let v3 = "CVSS:3.1/AV:N/AC:L";
        let f = json!({"packageVulnerabilityDetails": {"cvss": [{"scoringVector": "AV:L/AC:L/Au:N", "version": "2.0"}, {"scoringVector": v3, "version": "3.1"}]}});
        assert_eq!(cvss_vector(&f), Some(v3));
        let mut adjusted = f.clone();
        adjusted["inspectorScoreDetails"] =
            json!({"adjustedCvss": {"scoringVector": "CVSS:3.1/AV:L/AC:L"}});
        assert_eq!(cvss_vector(&adjusted), Some("CVSS:3.1/AV:L/AC:L"));
        let v2 =
            json!({"packageVulnerabilityDetails": {"cvss": [{"scoringVector": "AV:N/AC:L/Au:N"}]}});
        assert_eq!(cvss_vector(&v2), Some("AV:N/AC:L/Au:N"));
        let none = json!({"packageVulnerabilityDetails": {"cvss": [{"scoringVector": ""}]}});
        assert_eq!(cvss_vector(&none), None);
        assert_eq!(cvss_vector(&json!({})), None);
    }

    #[test]
    fn only_findings_that_say_they_are_something_else_are_left_out() {
        let ec2 = json!({"type": "PACKAGE_VULNERABILITY", "resources": [{"type": "AWS_EC2_INSTANCE", "id": "i-1"}]});
        let unsaid = json!({"findingArn": "arn:f"});
        let malformed =
            json!({"type": "PACKAGE_VULNERABILITY", "resources": {"type": "AWS_EC2_INSTANCE"}});
        for f in [ec2, unsaid, malformed] {
            assert!(!is_other_finding(&f), "{f}");
        }
        let ecr = json!({"type": "PACKAGE_VULNERABILITY", "resources": [{"type": "AWS_ECR_CONTAINER_IMAGE", "id": "x"}]});
        let network = json!({"type": "NETWORK_REACHABILITY", "resources": [{"type": "AWS_EC2_INSTANCE", "id": "i-1"}]});
        for f in [ecr, network] {
            assert!(is_other_finding(&f), "{f}");
        }
        assert_eq!(yes_no(Some("YES")), Cell::Bool(true));
        assert_eq!(yes_no(Some("NO")), Cell::Bool(false));
        assert_eq!(yes_no(Some("MAYBE")), Cell::Null);
    }
}
