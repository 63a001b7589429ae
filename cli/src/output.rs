//! Printing query results, table docs and live notices.

use std::io::Write;

use anyhow::Result;
use arrow::json::writer::{JsonArray, WriterBuilder};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use comfy_table::{ContentArrangement, Table as Grid, presets::UTF8_FULL_CONDENSED};
use posture_sql::Table;
use posture_sql::live::Notice;
use posture_sql::text::escape_control;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A grid for people.
    Table,
    /// One JSON array of row objects keyed by column name.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header; lists and maps as JSON.
    Csv,
}

/// Query results as JSON objects keyed by column name, every column present (nulls too),
/// lists and maps as JSON values: the shape of `posture query --output json`.
pub fn json_rows(batches: &[RecordBatch]) -> Result<Vec<Map<String, Value>>> {
    let mut buffer = Vec::new();
    let mut writer = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(&mut buffer);
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    if buffer.is_empty() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_slice(&buffer)?)
}

pub fn print(batches: &[RecordBatch], format: Format, out: &mut impl Write) -> Result<()> {
    match format {
        Format::Table => writeln!(out, "{}", grid(batches)?)?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json_rows(batches)?)?
        )?,
        Format::Jsonl => {
            for row in json_rows(batches)? {
                writeln!(out, "{}", Value::Object(row))?;
            }
        }
        Format::Csv => csv(batches, out)?,
    }
    Ok(())
}

fn grid(batches: &[RecordBatch]) -> Result<Grid> {
    let mut grid = Grid::new();
    grid.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let Some(first) = batches.first() else {
        return Ok(grid);
    };
    grid.set_header(
        first
            .schema()
            .fields()
            .iter()
            .map(|f| escape_control(f.name()).into_owned()),
    );
    let options = FormatOptions::default().with_null("");
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            grid.add_row(
                formatters
                    .iter()
                    .map(|f| escape_control(&f.value(row).to_string()).into_owned()),
            );
        }
    }
    Ok(grid)
}

fn csv(batches: &[RecordBatch], out: &mut impl Write) -> Result<()> {
    let Some(first) = batches.first() else {
        return Ok(());
    };
    let header: Vec<String> = first
        .schema()
        .fields()
        .iter()
        .map(|f| csv_field(f.name()))
        .collect();
    writeln!(out, "{}", header.join(","))?;
    for row in json_rows(batches)? {
        let cells: Vec<String> = row
            .values()
            .map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => csv_text(s),
                other => csv_field(&other.to_string()),
            })
            .collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// A text cell for spreadsheets: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return would run as a formula, so it gets a leading `'` (OWASP's advice). Numbers, booleans
/// and JSON lists and maps are written as they are.
pub fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        csv_field(&format!("'{s}"))
    } else {
        csv_field(s)
    }
}

/// A CSV cell, quoted only when it holds a separator, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn tables_text(tables: &[&Table]) -> String {
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!("{}\n  {}\n", t.name, t.description));
        let width = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in t.columns {
            out.push_str(&format!(
                "    {:width$}  {:15}  {}\n",
                c.name,
                c.ty.sql_name(),
                c.description
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("i-1"), "i-1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_text_cells_that_a_spreadsheet_would_run_get_a_quote() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                csv_text(formula).trim_start_matches('"').starts_with('\''),
                "{formula}"
            );
        }
        assert_eq!(
            csv_text("=HYPERLINK(\"http://x\",\"a,b\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\""
        );
        assert_eq!(csv_text("i-1"), "i-1");
        assert_eq!(csv_text("web=1"), "web=1");
    }
}

/// A live run's notices on stderr: warnings always, debug lines with `POSTURE_DEBUG`.
pub fn print_notices(live: &posture_sql::live::Live) {
    let debug = std::env::var_os("POSTURE_DEBUG").is_some();
    for notice in live.take_notices() {
        match notice {
            Notice::Warning(text) => eprintln!("warning: {}", escape_control(&text)),
            Notice::Debug(text) if debug => eprintln!("debug: {}", escape_control(&text)),
            Notice::Debug(_) => {}
        }
    }
}
