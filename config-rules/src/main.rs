//! The Config rule Lambda (`provided.al2023`, handler `bootstrap`): one function for every
//! control, which the rule names in its `controlId` parameter. Clients are built once per
//! container; each invocation is [`Handler::handle`]. Errors become the invocation's error
//! (type `posture.*`), with one log line each.

// The invocation's future nests deeply (DataFusion's stream under the handler's timeouts).
#![recursion_limit = "256"]

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use posture_config_rules::Handler;
use posture_config_rules::handler::{CERTIFICATE_BUNDLES, certificate_bundle};
use serde_json::Value;

fn main() -> Result<(), lambda_runtime::Error> {
    if let Some(bundle) =
        certificate_bundle(|v| std::env::var_os(v).is_some(), &CERTIFICATE_BUNDLES)
    {
        // SAFETY: no other thread exists yet to read the environment.
        unsafe { std::env::set_var("SSL_CERT_FILE", bundle) };
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve())
}

async fn serve() -> Result<(), lambda_runtime::Error> {
    let handler: &'static Handler = Box::leak(Box::new(Handler::from_env()));
    // On a worker thread, while the runtime API hands over the first event. What fails here
    // fails again, as that invocation's error, when the invocation needs it.
    tokio::spawn(async {
        let _ = handler.prepare().await;
    });
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
