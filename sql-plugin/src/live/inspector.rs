//! Amazon Inspector: package-vulnerability findings on EC2 instances (`ListFindings`, every
//! status, filtered to findingType PACKAGE_VULNERABILITY and resourceType AWS_EC2_INSTANCE), in
//! the lowerCamelCase shape `aws inspector2 list-findings` prints, field for field what
//! `inspector_finding` reads. Paged by `nextToken` at the largest page (100).

use aws_sdk_inspector2::types::{FilterCriteria, Finding, StringComparison, StringFilter};
use serde_json::{Value, json};

use super::{Call, LiveError, object, time};

const PAGE_SIZE: i32 = 100;

pub(super) fn finding(f: &Finding) -> Value {
    let details = f.package_vulnerability_details();
    object(json!({
        "findingArn": f.finding_arn(), "awsAccountId": f.aws_account_id(),
        "type": f.r#type().as_str(), "title": f.title(), "description": f.description(),
        "severity": f.severity().as_str(), "status": f.status().as_str(),
        "firstObservedAt": time(Some(f.first_observed_at())), "lastObservedAt": time(Some(f.last_observed_at())),
        "updatedAt": time(f.updated_at()),
        "resources": f.resources().iter().map(|r| json!({"type": r.r#type().as_str(), "id": r.id(), "region": r.region(), "partition": r.partition()})).collect::<Vec<_>>(),
        "inspectorScore": f.inspector_score(),
        "inspectorScoreDetails": f.inspector_score_details().and_then(|d| d.adjusted_cvss()).map(|c| json!({"adjustedCvss": {
            "scoringVector": c.scoring_vector(), "score": c.score(), "version": c.version(), "scoreSource": c.score_source(),
        }})),
        "packageVulnerabilityDetails": details.map(|d| json!({
            "vulnerabilityId": d.vulnerability_id(), "source": d.source(),
            "cvss": d.cvss().iter().map(|c| json!({"baseScore": c.base_score(), "scoringVector": c.scoring_vector(), "source": c.source(), "version": c.version()})).collect::<Vec<_>>(),
            "vulnerablePackages": d.vulnerable_packages().iter().map(|p| json!({"name": p.name(), "version": p.version(), "fixedInVersion": p.fixed_in_version()})).collect::<Vec<_>>(),
        })),
        "exploitAvailable": f.exploit_available().map(|e| e.as_str()),
        "fixAvailable": f.fix_available().map(|e| e.as_str()),
        "epss": f.epss().map(|e| json!({"score": e.score()})),
    }))
}

fn equals(value: &str) -> Result<StringFilter, LiveError> {
    StringFilter::builder()
        .comparison(StringComparison::Equals)
        .value(value)
        .build()
        .map_err(|e| LiveError::new(format!("ListFindings filter: {e}")))
}

/// Every package-vulnerability finding on an EC2 instance, whatever its status.
pub async fn findings(call: &Call<'_>) -> Result<Vec<Value>, LiveError> {
    let client = call.account.inspector2(call.region);
    let filter = FilterCriteria::builder()
        .finding_type(equals("PACKAGE_VULNERABILITY")?)
        .resource_type(equals("AWS_EC2_INSTANCE")?)
        .build();
    Ok(token_pages!(
        call,
        "ListFindings",
        client
            .list_findings()
            .filter_criteria(filter.clone())
            .max_results(PAGE_SIZE),
        findings,
        finding
    ))
}
