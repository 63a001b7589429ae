//! Live AWS: every table answered through the AWS SDK for Rust, fetched in the scan's stream
//! with one partition per (account, region). The SDK's responses become the same canonical
//! resources the offline sources produce, so a table's definition (and every control) is shared.
//!
//! Credentials, profile, region and endpoint come from the standard AWS chain (`AWS_PROFILE`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, …); more accounts through AssumeRole (`--role-arn`, or
//! `--org-role` into every active account of the organization). Retries use the SDK's adaptive
//! mode, and a token bucket per (account, region, API) keeps big queries under EC2's throttling.
//!
//! - [`crate::Table`]: per table, what it reads and which columns and filters become API parameters;
//! - [`scan`]: the DataFusion provider and plan;
//! - [`fetch`]: a table's kinds in one (account, region);
//! - [`ec2`], [`elb`], [`inspector`], [`ssm`], [`autoscaling`], [`iam`], [`cloudtrail`]: the calls, and SDK types → canonical JSON;
//! - [`snapshot`]: everything fetched, written in the offline layout;
//! - [`RunCache`]: one fetch per (account, region, kinds, request) for the scans of one run.
//!
//! Nothing here prints: warnings (skipped access) and debug lines are [`Notice`]s the caller
//! takes with [`Live::take_notices`].

/// Every page of a `NextToken`-paged call (Auto Scaling, Systems Manager, Inspector): `$builder`
/// is the request with its page size, sent again with each page's token.
macro_rules! token_pages {
    ($call:expr, $api:literal, $builder:expr, $items:ident, $map:expr) => {{
        let call: &Call<'_> = $call;
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            call.permit($api).await;
            let page = $builder
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| LiveError::from_sdk(e).during($api))?;
            out.extend(page.$items().iter().map($map));
            token = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if token.is_none() {
                break out;
            }
        }
    }};
}

mod autoscaling;
mod cache;
mod cloudtrail;
mod ec2;
mod elb;
mod fetch;
mod iam;
mod inspector;
mod limiter;
mod progress;
mod scan;
pub mod snapshot;
mod ssm;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use datafusion::error::Result;
use datafusion::prelude::SessionContext;

use crate::tables::TABLES;

pub use cache::{Fetches, KeptFetches, Planning, RunCache};

/// Per-resource calls (snapshot permissions, trail status) in flight at once, each still paced
/// by the limiter.
const PER_RESOURCE_CALLS: usize = 8;

/// Where and how to fetch.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    pub profile: Option<String>,
    /// Regions to query; empty means the configured region; `all` means every enabled region.
    pub regions: Vec<String>,
    /// Roles to assume, one account each (the caller's own account is then not read).
    pub role_arns: Vec<String>,
    /// A role name to assume in every active account of the caller's AWS Organization.
    pub org_role: Option<String>,
    /// The ExternalId the assumed roles' trust policies require (posture-readonly.yaml's).
    pub external_id: Option<String>,
    /// Fail instead of warning when an account or region denies access.
    pub strict: bool,
}

/// A connection to one or more AWS accounts.
pub struct Live {
    pub accounts: Vec<Account>,
    pub strict: bool,
    /// What the caller should tell the user, taken by [`Live::take_notices`].
    notices: Mutex<Vec<Notice>>,
    /// API filters an endpoint rejected: not sent again, the engine filters instead.
    rejected_filters: Mutex<HashSet<String>>,
    limiter: limiter::Limiter,
    progress: progress::Progress,
}

/// One account, its credentials and regions; SDK clients are built once per region.
pub struct Account {
    pub id: String,
    pub regions: Vec<String>,
    config: SdkConfig,
    ec2: Mutex<HashMap<String, aws_sdk_ec2::Client>>,
    cloudtrail: Mutex<HashMap<String, aws_sdk_cloudtrail::Client>>,
    elbv2: Mutex<HashMap<String, aws_sdk_elasticloadbalancingv2::Client>>,
    elb: Mutex<HashMap<String, aws_sdk_elasticloadbalancing::Client>>,
    inspector2: Mutex<HashMap<String, aws_sdk_inspector2::Client>>,
    ssm: Mutex<HashMap<String, aws_sdk_ssm::Client>>,
    autoscaling: Mutex<HashMap<String, aws_sdk_autoscaling::Client>>,
    iam: aws_sdk_iam::Client,
}

/// Something a live run tells the user without failing; the caller shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Skipped access, or a column left null: a `warning:` line.
    Warning(String),
    /// Diagnostics (the API rejected a pushed-down filter): a `debug:` line, for POSTURE_DEBUG.
    Debug(String),
}

/// What a scan asks the API for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ApiRequest {
    pub filters: Vec<(String, Vec<String>)>,
    pub limit: Option<usize>,
    /// Make the calls a column needs per row or per region beyond the list call (snapshot
    /// permissions, trail status, the default EBS key): only when such a column is used.
    pub extra: bool,
}

/// One AWS error, as one line.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct LiveError {
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
}

impl LiveError {
    fn new(message: impl Into<String>) -> Self {
        LiveError {
            code: None,
            status: None,
            message: message.into(),
        }
    }

    /// The one rendering of an error of any SDK client (they share `SdkError`).
    pub fn from_sdk<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
        e: SdkError<E, aws_sdk_ec2::config::http::HttpResponse>,
    ) -> Self {
        let status = e.raw_response().map(|r| r.status().as_u16());
        let code = e.code().map(str::to_string);
        let message = match (e.code(), e.message(), status) {
            (Some(code), Some(message), _) => format!("{code}: {message}"),
            (Some(code), None, _) => code.to_string(),
            (None, _, Some(403)) => "HTTP 403: access denied (no AWS error in the response)".into(),
            (None, _, Some(status)) if status >= 300 => {
                format!("HTTP {status} without an AWS error in the response")
            }
            // No response, or one that could not be read: the cause chain (connection refused,
            // timeout, …), cut to a line.
            _ => DisplayErrorContext(&e)
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect(),
        };
        LiveError {
            code,
            status,
            message,
        }
    }

    /// Says which call failed.
    pub fn during(self, api: &str) -> Self {
        LiveError {
            message: format!("{api}: {}", self.message),
            ..self
        }
    }

    /// The region or account is not ours to read (denied, or a region not enabled).
    pub fn is_access(&self) -> bool {
        self.status == Some(403)
            || matches!(
                self.code.as_deref(),
                Some(
                    "AccessDenied"
                        | "AccessDeniedException"
                        | "UnauthorizedOperation"
                        | "AuthFailure"
                        | "OptInRequired"
                        | "UnrecognizedClientException"
                        | "InvalidClientTokenId"
                )
            )
    }

    /// The endpoint did not take a pushed-down filter (moto answers 500 to some).
    pub fn rejects_filter(&self) -> bool {
        self.status.is_some_and(|s| s >= 500)
            || matches!(
                self.code.as_deref(),
                Some("InvalidParameterValue" | "InvalidFilter")
            )
    }
}

/// The standard AWS chain (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, …) with adaptive
/// retries, the attempts from `AWS_MAX_ATTEMPTS` as the chain would: every SDK client posture
/// builds, the live tables' and the Config rule Lambda's, starts here.
pub fn sdk_defaults() -> aws_config::ConfigLoader {
    let attempts = std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(attempts))
}

/// The SDK configuration of the standard chain, for the chosen profile and region.
async fn base_config(options: &LiveOptions) -> std::result::Result<SdkConfig, LiveError> {
    let mut loader = sdk_defaults();
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = options.regions.first().filter(|r| *r != "all") {
        loader = loader.region(Region::new(region.clone()));
    }
    let config = loader.load().await;
    match config.region().map(|r| r.to_string()) {
        None => Err(LiveError::new(
            "no AWS region: set AWS_REGION or pass --regions",
        )),
        Some(home) if !crate::sources::cli_dump::is_region(&home) => {
            Err(LiveError::new(format!("`{home}` is not an AWS region")))
        }
        Some(_) => Ok(config),
    }
}

/// The account the configuration's credentials belong to.
async fn account_of(config: &SdkConfig) -> std::result::Result<String, LiveError> {
    let identity = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(LiveError::from_sdk)?;
    Ok(identity.account().unwrap_or_default().to_string())
}

/// The configuration with credentials from assuming `role_arn`.
async fn assume(base: &SdkConfig, role_arn: &str, external_id: Option<&str>) -> SdkConfig {
    let mut provider = AssumeRoleProvider::builder(role_arn)
        .session_name("posture")
        .configure(base);
    if let Some(id) = external_id {
        provider = provider.external_id(id);
    }
    let provider = provider.build().await;
    base.to_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build()
}

impl Live {
    /// Resolves credentials, accounts and regions. A bad endpoint, bad credentials, an
    /// unknown region or a role that cannot be assumed fail here, with one line saying so.
    pub async fn connect(options: LiveOptions) -> std::result::Result<Live, LiveError> {
        if let Some(bad) = options
            .regions
            .iter()
            .find(|r| *r != "all" && !crate::sources::cli_dump::is_region(r))
        {
            return Err(LiveError::new(format!(
                "--regions: `{bad}` is not an AWS region"
            )));
        }
        if options.external_id.is_some()
            && options.role_arns.is_empty()
            && options.org_role.is_none()
        {
            return Err(LiveError::new(
                "--external-id: it is sent when assuming a role; give --role-arn or --org-role",
            ));
        }
        let base = base_config(&options).await?;
        let caller = account_of(&base).await.map_err(|e| LiveError {
            message: format!("cannot reach AWS as the configured identity: {}", e.message),
            ..e
        })?;

        let mut configs: Vec<(String, SdkConfig)> = Vec::new();
        let mut notices = Vec::new();
        for arn in &options.role_arns {
            if !is_role_arn(arn) {
                return Err(LiveError::new(format!(
                    "--role-arn {arn}: not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
                )));
            }
            let config = assume(&base, arn, options.external_id.as_deref()).await;
            let account = account_of(&config).await.map_err(|e| LiveError {
                message: format!("--role-arn {arn}: cannot assume the role: {}", e.message),
                ..e
            })?;
            configs.push((account, config));
        }
        if let Some(role) = &options.org_role {
            for account in organization_accounts(&base).await? {
                if account == caller {
                    // The management account is read as the caller (the org role is usually
                    // deployed to member accounts only).
                    configs.push((account, base.clone()));
                    continue;
                }
                let arn = format!("arn:aws:iam::{account}:role/{role}");
                let config = assume(&base, &arn, options.external_id.as_deref()).await;
                match account_of(&config).await {
                    Ok(id) => configs.push((id, config)),
                    Err(e) if !options.strict => notices.push(Notice::Warning(format!(
                        "account {account}: cannot assume {arn}: {}; skipped (--strict makes this an error)",
                        e.message
                    ))),
                    Err(e) => {
                        return Err(LiveError {
                            message: format!(
                                "account {account}: cannot assume {arn}: {}",
                                e.message
                            ),
                            ..e
                        });
                    }
                }
            }
        }
        if configs.is_empty() {
            configs.push((caller, base.clone()));
        }

        let mut accounts = Vec::new();
        for (id, config) in configs {
            let mut account = Account::new(id, config);
            account.regions = match options.regions.as_slice() {
                [] => vec![base.region().expect("checked above").to_string()],
                [all] if all == "all" => account.enabled_regions().await?,
                regions => regions.to_vec(),
            };
            accounts.push(account);
        }
        Ok(Live {
            accounts,
            strict: options.strict,
            notices: Mutex::new(notices),
            rejected_filters: Mutex::new(HashSet::new()),
            limiter: limiter::Limiter::default(),
            progress: progress::Progress::new(),
        })
    }

    /// (account, region) pairs to fetch from; `global` once per account for IAM.
    pub fn partitions(&self, global: bool) -> Vec<(usize, String)> {
        self.accounts
            .iter()
            .enumerate()
            .flat_map(|(i, a)| {
                if global {
                    vec![(i, "global".to_string())]
                } else {
                    a.regions.iter().map(|r| (i, r.clone())).collect()
                }
            })
            .collect()
    }

    /// The notices so far, oldest first; each is returned once.
    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut self.notices.lock().expect("not poisoned"))
    }

    fn notice(&self, notice: Notice) {
        self.notices.lock().expect("not poisoned").push(notice);
    }

    /// Access to (account, region) denied and `--strict` not given: the partition is skipped.
    fn skipped(&self, account: &str, region: &str, e: &LiveError) {
        self.notice(Notice::Warning(format!(
            "{account}/{region}: {e}; skipped (--strict makes this an error)"
        )));
    }

    /// The request without filters an endpoint already rejected.
    fn accepted(&self, request: &ApiRequest) -> ApiRequest {
        let rejected = self.rejected_filters.lock().expect("not poisoned");
        let filters = request
            .filters
            .iter()
            .filter(|(name, _)| !rejected.contains(name))
            .cloned()
            .collect();
        ApiRequest {
            filters,
            ..request.clone()
        }
    }

    fn reject(&self, request: &ApiRequest) {
        self.rejected_filters
            .lock()
            .expect("not poisoned")
            .extend(request.filters.iter().map(|(name, _)| name.clone()));
    }
}

/// `arn:<partition>:iam::<12 digits>:role/<path/name>`.
fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws") && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

/// The active accounts of the caller's organization.
async fn organization_accounts(base: &SdkConfig) -> std::result::Result<Vec<String>, LiveError> {
    let client = aws_sdk_organizations::Client::new(base);
    let mut accounts = Vec::new();
    let mut pages = client.list_accounts().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(|e| LiveError::from_sdk(e).during("--org-role: organizations:ListAccounts"))?;
        accounts.extend(page.accounts().iter().cloned());
    }
    Ok(accounts
        .iter()
        .filter(|a| {
            a.status().is_none_or(|s| s.as_str() == "ACTIVE")
                && a.state().is_none_or(|s| s.as_str() == "ACTIVE")
        })
        .filter_map(|a| a.id().map(str::to_string))
        .collect())
}

/// One client per region, built on first use.
fn client<C: Clone>(
    clients: &Mutex<HashMap<String, C>>,
    region: &str,
    build: impl FnOnce() -> C,
) -> C {
    clients
        .lock()
        .expect("not poisoned")
        .entry(region.to_string())
        .or_insert_with(build)
        .clone()
}

impl Account {
    fn new(id: String, config: SdkConfig) -> Account {
        let iam = aws_sdk_iam::Client::new(&config);
        Account {
            id,
            regions: Vec::new(),
            config,
            ec2: Mutex::default(),
            cloudtrail: Mutex::default(),
            elbv2: Mutex::default(),
            elb: Mutex::default(),
            inspector2: Mutex::default(),
            ssm: Mutex::default(),
            autoscaling: Mutex::default(),
            iam,
        }
    }

    async fn enabled_regions(&self) -> std::result::Result<Vec<String>, LiveError> {
        let home = self
            .config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let out = self
            .ec2(&home)
            .describe_regions()
            .send()
            .await
            .map_err(|e| LiveError::from_sdk(e).during("DescribeRegions"))?;
        let mut regions: Vec<String> = out
            .regions()
            .iter()
            .filter_map(|r| r.region_name().map(str::to_string))
            .collect();
        regions.sort();
        Ok(regions)
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        client(&self.ec2, region, || {
            aws_sdk_ec2::Client::from_conf(
                aws_sdk_ec2::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }

    fn elbv2(&self, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
        client(&self.elbv2, region, || {
            aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }

    fn elb(&self, region: &str) -> aws_sdk_elasticloadbalancing::Client {
        client(&self.elb, region, || {
            aws_sdk_elasticloadbalancing::Client::from_conf(
                aws_sdk_elasticloadbalancing::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }

    fn inspector2(&self, region: &str) -> aws_sdk_inspector2::Client {
        client(&self.inspector2, region, || {
            aws_sdk_inspector2::Client::from_conf(
                aws_sdk_inspector2::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }

    fn ssm(&self, region: &str) -> aws_sdk_ssm::Client {
        client(&self.ssm, region, || {
            aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }

    fn autoscaling(&self, region: &str) -> aws_sdk_autoscaling::Client {
        client(&self.autoscaling, region, || {
            aws_sdk_autoscaling::Client::from_conf(
                aws_sdk_autoscaling::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }

    fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        client(&self.cloudtrail, region, || {
            aws_sdk_cloudtrail::Client::from_conf(
                aws_sdk_cloudtrail::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build(),
            )
        })
    }
}

/// Where one call goes, and its place in line for the rate limit.
pub(crate) struct Call<'a> {
    live: &'a Live,
    account: &'a Account,
    region: &'a str,
}

impl Call<'_> {
    /// Waits for the (account, region, API) token bucket.
    async fn permit(&self, api: &str) {
        let wait = self.live.limiter.take(
            &format!("{}/{}/{api}", self.account.id, self.region),
            std::time::Instant::now(),
        );
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// An SDK timestamp as the CLI prints it (every SDK crate shares the smithy `DateTime`).
fn time(t: Option<&aws_sdk_ec2::primitives::DateTime>) -> serde_json::Value {
    t.and_then(|t| {
        t.fmt(aws_sdk_ec2::primitives::DateTimeFormat::DateTime)
            .ok()
    })
    .map_or(serde_json::Value::Null, serde_json::Value::String)
}

/// Drops null members, as the CLI omits absent fields.
fn object(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, object(v)))
                .collect::<serde_json::Map<_, _>>(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(object).collect())
        }
        other => other,
    }
}

/// A session whose tables answer from live AWS, their scans sharing `fetches`.
pub fn session(live: Arc<Live>, fetches: Fetches) -> Result<SessionContext> {
    let ctx = crate::session::bare_session();
    for table in TABLES {
        ctx.register_table(table.name, live_table(table, live.clone(), fetches.clone()))?;
    }
    Ok(ctx)
}

/// `table` answered from live AWS, for sessions that mix sources, its scans sharing `fetches`
/// with every other table given them.
pub fn live_table(
    table: &'static crate::Table,
    live: Arc<Live>,
    fetches: Fetches,
) -> Arc<dyn datafusion::catalog::TableProvider> {
    Arc::new(scan::LiveTable::new(table, live, fetches))
}
