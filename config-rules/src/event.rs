//! The event AWS Config sends a custom rule's Lambda: `invokingEvent` and `ruleParameters` are
//! JSON in strings; the message type says whether a configuration item, its summary (oversized)
//! or a schedule triggered it.

use std::collections::HashMap;

use posture_sql::text::{excerpt, excerpt_json};
use serde_json::Value;

use crate::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    Change,
    Oversized,
    Scheduled,
}

#[derive(Clone, Debug)]
pub struct ConfigEvent {
    pub message_type: MessageType,
    /// The configuration item (change), or its summary (oversized).
    pub item: Option<Value>,
    pub rule_name: String,
    /// `ruleParameters`, every value as text.
    pub parameters: HashMap<String, String>,
    pub result_token: String,
    pub event_left_scope: bool,
    /// When Config sent it (periodic evaluations are ordered by it).
    pub notification_time: Option<String>,
}

fn json_in_string(event: &Value, field: &str) -> Result<Option<Value>, Error> {
    match event.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => serde_json::from_str(s)
            .map(Some)
            .map_err(|e| Error::Event(format!("{field} is not JSON: {e}"))),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(other) => Err(Error::Event(format!(
            "{field} should be a JSON string, got {}",
            excerpt_json(other)
        ))),
    }
}

impl ConfigEvent {
    pub fn parse(event: &Value) -> Result<ConfigEvent, Error> {
        if !event.is_object() {
            return Err(Error::Event("not a JSON object".into()));
        }
        let mut invoking = json_in_string(event, "invokingEvent")?
            .ok_or_else(|| Error::Event("no invokingEvent".into()))?;
        let message_type = match invoking.get("messageType").and_then(Value::as_str) {
            Some("ConfigurationItemChangeNotification") => MessageType::Change,
            Some("OversizedConfigurationItemChangeNotification") => MessageType::Oversized,
            Some("ScheduledNotification") => MessageType::Scheduled,
            Some(other) => {
                return Err(Error::Event(format!(
                    "invokingEvent.messageType {} is not one posture handles",
                    excerpt(other)
                )));
            }
            None => return Err(Error::Event("invokingEvent has no messageType".into())),
        };
        // Moved out, not copied: the item is most of the event.
        let item = match message_type {
            MessageType::Change => Some(
                invoking
                    .get_mut("configurationItem")
                    .map(Value::take)
                    .ok_or_else(|| {
                        Error::Event("a change notification without configurationItem".into())
                    })?,
            ),
            MessageType::Oversized => Some(
                invoking
                    .get_mut("configurationItemSummary")
                    .map(Value::take)
                    .ok_or_else(|| {
                        Error::Event(
                            "an oversized notification without configurationItemSummary".into(),
                        )
                    })?,
            ),
            MessageType::Scheduled => None,
        };
        let parameters = match json_in_string(event, "ruleParameters")? {
            None => HashMap::new(),
            Some(Value::Object(m)) => m
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect(),
            Some(other) => {
                return Err(Error::Event(format!(
                    "ruleParameters should be an object, got {}",
                    excerpt_json(&other)
                )));
            }
        };
        Ok(ConfigEvent {
            message_type,
            item,
            rule_name: event
                .get("configRuleName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            parameters,
            result_token: event
                .get("resultToken")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            event_left_scope: event
                .get("eventLeftScope")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            notification_time: invoking
                .get("notificationCreationTime")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// The oversized notification completed with its full item (from GetResourceConfigHistory),
    /// evaluated as the change it reports.
    pub fn with_item(&self, item: Value) -> ConfigEvent {
        ConfigEvent {
            message_type: MessageType::Change,
            item: Some(item),
            ..self.clone()
        }
    }

    /// The item of a change, or the summary of an oversized notification; `parse` requires
    /// it for both, so its absence is an error here rather than a panic.
    pub fn item(&self) -> Result<&Value, Error> {
        self.item
            .as_ref()
            .ok_or_else(|| Error::Event("the notification carries no configuration item".into()))
    }

    /// The control: `controlId` in the rule's parameters, else `override_id`, else the one the
    /// rule name names ([`posture_queries::Control::id_of_rule`]). Its parameters are the other
    /// rule parameters.
    pub fn control(
        &self,
        override_id: Option<&str>,
    ) -> Result<(&'static posture_queries::Control, HashMap<String, String>), Error> {
        let from_name = posture_queries::Control::id_of_rule(&self.rule_name);
        let id = self
            .parameters
            .get("controlId")
            .map(String::as_str)
            .or(override_id)
            .unwrap_or(&from_name);
        if id.is_empty() {
            return Err(Error::Event(
                "no controlId in ruleParameters and no configRuleName".into(),
            ));
        }
        let control = posture_queries::control(id)?;
        let params = self
            .parameters
            .iter()
            .filter(|(k, _)| *k != "controlId")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok((control, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheduled_notification_has_no_item_and_asking_for_one_is_an_error() {
        let invoking = serde_json::json!({"messageType": "ScheduledNotification", "notificationCreationTime": "2026-01-01T00:00:00.000Z", "awsAccountId": "111122223333"});
        let event = ConfigEvent::parse(&serde_json::json!({
            "invokingEvent": invoking.to_string(), "ruleParameters": "{}",
            "resultToken": "TESTMODE", "configRuleName": "posture-vpc-sg-unused"
        }))
        .unwrap();
        assert_eq!(
            event.item().unwrap_err().to_string(),
            Error::Event("the notification carries no configuration item".into()).to_string()
        );
    }
}
