//! What `posture serve` lets clients run: reading statements and the session statements
//! clients send, and parameters it can bind.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, ParamValues};
use datafusion::logical_expr::{EmptyRelation, Expr, LogicalPlan};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion_postgres::QueryHook;
use datafusion_postgres::hooks::HookClient;
use datafusion_postgres::pgwire::api::ClientInfo;
use datafusion_postgres::pgwire::api::results::{Response, Tag};
use datafusion_postgres::pgwire::error::{ErrorInfo, PgWireError, PgWireResult};

/// Statements that only read pass; savepoints, which clients such as psycopg set around
/// their queries, are answered (nothing is ever written, so there is nothing to undo); any
/// other statement is refused before it is planned, with Postgres's read-only error.
pub struct ReadOnly;

impl ReadOnly {
    fn answer(statement: &Statement) -> Option<PgWireResult<Response>> {
        let tag = match statement {
            Statement::Savepoint { .. } => "SAVEPOINT",
            Statement::ReleaseSavepoint { .. } => "RELEASE",
            Statement::Rollback {
                savepoint: Some(_), ..
            } => "ROLLBACK",
            other => return Self::refuse(other).map(Err),
        };
        Some(Ok(Response::Execution(Tag::new(tag))))
    }

    /// Why `statement` is refused, if it is: `posture query`'s rule (a query, EXPLAIN, SHOW,
    /// DESCRIBE: [`posture_sql::sql`]), and the session statements clients send.
    fn refuse(statement: &Statement) -> Option<PgWireError> {
        let error = |code: &str, message: String| {
            Some(PgWireError::UserError(Box::new(ErrorInfo::new(
                "ERROR".into(),
                code.into(),
                message,
            ))))
        };
        if posture_sql::sql::too_deep(statement) {
            return error("54001", posture_sql::sql::Error::TooDeep.to_string());
        }
        let session = matches!(
            statement,
            Statement::Set(_)
                | Statement::Reset(_)
                | Statement::ShowVariables { .. }
                | Statement::ShowStatus { .. }
                | Statement::StartTransaction { .. }
                | Statement::Commit { .. }
                | Statement::Rollback { .. }
                | Statement::Declare { .. }
                | Statement::Fetch { .. }
                | Statement::Close { .. }
                | Statement::Deallocate { .. }
                | Statement::Discard { .. }
        );
        if session || posture_sql::sql::reads_only(statement) {
            return None;
        }
        let text = statement.to_string();
        let verb = text
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        error(
            "25006",
            format!(
                "cannot execute {verb}: posture serve is read-only (queries, EXPLAIN, SET and SHOW)"
            ),
        )
    }
}

#[async_trait]
impl QueryHook for ReadOnly {
    async fn handle_simple_query(
        &self,
        statement: &Statement,
        _: &SessionContext,
        _: &mut dyn HookClient,
    ) -> Option<PgWireResult<Response>> {
        Self::answer(statement)
    }

    /// Plans queries itself, to refuse parameters it cannot bind.
    async fn handle_extended_parse_query(
        &self,
        statement: &Statement,
        ctx: &SessionContext,
        _: &(dyn ClientInfo + Send + Sync),
    ) -> Option<PgWireResult<LogicalPlan>> {
        if let Statement::Query(_) = statement {
            let plan = ctx
                .state()
                .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(
                    statement.clone(),
                )))
                .await
                .map_err(|e| PgWireError::ApiError(Box::new(e)))
                .and_then(refuse_parameters_in_subqueries);
            return Some(plan);
        }
        match Self::answer(statement)? {
            // Answered at execution ([`Self::handle_extended_query`]): a plan of nothing.
            Ok(_) => Some(Ok(LogicalPlan::EmptyRelation(EmptyRelation {
                produce_one_row: false,
                schema: Arc::new(DFSchema::empty()),
            }))),
            Err(e) => Some(Err(e)),
        }
    }

    async fn handle_extended_query(
        &self,
        statement: &Statement,
        _: &LogicalPlan,
        _: &ParamValues,
        _: &SessionContext,
        _: &mut dyn HookClient,
    ) -> Option<PgWireResult<Response>> {
        Self::answer(statement)
    }
}

/// Refuses parameters inside subqueries (`(select $1::varchar)`): datafusion-postgres 0.19
/// neither types nor binds them, and would answer NULL in their place.
fn refuse_parameters_in_subqueries(plan: LogicalPlan) -> PgWireResult<LogicalPlan> {
    let everywhere = plan
        .get_parameter_types()
        .map_err(|e| PgWireError::ApiError(Box::new(e)))?;
    let mut outside = std::collections::HashSet::new();
    plan.apply(|node| {
        node.apply_expressions(|expr| {
            expr.apply(|e| {
                if let Expr::Placeholder(p) = e {
                    outside.insert(p.id.clone());
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })
    .map_err(|e| PgWireError::ApiError(Box::new(e)))?;
    if let Some(id) = everywhere.keys().find(|id| !outside.contains(*id)) {
        return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
            "ERROR".into(),
            "0A000".into(),
            format!(
                "parameter {id} is inside a subquery, which posture serve cannot bind: bind it in the client (psycopg's ClientCursor) or move it out of the subquery"
            ),
        ))));
    }
    Ok(plan)
}
