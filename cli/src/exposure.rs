//! `posture exposure`: instances ranked by how exposed they are (ec2_instance_exposure), with
//! traits, reachable ports, the network path and what to fix, as a table, JSON or an HTML page.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use datafusion::prelude::SessionContext;
use posture_sql::text::escape_control;
use serde_json::{Map, Value};

use crate::html::esc;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ExposureFormat {
    Table,
    Json,
    Html,
}

const ORDER: &str = "case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end";

/// The instances, most exposed first.
pub async fn rows(ctx: &SessionContext) -> Result<Vec<Map<String, Value>>> {
    crate::output::json_rows(&ctx.sql(&sql()).await?.collect().await?)
}

fn sql() -> String {
    format!(
        "select * from {} order by {ORDER}, account_id, region, instance_id",
        posture_queries::views::EXPOSURE
    )
}

/// The tables the view reads (None: not known, read all).
pub fn tables() -> Option<Vec<&'static str>> {
    posture_queries::scanned_tables(&sql()).ok()
}

/// Whether anything is critical or high (the exit code says so, for CI gates).
pub fn serious(rows: &[Map<String, Value>]) -> bool {
    rows.iter()
        .any(|r| matches!(r["severity"].as_str(), Some("critical" | "high")))
}

fn list(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A text field for the terminal: control characters escaped, `unknown` when missing.
fn text(v: &Value) -> std::borrow::Cow<'_, str> {
    escape_control(v.as_str().unwrap_or("unknown"))
}

pub fn print(
    rows: &[Map<String, Value>],
    format: ExposureFormat,
    out: &mut impl Write,
) -> Result<()> {
    match format {
        ExposureFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(rows)?)?,
        ExposureFormat::Html => out.write_all(html(rows).as_bytes())?,
        ExposureFormat::Table => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for r in rows {
                let severity = r["severity"].as_str().unwrap_or_default();
                let code = match severity {
                    "critical" => "35",
                    "high" => "31",
                    "medium" => "33",
                    "low" => "34",
                    _ => "32",
                };
                let label = format!("{:8}", severity.to_uppercase());
                let label = if colour {
                    format!("\x1b[1;{code}m{label}\x1b[0m")
                } else {
                    label
                };
                writeln!(
                    out,
                    "{label} {}  {} {}",
                    text(&r["instance_id"]),
                    text(&r["account_id"]),
                    text(&r["region"])
                )?;
                let traits = list(&r["traits"]);
                if !traits.is_empty() {
                    writeln!(out, "  traits: {}", escape_control(&traits.join(", ")))?;
                }
                for (label, key) in [
                    ("reachable from the internet on", "internet_reachable_ports"),
                    ("reachable from connected networks", "connected_networks"),
                    ("reachable via", "reachable_via"),
                ] {
                    let items = list(&r[key]);
                    if !items.is_empty() {
                        writeln!(out, "  {label}: {}", escape_control(&items.join(", ")))?;
                    }
                }
                writeln!(out, "  path: {}", text(&r["path"]))?;
                for fix in list(&r["remediation"]) {
                    writeln!(out, "  fix {}", escape_control(fix))?;
                }
                let projected = list(&r["projected_severity"]);
                if !projected.is_empty() {
                    writeln!(
                        out,
                        "  severity once fixed: {}",
                        escape_control(&projected.join(", "))
                    )?;
                }
                writeln!(out)?;
            }
            let count = |s: &str| rows.iter().filter(|r| r["severity"] == s).count();
            writeln!(
                out,
                "{} instances · critical {} · high {} · medium {} · low {} · none {}",
                rows.len(),
                count("critical"),
                count("high"),
                count("medium"),
                count("low"),
                count("none")
            )?;
        }
    }
    Ok(())
}

/// A self-contained page: counts per severity, then one card per instance.
fn html(rows: &[Map<String, Value>]) -> String {
    let mut body = String::new();
    for severity in ["critical", "high", "medium", "low", "none"] {
        let n = rows.iter().filter(|r| r["severity"] == severity).count();
        body.push_str(&format!(
            "<span class=\"sev {severity}\">{severity} {n}</span> "
        ));
    }
    for r in rows {
        let s = |k: &str| esc(r[k].as_str().unwrap_or_default());
        let items = |k: &str| {
            list(&r[k])
                .iter()
                .map(|t| format!("<li>{}</li>", esc(t)))
                .collect::<String>()
        };
        body.push_str(&format!(
            "<section><h2><span class=\"sev {sev}\">{sev}</span> {id} <small>{account} {region}</small></h2>\
             <p><b>Traits:</b> {traits}</p><p><b>Reachable from the internet on:</b> {ports}</p><p><b>Reachable via:</b> {via}</p><p><b>Connected networks:</b> {networks}</p><p><b>Path:</b> {path}</p><ul>{fixes}</ul><p><b>Severity once fixed:</b> {projected}</p></section>",
            sev = s("severity"),
            id = s("instance_id"),
            account = s("account_id"),
            region = s("region"),
            traits = esc(&list(&r["traits"]).join(", ")),
            ports = esc(&list(&r["internet_reachable_ports"]).join(", ")),
            via = esc(&list(&r["reachable_via"]).join(", ")),
            networks = esc(&list(&r["connected_networks"]).join(", ")),
            projected = esc(&list(&r["projected_severity"]).join(", ")),
            path = s("path"),
            fixes = items("remediation"),
        ));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>posture exposure</title><style>{CSS}</style></head><body><h1>Exposure</h1><p>{} instances, most exposed first.</p>{body}</body></html>\n",
        rows.len()
    )
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 20px 40px;color:#1d2330}\
section{border:1px solid #d8dce3;border-radius:8px;padding:10px 14px;margin:14px 0}h2{font-size:16px;margin:0 0 6px}small{color:#6b7280;font-weight:400}\
.sev{display:inline-block;font-size:11px;text-transform:uppercase;padding:1px 6px;border-radius:4px;color:#fff}\
.sev.critical{background:#7b2cbf}.sev.high{background:#c03030}.sev.medium{background:#c77800}.sev.low{background:#2b7bb9}.sev.none{background:#3a9d5d}p{margin:4px 0}";
