//! One Lambda invocation: the event parsed, an oversized item fetched, the control evaluated,
//! resources a periodic rule evaluated before and no longer sees marked NOT_APPLICABLE, and
//! everything reported through PutEvaluations — by a periodic run a batch at a time while its
//! query runs, and before the invocation's deadline: near it, what was evaluated is put and the
//! invocation fails naming what was left. Clients and the live connection live in the
//! [`Handler`], built once per container.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use posture_queries::mute::Mutes;
use posture_sql::live::LiveOptions;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::OnceCell;
use tokio::time::{Instant, timeout_at};

use crate::evaluate::Periodic;
use crate::{ComplianceType, ConfigEvent, Error, Evaluation, Lookups, MessageType, config_api};

/// The most time kept before the deadline to put what was evaluated and answer.
const MARGIN: Duration = Duration::from_secs(5);

/// An AWS Config client from the standard AWS chain (`AWS_REGION`, the function role's
/// credentials, `AWS_ENDPOINT_URL` for tests), configured as the live tables' clients are.
pub async fn config_client() -> aws_sdk_config::Client {
    aws_sdk_config::Client::new(&posture_sql::live::sdk_defaults().load().await)
}

pub struct Handler {
    /// Given, or being built by a task started with the container (see [`Handler::from_env`]).
    clients: Arc<OnceCell<Clients>>,
    lookups: Lookups,
    /// The SSM parameter holding the mute file ([`MUTE_PARAMETER_VARIABLE`]), read afresh at
    /// each invocation so that a change applies at the next evaluation.
    mute_parameter: Option<String>,
}

/// The function's AWS clients.
struct Clients {
    config: aws_sdk_config::Client,
    /// Only when a mute parameter is named.
    ssm: Option<aws_sdk_ssm::Client>,
}

impl Clients {
    async fn from_env(ssm: bool) -> Clients {
        let sdk = posture_sql::live::sdk_defaults().load().await;
        Clients {
            config: aws_sdk_config::Client::new(&sdk),
            ssm: ssm.then(|| aws_sdk_ssm::Client::new(&sdk)),
        }
    }
}

/// Where images keep their one root-certificate bundle: provided.al2023 (the Fedora family),
/// then Debian.
pub const CERTIFICATE_BUNDLES: [&str; 2] = [
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/certs/ca-certificates.crt",
];

/// The bundle the function's TLS should trust when the environment names none
/// (`SSL_CERT_FILE`, `SSL_CERT_DIR`, per `is_set`): the first of `candidates` that is a file.
/// Named none, the SDK reads the system's bundle and then every file of its certificate
/// directory, the same certificates again: a third of the process's start (BENCHMARKS.md).
pub fn certificate_bundle<'a>(
    is_set: impl Fn(&str) -> bool,
    candidates: &[&'a str],
) -> Option<&'a str> {
    if is_set("SSL_CERT_FILE") || is_set("SSL_CERT_DIR") {
        return None;
    }
    candidates
        .iter()
        .copied()
        .find(|c| std::path::Path::new(c).is_file())
}

/// The environment variable naming the SSM parameter that holds the mute file (the template's
/// `MuteParameterName`); unset or empty, only the resources' `posture:mute` tags mute.
pub const MUTE_PARAMETER_VARIABLE: &str = "POSTURE_MUTE_PARAMETER";

/// What an invocation did: the Lambda's response, and a log line.
#[derive(Debug, Serialize, PartialEq)]
pub struct Outcome {
    pub control: String,
    pub evaluations: usize,
    pub compliant: usize,
    pub non_compliant: usize,
    pub not_applicable: usize,
    pub put_evaluations_requests: usize,
}

impl Handler {
    /// The container's handler, from the Lambda environment (within a Tokio runtime). Building
    /// the AWS clients reads the system's root certificates, about half of the process's start
    /// (BENCHMARKS.md): a task builds them on a worker thread while the first event is fetched
    /// and evaluated, and the first AWS call waits for it.
    pub fn from_env() -> Handler {
        let mute_parameter = std::env::var(MUTE_PARAMETER_VARIABLE)
            .ok()
            .filter(|name| !name.is_empty());
        let clients = Arc::new(OnceCell::new());
        let ssm = mute_parameter.is_some();
        tokio::spawn({
            let clients = clients.clone();
            async move {
                clients.get_or_init(|| Clients::from_env(ssm)).await;
            }
        });
        Handler {
            clients,
            // A lookup AWS refuses fails the invocation: a missing resource would be a wrong
            // verdict.
            lookups: Lookups::live(LiveOptions {
                strict: true,
                ..LiveOptions::default()
            }),
            mute_parameter,
        }
    }

    /// Builds what every first invocation needs, ahead of it: the control catalogue and the
    /// container's session.
    pub async fn prepare(&self) -> Result<(), Error> {
        posture_queries::catalogue();
        self.lookups.prepare().await
    }

    pub fn new(config: aws_sdk_config::Client, lookups: Lookups) -> Handler {
        Handler {
            clients: Arc::new(OnceCell::new_with(Some(Clients { config, ssm: None }))),
            lookups,
            mute_parameter: None,
        }
    }

    async fn clients(&self) -> &Clients {
        let ssm = self.mute_parameter.is_some();
        self.clients.get_or_init(|| Clients::from_env(ssm)).await
    }

    /// The mute file from the SSM parameter, if one is named. Unreadable, it fails the
    /// invocation: evaluating without it would put verdicts its author has accepted.
    async fn read_mutes(&self) -> Result<(), Error> {
        let Some(name) = &self.mute_parameter else {
            return Ok(());
        };
        let ssm = self
            .clients()
            .await
            .ssm
            .as_ref()
            .expect("built with a mute parameter");
        let answer = ssm
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| {
                Error::Mutes(format!(
                    "reading the mute parameter {name}: {}",
                    aws_sdk_ssm::error::DisplayErrorContext(e)
                ))
            })?;
        let text = answer
            .parameter()
            .and_then(|p| p.value())
            .ok_or_else(|| Error::Mutes(format!("the mute parameter {name} has no value")))?;
        let mutes =
            Mutes::parse(text, &format!("ssm:{name}")).map_err(|e| Error::Mutes(e.to_string()))?;
        self.lookups.set_mutes(mutes);
        Ok(())
    }

    /// What the invocations' live lookups warned of since last asked ([`Lookups::take_warnings`]).
    pub fn take_warnings(&self) -> Vec<String> {
        self.lookups.take_warnings()
    }

    /// One invocation, to be done by `deadline` (the Lambda context's). A periodic run puts its
    /// evaluations as the query produces them; near the deadline it stops and fails with
    /// [`Error::Deadline`], everything it evaluated already put.
    pub async fn handle(&self, event: &Value, deadline: SystemTime) -> Result<Outcome, Error> {
        let cutoff = cutoff(deadline);
        let event = ConfigEvent::parse(event)?;
        // An unknown control or a bad parameter is the rule's error, before any AWS call.
        let (control, params) = event.control(None)?;
        control.bind(&params, 0)?;
        self.read_mutes().await?;
        let put = if event.message_type == MessageType::Scheduled {
            let mut put = Put::new(&self.clients().await.config, &event.result_token);
            self.periodic(&event, control, &params, cutoff, &mut put)
                .await?;
            put
        } else {
            // One resource, evaluated whole, then put.
            let resource = event.item.as_ref().map_or_else(String::new, |item| {
                let text = |k: &str| item[k].as_str().unwrap_or_default().to_string();
                format!("{} {}", text("resourceType"), text("resourceId"))
            });
            let evaluations = timeout_at(
                cutoff,
                crate::evaluate_fetching(&event, None, &self.lookups, async || {
                    self.clients().await.config.clone()
                }),
            )
            .await
            .map_err(|_| {
                Error::Deadline(format!(
                    "the invocation's deadline is near and {resource} is not evaluated yet: nothing was put, 1 resource left"
                ))
            })??;
            // The clients are awaited only now: a cold container builds them meanwhile.
            let mut put = Put::new(&self.clients().await.config, &event.result_token);
            put.put(&evaluations).await?;
            put
        };
        Ok(Outcome {
            control: control.id.clone(),
            evaluations: put.evaluations,
            compliant: put.count(ComplianceType::Compliant),
            non_compliant: put.count(ComplianceType::NonCompliant),
            not_applicable: put.count(ComplianceType::NotApplicable),
            put_evaluations_requests: put.requests,
        })
    }

    /// Every resource the control reports, put a batch at a time as the query produces them;
    /// then resources the rule evaluated before that this run no longer sees, NOT_APPLICABLE.
    async fn periodic(
        &self,
        event: &ConfigEvent,
        control: &'static posture_queries::Control,
        params: &HashMap<String, String>,
        cutoff: Instant,
        put: &mut Put<'_>,
    ) -> Result<(), Error> {
        let late = |put: &Put, left: String| {
            Error::Deadline(format!(
                "the invocation's deadline is near: {} evaluations were put; {left}",
                put.evaluations
            ))
        };
        let mut run = timeout_at(
            cutoff,
            Periodic::start(event, control, params, &self.lookups),
        )
        .await
        .map_err(|_| {
            late(
                put,
                "the query had not started, so how many resources are left is unknown".into(),
            )
        })??;
        let left = |run: &Periodic| {
            if run.finished() {
                format!("{} resources were left", run.pending())
            } else {
                format!(
                    "the query was still running, so how many resources are left is unknown (at least {})",
                    run.pending()
                )
            }
        };
        loop {
            if Instant::now() >= cutoff {
                return Err(late(put, left(&run)));
            }
            match timeout_at(cutoff, run.next()).await {
                Err(_) => return Err(late(put, left(&run))),
                Ok(None) => break,
                Ok(Some(evaluations)) => {
                    let evaluations = evaluations.map_err(|e| put.after(e))?;
                    put.put(&evaluations).await?;
                }
            }
        }

        let previous = timeout_at(
            cutoff,
            config_api::previously_evaluated(put.client, &event.rule_name),
        )
        .await
        .map_err(|_| {
            late(
                put,
                "every resource of this run was put, but those gone since the previous run are not marked NOT_APPLICABLE".into(),
            )
        })?
        .map_err(|e| {
            Error::Config(format!(
                "{e} (the {} evaluations of this run were still reported; resources gone since the previous run are not marked NOT_APPLICABLE)",
                put.evaluations
            ))
        })?;
        let gone: Vec<Evaluation> = previous
            .into_iter()
            .filter(|resource| !put.seen.contains(resource))
            .map(|(resource_type, resource_id)| Evaluation {
                annotation: format!("{resource_id} no longer exists."),
                compliance_resource_type: resource_type,
                compliance_resource_id: resource_id,
                compliance_type: ComplianceType::NotApplicable,
                ordering_timestamp: run.time.clone(),
            })
            .collect();
        for (i, batch) in gone.chunks(crate::report::BATCH).enumerate() {
            if Instant::now() >= cutoff {
                let unmarked = gone.len() - i * crate::report::BATCH;
                return Err(late(
                    put,
                    format!(
                        "{unmarked} of the {} resources gone since the previous run are not marked NOT_APPLICABLE",
                        gone.len()
                    ),
                ));
            }
            put.put(batch).await?;
        }
        Ok(())
    }
}

/// The invocation's deadline from the Lambda context's `deadline` (`Lambda-Runtime-Deadline-Ms`):
/// epoch milliseconds from AWS. cargo lambda's local runtime API sends its timeout there instead
/// (600000: ten minutes), so a value too small to be a time after 2001 is that long from now.
pub fn deadline(ms: u64) -> SystemTime {
    const YEAR_2001_MS: u64 = 1_000_000_000_000;
    if ms < YEAR_2001_MS {
        SystemTime::now() + Duration::from_millis(ms)
    } else {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
    }
}

/// When to stop evaluating and fail: before `deadline` by a tenth of the time left (at most
/// [`MARGIN`]), time to put what was evaluated and to answer.
fn cutoff(deadline: SystemTime) -> Instant {
    let left = deadline
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    Instant::now() + (left - (left / 10).min(MARGIN))
}

/// What an invocation has put.
struct Put<'a> {
    client: &'a aws_sdk_config::Client,
    result_token: &'a str,
    evaluations: usize,
    requests: usize,
    compliance: Vec<ComplianceType>,
    /// (resource type, resource id) of every evaluation put.
    seen: HashSet<(String, String)>,
}

impl<'a> Put<'a> {
    fn new(client: &'a aws_sdk_config::Client, result_token: &'a str) -> Put<'a> {
        Put {
            client,
            result_token,
            evaluations: 0,
            requests: 0,
            compliance: Vec::new(),
            seen: HashSet::new(),
        }
    }

    async fn put(&mut self, evaluations: &[Evaluation]) -> Result<(), Error> {
        self.requests +=
            crate::report::put_evaluations(self.client, self.result_token, evaluations)
                .await
                .map_err(|e| self.after(e))?;
        self.evaluations += evaluations.len();
        for e in evaluations {
            self.compliance.push(e.compliance_type);
            self.seen.insert((
                e.compliance_resource_type.clone(),
                e.compliance_resource_id.clone(),
            ));
        }
        Ok(())
    }

    fn count(&self, compliance: ComplianceType) -> usize {
        self.compliance.iter().filter(|c| **c == compliance).count()
    }

    /// An error after some evaluations were put says how many.
    fn after(&self, e: Error) -> Error {
        if self.evaluations == 0 {
            return e;
        }
        let put = format!("{} evaluations were put before", self.evaluations);
        match e {
            Error::Lookup(m) => Error::Lookup(format!("{m} ({put})")),
            Error::Report(m) => Error::Report(format!("{m} ({put})")),
            Error::Config(m) => Error::Config(format!("{m} ({put})")),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_the_first_candidate_file_unless_the_environment_names_one() {
        let dir = std::env::temp_dir().join(format!("posture-bundles-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a-directory")).unwrap();
        std::fs::write(dir.join("bundle.crt"), "").unwrap();
        let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
        let (missing, directory, bundle) =
            (path("missing"), path("a-directory"), path("bundle.crt"));
        let candidates = [missing.as_str(), directory.as_str(), bundle.as_str()];
        assert_eq!(
            certificate_bundle(|_| false, &candidates),
            Some(bundle.as_str())
        );
        for named in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            assert_eq!(certificate_bundle(|v| v == named, &candidates), None);
        }
        assert_eq!(certificate_bundle(|_| false, &candidates[..2]), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn deadlines_are_epoch_milliseconds_or_a_local_runtime_api_timeout() {
        assert_eq!(
            deadline(1_796_461_745_557),
            SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_461_745_557)
        );
        let local = deadline(600_000).duration_since(SystemTime::now()).unwrap();
        assert!(local > Duration::from_secs(590) && local <= Duration::from_secs(600));
    }

    #[test]
    fn the_cutoff_keeps_a_tenth_of_the_time_left_at_most_five_seconds() {
        let at = |left: Duration| cutoff(SystemTime::now() + left).duration_since(Instant::now());
        let short = at(Duration::from_secs(2));
        assert!(short > Duration::from_millis(1700) && short <= Duration::from_millis(1800));
        let long = at(Duration::from_secs(300));
        assert!(long > Duration::from_secs(294) && long <= Duration::from_secs(295));
        assert_eq!(at(Duration::ZERO), Duration::ZERO);
    }
}
