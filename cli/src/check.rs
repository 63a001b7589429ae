//! `posture check` and `posture controls`: the bundled controls, run like a benchmark.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use anyhow::{Context, Result, bail};
use datafusion::prelude::SessionContext;
use posture_queries::mute::Mutes;
use posture_queries::{Control, Finding, Severity, Status};
use posture_sql::live::Planning;
use posture_sql::text::escape_control;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Grouped by control, alarms first, with reasons and remediation.
    Table,
    /// One array of findings.
    Json,
    /// One row per finding.
    Csv,
    /// AWS Security Finding Format, for `aws securityhub batch-import-findings`.
    Asff,
    /// OCSF Compliance Findings (class 2003).
    Ocsf,
    /// A self-contained HTML report.
    Html,
}

/// Which controls to run with which parameters.
pub struct Selection {
    pub controls: Vec<&'static Control>,
    pub params: HashMap<String, HashMap<String, String>>,
}

impl Selection {
    pub fn new(benchmark: Option<&str>, ids: &[String], params: &[String]) -> Result<Selection> {
        let controls = if ids.is_empty() {
            posture_queries::benchmark(benchmark.unwrap_or("all"))?
        } else {
            if benchmark.is_some() {
                bail!("--benchmark and --control select controls two ways: use one");
            }
            ids.iter()
                .map(|id| posture_queries::control(id))
                .collect::<Result<_, _>>()?
        };
        let mut by_control: HashMap<String, HashMap<String, String>> = HashMap::new();
        for p in params {
            let (key, value) = p
                .split_once('=')
                .with_context(|| format!("--param {p}: expected CONTROL_ID.NAME=VALUE"))?;
            let (id, name) = key
                .rsplit_once('.')
                .with_context(|| format!("--param {p}: expected CONTROL_ID.NAME=VALUE"))?;
            posture_queries::control(id)?;
            by_control
                .entry(id.to_string())
                .or_default()
                .insert(name.to_string(), value.to_string());
        }
        // Bad values fail before anything runs.
        for c in posture_queries::catalogue() {
            c.bind(by_control.get(&c.id).unwrap_or(&HashMap::new()), 0)?;
        }
        Ok(Selection {
            controls,
            params: by_control,
        })
    }

    /// The tables the selected controls read (None: some control's are not known, read all).
    pub fn tables(&self) -> Option<Vec<&'static str>> {
        let mut tables = Vec::new();
        for control in &self.controls {
            tables.extend(control.tables().ok()?);
        }
        Some(tables)
    }

    /// Each control's findings with `mutes` applied as of `as_of_micros`'s day, and the controls
    /// that could not be evaluated with why: one unreadable table (an API the account denies or
    /// fails) costs only the controls reading it. Every control is planned before any runs,
    /// `planning` held meanwhile: a live run's fetches then serve them all.
    pub async fn run(
        &self,
        ctx: &SessionContext,
        as_of_micros: i64,
        planning: Option<Planning<'_>>,
        mutes: &Mutes,
    ) -> Evaluated {
        let empty = HashMap::new();
        let mut started = Vec::new();
        for c in &self.controls {
            let params = self.params.get(&c.id).unwrap_or(&empty);
            started.push((*c, c.stream(ctx, params, as_of_micros).await));
        }
        drop(planning);
        let today = chrono::DateTime::from_timestamp_micros(as_of_micros)
            .unwrap_or_default()
            .date_naive();
        let mut evaluated = Evaluated::default();
        for (c, stream) in started {
            let findings = match stream {
                Ok(stream) => stream.all().await,
                Err(e) => Err(e),
            };
            match findings {
                Ok(mut findings) => {
                    evaluated.warnings.extend(mutes.apply(&mut findings, today));
                    evaluated.results.push((c, findings));
                }
                Err(e) => evaluated.failed.push(e),
            }
        }
        evaluated
    }
}

/// What [`Selection::run`] gives.
#[derive(Default)]
pub struct Evaluated {
    pub results: Vec<(&'static Control, Vec<Finding>)>,
    /// Each names its control.
    pub failed: Vec<posture_queries::Error>,
    /// What the mutes warn of: expired entries, tag mutes without a reason.
    pub warnings: Vec<String>,
}

/// How `posture check` reports.
pub struct Report {
    pub format: CheckFormat,
    pub verbose: bool,
    /// An earlier run's findings (`--baseline`).
    pub baseline: Option<crate::diff::Run>,
}

impl Report {
    /// Prints the results, stamped with the evaluation time `as_of_micros`; whether the run
    /// alarms: anything alarming, or with a baseline, anything alarming that did not before.
    pub fn print(
        &self,
        results: &[(&Control, Vec<Finding>)],
        as_of_micros: i64,
        out: &mut impl Write,
    ) -> Result<bool> {
        let Some(baseline) = &self.baseline else {
            print(results, self.format, self.verbose, None, as_of_micros, out)?;
            return Ok(results
                .iter()
                .flat_map(|(_, f)| f)
                .any(|f| f.status == Status::Alarm));
        };
        let diff = crate::diff::compare(baseline, &crate::diff::of_rows(rows(results))?);
        print(
            results,
            self.format,
            self.verbose,
            Some(&diff),
            as_of_micros,
            out,
        )?;
        Ok(diff.has_new())
    }
}

fn print(
    results: &[(&Control, Vec<Finding>)],
    format: CheckFormat,
    verbose: bool,
    baseline: Option<&crate::diff::Diff>,
    as_of_micros: i64,
    out: &mut impl Write,
) -> Result<()> {
    let as_of = chrono::DateTime::from_timestamp_micros(as_of_micros).unwrap_or_default();
    let stamp = as_of.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    match format {
        CheckFormat::Asff => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&crate::asff::findings(results, &stamp))?
        )?,
        CheckFormat::Ocsf => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&crate::ocsf::findings(
                results,
                as_of.timestamp_millis()
            ))?
        )?,
        CheckFormat::Html => write!(out, "{}", crate::html::report(results, &stamp, baseline))?,
        CheckFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&rows(results))?)?,
        CheckFormat::Csv => {
            let columns = [
                "control_id",
                "title",
                "severity",
                "resource",
                "resource_type",
                "resource_id",
                "status",
                "reason",
                "account_id",
                "region",
            ]
            .into_iter()
            .chain(MUTE_COLUMNS);
            writeln!(out, "{}", columns.clone().collect::<Vec<_>>().join(","))?;
            for row in rows(results) {
                let cells: Vec<String> = columns
                    .clone()
                    .map(|c| crate::output::csv_text(cell(&row, c).as_str().unwrap_or_default()))
                    .collect();
                writeln!(out, "{}", cells.join(","))?;
            }
        }
        CheckFormat::Table => {
            table(results, verbose, out)?;
            if let Some(diff) = baseline {
                writeln!(out, "\nSince the baseline:")?;
                crate::diff::print(diff, crate::diff::DiffFormat::Table, out)?;
            }
        }
    }
    Ok(())
}

/// The mute of a finding as flat columns (csv, `posture serve`'s `posture_finding`).
pub const MUTE_COLUMNS: [&str; 4] = ["mute_reason", "mute_expires", "mute_owner", "muted_by"];

/// Column `column` of a row of [`rows`], the mute's fields as [`MUTE_COLUMNS`].
pub fn cell<'a>(row: &'a serde_json::Value, column: &str) -> &'a serde_json::Value {
    match column.strip_prefix("mute_") {
        Some(field) => &row["mute"][field],
        None if column == "muted_by" => &row["mute"]["by"],
        None => &row[column],
    }
}

/// The findings in the columns of `--output json` (and of `posture serve`'s `posture_finding`).
pub fn rows(results: &[(&Control, Vec<Finding>)]) -> Vec<serde_json::Value> {
    results
        .iter()
        .flat_map(|(c, findings)| {
            findings.iter().map(move |f| {
                json!({
                    "control_id": c.id, "title": c.title, "severity": c.severity, "resource": f.resource,
                    "resource_type": f.resource_type, "resource_id": f.resource_id, "status": f.status,
                    "reason": f.reason, "account_id": f.account_id, "region": f.region, "unverified": f.unverified,
                    "mute": f.mute,
                })
            })
        })
        .collect()
}

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn status(&self, s: Status) -> String {
        match s {
            Status::Alarm => self.code("31;1", "alarm"),
            Status::Ok => self.code("32", "ok"),
            Status::Skip => self.code("2", "skip"),
            Status::Muted => self.code("33", "muted"),
        }
    }
    fn severity(&self, s: Severity) -> String {
        let (code, text) = match s {
            Severity::Critical => ("35;1", "CRITICAL"),
            Severity::High => ("31", "HIGH"),
            Severity::Medium => ("33", "MEDIUM"),
            Severity::Low => ("36", "LOW"),
        };
        self.code(code, text)
    }
}

fn count(findings: &[Finding], status: Status) -> usize {
    findings.iter().filter(|f| f.status == status).count()
}

fn table(results: &[(&Control, Vec<Finding>)], verbose: bool, out: &mut impl Write) -> Result<()> {
    let paint = Paint(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let mut ordered: Vec<&(&Control, Vec<Finding>)> = results.iter().collect();
    ordered.sort_by_key(|(c, f)| (count(f, Status::Alarm) == 0, c.severity, c.id.clone()));
    for (control, findings) in ordered {
        let (alarm, ok, skip, muted) = (
            count(findings, Status::Alarm),
            count(findings, Status::Ok),
            count(findings, Status::Skip),
            count(findings, Status::Muted),
        );
        writeln!(
            out,
            "{} {}  {}",
            paint.severity(control.severity),
            paint.code("1", &control.id),
            control.title
        )?;
        let muted = match muted {
            0 => String::new(),
            n => format!(" · {} {n}", paint.status(Status::Muted)),
        };
        writeln!(
            out,
            "  {} {alarm} · {} {ok} · {} {skip}{muted}",
            paint.status(Status::Alarm),
            paint.status(Status::Ok),
            paint.status(Status::Skip)
        )?;
        // Muted findings have their own section below.
        let mut shown: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.status != Status::Muted && (verbose || f.status == Status::Alarm))
            .collect();
        shown.sort_by_key(|f| (f.status, f.region.clone(), f.resource_id.clone()));
        for f in shown {
            writeln!(
                out,
                "  {:5} {} {}  {}",
                paint.status(f.status),
                escape_control(&f.region),
                escape_control(&f.resource_id),
                escape_control(&f.reason)
            )?;
        }
        if alarm > 0 {
            writeln!(out, "  fix: {}", control.remediation.cli)?;
        }
        writeln!(out)?;
    }
    let all: Vec<&Finding> = results.iter().flat_map(|(_, f)| f).collect();
    let total = |s| all.iter().filter(|f| f.status == s).count();
    let muted: Vec<&&Finding> = all.iter().filter(|f| f.mute.is_some()).collect();
    if !muted.is_empty() {
        writeln!(
            out,
            "Muted ({}): still failing, accepted with a reason",
            muted.len()
        )?;
        for f in muted {
            let mute = f.mute.as_ref().expect("filtered on it");
            let owner = mute
                .owner
                .as_ref()
                .map(|o| format!(", owner {o}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} {} {}  {}\n        {} ({}{owner})",
                paint.status(Status::Muted),
                escape_control(&f.control_id),
                escape_control(&f.region),
                escape_control(&f.resource_id),
                escape_control(&f.reason),
                escape_control(&mute.annotation()),
                escape_control(&mute.by),
            )?;
        }
        writeln!(out)?;
    }
    let failing = results
        .iter()
        .filter(|(_, f)| count(f, Status::Alarm) > 0)
        .count();
    writeln!(
        out,
        "{} controls, {failing} with alarms · {} {} · {} {} · {} {} · {} {}",
        results.len(),
        paint.status(Status::Alarm),
        total(Status::Alarm),
        paint.status(Status::Ok),
        total(Status::Ok),
        paint.status(Status::Skip),
        total(Status::Skip),
        paint.status(Status::Muted),
        total(Status::Muted)
    )?;
    Ok(())
}

/// `posture controls`: one line per control.
pub fn list(out: &mut impl Write) -> Result<()> {
    for c in posture_queries::catalogue() {
        let trigger = format!("{:?}", c.trigger).to_lowercase();
        writeln!(
            out,
            "{:44} {:8} {:8} {:26} {}",
            c.id,
            format!("{:?}", c.severity).to_lowercase(),
            trigger,
            c.resource_type,
            c.frameworks.join(" ")
        )?;
    }
    Ok(())
}

/// `posture controls show ID`: metadata, parameters and SQL.
pub fn show(id: &str, out: &mut impl Write) -> Result<()> {
    let c = posture_queries::control(id)?;
    writeln!(out, "{}\n  {}\n", c.id, c.title)?;
    writeln!(out, "severity:      {:?}", c.severity)?;
    writeln!(out, "resource type: {}", c.resource_type)?;
    writeln!(out, "trigger:       {:?}", c.trigger)?;
    writeln!(out, "frameworks:    {}", c.frameworks.join(", "))?;
    writeln!(out, "\n{}\n", c.rationale.trim())?;
    writeln!(out, "remediation (console): {}", c.remediation.console)?;
    writeln!(out, "remediation (cli):     {}", c.remediation.cli)?;
    for p in &c.parameters {
        writeln!(
            out,
            "parameter {} ({:?}, default `{}`): {}",
            p.name, p.ty, p.default, p.description
        )?;
    }
    writeln!(out, "\n-- queries/{}/{}.sql\n{}", c.service, c.id, c.sql)?;
    Ok(())
}
