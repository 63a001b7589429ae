//! `posture`: SQL over AWS EC2 estates. Thin: parses arguments, builds a session, prints.

mod output;
mod shell;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use posture_sql::Inventory;

use crate::output::Format;

#[derive(Parser)]
#[command(name = "posture", version, about = "SQL and compliance checks over AWS EC2 estates")]
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
    /// List the tables and their columns, with descriptions.
    Tables {
        /// Only this table.
        table: Option<String>,
        /// `text`, or `markdown` (the generated docs/tables.md).
        #[arg(long, short, default_value = "text", value_parser = ["text", "markdown"])]
        output: String,
    },
}

/// Where the data comes from.
#[derive(Args)]
struct Source {
    /// An inventory: a directory of `aws` CLI JSON output (<account_id>/<region>/*.json) and/or
    /// AWS Config items, or one such file.
    #[arg(long, short, value_name = "PATH", conflicts_with = "demo")]
    inventory: Option<PathBuf>,
    /// The bundled demo account (two regions, every control both ways).
    #[arg(long)]
    demo: bool,
}

impl Source {
    fn load(&self) -> Result<Inventory> {
        let inventory = match (&self.inventory, self.demo) {
            (Some(path), _) => Inventory::load(path)?,
            (None, true) => Inventory::demo(),
            (None, false) => bail!(
                "no data source: pass --inventory PATH (aws CLI output or AWS Config items) or --demo; live AWS queries are not built yet"
            ),
        };
        for note in &inventory.notes {
            eprintln!("note: {note}");
        }
        Ok(inventory)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
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

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Query { source, output, sql } => {
            let ctx = posture_sql::session(Arc::new(source.load()?))?;
            match sql {
                Some(sql) => {
                    let batches = ctx.sql(&sql).await?.collect().await?;
                    output::print(&batches, output, &mut std::io::stdout().lock())
                }
                None => shell::run(&ctx, output).await,
            }
        }
        Command::Tables { table, output } => {
            let tables: Vec<_> = match table {
                Some(name) => vec![posture_sql::tables::table(&name)
                    .with_context(|| format!("no table `{name}`; `posture tables` lists them"))?],
                None => posture_sql::tables::TABLES.to_vec(),
            };
            let text = if output == "markdown" { posture_sql::tables::markdown(&tables) } else { output::tables_text(&tables) };
            print!("{text}");
            Ok(())
        }
    }
}
