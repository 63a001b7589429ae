//! From an event to evaluations. Applicability as in AWS's own rule samples: only `OK` and
//! `ResourceDiscovered` items that have not left the rule's scope are evaluated; deleted,
//! not-recorded or out-of-scope items get NOT_APPLICABLE. A change-triggered item becomes rows of
//! the same tables `posture check` reads, and only the resource it names is evaluated; the
//! control may look up other resources (the role of an instance profile) in `Lookups`.

use std::path::Path;
use std::sync::Arc;

use posture_queries::{Control, Status, Trigger};
use posture_sql::inventory::InventoryBuilder;
use serde_json::Value;

use crate::{ANNOTATION_LIMIT, ComplianceType, ConfigEvent, Error, Evaluation, MessageType};

/// Where resources beyond the item come from: offline inventory files (`--inventory`), loaded
/// into the same tables.
#[derive(Default)]
pub struct Lookups {
    pub paths: Vec<std::path::PathBuf>,
}

fn cut(s: &str) -> String {
    if s.chars().count() <= ANNOTATION_LIMIT {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(ANNOTATION_LIMIT - 1).collect::<String>()
        )
    }
}

fn compliance(status: Status) -> ComplianceType {
    match status {
        Status::Ok => ComplianceType::Compliant,
        Status::Alarm => ComplianceType::NonCompliant,
        Status::Skip => ComplianceType::NotApplicable,
    }
}

fn text<'a>(item: &'a Value, field: &str) -> &'a str {
    item.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// The evaluations for `event`, with the control it names (or `override_id`).
pub async fn evaluate(
    event: &ConfigEvent,
    override_id: Option<&str>,
    lookups: &Lookups,
) -> Result<Vec<Evaluation>, Error> {
    let (control, params) = event.control(override_id)?;
    // Bad parameters are the rule's error, before anything is evaluated.
    control.bind(&params, 0)?;
    match event.message_type {
        MessageType::Scheduled => periodic(event, control, &params, lookups).await,
        MessageType::Oversized => Err(Error::NeedsAws(format!(
            "{} {}: an oversized notification carries only a summary; the item comes from GetResourceConfigHistory",
            text(event.item.as_ref().expect("parsed"), "resourceType"),
            text(event.item.as_ref().expect("parsed"), "resourceId")
        ))),
        MessageType::Change => change(event, control, &params, lookups).await,
    }
}

async fn change(
    event: &ConfigEvent,
    control: &Control,
    params: &std::collections::HashMap<String, String>,
    lookups: &Lookups,
) -> Result<Vec<Evaluation>, Error> {
    let item = event
        .item
        .as_ref()
        .expect("a change notification has an item");
    let (resource_type, resource_id) = (text(item, "resourceType"), text(item, "resourceId"));
    if resource_type.is_empty() || resource_id.is_empty() {
        return Err(Error::Event(
            "the configuration item has no resourceType or resourceId".into(),
        ));
    }
    let captured = text(item, "configurationItemCaptureTime").to_string();
    let not_applicable = |why: String| Evaluation {
        compliance_resource_type: resource_type.to_string(),
        compliance_resource_id: resource_id.to_string(),
        compliance_type: ComplianceType::NotApplicable,
        annotation: cut(&why),
        ordering_timestamp: captured.clone(),
    };
    let status = text(item, "configurationItemStatus");
    if !matches!(status, "OK" | "ResourceDiscovered") {
        return Ok(vec![not_applicable(format!("{resource_id} is {status}."))]);
    }
    if event.event_left_scope {
        return Ok(vec![not_applicable(format!(
            "{resource_id} has left the rule's scope."
        ))]);
    }
    if control.trigger == Trigger::Periodic || control.resource_type != resource_type {
        return Ok(vec![not_applicable(format!(
            "{} evaluates {} resources on a schedule, not {resource_type} changes.",
            control.id, control.resource_type
        ))]);
    }

    let mut builder = InventoryBuilder::default();
    load_lookups(lookups, &mut builder)?;
    // The item last: it is the newest capture of its resource.
    posture_sql::sources::config_item::load(item, Path::new("configurationItem"), &mut builder)?;
    let as_of = chrono::DateTime::parse_from_rfc3339(&captured)
        .map(|t| t.timestamp_micros())
        .unwrap_or_else(|_| chrono::Utc::now().timestamp_micros());
    let findings = run(control, builder, params, as_of).await?;
    let mine: Vec<Evaluation> = findings
        .into_iter()
        .filter(|f| f.resource_id == resource_id && f.resource_type == resource_type)
        .map(|f| Evaluation {
            compliance_resource_type: f.resource_type,
            compliance_resource_id: f.resource_id,
            compliance_type: compliance(f.status),
            annotation: cut(&f.reason),
            ordering_timestamp: captured.clone(),
        })
        .collect();
    Ok(if mine.is_empty() {
        vec![not_applicable(format!(
            "{} reports nothing for {resource_id}.",
            control.id
        ))]
    } else {
        mine
    })
}

/// Every resource the control reports, ordered by the notification's time.
async fn periodic(
    event: &ConfigEvent,
    control: &Control,
    params: &std::collections::HashMap<String, String>,
    lookups: &Lookups,
) -> Result<Vec<Evaluation>, Error> {
    let time = event
        .notification_time
        .clone()
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let as_of = chrono::DateTime::parse_from_rfc3339(&time)
        .map(|t| t.timestamp_micros())
        .unwrap_or_else(|_| chrono::Utc::now().timestamp_micros());
    let mut builder = InventoryBuilder::default();
    load_lookups(lookups, &mut builder)?;
    Ok(run(control, builder, params, as_of)
        .await?
        .into_iter()
        .map(|f| Evaluation {
            compliance_resource_type: f.resource_type,
            compliance_resource_id: f.resource_id,
            compliance_type: compliance(f.status),
            annotation: cut(&f.reason),
            ordering_timestamp: time.clone(),
        })
        .collect())
}

fn load_lookups(lookups: &Lookups, builder: &mut InventoryBuilder) -> Result<(), Error> {
    for path in &lookups.paths {
        posture_sql::Inventory::load_into(path, builder)?;
    }
    Ok(())
}

async fn run(
    control: &Control,
    builder: InventoryBuilder,
    params: &std::collections::HashMap<String, String>,
    as_of: i64,
) -> Result<Vec<posture_queries::Finding>, Error> {
    let ctx = posture_sql::session(Arc::new(builder.finish())).map_err(posture_sql::Error::from)?;
    Ok(control.run(&ctx, params, as_of).await?)
}
