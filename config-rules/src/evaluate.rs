//! From an event to evaluations. Applicability as in AWS's own rule samples: only `OK` and
//! `ResourceDiscovered` items that have not left the rule's scope are evaluated; deleted,
//! not-recorded or out-of-scope items get NOT_APPLICABLE. A change-triggered item becomes rows of
//! the same tables `posture check` reads, and only the resource it names is evaluated; tables the
//! item does not fill (the role behind an instance profile) are looked up in [`Lookups`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::error::DataFusionError;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::TaskContext;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{Expr, LogicalPlan, TableProviderFilterPushDown, TableType};
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType, reset_plan_states};
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, execute_stream,
};
use datafusion::prelude::SessionContext;
use posture_queries::{Control, Finding, Trigger};
use posture_sql::inventory::InventoryBuilder;
use posture_sql::live::{Fetches, Live, LiveError, LiveOptions, Notice, RunCache};
use posture_sql::tables::TABLES;
use posture_sql::{Inventory, Table};
use serde_json::Value;
use tokio::sync::OnceCell;

use posture_queries::mute::Mutes;

use crate::{ComplianceType, ConfigEvent, Error, Evaluation, MessageType};

/// Where the resources beyond a configuration item come from, and the session change
/// notifications are evaluated in: built at the first and kept by the container, each control's
/// query planned once in it ([`Container`]).
pub struct Lookups {
    source: Arc<Source>,
    container: tokio::sync::Mutex<Option<Container>>,
    /// The mutes in force: applied to every finding before it becomes an evaluation.
    mutes: std::sync::RwLock<Arc<Mutes>>,
}

enum Source {
    /// An offline inventory (`posture rules eval --inventory`).
    Inventory(Arc<Inventory>),
    /// Live AWS, connected when a control first needs it and kept: once per Lambda container.
    /// What it fetches is not: each evaluation fetches anew (once per table and request).
    Live {
        options: LiveOptions,
        live: OnceCell<Arc<Live>>,
    },
}

/// No resources beyond the item.
impl Default for Lookups {
    fn default() -> Lookups {
        Lookups::inventory(Arc::default())
    }
}

impl Lookups {
    pub fn inventory(inventory: Arc<Inventory>) -> Lookups {
        Lookups::of(Source::Inventory(inventory))
    }

    pub fn live(options: LiveOptions) -> Lookups {
        Lookups::of(Source::Live {
            options,
            live: OnceCell::new(),
        })
    }

    fn of(source: Source) -> Lookups {
        Lookups {
            source: Arc::new(source),
            container: tokio::sync::Mutex::new(None),
            mutes: Default::default(),
        }
    }

    /// The mutes from now on (the Lambda reads them afresh for each invocation).
    pub fn set_mutes(&self, mutes: Mutes) {
        *self.mutes.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(mutes);
    }

    fn mutes(&self) -> Arc<Mutes> {
        self.mutes.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The warnings live lookups gave since last asked (a column left null when AWS answered
    /// 5xx), each once, for the function's log; the debug notices are dropped.
    pub fn take_warnings(&self) -> Vec<String> {
        let Source::Live { live, .. } = &*self.source else {
            return Vec::new();
        };
        let notices = live
            .get()
            .map(|live| live.take_notices())
            .unwrap_or_default();
        notices
            .into_iter()
            .filter_map(|notice| match notice {
                Notice::Warning(text) => Some(text),
                Notice::Debug(_) => None,
            })
            .collect()
    }

    /// Builds the container's session now, not at the first event: what the Lambda does while
    /// its AWS clients are built on another thread.
    pub async fn prepare(&self) -> Result<(), Error> {
        self.built(&mut *self.container.lock().await).map(|_| ())
    }

    /// The container's session, built at the first call.
    fn built<'a>(&self, slot: &'a mut Option<Container>) -> Result<&'a mut Container, Error> {
        Ok(match slot {
            Some(container) => container,
            None => slot.insert(Container::new(self.source.clone())?),
        })
    }

    /// The findings of `control` over `item` and the lookups, in the container's session: one
    /// invocation at a time, the control's plan made at its first and reused.
    async fn findings_for_item(
        &self,
        control: &Control,
        item: Arc<Inventory>,
        params: &HashMap<String, String>,
        as_of_micros: i64,
    ) -> Result<Vec<posture_queries::Finding>, Error> {
        let lookups = reads_lookups(control, &item)?;
        if lookups {
            self.source.connect().await?;
        }
        let mut slot = self.container.lock().await;
        let container = self.built(&mut slot)?;
        container.begin(Invocation {
            item,
            run: Arc::new(RunCache::default()),
            lookups,
        });
        let findings = container
            .findings(control, params, as_of_micros)
            .await
            .map_err(lookup_error);
        container.end();
        findings
    }
}

impl Source {
    /// Connects to AWS, once per container (live lookups only).
    async fn connect(&self) -> Result<(), Error> {
        if let Source::Live { options, live } = self {
            live.get_or_try_init(|| async { Live::connect(options.clone()).await.map(Arc::new) })
                .await
                .map_err(|e| Error::Lookup(format!("connecting to AWS: {e}")))?;
        }
        Ok(())
    }

    /// `table` for one invocation, once [`Self::connect`]ed: live scans share `run`'s fetches.
    fn table(&self, table: &'static Table, run: &Arc<RunCache>) -> Arc<dyn TableProvider> {
        match self {
            Source::Inventory(inventory) => {
                posture_sql::session::inventory_table(table, inventory.clone())
            }
            Source::Live { live, .. } => {
                let live = live.get().expect("connected before the scan").clone();
                posture_sql::live::live_table(table, live, Fetches::Run(run.clone()))
            }
        }
    }
}

/// Whether `control`, over `item`, reads tables the item does not fill: only then are the
/// lookups touched (no AWS connection otherwise).
fn reads_lookups(control: &Control, item: &Inventory) -> Result<bool, Error> {
    Ok(control.tables()?.iter().any(|t| !fills(item, t)))
}

fn fills(item: &Inventory, table: &str) -> bool {
    posture_sql::tables::table(table)
        .is_some_and(|t| t.kinds.iter().any(|k| !item.of(*k).is_empty()))
}

/// The container's session. Its tables read, at each scan, the invocation in hand: the item's
/// rows for a table the item fills (or when the control reads nothing beyond the item), else
/// the lookups. Planning reads no rows, so a control's plans serve every invocation: its logical
/// plan is made once, its physical plan once per bound values and reset for each run. The
/// session makes no dynamic filters, the one state a reset would keep (DataFusion's
/// `reset_plan_states`), and runs in one partition: an invocation's rows are few, and a scan
/// whose size planning cannot know got a round-robin repartition whose tasks cost two thirds
/// of an event's run (BENCHMARKS.md, lambda).
struct Container {
    ctx: SessionContext,
    /// The session's state and task context, copied once (each copy clones every function).
    state: SessionState,
    task: Arc<TaskContext>,
    invocation: Arc<Mutex<Option<Invocation>>>,
    plans: HashMap<String, ControlPlans>,
}

struct ControlPlans {
    logical: LogicalPlan,
    /// The physical plan for the values last bound: one for every event of a control without
    /// `$as_of`, one per capture time for one with it.
    physical: Option<(Vec<(String, ScalarValue)>, Arc<dyn ExecutionPlan>)>,
}

#[derive(Clone)]
struct Invocation {
    item: Arc<Inventory>,
    /// Fetches shared by the invocation's scans, and by nothing after it: verdicts never go
    /// stale.
    run: Arc<RunCache>,
    lookups: bool,
}

impl Container {
    fn new(source: Arc<Source>) -> Result<Container, Error> {
        let ctx = posture_sql::session::bare_session();
        {
            let state = ctx.state_ref();
            let mut state = state.write();
            let options = state.config_mut().options_mut();
            options
                .set(
                    "datafusion.optimizer.enable_dynamic_filter_pushdown",
                    "false",
                )
                .map_err(posture_sql::Error::from)?;
            options.execution.target_partitions = 1;
        }
        let invocation = Arc::new(Mutex::new(None));
        for table in TABLES {
            let provider = InvocationTable {
                table,
                source: source.clone(),
                invocation: invocation.clone(),
            };
            ctx.register_table(table.name, Arc::new(provider))
                .map_err(posture_sql::Error::from)?;
        }
        Ok(Container {
            state: ctx.state(),
            task: ctx.task_ctx(),
            ctx,
            invocation,
            plans: HashMap::new(),
        })
    }

    fn begin(&self, invocation: Invocation) {
        *self.invocation.lock().expect("not poisoned") = Some(invocation);
    }

    /// Drops the invocation's item and fetches.
    fn end(&self) {
        *self.invocation.lock().expect("not poisoned") = None;
    }

    /// The findings of `control` over the invocation begun: its plan reused, each scan given
    /// the invocation's rows before any runs (a live run's fetches are planned together).
    async fn findings(
        &mut self,
        control: &Control,
        params: &HashMap<String, String>,
        as_of_micros: i64,
    ) -> Result<Vec<posture_queries::Finding>, posture_queries::Error> {
        let values = control.bound(params, as_of_micros)?;
        let plans = match self.plans.entry(control.id.clone()) {
            Entry::Occupied(plans) => plans.into_mut(),
            Entry::Vacant(entry) => entry.insert(ControlPlans {
                logical: control.plan(&self.ctx).await?,
                physical: None,
            }),
        };
        let plan = match &plans.physical {
            Some((bound, plan)) if *bound == values => {
                reset_plan_states(plan.clone()).map_err(|e| control.query_error(e))?
            }
            _ => {
                let plan = control
                    .physical_plan(&self.state, &plans.logical, values.clone())
                    .await?;
                plans.physical = Some((values, plan.clone()));
                plan
            }
        };
        let mut scans = Vec::new();
        plan.apply(|node| {
            if let Some(scan) = node.downcast_ref::<InvocationScan>() {
                scans.push(scan);
            }
            Ok(TreeNodeRecursion::Continue)
        })
        .map_err(|e| control.query_error(e))?;
        let findings = async {
            for scan in &scans {
                scan.prepare(&self.state)
                    .await
                    .map_err(|e| control.query_error(e))?;
            }
            control
                .stream_physical(plan.clone(), self.task.clone())?
                .all()
                .await
        }
        .await;
        scans.iter().for_each(|scan| scan.release());
        findings
    }
}

/// A table of the container's session ([`Container`]).
#[derive(Clone)]
struct InvocationTable {
    table: &'static Table,
    source: Arc<Source>,
    invocation: Arc<Mutex<Option<Invocation>>>,
}

impl std::fmt::Debug for InvocationTable {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "InvocationTable({})", self.table.name)
    }
}

#[async_trait::async_trait]
impl TableProvider for InvocationTable {
    fn schema(&self) -> SchemaRef {
        self.table.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Inexact: the plan keeps every filter, whichever source a scan reads.
    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let schema = match projection {
            Some(columns) => Arc::new(self.schema().project(columns)?),
            None => self.schema(),
        };
        Ok(Arc::new(InvocationScan {
            table: self.clone(),
            projection: projection.cloned(),
            filters: filters.to_vec(),
            limit,
            properties: Arc::new(PlanProperties::new(
                EquivalenceProperties::new(schema),
                Partitioning::UnknownPartitioning(1),
                EmissionType::Incremental,
                Boundedness::Bounded,
            )),
            scan: Mutex::new(None),
        }))
    }
}

/// A scan of an [`InvocationTable`], kept in the container's plans: before each run it is given
/// the scan of the invocation's source ([`Self::prepare`]), which it runs as one partition.
#[derive(Debug)]
struct InvocationScan {
    table: InvocationTable,
    projection: Option<Vec<usize>>,
    filters: Vec<Expr>,
    limit: Option<usize>,
    properties: Arc<PlanProperties>,
    scan: Mutex<Option<Arc<dyn ExecutionPlan>>>,
}

impl InvocationScan {
    /// Scans the invocation's source: the item, or the lookups.
    async fn prepare(&self, session: &dyn Session) -> datafusion::error::Result<()> {
        let table = &self.table;
        let Some(now) = table.invocation.lock().expect("not poisoned").clone() else {
            return Err(DataFusionError::Internal(format!(
                "{} scanned outside an invocation",
                table.table.name
            )));
        };
        let provider = if !now.lookups || fills(&now.item, table.table.name) {
            posture_sql::session::inventory_table(table.table, now.item)
        } else {
            table.source.table(table.table, &now.run)
        };
        let scan = provider
            .scan(session, self.projection.as_ref(), &self.filters, self.limit)
            .await?;
        *self.scan.lock().expect("not poisoned") = Some(scan);
        Ok(())
    }

    /// Drops the invocation's scan (its rows and fetches).
    fn release(&self) {
        *self.scan.lock().expect("not poisoned") = None;
    }
}

impl DisplayAs for InvocationScan {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "InvocationScan: {}", self.table.table.name)
    }
}

impl ExecutionPlan for InvocationScan {
    fn name(&self) -> &str {
        "InvocationScan"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> datafusion::error::Result<TreeNodeRecursion>,
    ) -> datafusion::error::Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    /// A leaf: itself, so a reset plan keeps its scans.
    fn with_new_children(
        self: Arc<Self>,
        _: Vec<Arc<dyn ExecutionPlan>>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> datafusion::error::Result<SendableRecordBatchStream> {
        let Some(scan) = self.scan.lock().expect("not poisoned").clone() else {
            return Err(DataFusionError::Internal(format!(
                "{} run before it was prepared",
                self.table.table.name
            )));
        };
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "{} has one partition, not {}",
                self.table.table.name,
                partition + 1
            )));
        }
        execute_stream(scan, context)
    }
}

fn text<'a>(item: &'a Value, field: &str) -> &'a str {
    item.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// The evaluations for `event`, with the control it names (or `override_id`). An oversized
/// notification must first get its item ([`ConfigEvent::with_item`]).
pub async fn evaluate(
    event: &ConfigEvent,
    override_id: Option<&str>,
    lookups: &Lookups,
) -> Result<Vec<Evaluation>, Error> {
    let (control, params) = event.control(override_id)?;
    // Bad parameters are the rule's error, before anything is evaluated.
    control.bind(&params, 0)?;
    match event.message_type {
        MessageType::Scheduled => periodic(event, control, &params, lookups).await,
        MessageType::Oversized => {
            let summary = event.item()?;
            Err(Error::NeedsAws(format!(
                "{} {}: an oversized notification carries only a summary; the item comes from GetResourceConfigHistory",
                text(summary, "resourceType"),
                text(summary, "resourceId")
            )))
        }
        MessageType::Change => change(event, control, &params, lookups).await,
    }
}

/// The evaluations for `event`: the one path of the Lambda's change notifications and of
/// `posture rules eval`. The rule is checked first; then an oversized notification gets its item
/// from AWS Config (the client `config` makes, asked for only then) and [`evaluate`] runs.
pub async fn evaluate_fetching(
    event: &ConfigEvent,
    override_id: Option<&str>,
    lookups: &Lookups,
    config: impl AsyncFnOnce() -> aws_sdk_config::Client,
) -> Result<Vec<Evaluation>, Error> {
    if event.message_type != MessageType::Oversized {
        return evaluate(event, override_id, lookups).await;
    }
    // A bad rule fails before any AWS call.
    let (control, params) = event.control(override_id)?;
    control.bind(&params, 0)?;
    let item = crate::config_api::oversized_item(&config().await, event.item()?).await?;
    evaluate(&event.with_item(item), override_id, lookups).await
}

async fn change(
    event: &ConfigEvent,
    control: &Control,
    params: &HashMap<String, String>,
    lookups: &Lookups,
) -> Result<Vec<Evaluation>, Error> {
    let item = event.item()?;
    let (resource_type, resource_id) = (text(item, "resourceType"), text(item, "resourceId"));
    if resource_type.is_empty() || resource_id.is_empty() {
        return Err(Error::Event(
            "the configuration item has no resourceType or resourceId".into(),
        ));
    }
    let captured = text(item, "configurationItemCaptureTime").to_string();
    if control.depends_on.iter().any(|t| t == resource_type) {
        return dependency_changed(event, control, params, lookups, &captured).await;
    }
    let not_applicable = |why: String| Evaluation {
        compliance_resource_type: resource_type.to_string(),
        compliance_resource_id: resource_id.to_string(),
        compliance_type: ComplianceType::NotApplicable,
        annotation: posture_queries::shorten(&why),
        ordering_timestamp: captured.clone(),
    };
    let status = text(item, "configurationItemStatus");
    if !matches!(status, "OK" | "ResourceDiscovered") {
        return Ok(vec![not_applicable(format!("{resource_id} is {status}."))]);
    }
    if event.event_left_scope {
        return Ok(vec![not_applicable(format!(
            "{resource_id} has left the rule's scope."
        ))]);
    }
    if control.trigger == Trigger::Periodic || control.resource_type != resource_type {
        return Ok(vec![not_applicable(format!(
            "{} evaluates {} resources on a schedule, not {resource_type} changes.",
            control.id, control.resource_type
        ))]);
    }

    let mut builder = InventoryBuilder::default();
    posture_sql::sources::config_item::load(item, Path::new("configurationItem"), &mut builder)?;
    let findings = lookups
        .findings_for_item(
            control,
            Arc::new(builder.finish()),
            params,
            micros(&captured),
        )
        .await?;
    let mine: Vec<Evaluation> = muted(findings, &lookups.mutes(), &captured)
        .into_iter()
        .filter(|f| f.resource_id == resource_id && f.resource_type == resource_type)
        .map(|f| Evaluation::of(f, &captured))
        .collect();
    Ok(if mine.is_empty() {
        vec![not_applicable(format!(
            "{} reports nothing for {resource_id}.",
            control.id
        ))]
    } else {
        mine
    })
}

/// A resource the control's verdicts depend on changed (an instance's role, a security group's
/// network interface), deleted or not: every resource the control judges is evaluated again over
/// the lookups, so each one it feeds gets a fresh verdict. Live lookups read AWS as it is now;
/// an offline inventory gets the item in place of what it holds for that resource.
async fn dependency_changed(
    event: &ConfigEvent,
    control: &Control,
    params: &HashMap<String, String>,
    lookups: &Lookups,
    captured: &str,
) -> Result<Vec<Evaluation>, Error> {
    let merged;
    let lookups = match (&*lookups.source, &event.item) {
        (Source::Inventory(inventory), Some(item)) => {
            let mut builder = InventoryBuilder::default();
            builder.extend(inventory);
            posture_sql::sources::config_item::load(
                item,
                Path::new("configurationItem"),
                &mut builder,
            )?;
            merged = Lookups::inventory(Arc::new(builder.finish()));
            &merged
        }
        _ => lookups,
    };
    let ctx = lookup_session(lookups).await?;
    let findings = control
        .run(&ctx, params, micros(captured))
        .await
        .map_err(lookup_error)?;
    Ok(muted(findings, &lookups.mutes(), captured)
        .into_iter()
        .map(|f| Evaluation::of(f, captured))
        .collect())
}

/// Every resource the control reports, ordered by the notification's time.
async fn periodic(
    event: &ConfigEvent,
    control: &'static Control,
    params: &HashMap<String, String>,
    lookups: &Lookups,
) -> Result<Vec<Evaluation>, Error> {
    let mut run = Periodic::start(event, control, params, lookups).await?;
    let mut evaluations = Vec::new();
    while let Some(more) = run.next().await {
        evaluations.extend(more?);
    }
    evaluations.sort_by(|a, b| a.compliance_resource_id.cmp(&b.compliance_resource_id));
    Ok(evaluations)
}

/// A periodic run's evaluations as the control's query produces them, at most a PutEvaluations
/// batch at a time: what the Lambda reports while the query still runs.
pub struct Periodic {
    findings: posture_queries::Findings<'static>,
    mutes: Arc<Mutes>,
    /// The notification's time: every evaluation's OrderingTimestamp.
    pub time: String,
}

impl Periodic {
    /// Plans the control's query over every resource (nothing is fetched until [`Self::next`]).
    pub async fn start(
        event: &ConfigEvent,
        control: &'static Control,
        params: &HashMap<String, String>,
        lookups: &Lookups,
    ) -> Result<Periodic, Error> {
        let time = event.notification_time.clone().unwrap_or_else(|| {
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
        let ctx = lookup_session(lookups).await?;
        let findings = control
            .stream(&ctx, params, micros(&time))
            .await
            .map_err(lookup_error)?;
        Ok(Periodic {
            findings,
            mutes: lookups.mutes(),
            time,
        })
    }

    /// The next evaluations (at most [`crate::report::BATCH`]); None once the query is done.
    pub async fn next(&mut self) -> Option<Result<Vec<Evaluation>, Error>> {
        let findings = self.findings.next(crate::report::BATCH).await?;
        Some(
            findings
                .map(|f| {
                    muted(f, &self.mutes, &self.time)
                        .into_iter()
                        .map(|f| Evaluation::of(f, &self.time))
                        .collect()
                })
                .map_err(lookup_error),
        )
    }

    /// Resources the query has produced and not yet turned into evaluations.
    pub fn pending(&self) -> usize {
        self.findings.pending()
    }

    /// Whether the query has produced every resource.
    pub fn finished(&self) -> bool {
        self.findings.finished()
    }
}

/// An AWS call that failed under the query is a lookup's failure, not the control's.
fn lookup_error(e: posture_queries::Error) -> Error {
    if let posture_queries::Error::Query { source, .. } = &e
        && let DataFusionError::External(inner) = source.find_root()
        && let Some(aws) = inner.downcast_ref::<LiveError>()
    {
        return Error::Lookup(aws.to_string());
    }
    Error::Control(e)
}

/// `findings` with the mutes in force on `time`'s day applied (the same as `posture check
/// --mute`); what the mutes warn of goes to the function's log.
fn muted(mut findings: Vec<Finding>, mutes: &Mutes, time: &str) -> Vec<Finding> {
    let today = chrono::DateTime::from_timestamp_micros(micros(time))
        .unwrap_or_default()
        .date_naive();
    for warning in mutes.apply(&mut findings, today) {
        eprintln!("warning: {warning}");
    }
    findings
}

fn micros(time: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time)
        .map(|t| t.timestamp_micros())
        .unwrap_or_else(|_| chrono::Utc::now().timestamp_micros())
}

/// A session of its own (a periodic run, a dependency's change): every table reads the
/// lookups, the run's fetches shared by its scans and by nothing after it.
async fn lookup_session(lookups: &Lookups) -> Result<SessionContext, Error> {
    lookups.source.connect().await?;
    let ctx = posture_sql::session::bare_session();
    let run = Arc::new(RunCache::default());
    for table in TABLES {
        ctx.register_table(table.name, lookups.source.table(table, &run))
            .map_err(posture_sql::Error::from)?;
    }
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No change-triggered control's plan in the container repartitions: an event's few rows
    /// get no repartition tasks.
    #[tokio::test]
    async fn a_container_plans_no_repartition_for_an_event() {
        let container = Container::new(Arc::new(Source::Inventory(Arc::default()))).unwrap();
        let controls = posture_queries::catalogue()
            .iter()
            .filter(|c| c.trigger == Trigger::Change);
        for control in controls {
            let logical = control.plan(&container.ctx).await.unwrap();
            let values = control.bound(&HashMap::new(), 0).unwrap();
            let plan = control
                .physical_plan(&container.state, &logical, values)
                .await
                .unwrap();
            plan.apply(|node| {
                assert_ne!(node.name(), "RepartitionExec", "{}", control.id);
                Ok(TreeNodeRecursion::Continue)
            })
            .unwrap();
        }
    }
}
