//! AWS Security Finding Format, as `securityhub batch-import-findings --findings` takes it: one
//! finding per (control, resource), with an `Id` that is stable across runs and distinct per
//! pair, so re-imports update findings instead of piling up or overwriting each other.

use posture_queries::{Control, Finding, Severity, Status};
use serde_json::{Value, json};

pub fn findings(results: &[(&Control, Vec<Finding>)], generated_at: &str) -> Vec<Value> {
    results
        .iter()
        .flat_map(|(c, findings)| findings.iter().map(move |f| finding(c, f, generated_at)))
        .collect()
}

/// The finding's `Id`: control and resource ARN (which names account and region).
pub fn id(control: &Control, f: &Finding) -> String {
    format!("posture/{}/{}", control.id, f.resource)
}

fn finding(c: &Control, f: &Finding, generated_at: &str) -> Value {
    // IAM and account-wide rows are global; Security Hub wants a region, as for its own IAM findings.
    let region = if f.region == "global" {
        "us-east-1"
    } else {
        f.region.as_str()
    };
    let (compliance, label, workflow) = match f.status {
        Status::Alarm => ("FAILED", severity(c.severity), "NEW"),
        Status::Ok => ("PASSED", "INFORMATIONAL", "RESOLVED"),
        // Still failing, accepted: Security Hub's suppressed workflow, the reason as its note.
        Status::Muted => ("FAILED", severity(c.severity), "SUPPRESSED"),
        Status::Skip => ("NOT_AVAILABLE", "INFORMATIONAL", "SUPPRESSED"),
    };
    let mut finding = json!({
        "SchemaVersion": "2018-10-08",
        "Id": id(c, f),
        "ProductArn": format!("arn:aws:securityhub:{region}:{}:product/{}/default", f.account_id, f.account_id),
        "GeneratorId": format!("posture/{}", c.id),
        "AwsAccountId": f.account_id,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "CreatedAt": generated_at,
        "UpdatedAt": generated_at,
        "Severity": {"Label": label},
        "Title": truncate(&c.title, 256),
        "Description": truncate(&f.reason, 1024),
        "Remediation": {"Recommendation": {"Text": truncate(&c.remediation.cli, 512)}},
        "ProductFields": {"posture/ControlId": c.id, "posture/ResourceType": f.resource_type},
        "Resources": [{"Type": resource_type(&f.resource_type), "Id": f.resource, "Partition": "aws", "Region": region}],
        "Compliance": {"Status": compliance, "RelatedRequirements": requirements(c)},
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
        "Region": region,
    });
    if let Some(mute) = &f.mute {
        finding["Note"] = json!({
            "Text": truncate(&format!("{} ({})", mute.annotation(), mute.by), 512),
            "UpdatedBy": truncate(mute.owner.as_deref().unwrap_or("posture"), 512),
            "UpdatedAt": generated_at,
        });
    }
    finding
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
    }
}

/// AWS Config resource type → ASFF resource type.
fn resource_type(config_type: &str) -> &'static str {
    match config_type {
        "AWS::EC2::Instance" => "AwsEc2Instance",
        "AWS::EC2::SecurityGroup" => "AwsEc2SecurityGroup",
        "AWS::EC2::Volume" => "AwsEc2Volume",
        "AWS::EC2::VPC" => "AwsEc2Vpc",
        "AWS::EC2::Subnet" => "AwsEc2Subnet",
        "AWS::EC2::NetworkAcl" => "AwsEc2NetworkAcl",
        "AWS::EC2::LaunchTemplate" => "AwsEc2LaunchTemplate",
        "AWS::IAM::Policy" => "AwsIamPolicy",
        "AWS::CloudTrail::Trail" => "AwsCloudTrailTrail",
        "AWS::::Account" => "AwsAccount",
        _ => "Other",
    }
}

pub fn requirements(c: &Control) -> Vec<String> {
    c.references()
        .into_iter()
        .flat_map(|(framework, ids)| {
            let name = match framework {
                "fsbp" => "AWS Foundational Security Best Practices v1.0.0",
                "cis" => "CIS AWS Foundations Benchmark v6.0.0",
                _ => return Vec::new(),
            };
            ids.into_iter().map(|id| format!("{name}/{id}")).collect()
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}
