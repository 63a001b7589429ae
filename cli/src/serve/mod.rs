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
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion_postgres::DfSessionService;
use datafusion_postgres::auth::AuthManager;
use datafusion_postgres::datafusion_pg_catalog::setup_pg_catalog;
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
use datafusion_postgres::pgwire::api::{ClientInfo, ConnectionManager, PgWireServerHandlers};
use datafusion_postgres::pgwire::error::{PgWireError, PgWireResult};
use datafusion_postgres::pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use datafusion_postgres::pgwire::tokio::process_socket;
use futures::Sink;
use posture_sql::live::{Fetches, KeptFetches};
use posture_sql::session::CATALOG;
use tokio::net::TcpStream;

use crate::{Outcome, Source};

mod pg_functions;
mod read_only;
mod tables;

pub struct Options {
    pub listen: SocketAddr,
    pub cache_ttl: Duration,
    /// The environment variable holding the password clients must give.
    pub password_env: Option<String>,
    /// Applied to posture_finding's findings.
    pub mutes: Arc<posture_queries::mute::Mutes>,
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
        ctx.register_table(name, Arc::new(tables::MapsAsJson::new(table)))?;
    }
    ctx.register_table(
        "posture_finding",
        Arc::new(tables::FindingTable {
            ctx: source_ctx,
            as_of: source.as_of(None)?,
            mutes: options.mutes.clone(),
        }),
    )?;
    ctx.register_table("posture_control", Arc::new(tables::control_table()?))?;
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
                Arc::new(read_only::ReadOnly),
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
