//! `posture diff OLD NEW`: what changed between two `posture check --output json` runs. A
//! finding is a (control, resource) pair; only alarms are compared, so a resource is new when
//! it alarms now and did not before, fixed when it alarmed and now reports ok or skip, newly
//! muted when it alarmed and is now muted, and gone when it alarmed and is no longer reported.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use posture_sql::text::escape_control;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Sections of counts and findings.
    Table,
    /// One object of arrays: new, fixed, changed, still, gone.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// When `posture diff` exits 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Never: a report.
    Never,
    /// When something alarms that did not before.
    New,
}

/// The fields of a finding the comparison reads; the others are carried through.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Finding {
    pub control_id: String,
    pub resource: String,
    pub status: String,
    pub reason: String,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

/// A finding whose reason changed, with the reason it had.
#[derive(Debug, Serialize)]
pub struct Changed {
    #[serde(flatten)]
    finding: Finding,
    old_reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Diff {
    new: Vec<Finding>,
    fixed: Vec<Finding>,
    changed: Vec<Changed>,
    still: Vec<Finding>,
    gone: Vec<Finding>,
    muted: Vec<Finding>,
}

impl Diff {
    pub fn has_new(&self) -> bool {
        !self.new.is_empty()
    }
}

/// A run's findings by (control, resource).
pub type Run = BTreeMap<(String, String), Finding>;

/// The findings of a `posture check --output json` file.
pub fn load(path: &Path) -> Result<Run> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let findings: Vec<Finding> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not the output of `posture check --output json` (an array of findings)",
            path.display()
        )
    })?;
    by_key(findings).with_context(|| format!("{}", path.display()))
}

/// The findings of this run, as `--output json` has them ([`crate::check::rows`]).
pub fn of_rows(rows: Vec<serde_json::Value>) -> Result<Run> {
    let findings = rows
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<Vec<Finding>, _>>()?;
    by_key(findings)
}

fn by_key(findings: Vec<Finding>) -> Result<Run> {
    let mut run = BTreeMap::new();
    for finding in findings {
        let key = (finding.control_id.clone(), finding.resource.clone());
        if let Some(earlier) = run.insert(key, finding) {
            bail!(
                "{} reports {} twice: contradictory findings",
                earlier.control_id,
                escape_control(&earlier.resource)
            );
        }
    }
    Ok(run)
}

pub fn diff(old: &Path, new: &Path) -> Result<Diff> {
    Ok(compare(&load(old)?, &load(new)?))
}

pub fn compare(old: &Run, new: &Run) -> Diff {
    let mut diff = Diff::default();
    for (key, now) in new {
        if now.status != "alarm" {
            continue;
        }
        match old.get(key) {
            Some(before) if before.status == "alarm" && before.reason != now.reason => {
                diff.changed.push(Changed {
                    finding: now.clone(),
                    old_reason: before.reason.clone(),
                })
            }
            Some(before) if before.status == "alarm" => diff.still.push(now.clone()),
            _ => diff.new.push(now.clone()),
        }
    }
    for (key, before) in old {
        if before.status != "alarm" {
            continue;
        }
        match new.get(key) {
            None => diff.gone.push(before.clone()),
            // Accepted, not fixed: it still fails.
            Some(now) if now.status == "muted" => diff.muted.push(now.clone()),
            Some(now) if now.status != "alarm" => diff.fixed.push(now.clone()),
            Some(_) => {}
        }
    }
    diff
}

pub fn print(diff: &Diff, format: DiffFormat, out: &mut impl Write) -> Result<()> {
    match format {
        DiffFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(diff)?)?,
        DiffFormat::Table => {
            for (title, findings) in sections(diff) {
                writeln!(out, "{title}: {}", findings.len())?;
                for (f, note) in findings {
                    writeln!(
                        out,
                        "  {}  {}  {}{}",
                        f.control_id,
                        escape_control(&f.resource),
                        escape_control(&f.reason),
                        note.map(|n| format!(" (was: {})", escape_control(n)))
                            .unwrap_or_default()
                    )?;
                }
            }
        }
        DiffFormat::Markdown => {
            let counts: Vec<String> = sections(diff)
                .iter()
                .map(|(title, findings)| format!("{} {}", findings.len(), title.to_lowercase()))
                .collect();
            writeln!(out, "### posture diff: {}\n", counts.join(", "))?;
            for (title, findings) in sections(diff) {
                if findings.is_empty() {
                    continue;
                }
                // Alarms that were there before take room and need no review: folded.
                let folded = title == STILL;
                if folded {
                    writeln!(
                        out,
                        "<details><summary>{title} ({})</summary>\n",
                        findings.len()
                    )?;
                } else {
                    writeln!(out, "#### {title} ({})\n", findings.len())?;
                }
                writeln!(out, "| control | resource | reason |\n|---|---|---|")?;
                for (f, note) in findings {
                    let reason = match note {
                        Some(old) => format!("{} (was: {})", cell(&f.reason), cell(old)),
                        None => cell(&f.reason),
                    };
                    writeln!(
                        out,
                        "| {} | {} | {reason} |",
                        cell(&f.control_id),
                        cell(&f.resource)
                    )?;
                }
                writeln!(out, "{}", if folded { "\n</details>\n" } else { "" })?;
            }
        }
    }
    Ok(())
}

const STILL: &str = "Still alarming";

pub type Section<'a> = (&'static str, Vec<(&'a Finding, Option<&'a str>)>);

fn plain(findings: &[Finding]) -> Vec<(&Finding, Option<&str>)> {
    findings.iter().map(|f| (f, None)).collect()
}

pub fn sections(diff: &Diff) -> Vec<Section<'_>> {
    vec![
        ("New alarms", plain(&diff.new)),
        ("Fixed", plain(&diff.fixed)),
        (
            "Changed reasons",
            diff.changed
                .iter()
                .map(|c| (&c.finding, Some(c.old_reason.as_str())))
                .collect(),
        ),
        ("Gone", plain(&diff.gone)),
        ("Newly muted", plain(&diff.muted)),
        (STILL, plain(&diff.still)),
    ]
}

/// A table cell of a pull-request comment: values come from the estate, so nothing in them may
/// end the cell or the line (control characters are escaped), open HTML, start code or mention
/// someone.
fn cell(text: &str) -> String {
    escape_control(text)
        .replace('&', "&amp;")
        .replace('|', "&#124;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "&#96;")
        .replace('@', "&#64;")
}
