//! `posture`: SQL over AWS EC2 estates. Thin: parses arguments, builds a session, prints.

mod asff;
mod check;
mod diff;
mod exposure;
mod html;
mod ocsf;
mod output;
mod serve;
mod shell;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use posture_queries::mute::Mutes;
use posture_sql::Inventory;
use posture_sql::inventory::InventoryBuilder;
use posture_sql::live::{Fetches, RunCache};
use posture_sql::text::escape_control;

use crate::output::Format;

#[derive(Parser)]
#[command(
    name = "posture",
    version,
    about = "SQL and compliance checks over AWS EC2 estates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run SQL over an inventory; with no SQL, open an interactive shell.
    Query {
        #[command(flatten)]
        source: Source,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Table)]
        output: Format,
        /// The SQL to run.
        sql: Option<String>,
    },
    /// Run the bundled controls; exit code 0 when nothing alarms, 1 when something does, 2 on errors.
    Check {
        #[command(flatten)]
        source: Source,
        /// A benchmark: fsbp, cis, exposure or all (the default).
        #[arg(long, short, value_parser = posture_queries::BENCHMARKS)]
        benchmark: Option<String>,
        /// Only these controls (repeatable).
        #[arg(long = "control", short, value_name = "ID")]
        controls: Vec<String>,
        /// A control parameter (repeatable), e.g. vpc_sg_restricted_common_ports.blockedPorts=22,3306.
        #[arg(long = "param", short, value_name = "ID.NAME=VALUE")]
        params: Vec<String>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = check::CheckFormat::Table)]
        output: check::CheckFormat,
        /// Evaluate time-based controls as of this RFC 3339 time (default: now; the demo's capture time with --demo).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Table output: list ok and skip resources too, not only alarms.
        #[arg(long, short)]
        verbose: bool,
        /// An earlier run's `--output json`: the table and HTML outputs add what changed since
        /// (as `posture diff`), and the exit code is 1 only when something alarms that did not.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// A TOML file of `[[mute]]` entries: matching alarms get the status `muted`, with the
        /// entry's reason, and no longer make the exit code 1 (the posture:mute tag mutes too).
        #[arg(long, value_name = "FILE")]
        mute: Option<PathBuf>,
    },
    /// Instances ranked by exposure (ec2_instance_exposure): traits, reachable ports, network
    /// path and remediation. Exit code 1 when an instance is critical or high, 2 on errors.
    Exposure {
        #[command(flatten)]
        source: Source,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = exposure::ExposureFormat::Table)]
        output: exposure::ExposureFormat,
    },
    /// Serve the tables, the exposure view and the controls (posture_finding, posture_control)
    /// over the Postgres wire protocol: database `posture`, read-only, any user name on loopback.
    Serve {
        #[command(flatten)]
        source: Source,
        /// The address to listen on; beyond loopback it needs --password-env.
        #[arg(long, default_value = "127.0.0.1:5433", value_name = "ADDR:PORT")]
        listen: std::net::SocketAddr,
        /// Live: how long fetched data is kept for later queries: 300s, 10m, 1h, or 0 to fetch
        /// for every query (`select posture_clear_cache()` drops it sooner).
        #[arg(long, default_value = "300s", value_name = "TIME", value_parser = duration)]
        cache_ttl: std::time::Duration,
        /// The environment variable holding the password clients must give (SCRAM-SHA-256).
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// A mute file for posture_finding, as `posture check --mute` takes it.
        #[arg(long, value_name = "FILE")]
        mute: Option<PathBuf>,
    },
    /// What changed between two `posture check --output json` runs: new alarms, fixed ones,
    /// changed reasons, resources gone, and those still alarming.
    Diff {
        /// The earlier run.
        old: PathBuf,
        /// The later run.
        new: PathBuf,
        /// Output format; markdown serves as a pull-request comment.
        #[arg(long, short, value_enum, default_value_t = diff::DiffFormat::Table)]
        output: diff::DiffFormat,
        /// `new`: exit 1 when something alarms that did not before (a CI gate).
        #[arg(long, value_enum, default_value_t = diff::FailOn::Never)]
        fail_on: diff::FailOn,
    },
    /// List the controls, or show one with its SQL.
    Controls {
        #[command(subcommand)]
        show: Option<ControlsCommand>,
    },
    /// Fetch everything the tables read from live AWS and write it in the offline layout
    /// (<account_id>/<region>/<aws cli command>.json), for `--inventory DIR` later.
    Snapshot {
        #[command(flatten)]
        live: LiveArgs,
        /// The directory to write.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// AWS Config rules: `eval` evaluates one Config event locally, as the rule's Lambda would.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// CloudFormation: `generate` writes the templates of cfn/ from the catalogue.
    Cfn {
        #[command(subcommand)]
        command: CfnCommand,
    },
    /// List the tables and their columns, with descriptions.
    Tables {
        /// Only this table.
        table: Option<String>,
        /// `text`, or `markdown` (the generated docs/tables.md).
        #[arg(long, short, default_value = "text", value_parser = ["text", "markdown"])]
        output: String,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Print the evaluations for one AWS Config event (a Lambda event JSON) as a JSON array in
    /// the shape `aws configservice put-evaluations --evaluations` takes. Exit code 1 when one is
    /// NON_COMPLIANT.
    Eval {
        /// The event file.
        #[arg(long, value_name = "FILE")]
        event: PathBuf,
        /// The control, when the event's ruleParameters have no controlId (default: the rule name).
        #[arg(long, value_name = "ID")]
        control: Option<String>,
        /// Other resources the control may look up (an instance's IAM role), and every resource
        /// for periodic controls: an inventory directory or file. Without it they come from
        /// live AWS (the standard AWS chain), only when the control needs them.
        #[arg(long, short, value_name = "PATH")]
        inventory: Vec<PathBuf>,
        /// A mute file, as the rule's MuteParameterName holds it: a muted resource is COMPLIANT
        /// with the annotation `muted: <reason>`.
        #[arg(long, value_name = "FILE")]
        mute: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CfnCommand {
    /// Write posture-rules.yaml, conformance-pack.yaml and posture-readonly.yaml.
    Generate {
        /// The directory to write them to.
        #[arg(long, default_value = "cfn", value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ControlsCommand {
    /// One control: metadata, parameters, remediation and SQL.
    Show { id: String },
}

/// Where the data comes from: an inventory, the demo, or (by default) live AWS through the
/// standard credential chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
#[derive(Args)]
struct Source {
    /// An inventory: a directory of `aws` CLI JSON output (<account_id>/<region>/*.json) and/or
    /// AWS Config items, or one such file.
    #[arg(long, short, value_name = "PATH", conflicts_with_all = ["demo", "regions", "profile", "role_arns", "org_role"])]
    inventory: Option<PathBuf>,
    /// The bundled demo account (two regions, every control both ways).
    #[arg(long, conflicts_with_all = ["regions", "profile", "role_arns", "org_role"])]
    demo: bool,
    #[command(flatten)]
    live: LiveArgs,
}

/// Live AWS: which accounts and regions.
#[derive(Args)]
struct LiveArgs {
    /// Live: regions to query, comma-separated, or `all` for every enabled region (default: the configured region).
    #[arg(long, value_delimiter = ',', value_name = "REGIONS")]
    regions: Vec<String>,
    /// Live: the AWS profile to use.
    #[arg(long)]
    profile: Option<String>,
    /// Live: assume this role and read its account (repeatable: one account each).
    #[arg(long = "role-arn", value_name = "ARN")]
    role_arns: Vec<String>,
    /// Live: assume the role of this name in every active account of your AWS Organization.
    #[arg(long, value_name = "NAME")]
    org_role: Option<String>,
    /// Live: the ExternalId the assumed roles require (posture-readonly.yaml's ExternalId parameter).
    #[arg(long, value_name = "ID")]
    external_id: Option<String>,
    /// Live: fail when an account or region denies access instead of warning and going on.
    #[arg(long)]
    strict: bool,
}

impl LiveArgs {
    async fn connect(&self) -> Result<posture_sql::live::Live> {
        let options = posture_sql::live::LiveOptions {
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            role_arns: self.role_arns.clone(),
            org_role: self.org_role.clone(),
            external_id: self.external_id.clone(),
            strict: self.strict,
        };
        Ok(posture_sql::live::Live::connect(options).await?)
    }
}

impl Source {
    /// The time "now" means for time-based controls: `explicit` (`--as-of`), else the demo's
    /// capture time with --demo, else now.
    fn as_of(&self, explicit: Option<&str>) -> Result<i64> {
        Ok(match (explicit, self.demo) {
            (Some(t), _) => chrono::DateTime::parse_from_rfc3339(t)
                .with_context(|| {
                    format!("--as-of {t}: expected an RFC 3339 time such as 2026-01-31T12:00:00Z")
                })?
                .timestamp_micros(),
            (None, true) => chrono::DateTime::parse_from_rfc3339(posture_sql::demo::CAPTURED_AT)
                .expect("a valid constant")
                .timestamp_micros(),
            (None, false) => chrono::Utc::now().timestamp_micros(),
        })
    }

    /// The tables of the chosen source, and the views over them (ec2_instance_exposure). Live,
    /// their scans share `fetches`: a whole run's (`posture check`, `posture exposure`: many
    /// scans of the same tables, each list call made once) or those kept by `posture serve`.
    ///
    /// An inventory loads only what `reads` (tables, None: all) needs: other outputs in its
    /// files are checked for syntax, not built.
    async fn session(
        &self,
        fetches: Fetches,
        reads: impl FnOnce() -> Option<Vec<&'static str>>,
    ) -> Result<Session> {
        let (ctx, live, run) = match (&self.inventory, self.demo) {
            (Some(path), _) => {
                let mut builder = match reads() {
                    Some(tables) => {
                        InventoryBuilder::reading(posture_sql::tables::kinds_read(tables))
                    }
                    None => InventoryBuilder::default(),
                };
                Inventory::load_into(path, &mut builder)?;
                (inventory_session(builder.finish())?, None, None)
            }
            (None, true) => (inventory_session(Inventory::demo())?, None, None),
            (None, false) => {
                let live = Arc::new(self.live.connect().await?);
                let run = match &fetches {
                    Fetches::Run(run) => Some(run.clone()),
                    _ => None,
                };
                let ctx = posture_sql::live::session(live.clone(), fetches)?;
                (ctx, Some(live), run)
            }
        };
        posture_queries::views::register(&ctx).await?;
        Ok(Session { ctx, live, run })
    }
}

/// A session, the live connection behind it (if any), whose notices are printed after each
/// statement, and its run's cache (a live whole run).
pub struct Session {
    pub ctx: datafusion::prelude::SessionContext,
    live: Option<Arc<posture_sql::live::Live>>,
    run: Option<Arc<RunCache>>,
}

impl Session {
    pub fn print_notices(&self) {
        if let Some(live) = &self.live {
            output::print_notices(live);
        }
    }

    /// How many table scans the run's fetches answered, on stderr.
    fn print_run(&self) {
        if let Some(run) = &self.run {
            let (scans, fetches) = run.counts();
            eprintln!(
                "live: {scans} table scans answered by {fetches} fetches, {} from the run's cache",
                scans.saturating_sub(fetches)
            );
        }
    }
}

fn inventory_session(inventory: Inventory) -> Result<datafusion::prelude::SessionContext> {
    print_notes(&inventory);
    Ok(posture_sql::session(Arc::new(inventory))?)
}

/// What loading noted that did not stop it, on stderr.
fn print_notes(inventory: &Inventory) {
    for note in &inventory.notes {
        eprintln!("note: {}", escape_control(note));
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = posture_sql::sql::runtime().expect("a tokio runtime starts");
    // On a worker thread: its stack is sized for planning user SQL.
    let outcome = runtime.block_on(async {
        tokio::spawn(run(cli))
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("internal error: {e}")))
    });
    match outcome {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Alarms) => ExitCode::from(1),
        Ok(Outcome::Incomplete) => ExitCode::from(2),
        // `posture … | head` closing the pipe is not an error worth a message.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", escape_control(&one_line(&e)));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, leaving out causes its message already contains (DataFusion
/// repeats its inner errors in its own message).
pub fn one_line(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message = format!("{message}: {cause}");
        }
    }
    message
}

/// How a command that printed its output ended: `posture check` exits 1 when something alarms,
/// 2 when some control could not be evaluated.
enum Outcome {
    Clean,
    Alarms,
    Incomplete,
}

/// `300s`, `10m`, `1h`, or whole seconds.
fn duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.strip_suffix(['s', 'm', 'h']) {
        Some(number) => (number, &text[number.len()..]),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected a time such as 300s, 10m or 1h, not `{text}`"))?;
    let seconds = match unit {
        "m" => n * 60,
        "h" => n * 3600,
        _ => n,
    };
    Ok(std::time::Duration::from_secs(seconds))
}

async fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Query {
            source,
            output,
            sql,
        } => query(&source, output, sql).await,
        Command::Check {
            source,
            benchmark,
            controls,
            params,
            output,
            as_of,
            verbose,
            baseline,
            mute,
        } => {
            let selection = check::Selection::new(benchmark.as_deref(), &controls, &params)?;
            // A bad baseline or mute file fails before anything runs.
            let baseline = baseline.as_deref().map(diff::load).transpose()?;
            let mutes = load_mutes(mute.as_deref())?;
            let report = check::Report {
                format: output,
                verbose,
                baseline,
            };
            check(&source, &selection, &mutes, &report, as_of.as_deref()).await
        }
        Command::Exposure { source, output } => exposure(&source, output).await,
        Command::Serve {
            source,
            listen,
            cache_ttl,
            password_env,
            mute,
        } => {
            let options = serve::Options {
                listen,
                cache_ttl,
                password_env,
                mutes: Arc::new(load_mutes(mute.as_deref())?),
            };
            serve::serve(&source, &options).await
        }
        Command::Diff {
            old,
            new,
            output,
            fail_on,
        } => {
            let diff = diff::diff(&old, &new)?;
            diff::print(&diff, output, &mut std::io::stdout().lock())?;
            Ok(outcome(fail_on == diff::FailOn::New && diff.has_new()))
        }
        Command::Controls { show } => controls(show),
        Command::Snapshot { live, out } => snapshot(&live, &out).await,
        Command::Rules {
            command:
                RulesCommand::Eval {
                    event,
                    control,
                    inventory,
                    mute,
                },
        } => {
            let mutes = load_mutes(mute.as_deref())?;
            rules_eval(&event, control.as_deref(), &inventory, mutes).await
        }
        Command::Cfn {
            command: CfnCommand::Generate { out },
        } => cfn_generate(&out),
        Command::Tables { table, output } => tables(table.as_deref(), &output),
    }
}

/// The mute file given with `--mute`, if any.
fn load_mutes(path: Option<&Path>) -> Result<Mutes> {
    let Some(path) = path else {
        return Ok(Mutes::default());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("--mute {}", path.display()))?;
    Ok(Mutes::parse(&text, &path.display().to_string())?)
}

/// Alarms when `alarming`, else clean.
fn outcome(alarming: bool) -> Outcome {
    if alarming {
        Outcome::Alarms
    } else {
        Outcome::Clean
    }
}

async fn query(source: &Source, output: Format, sql: Option<String>) -> Result<Outcome> {
    // SQL refused reads nothing (running it gives the error); SQL whose tables are not known
    // (it reads information_schema) reads everything.
    let reads = || {
        let sql = sql.as_deref()?;
        match posture_sql::sql::check(sql) {
            Ok(()) => posture_queries::scanned_tables(sql).ok(),
            Err(_) => Some(Vec::new()),
        }
    };
    let session = source.session(Fetches::EachScan, reads).await?;
    match sql {
        Some(sql) => {
            let batches = posture_sql::sql::run(&session.ctx, &sql).await;
            session.print_notices();
            let batches = batches?;
            output::print(&batches, output, &mut std::io::stdout().lock())?;
        }
        None => shell::run(&session, output).await?,
    }
    Ok(Outcome::Clean)
}

async fn check(
    source: &Source,
    selection: &check::Selection,
    mutes: &Mutes,
    report: &check::Report,
    as_of: Option<&str>,
) -> Result<Outcome> {
    let as_of = source.as_of(as_of)?;
    let session = source
        .session(Fetches::whole_run(), || selection.tables())
        .await?;
    let planning = session.run.as_deref().map(RunCache::planning);
    let check::Evaluated {
        results,
        failed,
        warnings,
    } = selection.run(&session.ctx, as_of, planning, mutes).await;
    session.print_notices();
    for warning in warnings {
        eprintln!("warning: {}", escape_control(&warning));
    }
    if report.verbose {
        session.print_run();
    }
    let alarming = report.print(&results, as_of, &mut std::io::stdout().lock())?;
    // Fail closed: a control that could not be evaluated passes nothing, and the run is an error.
    for e in &failed {
        eprintln!("error: not evaluated: {}", escape_control(&e.to_string()));
    }
    if !failed.is_empty() {
        return Ok(Outcome::Incomplete);
    }
    Ok(outcome(alarming))
}

async fn exposure(source: &Source, output: exposure::ExposureFormat) -> Result<Outcome> {
    let session = source
        .session(Fetches::whole_run(), exposure::tables)
        .await?;
    let rows = exposure::rows(&session.ctx).await;
    session.print_notices();
    let rows = rows?;
    exposure::print(&rows, output, &mut std::io::stdout().lock())?;
    Ok(outcome(exposure::serious(&rows)))
}

fn controls(show: Option<ControlsCommand>) -> Result<Outcome> {
    let out = &mut std::io::stdout().lock();
    match show {
        None => check::list(out)?,
        Some(ControlsCommand::Show { id }) => check::show(&id, out)?,
    }
    Ok(Outcome::Clean)
}

async fn snapshot(live: &LiveArgs, out: &Path) -> Result<Outcome> {
    let live = live.connect().await?;
    let written = posture_sql::live::snapshot::snapshot(&live, out).await;
    output::print_notices(&live);
    let written = written?;
    eprintln!(
        "wrote {} resources in {} files under {}; query them with --inventory {}",
        written.resources,
        written.files,
        out.display(),
        out.display()
    );
    Ok(Outcome::Clean)
}

/// One Config event through the Lambda's evaluation path, the evaluations printed.
async fn rules_eval(
    event: &Path,
    control: Option<&str>,
    inventory: &[PathBuf],
    mutes: Mutes,
) -> Result<Outcome> {
    let text = std::fs::read_to_string(event).with_context(|| format!("{}", event.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", event.display()))?;
    let parsed = posture_config_rules::ConfigEvent::parse(&value)
        .with_context(|| format!("{}", event.display()))?;
    // Lookups from the inventory given, else live AWS, connected only if the control reads
    // beyond the item.
    let lookups = if inventory.is_empty() {
        posture_config_rules::Lookups::live(posture_sql::live::LiveOptions {
            strict: true,
            ..Default::default()
        })
    } else {
        let mut builder = posture_sql::inventory::InventoryBuilder::default();
        for path in inventory {
            Inventory::load_into(path, &mut builder)?;
        }
        let inventory = builder.finish();
        print_notes(&inventory);
        posture_config_rules::Lookups::inventory(Arc::new(inventory))
    };
    lookups.set_mutes(mutes);
    let evaluations = posture_config_rules::evaluate_fetching(
        &parsed,
        control,
        &lookups,
        posture_config_rules::handler::config_client,
    )
    .await;
    for warning in lookups.take_warnings() {
        eprintln!("warning: {}", posture_sql::text::escape_control(&warning));
    }
    let evaluations = evaluations?;
    println!("{}", serde_json::to_string_pretty(&evaluations)?);
    Ok(outcome(evaluations.iter().any(|e| {
        e.compliance_type == posture_config_rules::ComplianceType::NonCompliant
    })))
}

fn cfn_generate(out: &Path) -> Result<Outcome> {
    std::fs::create_dir_all(out).with_context(|| format!("{}", out.display()))?;
    for (file, template) in posture_config_rules::cfn::templates()? {
        let path = out.join(file);
        std::fs::write(&path, posture_config_rules::cfn::yaml(&template))
            .with_context(|| format!("{}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(Outcome::Clean)
}

fn tables(table: Option<&str>, output: &str) -> Result<Outcome> {
    let tables: Vec<_> = match table {
        Some(name) => vec![
            posture_sql::tables::table(name)
                .with_context(|| format!("no table `{name}`; `posture tables` lists them"))?,
        ],
        None => posture_sql::tables::TABLES.to_vec(),
    };
    let text = if output == "markdown" {
        posture_sql::tables::markdown(&tables)
    } else {
        output::tables_text(&tables)
    };
    print!("{text}");
    Ok(Outcome::Clean)
}
