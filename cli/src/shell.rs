//! The interactive shell of `posture query`: history, `.tables`, `.schema TABLE`, and SQL
//! statements that may span lines until a `;`.

use anyhow::Result;
use datafusion::prelude::SessionContext;
use posture_sql::text::escape_control;
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::output::{self, Format};

const HELP: &str =
    "Enter SQL ending with `;` (it may span lines). Commands: .tables, .schema TABLE, .help, .quit";

pub async fn run(session: &crate::Session, format: Format) -> Result<()> {
    let mut editor = DefaultEditor::new()?;
    let history =
        std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".posture_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h); // no history yet is fine
    }
    eprintln!("posture SQL shell. {HELP}");
    let mut statement = String::new();
    loop {
        let prompt = if statement.is_empty() {
            "posture> "
        } else {
            "    ...> "
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                statement.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let trimmed = line.trim();
        if statement.is_empty() && trimmed.starts_with('.') {
            editor.add_history_entry(trimmed)?;
            if !command(trimmed) {
                break;
            }
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        statement.push_str(&line);
        statement.push('\n');
        if trimmed.ends_with(';') {
            let sql = std::mem::take(&mut statement);
            editor.add_history_entry(sql.trim())?;
            let result = execute(&session.ctx, &sql, format).await;
            session.print_notices();
            if let Err(e) = result {
                eprintln!("error: {}", escape_control(&crate::one_line(&e)));
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h); // an unwritable home must not fail the session
    }
    Ok(())
}

async fn execute(ctx: &SessionContext, sql: &str, format: Format) -> Result<()> {
    let batches = posture_sql::sql::run(ctx, sql).await?;
    output::print(&batches, format, &mut std::io::stdout().lock())
}

/// Runs a dot-command; false means quit.
fn command(line: &str) -> bool {
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some(".quit" | ".exit"), _) => return false,
        (Some(".tables"), _) => {
            for t in posture_sql::tables::TABLES {
                println!("{:32} {}", t.name, t.description);
            }
        }
        (Some(".schema"), Some(name)) => match posture_sql::tables::table(name) {
            Some(t) => print!("{}", output::tables_text(&[t])),
            None => eprintln!(
                "error: no table `{}`; .tables lists them",
                escape_control(name)
            ),
        },
        (Some(".schema"), None) => eprintln!("error: usage: .schema TABLE"),
        (Some(".help"), _) => eprintln!("{HELP}"),
        (Some(other), _) => eprintln!("error: unknown command {}; {HELP}", escape_control(other)),
        (None, _) => {}
    }
    true
}
