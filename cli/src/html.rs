//! The HTML report: one self-contained page (inline CSS and SVG, no scripts, no external
//! resources) with a summary chart per severity and per benchmark, then each control's findings.

use std::fmt::Write;

use posture_queries::{Control, Finding, Severity, Status};

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

pub fn report(
    results: &[(&Control, Vec<Finding>)],
    generated_at: &str,
    baseline: Option<&crate::diff::Diff>,
) -> String {
    let mut page = summary(results, generated_at);
    if let Some(diff) = baseline {
        page.push_str(&changes(diff));
    }
    page.push_str(&muted(results));
    let mut ordered: Vec<&(&Control, Vec<Finding>)> = results.iter().collect();
    // Controls that alarm first, then by severity.
    ordered.sort_by_key(|(c, f)| {
        (
            !f.iter().any(|f| f.status == Status::Alarm),
            c.severity,
            c.id.clone(),
        )
    });
    for (c, findings) in ordered {
        page.push_str(&control_section(c, findings));
    }
    page.push_str("</body></html>\n");
    page
}

/// What changed since the baseline (`posture check --baseline`), as `posture diff` says it.
fn changes(diff: &crate::diff::Diff) -> String {
    let sections = crate::diff::sections(diff);
    let counts: Vec<String> = sections
        .iter()
        .map(|(title, findings)| format!("{} {}", findings.len(), esc(&title.to_lowercase())))
        .collect();
    let mut html = format!(
        "<section class=\"changes\"><h2>Since the baseline</h2><p>{}</p>",
        counts.join(" · ")
    );
    for (title, findings) in sections {
        if findings.is_empty() {
            continue;
        }
        let _ = write!(
            html,
            "<details{}><summary>{} ({})</summary><table><tr><th>control</th><th>resource</th><th>reason</th></tr>",
            if title == "New alarms" { " open" } else { "" },
            esc(title),
            findings.len()
        );
        for (f, old) in findings {
            let was = old
                .map(|o| format!(" <i>(was: {})</i>", esc(o)))
                .unwrap_or_default();
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}{was}</td></tr>",
                esc(&f.control_id),
                esc(&f.resource),
                esc(&f.reason)
            );
        }
        html.push_str("</table></details>");
    }
    html.push_str("</section>\n");
    html
}

/// The muted findings: still failing, accepted with a reason (`posture check --mute`, tags).
fn muted(results: &[(&Control, Vec<Finding>)]) -> String {
    let muted: Vec<(&Finding, &posture_queries::mute::Mute)> = results
        .iter()
        .flat_map(|(_, fs)| fs.iter())
        .filter_map(|f| Some((f, f.mute.as_ref()?)))
        .collect();
    if muted.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<section class=\"muted\"><h2>Muted ({})</h2><p>Still failing, accepted with a reason.</p><table><tr><th>control</th><th>resource</th><th>reason</th><th>muted because</th><th>until</th><th>owner</th><th>by</th></tr>",
        muted.len()
    );
    for (f, m) in muted {
        let _ = write!(
            html,
            "<tr class=\"muted\"><td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.control_id),
            esc(&f.resource),
            esc(&f.resource_id),
            esc(&f.reason),
            esc(&m.reason),
            esc(m.expires.as_deref().unwrap_or("no expiry")),
            esc(m.owner.as_deref().unwrap_or("")),
            esc(&m.by)
        );
    }
    html + "</table></section>\n"
}

/// The page's head, and the header: counts, and the charts per severity and per benchmark.
fn summary(results: &[(&Control, Vec<Finding>)], generated_at: &str) -> String {
    let all: Vec<(&Control, &Finding)> = results
        .iter()
        .flat_map(|(c, fs)| fs.iter().map(move |f| (*c, f)))
        .collect();
    let count = |pred: &dyn Fn(&(&Control, &Finding)) -> bool, s: Status| {
        all.iter().filter(|x| x.1.status == s && pred(x)).count()
    };
    let accounts: std::collections::BTreeSet<&str> =
        all.iter().map(|(_, f)| f.account_id.as_str()).collect();
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>posture report</title><style>{CSS}</style></head><body>
<header><h1>posture report</h1><p>Generated {generated_at} · {} controls · {} findings in {} account(s): <b class="alarm">{} alarm</b> · <b class="ok">{} ok</b> · <b class="skip">{} skip</b> · <b class="muted">{} muted</b></p></header>
<section class="charts"><figure><figcaption>Findings by severity</figcaption>{}</figure><figure><figcaption>Benchmarks: resources passing</figcaption>{}</figure></section>
"#,
        results.len(),
        all.len(),
        accounts.len(),
        count(&|_| true, Status::Alarm),
        count(&|_| true, Status::Ok),
        count(&|_| true, Status::Skip),
        count(&|_| true, Status::Muted),
        chart(SEVERITIES.iter().map(|s| {
            let of = |st| count(&|(c, _)| c.severity == *s, st);
            (
                format!("{s:?}").to_lowercase(),
                of(Status::Alarm),
                of(Status::Ok),
                of(Status::Skip),
            )
        })),
        chart(posture_queries::BENCHMARKS.iter().map(|b| {
            let members: Vec<&str> = posture_queries::benchmark(b)
                .map(|cs| cs.iter().map(|c| c.id.as_str()).collect())
                .unwrap_or_default();
            let of = |st| count(&|(c, _)| members.contains(&c.id.as_str()), st);
            (
                b.to_string(),
                of(Status::Alarm),
                of(Status::Ok),
                of(Status::Skip),
            )
        })),
    )
}

/// One control: its counts, the fix when something alarms, the alarms, then the rest folded.
fn control_section(c: &Control, findings: &[Finding]) -> String {
    let n = |s| findings.iter().filter(|f| f.status == s).count();
    let mut section = format!(
        r#"<section class="control" id="{id}"><h2><span class="sev {sev}">{sev}</span> {title} <code>{id}</code></h2>
<p class="counts"><b class="alarm">{a} alarm</b> · <b class="ok">{o} ok</b> · <b class="skip">{s} skip</b> · <b class="muted">{m} muted</b> · {frameworks}</p>"#,
        id = esc(&c.id),
        sev = format!("{:?}", c.severity).to_lowercase(),
        title = esc(&c.title),
        a = n(Status::Alarm),
        o = n(Status::Ok),
        s = n(Status::Skip),
        m = n(Status::Muted),
        frameworks = esc(&c.frameworks.join(", ")),
    );
    if n(Status::Alarm) > 0 {
        let _ = write!(
            section,
            r#"<p class="fix"><b>Fix:</b> {}<br><code>{}</code></p>"#,
            esc(&c.remediation.console),
            esc(&c.remediation.cli)
        );
    }
    // Muted findings are listed in the report's muted section.
    let (alarms, rest): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .filter(|f| f.status != Status::Muted)
        .partition(|f| f.status == Status::Alarm);
    if !alarms.is_empty() {
        section.push_str(&findings_table(&alarms));
    }
    if !rest.is_empty() {
        let _ = write!(
            section,
            "<details><summary>{} ok or skipped</summary>{}</details>",
            rest.len(),
            findings_table(&rest)
        );
    }
    section.push_str("</section>\n");
    section
}

fn findings_table(rows: &[&Finding]) -> String {
    let mut table = String::from(
        "<table><tr><th>status</th><th>account</th><th>region</th><th>resource</th><th>reason</th></tr>",
    );
    for f in rows {
        let status = format!("{:?}", f.status).to_lowercase();
        let _ = write!(
            table,
            r#"<tr class="{status}"><td>{status}</td><td>{}</td><td>{}</td><td title="{}">{}</td><td>{}</td></tr>"#,
            esc(&f.account_id),
            esc(&f.region),
            esc(&f.resource),
            esc(&f.resource_id),
            esc(&f.reason)
        );
    }
    table + "</table>"
}

/// Horizontal stacked bars (alarm, ok, skip) as inline SVG.
fn chart(rows: impl Iterator<Item = (String, usize, usize, usize)>) -> String {
    let rows: Vec<_> = rows.collect();
    let max = rows
        .iter()
        .map(|(_, a, o, s)| a + o + s)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (label_w, bar_w, row_h) = (90.0, 320.0, 26.0);
    let mut svg = format!(
        r#"<svg role="img" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-size="12">"#,
        label_w + bar_w + 170.0,
        row_h * rows.len() as f64 + 4.0
    );
    for (i, (label, alarm, ok, skip)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let _ = write!(svg, r#"<text x="0" y="{}">{}</text>"#, y + 14.0, esc(label));
        let mut x = label_w;
        for (n, class) in [(alarm, "alarm"), (ok, "ok"), (skip, "skip")] {
            let w = *n as f64 / max * bar_w;
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x:.1}" y="{y}" width="{w:.1}" height="18"><title>{n} {class}</title></rect>"#
            );
            x += w;
        }
        let passing = if alarm + ok > 0 {
            format!("{:.0}% ok", *ok as f64 * 100.0 / (alarm + ok) as f64)
        } else {
            "n/a".into()
        };
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}">{alarm}/{ok}/{skip} · {passing}</text>"#,
            x + 6.0,
            y + 14.0
        );
    }
    svg + "</svg>"
}

/// Text for HTML, in elements and in quoted attributes: markup characters as entities,
/// control characters shown as `\u{…}` escapes as on the terminal.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in posture_sql::text::escape_control(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 20px 40px;color:#1d2330}\
header{border-bottom:1px solid #d8dce3;margin-bottom:16px}h1{margin:20px 0 4px}h2{font-size:16px;margin:0 0 6px}\
.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:0;padding:12px;border:1px solid #d8dce3;border-radius:8px}\
figcaption{font-weight:600;margin-bottom:8px}rect.alarm{fill:#d64545}rect.ok{fill:#3a9d5d}rect.skip{fill:#b8bec9}\
b.alarm{color:#c03030}b.ok{color:#2f8a4f}b.skip{color:#6b7280}b.muted{color:#8a6d00}.muted{border:1px solid #e8d9a8;border-radius:8px;padding:12px 14px}.control{border:1px solid #d8dce3;border-radius:8px;padding:12px 14px;margin:16px 0}\
.sev{display:inline-block;font-size:11px;text-transform:uppercase;padding:1px 6px;border-radius:4px;color:#fff;vertical-align:2px}\
.sev.critical{background:#7b2cbf}.sev.high{background:#c03030}.sev.medium{background:#c77800}.sev.low{background:#2b7bb9}\
code{font-size:12px;background:#f2f4f7;padding:1px 4px;border-radius:4px;word-break:break-all}.fix{background:#fff8e6;padding:8px;border-radius:6px}\
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}td,th{border-bottom:1px solid #eceef2;padding:4px 6px;text-align:left;vertical-align:top}\
tr.alarm td:first-child{color:#c03030;font-weight:600}tr.ok td:first-child{color:#2f8a4f}tr.skip td:first-child{color:#6b7280}summary{cursor:pointer;color:#4b5563;margin-top:6px}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc(r#"<a href="x">&</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
