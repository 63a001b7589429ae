//! OCSF Compliance Findings (class 2003, OCSF 1.3), the format Prowler and Security Hub speak.

use posture_queries::{Control, Finding, Severity, Status};
use serde_json::{Value, json};

pub fn findings(results: &[(&Control, Vec<Finding>)], generated_at_ms: i64) -> Vec<Value> {
    results
        .iter()
        .flat_map(|(c, findings)| findings.iter().map(move |f| finding(c, f, generated_at_ms)))
        .collect()
}

fn finding(c: &Control, f: &Finding, time: i64) -> Value {
    let (severity_id, severity) = match c.severity {
        Severity::Critical => (5, "Critical"),
        Severity::High => (4, "High"),
        Severity::Medium => (3, "Medium"),
        Severity::Low => (2, "Low"),
    };
    let (status_id, status, status_code) = match f.status {
        _ if f.unverified => (0, "Unknown", "UNVERIFIED"),
        Status::Ok => (1, "Pass", "PASS"),
        Status::Alarm => (3, "Fail", "FAIL"),
        Status::Muted => (3, "Fail", "MUTED"),
        Status::Skip => (99, "Not Applicable", "SKIP"),
    };
    // A muted finding still fails its control; the finding itself is suppressed, with why.
    let (finding_status_id, finding_status) = match f.mute {
        Some(_) => (3, "Suppressed"),
        None => (1, "New"),
    };
    let standards: Vec<&str> = c.references().keys().copied().collect();
    let mut finding = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": finding_status_id,
        "status": finding_status,
        "status_code": status_code,
        "status_detail": f.reason,
        "time": time,
        "metadata": {
            "version": "1.3.0",
            "product": {"name": "posture", "vendor_name": "posture", "version": env!("CARGO_PKG_VERSION")},
            "event_code": c.id,
        },
        "finding_info": {
            "uid": crate::asff::id(c, f),
            "title": c.title,
            "desc": c.rationale.trim(),
            "types": [c.service.clone()],
            "created_time": time,
        },
        "compliance": {
            "control": c.id,
            "standards": standards,
            "requirements": crate::asff::requirements(c),
            "status_id": status_id,
            "status": status,
            "status_detail": f.reason,
        },
        "remediation": {"desc": c.remediation.console, "references": [c.remediation.cli]},
        "resources": [{"uid": f.resource, "name": f.resource_id, "type": f.resource_type, "region": f.region, "cloud_partition": "aws"}],
        "cloud": {"provider": "AWS", "region": f.region, "account": {"uid": f.account_id, "type": "AWS Account", "type_id": 10}},
    });
    if let Some(mute) = &f.mute {
        finding["comment"] = json!(format!("{} ({})", mute.annotation(), mute.by));
    }
    finding
}
