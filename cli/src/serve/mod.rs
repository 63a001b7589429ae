//! `posture serve`: the tables, the exposure view and the controls over the Postgres wire
//! protocol, for psql, BI tools and notebooks. The session is `posture query`'s, with the
//! controls as two tables (`posture_finding`, `posture_control`), pg_catalog for clients that
//! list tables, and reading statements only. Live data is kept for the cache TTL.

use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use async_trait::async_trait;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::json::ReaderBuilder;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, ParamValues, ScalarValue};
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{
    ColumnarValue, EmptyRelation, Expr, LogicalPlan, TableProviderFilterPushDown, TableType,
    Volatility, create_udf,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion_postgres::DfSessionService;
use datafusion_postgres::QueryHook;
use datafusion_postgres::auth::AuthManager;
use datafusion_postgres::datafusion_pg_catalog::setup_pg_catalog;
use datafusion_postgres::hooks::HookClient;
use datafusion_postgres::hooks::cursor::CursorStatementHook;
use datafusion_postgres::hooks::set_show::SetShowHook;
use datafusion_postgres::hooks::transactions::TransactionStatementHook;
use datafusion_postgres::pgwire::api::auth::noop::NoopStartupHandler;
use datafusion_postgres::pgwire::api::auth::sasl::SASLAuthStartupHandler;
use datafusion_postgres::pgwire::api::auth::sasl::scram::{
    ScramAuth, gen_salted_password, random_nonce,
};
use datafusion_postgres::pgwire::api::auth::{
    AuthSource, DefaultServerParameterProvider, LoginInfo, Password, StartupHandler,
};
use datafusion_postgres::pgwire::api::cancel::DefaultCancelHandler;
use datafusion_postgres::pgwire::api::results::{Response, Tag};
use datafusion_postgres::pgwire::api::{ClientInfo, ConnectionManager, PgWireServerHandlers};
use datafusion_postgres::pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use datafusion_postgres::pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use datafusion_postgres::pgwire::tokio::process_socket;
use futures::{Sink, StreamExt};
use posture_sql::live::{Fetches, KeptFetches};
use posture_sql::session::CATALOG;
use tokio::net::TcpStream;

use crate::{Outcome, Source};

mod pg_functions;

pub struct Options {
    pub listen: SocketAddr,
    pub cache_ttl: Duration,
    /// The environment variable holding the password clients must give.
    pub password_env: Option<String>,
}

pub async fn serve(source: &Source, options: &Options) -> Result<Outcome> {
    let password = match &options.password_env {
        Some(var) => Some(
            std::env::var(var)
                .ok()
                .filter(|p| !p.is_empty())
                .with_context(|| format!("--password-env {var}: the variable is not set"))?,
        ),
        None => None,
    };
    if password.is_none() && !options.listen.ip().is_loopback() {
        bail!(
            "--listen {}: an address beyond loopback needs a password (--password-env VAR)",
            options.listen
        );
    }
    let kept = Arc::new(KeptFetches::new(options.cache_ttl));
    // The source's session runs the controls; clients get its tables and views with tag
    // maps as JSON text, in a session of their own.
    let source_ctx = Arc::new(
        source
            .session(Fetches::Kept(kept.clone()), || None)
            .await?
            .ctx,
    );
    let ctx = Arc::new(posture_sql::session::bare_session());
    let public = source_ctx
        .catalog(CATALOG)
        .and_then(|c| c.schema("public"))
        .context("the session's tables")?;
    for name in public.table_names() {
        let table = public.table(&name).await?.context("a listed table")?;
        ctx.register_table(name, Arc::new(MapsAsJson::new(table)))?;
    }
    ctx.register_table(
        "posture_finding",
        Arc::new(FindingTable {
            ctx: source_ctx,
            as_of: source.as_of(None)?,
        }),
    )?;
    ctx.register_table("posture_control", Arc::new(control_table()?))?;
    ctx.register_udf(create_udf(
        "posture_clear_cache",
        Vec::new(),
        DataType::Utf8,
        Volatility::Volatile,
        Arc::new(move |_| {
            kept.clear();
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(
                "cleared".into(),
            ))))
        }),
    ));
    pg_functions::register(&ctx);
    setup_pg_catalog(&ctx, CATALOG, Arc::new(AuthManager::new()))
        .map_err(|e| anyhow::anyhow!("pg_catalog: {e}"))?;

    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("--listen {}", options.listen))?;
    let address = listener.local_addr()?;
    eprintln!(
        "posture serve: listening on {address}, database {CATALOG}{}",
        if password.is_some() {
            ", password required"
        } else {
            ""
        }
    );
    let server = Arc::new(Server {
        service: Arc::new(DfSessionService::new_with_hooks(
            ctx,
            vec![
                Arc::new(ReadOnly),
                Arc::new(CursorStatementHook),
                Arc::new(SetShowHook),
                Arc::new(TransactionStatementHook),
            ],
        )),
        connections: Arc::new(ConnectionManager::new()),
        password: password.map(|p| Arc::new(Salted::new(&p))),
    });
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("posture serve: accept: {e}");
                continue;
            }
        };
        let server = server.clone();
        tokio::spawn(async move {
            if let Err(e) = serve_connection(socket, server).await {
                eprintln!("posture serve: {peer}: {e}");
            }
        });
    }
}

/// One client's connection. pgwire reads nothing while a query runs, so it would learn that
/// the client went away only when it sends rows: a second handle on the socket watches for
/// that, and stops the query when it happens.
async fn serve_connection(socket: TcpStream, server: Arc<Server>) -> std::io::Result<()> {
    let socket = socket.into_std()?;
    let watched = TcpStream::from_std(socket.try_clone()?)?;
    let mut connection = tokio::spawn(process_socket(TcpStream::from_std(socket)?, None, server));
    tokio::select! {
        biased;
        done = &mut connection => done.map_err(std::io::Error::other)?,
        () = gone(&watched) => {
            if !connection.is_finished() {
                connection.abort();
                return Err(std::io::Error::other("the client went away; its query was stopped"));
            }
            Ok(())
        }
    }
}

/// Resolves once the peer has closed the connection (or it failed).
async fn gone(socket: &TcpStream) {
    let mut byte = [0u8; 1];
    loop {
        match socket.peek(&mut byte).await {
            Ok(0) | Err(_) => return,
            // Bytes wait for pgwire to read them: look again shortly.
            Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The handlers of every connection: DataFusion's session for queries, SCRAM-SHA-256 when a
/// password is set.
struct Server {
    service: Arc<DfSessionService>,
    connections: Arc<ConnectionManager>,
    password: Option<Arc<Salted>>,
}

impl PgWireServerHandlers for Server {
    fn simple_query_handler(
        &self,
    ) -> Arc<impl datafusion_postgres::pgwire::api::query::SimpleQueryHandler> {
        self.service.clone()
    }

    fn extended_query_handler(
        &self,
    ) -> Arc<impl datafusion_postgres::pgwire::api::query::ExtendedQueryHandler> {
        self.service.clone()
    }

    /// One per connection: SCRAM keeps its exchange's state.
    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        Arc::new(match &self.password {
            None => Startup::Open(Open(self.connections.clone())),
            Some(salted) => {
                let mut scram = ScramAuth::new(salted.clone());
                scram.set_iterations(SCRAM_ITERATIONS);
                Startup::Password(Box::new(
                    SASLAuthStartupHandler::new(
                        Arc::new(DefaultServerParameterProvider::default()),
                    )
                    .with_scram(scram)
                    .with_connection_manager(self.connections.clone()),
                ))
            }
        })
    }

    fn cancel_handler(&self) -> Arc<impl datafusion_postgres::pgwire::api::cancel::CancelHandler> {
        Arc::new(DefaultCancelHandler::new(self.connections.clone()))
    }
}

enum Startup {
    /// Loopback without a password: any user name.
    Open(Open),
    Password(Box<SASLAuthStartupHandler<DefaultServerParameterProvider>>),
}

struct Open(Arc<ConnectionManager>);

impl NoopStartupHandler for Open {
    fn connection_manager(&self) -> Option<Arc<ConnectionManager>> {
        Some(self.0.clone())
    }
}

#[async_trait]
impl StartupHandler for Startup {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match self {
            Startup::Open(open) => open.on_startup(client, message).await,
            Startup::Password(scram) => scram.on_startup(client, message).await,
        }
    }
}

const SCRAM_ITERATIONS: usize = 4096;

/// The password, salted once: SCRAM-SHA-256 never sends it.
#[derive(Debug)]
struct Salted {
    salt: Vec<u8>,
    salted: Vec<u8>,
}

impl Salted {
    fn new(password: &str) -> Salted {
        let salt = random_nonce().into_bytes();
        Salted {
            salted: gen_salted_password(password, &salt, SCRAM_ITERATIONS),
            salt,
        }
    }
}

#[async_trait]
impl AuthSource for Salted {
    async fn get_password(&self, _: &LoginInfo) -> PgWireResult<Password> {
        Ok(Password::new(Some(self.salt.clone()), self.salted.clone()))
    }
}

/// Statements that only read pass; savepoints, which clients such as psycopg set around
/// their queries, are answered (nothing is ever written, so there is nothing to undo); any
/// other statement is refused before it is planned, with Postgres's read-only error.
struct ReadOnly;

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

/// `posture_finding`: every control over the session's tables, evaluated at each scan, in the
/// columns of `posture check --output json`. A control that could not be evaluated is one row
/// with the status `error` and why: fail closed, never left out.
struct FindingTable {
    /// The source's session (tag maps as maps).
    ctx: Arc<SessionContext>,
    as_of: i64,
}

impl Debug for FindingTable {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "FindingTable")
    }
}

fn finding_schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        text("control_id"),
        text("title"),
        text("severity"),
        text("resource"),
        text("resource_type"),
        text("resource_id"),
        text("status"),
        text("reason"),
        text("account_id"),
        text("region"),
        Field::new("unverified", DataType::Boolean, true),
    ]))
}

#[async_trait]
impl TableProvider for FindingTable {
    fn schema(&self) -> SchemaRef {
        finding_schema()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let selection = crate::check::Selection::new(None, &[], &[])
            .map_err(|e| DataFusionError::External(e.into()))?;
        let evaluated = selection.run(&self.ctx, self.as_of, None).await;
        let mut rows = crate::check::rows(&evaluated.results);
        for e in &evaluated.failed {
            let posture_queries::Error::Query { control, .. } = e else {
                return Err(DataFusionError::External(e.to_string().into()));
            };
            rows.push(serde_json::json!({
                "control_id": control, "status": "error", "reason": e.to_string(),
            }));
        }
        let batch = batch_of(finding_schema(), &rows)?;
        MemTable::try_new(batch.schema(), vec![vec![batch]])?
            .scan(state, projection, filters, limit)
            .await
    }
}

/// `posture_control`: the catalogue.
fn control_table() -> Result<MemTable> {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let schema = Arc::new(Schema::new(vec![
        text("id"),
        text("title"),
        text("severity"),
        text("service"),
        text("resource_type"),
        text("trigger"),
        Field::new(
            "frameworks",
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
            true,
        ),
        text("rationale"),
        text("remediation_console"),
        text("remediation_cli"),
        text("sql"),
    ]));
    let rows: Vec<serde_json::Value> = posture_queries::catalogue()
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id, "title": c.title, "severity": c.severity, "service": c.service,
                "resource_type": c.resource_type,
                "trigger": format!("{:?}", c.trigger).to_lowercase(),
                "frameworks": c.frameworks, "rationale": c.rationale.trim(),
                "remediation_console": c.remediation.console, "remediation_cli": c.remediation.cli,
                "sql": c.sql,
            })
        })
        .collect();
    let batch = batch_of(schema.clone(), &rows)?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// JSON rows as one batch of `schema`.
fn batch_of(
    schema: SchemaRef,
    rows: &[serde_json::Value],
) -> datafusion::error::Result<RecordBatch> {
    let mut decoder = ReaderBuilder::new(schema.clone()).build_decoder()?;
    decoder.serialize(rows)?;
    Ok(decoder
        .flush()?
        .unwrap_or_else(|| RecordBatch::new_empty(schema)))
}

/// A table whose tag maps are served as JSON text (`{"Name": "web"}`): Postgres has no map
/// type. Filters on other columns still reach the table (and live, the AWS API).
#[derive(Debug)]
struct MapsAsJson {
    inner: Arc<dyn TableProvider>,
    schema: SchemaRef,
}

impl MapsAsJson {
    fn new(inner: Arc<dyn TableProvider>) -> MapsAsJson {
        MapsAsJson {
            schema: maps_as_text(&inner.schema()),
            inner,
        }
    }
}

fn maps_as_text(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Map(..) => Field::new(f.name(), DataType::Utf8, true),
                _ => f.as_ref().clone(),
            })
            .collect::<Vec<_>>(),
    ))
}

#[async_trait]
impl TableProvider for MapsAsJson {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        filters
            .iter()
            .map(|f| {
                let inner = self.inner.schema();
                let on_a_map = f.column_refs().iter().any(|c| {
                    inner
                        .field_with_name(&c.name)
                        .is_ok_and(|field| matches!(field.data_type(), DataType::Map(..)))
                });
                if on_a_map {
                    Ok(TableProviderFilterPushDown::Unsupported)
                } else {
                    Ok(self.inner.supports_filters_pushdown(&[f])?.remove(0))
                }
            })
            .collect()
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let input = self.inner.scan(state, projection, filters, limit).await?;
        let schema = maps_as_text(&input.schema());
        Ok(Arc::new(MapsAsJsonExec {
            properties: Arc::new(input.properties().as_ref().clone().with_eq_properties(
                datafusion::physical_expr::EquivalenceProperties::new(schema.clone()),
            )),
            schema,
            input,
        }))
    }
}

#[derive(Debug)]
struct MapsAsJsonExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl DisplayAs for MapsAsJsonExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "MapsAsJsonExec")
    }
}

impl ExecutionPlan for MapsAsJsonExec {
    fn name(&self) -> &str {
        "MapsAsJsonExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(
            &Arc<dyn datafusion::physical_expr::PhysicalExpr>,
        ) -> datafusion::error::Result<TreeNodeRecursion>,
    ) -> datafusion::error::Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(MapsAsJsonExec {
            input: children.remove(0),
            schema: self.schema.clone(),
            properties: self.properties.clone(),
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> datafusion::error::Result<SendableRecordBatchStream> {
        let schema = self.schema.clone();
        let batches = self.input.execute(partition, context)?.map(move |batch| {
            let batch = batch?;
            let columns = batch
                .columns()
                .iter()
                .map(|column| match column.as_map_opt() {
                    Some(map) => map_as_json(map),
                    None => column.clone(),
                })
                .collect();
            // A count(*) reads no column: the rows are the batch's count.
            let rows = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
            Ok(RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &rows,
            )?)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            batches,
        )))
    }
}

/// Each map as a JSON object of its text keys and values (null stays null).
fn map_as_json(map: &MapArray) -> ArrayRef {
    let keys = map.keys().as_string::<i32>();
    let values = map.values().as_string::<i32>();
    let offsets = map.value_offsets();
    let texts: StringArray = (0..map.len())
        .map(|row| {
            map.is_valid(row).then(|| {
                let entries: serde_json::Map<String, serde_json::Value> = (offsets[row] as usize
                    ..offsets[row + 1] as usize)
                    .map(|i| {
                        let value = values
                            .is_valid(i)
                            .then(|| serde_json::Value::from(values.value(i)));
                        (keys.value(i).to_string(), value.unwrap_or_default())
                    })
                    .collect();
                serde_json::Value::Object(entries).to_string()
            })
        })
        .collect();
    Arc::new(texts)
}
