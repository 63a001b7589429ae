//! Live AWS: tables answered through the AWS SDK for Rust, fetched in the scan's stream with one
//! partition per (account, region). The SDK's responses become the same canonical resources the
//! offline sources produce, so a table's definition (and every control) is shared.
//!
//! Credentials, profile, region and endpoint come from the standard AWS chain (`AWS_PROFILE`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, …). Retries use the SDK's adaptive mode.
//!
//! Live now: `ec2_instance`, `ec2_security_group`, `ec2_security_group_rule`, `ebs_volume`, `vpc`
//! and `vpc_subnet`. `ec2_instance` pushes equality and IN on `instance_id`, `instance_state`, `vpc_id`, `subnet_id`,
//! `image_id`, `instance_type`, `http_tokens` and `http_endpoint` pushed down as API
//! filters, and `LIMIT` (without other filters) as `MaxResults` with early stop. Other tables say they are not live yet.

mod ec2;
mod scan;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use datafusion::error::Result;
use datafusion::prelude::SessionContext;

use crate::tables::TABLES;

/// Where and how to fetch.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    pub profile: Option<String>,
    /// Regions to query; empty means the configured region; `all` means every enabled region.
    pub regions: Vec<String>,
    /// Fail instead of warning when a region denies access.
    pub strict: bool,
}

/// A connection to one AWS account, as the standard credential chain resolves it.
pub struct Live {
    pub account_id: String,
    pub regions: Vec<String>,
    pub strict: bool,
    config: SdkConfig,
    /// SDK clients are built once per region and reused.
    ec2: Mutex<HashMap<String, aws_sdk_ec2::Client>>,
    /// API filters an endpoint rejected: not sent again, the engine filters instead.
    rejected_filters: Mutex<HashSet<String>>,
}

/// What a scan asks the API for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiRequest {
    pub filters: Vec<(String, Vec<String>)>,
    pub limit: Option<usize>,
}

/// One AWS error, as one line.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct LiveError {
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
}

impl LiveError {
    fn from_sdk<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(e: SdkError<E, aws_sdk_ec2::config::http::HttpResponse>) -> Self {
        let status = e.raw_response().map(|r| r.status().as_u16());
        let code = e.code().map(str::to_string);
        let message = match (e.code(), e.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            _ => DisplayErrorContext(&e).to_string().lines().next().unwrap_or_default().to_string(),
        };
        LiveError { code, status, message }
    }

    /// The region or account is not ours to read (denied, or a region not enabled).
    pub fn is_access(&self) -> bool {
        matches!(self.code.as_deref(), Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthFailure" | "OptInRequired"))
    }

    /// The endpoint did not take a pushed-down filter (moto answers 500 to some).
    pub fn rejects_filter(&self) -> bool {
        self.status.is_some_and(|s| s >= 500) || matches!(self.code.as_deref(), Some("InvalidParameterValue" | "InvalidFilter"))
    }
}

impl Live {
    /// Resolves credentials and the account. A bad endpoint, bad credentials or an unknown
    /// region fail here, with one line saying so.
    pub async fn connect(options: LiveOptions) -> std::result::Result<Live, LiveError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::adaptive().with_max_attempts(5));
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = options.regions.first().filter(|r| *r != "all") {
            loader = loader.region(Region::new(region.clone()));
        }
        let config = loader.load().await;
        let Some(home) = config.region().map(|r| r.to_string()) else {
            return Err(LiveError { code: None, status: None, message: "no AWS region: set AWS_REGION or pass --regions".into() });
        };
        if !crate::sources::cli_dump::is_region(&home) {
            return Err(LiveError { code: None, status: None, message: format!("`{home}` is not an AWS region") });
        }
        let identity = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.map_err(|e| {
            let e = LiveError::from_sdk(e);
            LiveError { message: format!("cannot reach AWS as the configured identity: {}", e.message), ..e }
        })?;
        let account_id = identity.account().unwrap_or_default().to_string();
        let live = Live {
            account_id,
            regions: Vec::new(),
            strict: options.strict,
            config,
            ec2: Mutex::new(HashMap::new()),
            rejected_filters: Mutex::new(HashSet::new()),
        };
        let regions = match options.regions.as_slice() {
            [] => vec![home],
            [all] if all == "all" => live.enabled_regions(&home).await?,
            regions => {
                if let Some(bad) = regions.iter().find(|r| !crate::sources::cli_dump::is_region(r)) {
                    return Err(LiveError { code: None, status: None, message: format!("--regions: `{bad}` is not an AWS region") });
                }
                regions.to_vec()
            }
        };
        Ok(Live { regions, ..live })
    }

    async fn enabled_regions(&self, home: &str) -> std::result::Result<Vec<String>, LiveError> {
        let out = self.ec2(home).describe_regions().send().await.map_err(LiveError::from_sdk)?;
        let mut regions: Vec<String> = out.regions().iter().filter_map(|r| r.region_name().map(str::to_string)).collect();
        regions.sort();
        Ok(regions)
    }

    /// The request without filters an endpoint already rejected.
    fn accepted(&self, request: &ApiRequest) -> ApiRequest {
        let rejected = self.rejected_filters.lock().expect("not poisoned");
        let filters = request.filters.iter().filter(|(name, _)| !rejected.contains(name)).cloned().collect();
        ApiRequest { filters, ..request.clone() }
    }

    fn reject(&self, request: &ApiRequest) {
        self.rejected_filters.lock().expect("not poisoned").extend(request.filters.iter().map(|(name, _)| name.clone()));
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let mut clients = self.ec2.lock().expect("not poisoned");
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let config = aws_sdk_ec2::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
                aws_sdk_ec2::Client::from_conf(config)
            })
            .clone()
    }
}

/// A session whose tables answer from live AWS.
pub fn session(live: Arc<Live>) -> Result<SessionContext> {
    let ctx = crate::session::bare_session();
    for table in TABLES {
        let provider: Arc<dyn datafusion::catalog::TableProvider> = match scan::LIVE_TABLES.iter().find(|(name, _)| *name == table.name) {
            Some((_, kind)) => Arc::new(scan::LiveTable::new(table, *kind, live.clone())),
            None => Arc::new(scan::NotLiveYet(table)),
        };
        ctx.register_table(table.name, provider)?;
    }
    Ok(ctx)
}
