//! The user's SQL: read-only and bounded. `posture query`, its shell and any later server run
//! user text through [`run`]; the bundled controls are trusted and run as they are.

use std::ops::ControlFlow;

use arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::{DFParserBuilder, Statement};
use datafusion::sql::sqlparser::ast::{self, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::ParserError;

/// Longer SQL text is refused before it is parsed.
pub const MAX_SQL_BYTES: usize = 256 * 1024;

/// How deep expressions and subqueries may nest. A chain like `1+1+…+1` parses without
/// recursion but nests one level per operator, and planning it recurses that deep.
pub const MAX_NESTING: usize = 256;

/// The stack of every thread that plans user SQL: planning [`MAX_NESTING`] levels, and dropping
/// the parse tree of the longest refused chain, fit in it with room to spare.
pub const STACK_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "SQL text is {bytes} bytes, over the limit of {MAX_SQL_BYTES}",
        MAX_SQL_BYTES = MAX_SQL_BYTES
    )]
    TooLong { bytes: usize },
    #[error(
        "SQL nests deeper than {MAX_NESTING} levels of expressions and subqueries; simplify it",
        MAX_NESTING = MAX_NESTING
    )]
    TooDeep,
    #[error(
        "posture's SQL is read-only: {statement} statements are refused; run SELECT, WITH, EXPLAIN, SHOW or DESCRIBE"
    )]
    NotReadOnly { statement: String },
    #[error("posture runs one SQL statement at a time; this text holds {count}")]
    NotOneStatement { count: usize },
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
}

/// A tokio runtime whose threads have [`STACK_BYTES`] of stack; run user SQL on its workers.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(STACK_BYTES)
        .build()
}

/// Runs one statement of user SQL: queries, EXPLAIN, SHOW and DESCRIBE. DDL, DML, COPY and
/// SET are refused before planning, so nothing is written or changed.
pub async fn run(ctx: &SessionContext, text: &str) -> Result<Vec<RecordBatch>, Error> {
    let statement = checked(text)?;
    let plan = ctx.state().statement_to_plan(statement).await?;
    // Defence in depth: the plan too holds no DDL, DML or session statement.
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(&plan)?;
    Ok(ctx.execute_logical_plan(plan).await?.collect().await?)
}

/// Whether [`run`] takes `text`: one statement, bounded, read-only.
pub fn check(text: &str) -> Result<(), Error> {
    checked(text).map(|_| ())
}

fn checked(text: &str) -> Result<Statement, Error> {
    if text.len() > MAX_SQL_BYTES {
        return Err(Error::TooLong { bytes: text.len() });
    }
    let statement = parse(text)?;
    // Nesting first: every other walk of the tree recurses as deep as it nests.
    within_nesting(&statement)?;
    read_only(&statement)?;
    Ok(statement)
}

/// One statement, parsed with [`MAX_NESTING`] as the parser's recursion limit too, so nesting
/// by parentheses and by operator chains meet the same bound and the same error.
fn parse(text: &str) -> Result<Statement, Error> {
    let mut statements = DFParserBuilder::new(text)
        .with_dialect(&GenericDialect {})
        .with_recursion_limit(MAX_NESTING)
        .build()
        .and_then(|mut parser| parser.parse_statements())
        .map_err(|e| match e {
            DataFusionError::SQL(parser, _)
                if matches!(*parser, ParserError::RecursionLimitExceeded) =>
            {
                Error::TooDeep
            }
            e => e.into(),
        })?;
    match (statements.pop_front(), statements.len()) {
        (Some(statement), 0) => Ok(statement),
        (first, more) => Err(Error::NotOneStatement {
            count: usize::from(first.is_some()) + more,
        }),
    }
}

fn read_only(statement: &Statement) -> Result<(), Error> {
    match statement {
        Statement::Explain(explain) => read_only(&explain.statement),
        Statement::Statement(s) if reads_only(s) => Ok(()),
        _ => Err(refused(statement)),
    }
}

/// Whether `statement` only reads: a query, EXPLAIN of one, SHOW or DESCRIBE.
pub fn reads_only(statement: &ast::Statement) -> bool {
    use ast::Statement as S;
    match statement {
        S::Explain { statement, .. } => reads_only(statement),
        S::Query(_)
        | S::ExplainTable { .. }
        | S::ShowTables { .. }
        | S::ShowColumns { .. }
        | S::ShowVariable { .. }
        | S::ShowFunctions { .. } => true,
        _ => false,
    }
}

/// The statement's leading keyword(s) as SQL renders them: `COPY`, `CREATE EXTERNAL`, `SET`.
fn refused(statement: &Statement) -> Error {
    let text = statement.to_string();
    let keywords: Vec<&str> = text
        .split_whitespace()
        .take(2)
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        .collect();
    Error::NotReadOnly {
        statement: match keywords.as_slice() {
            [] => "such".to_string(),
            words => words.join(" "),
        },
    }
}

fn within_nesting(statement: &Statement) -> Result<(), Error> {
    let deep = match statement {
        Statement::Statement(s) => too_deep(s),
        Statement::Explain(explain) => return within_nesting(&explain.statement),
        // Refused before this is asked.
        _ => false,
    };
    if deep { Err(Error::TooDeep) } else { Ok(()) }
}

/// Whether `statement` nests expressions and queries deeper than [`MAX_NESTING`].
pub fn too_deep(statement: &ast::Statement) -> bool {
    statement.visit(&mut Depth::default()).is_break()
}

/// The current nesting of expressions and queries; breaks at [`MAX_NESTING`], so the walk itself
/// recurses no deeper than that.
#[derive(Default)]
struct Depth(usize);

impl Depth {
    fn enter(&mut self) -> ControlFlow<()> {
        self.0 += 1;
        if self.0 > MAX_NESTING {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
    fn leave(&mut self) -> ControlFlow<()> {
        self.0 -= 1;
        ControlFlow::Continue(())
    }
}

impl Visitor for Depth {
    type Break = ();
    fn pre_visit_expr(&mut self, _: &ast::Expr) -> ControlFlow<()> {
        self.enter()
    }
    fn post_visit_expr(&mut self, _: &ast::Expr) -> ControlFlow<()> {
        self.leave()
    }
    fn pre_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
        self.enter()
    }
    fn post_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
        self.leave()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_text(text: &str) -> Result<Vec<RecordBatch>, Error> {
        let ctx = crate::session(std::sync::Arc::new(crate::Inventory::demo()))?;
        run(&ctx, text).await
    }

    /// Runs `f` on a thread with the stack user SQL gets, as the CLI does.
    fn on_sql_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap();
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn queries_explain_show_and_describe_run() {
        block_on(async {
            for text in [
                "select count(*) from ec2_instance",
                "with i as (select instance_id from ec2_instance) select * from i",
                "explain select * from ebs_volume",
                "show tables",
                "show columns from ec2_instance",
                "describe ec2_instance",
            ] {
                let batches = run_text(text)
                    .await
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                assert!(batches.iter().any(|b| b.num_rows() > 0), "{text}");
            }
        });
    }

    #[test]
    fn writes_ddl_and_session_statements_are_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("posture-sql-{}", std::process::id()));
        let target = dir.join("out.csv");
        block_on(async {
            for (text, named) in [
                (format!("copy (select 1) to '{}'", target.display()), "COPY"),
                (
                    format!("explain analyze copy (select 1) to '{}'", target.display()),
                    "COPY",
                ),
                (
                    format!(
                        "create external table t stored as csv location '{}'",
                        dir.display()
                    ),
                    "CREATE EXTERNAL",
                ),
                ("create view v as select 1".to_string(), "CREATE VIEW"),
                (
                    "insert into ec2_instance values (1)".to_string(),
                    "INSERT INTO",
                ),
                ("drop table ec2_instance".to_string(), "DROP TABLE"),
                ("set datafusion.execution.batch_size = 1".to_string(), "SET"),
            ] {
                match run_text(&text).await {
                    Err(Error::NotReadOnly { statement }) => {
                        assert_eq!(statement, named, "{text}")
                    }
                    other => panic!("{text}: {other:?}"),
                }
            }
        });
        assert!(!target.exists(), "nothing was written");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing() {
        on_sql_stack(|| {
            block_on(async {
                let chain = format!("select 1{}", "+1".repeat(MAX_SQL_BYTES / 2 - 10));
                assert!(matches!(run_text(&chain).await, Err(Error::TooDeep)));
                let parens = format!("select {}1{}", "(".repeat(1000), ")".repeat(1000));
                assert!(matches!(run_text(&parens).await, Err(Error::TooDeep)));
                let subqueries = (0..300).fold("select 1".to_string(), |q, _| {
                    format!("select * from ({q})")
                });
                assert!(matches!(run_text(&subqueries).await, Err(Error::TooDeep)));
                // Just within the bound still runs.
                let within = format!("select 1{}", "+1".repeat(MAX_NESTING - 10));
                let sum = run_text(&within).await.unwrap();
                assert_eq!(sum[0].num_rows(), 1);
            })
        });
    }

    #[test]
    fn one_statement_at_a_time() {
        block_on(async {
            for (text, count) in [("", 0), ("select 1; select 2", 2)] {
                match run_text(text).await {
                    Err(Error::NotOneStatement { count: got }) => assert_eq!(got, count),
                    other => panic!("{text}: {other:?}"),
                }
            }
        });
    }

    #[test]
    fn over_long_text_is_refused_before_parsing() {
        block_on(async {
            let text = format!("select '{}'", "x".repeat(MAX_SQL_BYTES));
            assert!(matches!(run_text(&text).await, Err(Error::TooLong { .. })));
        });
    }
}
