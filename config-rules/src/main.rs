//! The Config rule Lambda (`provided.al2023`, handler `bootstrap`): one function for every
//! control, which the rule names in its `controlId` parameter. Clients are built once per
//! container; each invocation is [`Handler::handle`]. Errors become the invocation's error
//! (type `posture.*`), with one log line each.

// The invocation's future nests deeply (DataFusion's stream under the handler's timeouts).
#![recursion_limit = "256"]

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use posture_config_rules::Handler;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let handler: &'static Handler = Box::leak(Box::new(Handler::from_env().await));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let rule = event.payload["configRuleName"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        let deadline = posture_config_rules::handler::deadline(event.context.deadline);
        let result = handler.handle(&event.payload, deadline).await;
        // Drained every invocation: a warm container keeps none for the next.
        for warning in handler.take_warnings() {
            eprintln!("{rule}: warning: {warning}");
        }
        match result {
            Ok(outcome) => {
                eprintln!(
                    "{rule}: {}",
                    serde_json::to_string(&outcome).unwrap_or_default()
                );
                serde_json::to_value(outcome).map_err(|e| Diagnostic {
                    error_type: "posture.Response".into(),
                    error_message: e.to_string(),
                })
            }
            Err(e) => {
                eprintln!("{rule}: error: {e}");
                Err(Diagnostic {
                    error_type: e.kind().into(),
                    error_message: e.to_string(),
                })
            }
        }
    }))
    .await
}
