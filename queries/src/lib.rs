//! The control catalogue: `queries/<service>/<id>.sql`, each a TOML front matter block (the
//! control's metadata) followed by the SQL that is the control's only definition. Compiled in.
//!
//! [`Control::run`] is the one way to evaluate a control, for `posture check` and for the AWS
//! Config rule alike: it binds the parameters as typed values and checks the row contract.
//! [`Control::stream`], which `run` is built on, gives the findings as the query produces them.

pub mod mute;
pub mod views;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::DataFusionError;
use datafusion::execution::session_state::SessionState;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use futures::StreamExt;
use include_dir::{Dir, include_dir};
use posture_sql::udfs::PortSet;
use serde::{Deserialize, Serialize};

pub(crate) static FILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR");

/// Row columns every control query returns, in this order.
pub const ROW_CONTRACT: [&str; 7] = [
    "resource",
    "resource_type",
    "resource_id",
    "status",
    "reason",
    "account_id",
    "region",
];

/// The optional column after the contract's: the resource's tags, which mutes match
/// ([`mute`]).
pub const TAGS_COLUMN: &str = "tags";

/// Row `row` of a tags column as a map (an empty map for a null).
fn tag_map(
    tags: &datafusion::arrow::array::MapArray,
    row: usize,
) -> Result<BTreeMap<String, String>, String> {
    if tags.is_null(row) {
        return Ok(BTreeMap::new());
    }
    let entry = tags.value(row);
    let text = |i: usize| {
        cast(entry.column(i), &DataType::Utf8)
            .map_err(|e| format!("{TAGS_COLUMN} are not text: {e}"))
    };
    let (keys, values) = (text(0)?, text(1)?);
    let (keys, values) = (keys.as_string::<i32>(), values.as_string::<i32>());
    Ok((0..keys.len())
        .map(|i| (keys.value(i).to_string(), values.value(i).to_string()))
        .collect())
}

/// What every AWS Config rule name starts with ([`Control::rule_name`]).
const RULE_PREFIX: &str = "posture-";

/// Reasons, and AWS Config annotations, are at most this many characters (PutEvaluations
/// refuses longer annotations).
pub const REASON_CHARS: usize = 256;

/// The bundled benchmarks.
pub const BENCHMARKS: [&str; 4] = ["fsbp", "cis", "exposure", "all"];

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    #[serde(default)]
    pub id: String,
    /// The folder: ec2, vpc, ebs, iam, cloudtrail, autoscaling.
    #[serde(default)]
    pub service: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    pub trigger: Trigger,
    /// AWS Config resource types, other than `resource_type`, whose changes can change this
    /// control's verdicts (an instance's role, a security group's network interfaces). Its
    /// Config rule is scoped to them too; a change to one re-evaluates what the control judges.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// `fsbp:EC2.8`, `cis:6.7`, `exposure`.
    pub frameworks: Vec<String>,
    pub rationale: String,
    pub remediation: Remediation,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub sql: String,
    /// [`Control::tables`], worked out once.
    #[serde(skip)]
    tables: OnceLock<Result<Vec<&'static str>, String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// AWS Config evaluates the resource when its configuration item changes.
    Change,
    /// AWS Config evaluates on a schedule (the control spans resources).
    Periodic,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub console: String,
    pub cli: String,
    /// An AWS-owned SSM Automation document that fixes a failing resource, for AWS Config
    /// remediation (`cfn/conformance-pack.yaml`).
    #[serde(default)]
    pub ssm_document: Option<String>,
    /// The document's parameter that takes the resource id (none for account-level fixes).
    #[serde(default)]
    pub ssm_resource_parameter: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ParameterType,
    pub default: String,
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterType {
    Int,
    Text,
    /// `80,443,1020-1025`: bound as its canonical text, read by `ports_covered`/`ports_outside`.
    PortList,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Alarm,
    Ok,
    Skip,
    /// An alarm (or an unverified finding) someone accepted: [`Finding::mute`] says why.
    Muted,
}

/// One row of a control's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub control_id: String,
    pub resource: String,
    pub resource_type: String,
    pub resource_id: String,
    pub status: Status,
    pub reason: String,
    pub account_id: String,
    pub region: String,
    /// The evidence the verdict needs was missing, unreadable or contradictory (the row's
    /// status was `unverified`): `skip` here, NON_COMPLIANT in AWS Config, never ok.
    pub unverified: bool,
    /// The mute in force for it ([`mute::Mutes::apply`]); its status is then `muted`.
    pub mute: Option<mute::Mute>,
    /// The resource's tags, when the control returns them (the optional `tags` column).
    #[serde(skip)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// A control's findings while its query runs ([`Control::stream`]): rows are read into findings
/// (and checked against the row contract) only when asked for.
pub struct Findings<'a> {
    control: &'a Control,
    /// None once the query has produced its last row.
    stream: Option<SendableRecordBatchStream>,
    /// Rows produced and not read yet.
    batch: Option<RecordBatch>,
}

impl Findings<'_> {
    /// The next findings, at most `max`: the rows in hand, else those of the query's next batch.
    /// None when the query is done. Cancel-safe: dropping the future loses no row.
    pub async fn next(&mut self, max: usize) -> Option<Result<Vec<Finding>, Error>> {
        loop {
            if let Some(batch) = self.batch.take() {
                let take = max.min(batch.num_rows());
                if batch.num_rows() > take {
                    self.batch = Some(batch.slice(take, batch.num_rows() - take));
                }
                let mut out = Vec::with_capacity(take);
                return Some(
                    self.control
                        .findings(&batch.slice(0, take), &mut out)
                        .map(|()| out),
                );
            }
            match self.stream.as_mut()?.next().await {
                Some(Ok(batch)) if batch.num_rows() > 0 => self.batch = Some(batch),
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    self.stream = None;
                    return Some(Err(Error::Query {
                        control: self.control.id.clone(),
                        source: e,
                    }));
                }
                None => self.stream = None,
            }
        }
    }

    /// Every finding, sorted: SQL without ORDER BY has no order, and reports and imports
    /// should not churn.
    pub async fn all(mut self) -> Result<Vec<Finding>, Error> {
        let mut findings = Vec::new();
        while let Some(more) = self.next(usize::MAX).await {
            findings.extend(more?);
        }
        findings.sort_by(|a, b| {
            (&a.account_id, &a.region, &a.resource_id, &a.resource).cmp(&(
                &b.account_id,
                &b.region,
                &b.resource_id,
                &b.resource,
            ))
        });
        Ok(findings)
    }

    /// Rows the query has produced that are not read yet.
    pub fn pending(&self) -> usize {
        self.batch.as_ref().map_or(0, RecordBatch::num_rows)
    }

    /// Whether the query has produced all its rows.
    pub fn finished(&self) -> bool {
        self.stream.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown control `{0}`; `posture controls` lists them")]
    UnknownControl(String),
    #[error("unknown benchmark `{0}`; choose one of fsbp, cis, exposure, all")]
    UnknownBenchmark(String),
    #[error("control {control} has no parameter `{name}`{hint}")]
    UnknownParameter {
        control: String,
        name: String,
        hint: String,
    },
    #[error("parameter {control}.{name} = `{value}`: {reason}")]
    BadParameter {
        control: String,
        name: String,
        value: String,
        reason: String,
    },
    #[error("control {control}: {source}")]
    Query {
        control: String,
        source: datafusion::error::DataFusionError,
    },
    #[error("control {control} broke the row contract: {reason}")]
    Contract { control: String, reason: String },
    #[error("control {control}: cannot tell which tables it reads: {reason}")]
    Reads { control: String, reason: String },
    /// A mute file that cannot be read: `FILE:LINE: what`.
    #[error("{0}")]
    Mutes(String),
}

/// Every control, ordered by id.
pub fn catalogue() -> &'static [Control] {
    static CATALOGUE: OnceLock<Vec<Control>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut controls: Vec<Control> = FILES
            .dirs()
            .filter(|d| d.path() != std::path::Path::new("views"))
            .flat_map(|d| d.files())
            .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
            .map(|f| {
                parse(
                    f.path().to_str().unwrap_or_default(),
                    f.contents_utf8().unwrap_or_default(),
                )
                .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        controls.sort_by(|a, b| a.id.cmp(&b.id));
        controls
    })
}

pub fn control(id: &str) -> Result<&'static Control, Error> {
    catalogue()
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::UnknownControl(id.to_string()))
}

/// The controls of a benchmark: `fsbp`, `cis` and `exposure` by framework tag, `all`.
pub fn benchmark(name: &str) -> Result<Vec<&'static Control>, Error> {
    let tagged = |tag: &str| -> Vec<&'static Control> {
        catalogue()
            .iter()
            .filter(|c| {
                c.frameworks
                    .iter()
                    .any(|f| f == tag || f.starts_with(&format!("{tag}:")))
            })
            .collect()
    };
    match name {
        "all" => Ok(catalogue().iter().collect()),
        "fsbp" | "cis" | "exposure" => Ok(tagged(name)),
        other => Err(Error::UnknownBenchmark(other.to_string())),
    }
}

/// `queries/<service>/<id>.sql` → a control: `/* TOML */` then SQL.
pub fn parse(path: &str, text: &str) -> Result<Control, String> {
    let (service, file) = path
        .split_once('/')
        .ok_or_else(|| format!("{path}: controls live in queries/<service>/<id>.sql"))?;
    let id = file.strip_suffix(".sql").unwrap_or(file);
    let body = text
        .trim_start()
        .strip_prefix("/*")
        .ok_or_else(|| format!("{path}: starts with a /* TOML */ metadata block"))?;
    let (front, sql) = body
        .split_once("*/")
        .ok_or_else(|| format!("{path}: the metadata block is not closed with */"))?;
    let mut control: Control =
        toml::from_str(front).map_err(|e| format!("{path}: metadata: {e}"))?;
    control.id = id.to_string();
    control.service = service.to_string();
    control.sql = sql.trim().to_string();
    Ok(control)
}

impl Control {
    /// The tables the control reads, sorted: every table scanned by its logical plan, through
    /// the views it reads (`ec2_instance_exposure` reads the route tables its SQL never names)
    /// and through subqueries. The one answer to "what does this control read", for the IAM
    /// policies of `cfn/`, the Lambda's lookups and the tests.
    pub fn tables(&self) -> Result<Vec<&'static str>, Error> {
        self.tables
            .get_or_init(|| scanned_tables(&self.sql).map_err(|e| e.to_string()))
            .clone()
            .map_err(|reason| Error::Reads {
                control: self.id.clone(),
                reason,
            })
    }

    /// The tables its AWS Config rule looks up beyond the configuration item, sorted: a rule
    /// that runs on a schedule (periodic, or the backstop of one with dependencies) reads
    /// everything the control reads; a change-triggered rule gets an item, which fills the
    /// tables of its kind (as `posture_config_rules::evaluate` loads it), and looks up the others.
    pub fn lookup_tables(&self) -> Result<Vec<&'static str>, Error> {
        let tables = self.tables()?;
        if self.trigger == Trigger::Periodic || !self.depends_on.is_empty() {
            return Ok(tables);
        }
        let mut looked_up = BTreeSet::new();
        for resource_type in self.scope() {
            let kind = posture_sql::Kind::of_config_type(resource_type);
            looked_up.extend(tables.iter().copied().filter(|table| {
                !posture_sql::tables::table(table)
                    .is_some_and(|t| kind.is_some_and(|k| t.kinds.contains(&k)))
            }));
        }
        Ok(looked_up.into_iter().collect())
    }

    /// The resource types its AWS Config rule receives items of: the type it judges and those
    /// its verdict depends on (none for a periodic rule).
    pub fn scope(&self) -> Vec<&str> {
        match self.trigger {
            Trigger::Change => std::iter::once(&self.resource_type)
                .chain(&self.depends_on)
                .map(String::as_str)
                .collect(),
            Trigger::Periodic => Vec::new(),
        }
    }

    /// Its AWS Config rule's name: `vpc_sg_restricted_ssh` → `posture-vpc-sg-restricted-ssh`.
    pub fn rule_name(&self) -> String {
        format!("{RULE_PREFIX}{}", self.id.replace('_', "-"))
    }

    /// The control id a rule name names, the inverse of [`Control::rule_name`]; a bare id
    /// (`vpc_sg_restricted_ssh`) names itself.
    pub fn id_of_rule(rule_name: &str) -> String {
        rule_name
            .strip_prefix(RULE_PREFIX)
            .unwrap_or(rule_name)
            .replace('-', "_")
    }

    /// Typed values for the control's placeholders: defaults, then `overrides` (name → text).
    /// `$as_of` is the time "now" means for the control.
    pub fn bind(
        &self,
        overrides: &HashMap<String, String>,
        as_of_micros: i64,
    ) -> Result<Vec<(String, ScalarValue)>, Error> {
        for name in overrides.keys() {
            if !self.parameters.iter().any(|p| &p.name == name) {
                let names: Vec<&str> = self.parameters.iter().map(|p| p.name.as_str()).collect();
                let hint = if names.is_empty() {
                    " (it takes none)".to_string()
                } else {
                    format!(" (it takes {})", names.join(", "))
                };
                return Err(Error::UnknownParameter {
                    control: self.id.clone(),
                    name: name.clone(),
                    hint,
                });
            }
        }
        let mut values = vec![(
            "as_of".to_string(),
            ScalarValue::TimestampMicrosecond(Some(as_of_micros), Some("UTC".into())),
        )];
        for p in &self.parameters {
            let text = overrides.get(&p.name).unwrap_or(&p.default);
            let bad = |reason: String| Error::BadParameter {
                control: self.id.clone(),
                name: p.name.clone(),
                value: text.clone(),
                reason,
            };
            let value = match p.ty {
                ParameterType::Int => ScalarValue::Int64(Some(
                    text.trim()
                        .parse()
                        .map_err(|_| bad("expected a whole number".into()))?,
                )),
                ParameterType::Text => ScalarValue::Utf8(Some(text.clone())),
                ParameterType::PortList => {
                    ScalarValue::Utf8(Some(PortSet::parse(text).map_err(bad)?.to_spec()))
                }
            };
            values.push((p.name.clone(), value));
        }
        Ok(values)
    }

    /// Runs the control over the session's tables; findings come sorted by account, region and
    /// resource.
    pub async fn run(
        &self,
        ctx: &SessionContext,
        overrides: &HashMap<String, String>,
        as_of_micros: i64,
    ) -> Result<Vec<Finding>, Error> {
        self.stream(ctx, overrides, as_of_micros).await?.all().await
    }

    /// Starts the control over the session's tables: its findings as the query produces them,
    /// unsorted, for callers that report while the query runs (the Config rule Lambda).
    pub async fn stream(
        &self,
        ctx: &SessionContext,
        overrides: &HashMap<String, String>,
        as_of_micros: i64,
    ) -> Result<Findings<'_>, Error> {
        let values = self.bound(overrides, as_of_micros)?;
        views::register_read_by(ctx, &self.sql)
            .await
            .map_err(|e| self.query_error(e))?;
        let frame = ctx.sql(&self.sql).await.map_err(|e| self.query_error(e))?;
        let frame = if values.is_empty() {
            frame
        } else {
            frame
                .with_param_values(values)
                .map_err(|e| self.query_error(e))?
        };
        let stream = frame
            .execute_stream()
            .await
            .map_err(|e| self.query_error(e))?;
        Ok(self.findings_of(stream))
    }

    /// The control's query, analysed and optimised over the session's tables (its views
    /// registered), placeholders unbound: what [`Self::physical_plan`] binds again and again.
    /// The session's tables must read their rows at scan time (the Config rule Lambda's do: it
    /// plans each control once per container).
    pub async fn plan(&self, ctx: &SessionContext) -> Result<LogicalPlan, Error> {
        views::register_read_by(ctx, &self.sql)
            .await
            .map_err(|e| self.query_error(e))?;
        let frame = ctx.sql(&self.sql).await.map_err(|e| self.query_error(e))?;
        frame.into_optimized_plan().map_err(|e| self.query_error(e))
    }

    /// The values of [`Self::bind`] that the control's SQL uses: what a plan from
    /// [`Self::plan`] is bound to.
    pub fn bound(
        &self,
        overrides: &HashMap<String, String>,
        as_of_micros: i64,
    ) -> Result<Vec<(String, ScalarValue)>, Error> {
        Ok(self.used(self.bind(overrides, as_of_micros)?))
    }

    /// A plan from [`Self::plan`] with `values` ([`Self::bound`]) bound, straight to the
    /// physical plan (the logical one is optimised already) in `state`, a snapshot of the
    /// session.
    pub async fn physical_plan(
        &self,
        state: &SessionState,
        plan: &LogicalPlan,
        values: Vec<(String, ScalarValue)>,
    ) -> Result<Arc<dyn ExecutionPlan>, Error> {
        let plan = if values.is_empty() {
            plan.clone()
        } else {
            plan.clone()
                .with_param_values(values)
                .map_err(|e| self.query_error(e))?
        };
        state
            .query_planner()
            .create_physical_plan(&plan, state)
            .await
            .map_err(|e| self.query_error(e))
    }

    /// Runs a physical plan of the control's query ([`Self::physical_plan`]) in `task` (the
    /// session's, made once: making one copies every function of the session).
    pub fn stream_physical(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        task: Arc<TaskContext>,
    ) -> Result<Findings<'_>, Error> {
        let stream = datafusion::physical_plan::execute_stream(plan, task)
            .map_err(|e| self.query_error(e))?;
        Ok(self.findings_of(stream))
    }

    /// The bound values the control's SQL uses.
    fn used(&self, values: Vec<(String, ScalarValue)>) -> Vec<(String, ScalarValue)> {
        values
            .into_iter()
            .filter(|(name, _)| self.sql.contains(&format!("${name}")))
            .collect()
    }

    /// An error of the control's query.
    pub fn query_error(&self, source: DataFusionError) -> Error {
        Error::Query {
            control: self.id.clone(),
            source,
        }
    }

    fn findings_of(&self, stream: SendableRecordBatchStream) -> Findings<'_> {
        Findings {
            control: self,
            stream: Some(stream),
            batch: None,
        }
    }

    /// The batch's rows as findings, read straight from the Arrow columns.
    fn findings(&self, batch: &RecordBatch, out: &mut Vec<Finding>) -> Result<(), Error> {
        let contract = |reason: String| Error::Contract {
            control: self.id.clone(),
            reason,
        };
        let schema = batch.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let tags = match names.split_at_checked(ROW_CONTRACT.len()) {
            Some((head, [])) if head == ROW_CONTRACT => None,
            Some((head, [TAGS_COLUMN])) if head == ROW_CONTRACT => {
                let tags = batch.column(ROW_CONTRACT.len());
                Some(tags.as_map_opt().ok_or_else(|| {
                    contract(format!(
                        "{TAGS_COLUMN} is a {}, not a map",
                        tags.data_type()
                    ))
                })?)
            }
            _ => {
                return Err(contract(format!(
                    "columns are {names:?}, not {ROW_CONTRACT:?} (then optionally {TAGS_COLUMN:?})"
                )));
            }
        };
        let columns = batch.columns()[..ROW_CONTRACT.len()]
            .iter()
            .map(|c| cast(c, &DataType::Utf8))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| contract(format!("columns are not text: {e}")))?;
        let columns: Vec<&StringArray> = columns.iter().map(|c| c.as_string::<i32>()).collect();
        for row in 0..batch.num_rows() {
            let text = |i: usize| -> Result<String, Error> {
                if columns[i].is_null(row) {
                    let id = if columns[2].is_null(row) {
                        "?"
                    } else {
                        columns[2].value(row)
                    };
                    return Err(contract(format!(
                        "{} is null for resource {id}",
                        ROW_CONTRACT[i]
                    )));
                }
                Ok(columns[i].value(row).to_string())
            };
            let (status, unverified) = match text(3)?.as_str() {
                "ok" => (Status::Ok, false),
                "alarm" => (Status::Alarm, false),
                "skip" => (Status::Skip, false),
                "unverified" => (Status::Skip, true),
                other => {
                    return Err(contract(format!(
                        "status `{other}` is not ok, alarm, skip or unverified"
                    )));
                }
            };
            out.push(Finding {
                control_id: self.id.clone(),
                resource: text(0)?,
                resource_type: text(1)?,
                resource_id: text(2)?,
                status,
                reason: shorten(&text(4)?),
                account_id: text(5)?,
                region: text(6)?,
                unverified,
                mute: None,
                tags: tags
                    .map(|t| tag_map(t, row))
                    .transpose()
                    .map_err(contract)?,
            });
        }
        Ok(())
    }

    /// Framework references, e.g. `{"fsbp": ["EC2.8"], "cis": ["6.7"]}`.
    pub fn references(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut refs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &self.frameworks {
            let (framework, id) = f.split_once(':').unwrap_or((f, ""));
            let ids = refs.entry(framework).or_default();
            if !id.is_empty() {
                ids.push(id);
            }
        }
        refs
    }
}

/// The posture tables `sql` scans, planned and optimised (not run) over an empty inventory with
/// the views it reads registered. Planning over in-memory catalogues never waits, so a plain executor suffices
/// (and works inside the Lambda's runtime too).
pub fn scanned_tables(sql: &str) -> datafusion::error::Result<Vec<&'static str>> {
    futures::executor::block_on(async {
        let ctx = posture_sql::session(Arc::new(posture_sql::Inventory::default()))?;
        // Only the views it reads: registering a view plans it, and the exposure view's plan
        // is costly (the Lambda's first change event waits for this).
        views::register_read_by(&ctx, sql).await?;
        // Optimised, as `run` plans it: columns a control never uses (the exposure view's IAM
        // traits, for the reachability controls) are pruned with the scans behind them.
        let state = ctx.state();
        let plan = state.optimize(&state.create_logical_plan(sql).await?)?;
        let mut tables = BTreeSet::new();
        scans(&plan, &mut tables)?;
        Ok(tables.into_iter().collect())
    })
}

/// Adds the tables under `plan` to `out`, looking into views and subqueries.
fn scans(plan: &LogicalPlan, out: &mut BTreeSet<&'static str>) -> datafusion::error::Result<()> {
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            match scan.source.get_logical_plan() {
                Some(view) => scans(&view, out)?,
                None => {
                    let name = scan.table_name.table();
                    let table = posture_sql::tables::TABLES
                        .iter()
                        .find(|t| {
                            t.name == name && scan.table_name.schema().is_none_or(|s| s == "public")
                        })
                        .ok_or_else(|| {
                            DataFusionError::Plan(format!(
                                "it reads {}, which is not one of posture's tables",
                                scan.table_name
                            ))
                        })?;
                    out.insert(table.name);
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(())
}

/// `text` cut to [`REASON_CHARS`], with `…` when cut: every reason and annotation.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(REASON_CHARS) {
        Some(_) => {
            let mut short: String = text.chars().take(REASON_CHARS - 1).collect();
            short.push('…');
            short
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses() {
        assert!(catalogue().len() >= 27);
        assert!(catalogue().iter().all(|c| !c.sql.is_empty()));
    }

    #[test]
    fn front_matter_errors_name_the_file() {
        assert!(
            parse("vpc/x.sql", "select 1")
                .unwrap_err()
                .contains("vpc/x.sql: starts with")
        );
        assert!(
            parse("vpc/x.sql", "/* title = 1")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(
            parse("vpc/x.sql", "/* nope = 1 */ select 1")
                .unwrap_err()
                .starts_with("vpc/x.sql: metadata:")
        );
        assert!(
            parse("x.sql", "/* */")
                .unwrap_err()
                .contains("queries/<service>/<id>.sql")
        );
    }

    #[test]
    fn parameters_bind_typed_or_fail_clearly() {
        let c = control("vpc_sg_restricted_common_ports").unwrap();
        let values = c
            .bind(
                &HashMap::from([("blockedPorts".into(), "3306, 22".into())]),
                0,
            )
            .unwrap();
        assert!(values.contains(&(
            "blockedPorts".into(),
            ScalarValue::Utf8(Some("22,3306".into()))
        )));
        let err = c
            .bind(
                &HashMap::from([("blockedPorts".into(), "22;drop".into())]),
                0,
            )
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "parameter vpc_sg_restricted_common_ports.blockedPorts = `22;drop`: `22;drop` is not a port (0-65535) or a range like 1020-1025"
        );
        let err = control("ec2_instance_stopped_too_long")
            .unwrap()
            .bind(&HashMap::from([("allowedDays".into(), "a week".into())]), 0)
            .unwrap_err();
        assert!(err.to_string().contains("expected a whole number"), "{err}");
        let err = c
            .bind(&HashMap::from([("blockedport".into(), "22".into())]), 0)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "control vpc_sg_restricted_common_ports has no parameter `blockedport` (it takes blockedPorts)"
        );
    }

    #[test]
    fn benchmarks_select_by_tag() {
        assert!(
            benchmark("fsbp")
                .unwrap()
                .iter()
                .all(|c| c.frameworks.iter().any(|f| f.starts_with("fsbp:")))
        );
        assert_eq!(benchmark("all").unwrap().len(), catalogue().len());
        assert!(benchmark("nist").is_err());
    }

    #[test]
    fn a_control_reads_the_tables_of_the_views_it_reads() {
        let reachable = control("ec2_instance_not_internet_reachable").unwrap();
        let tables = reachable.tables().unwrap();
        // Its SQL names only the view; the view reads the routes, ACLs and groups.
        assert!(!reachable.sql.contains("vpc_route"));
        for table in [
            "vpc_route",
            "vpc_network_acl_entry",
            "ec2_security_group_rule",
            "ec2_instance",
        ] {
            assert!(tables.contains(&table), "{table}: {tables:?}");
        }
        assert!(!tables.contains(&"ebs_snapshot"), "{tables:?}");
        assert_eq!(
            control("vpc_sg_restricted_ssh").unwrap().tables().unwrap(),
            ["ec2_security_group", "ec2_security_group_rule"]
        );
    }

    /// A control of `sql`, with minimal metadata.
    fn with_sql(sql: &str) -> Control {
        let meta = "title = \"t\"\nseverity = \"low\"\nresource_type = \"AWS::EC2::Instance\"\ntrigger = \"change\"\nframeworks = []\nrationale = \"r\"\n[remediation]\nconsole = \"c\"\ncli = \"c\"";
        parse("ec2/x.sql", &format!("/* {meta} */ {sql}")).unwrap()
    }

    #[test]
    fn subqueries_count_and_what_is_not_a_table_is_an_error_naming_the_control() {
        let c = with_sql(
            "select instance_id from ec2_instance where exists (select 1 from vpc_route r where r.vpc_id = ec2_instance.vpc_id) and subnet_id in (select subnet_id from vpc_subnet)",
        );
        assert_eq!(
            c.tables().unwrap(),
            ["ec2_instance", "vpc_route", "vpc_subnet"]
        );
        let err = with_sql("select * from ec2_instances")
            .tables()
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("control x: cannot tell which tables it reads:")
                && err.contains("ec2_instances"),
            "{err}"
        );
        let err = with_sql("select table_name from information_schema.tables")
            .tables()
            .unwrap_err()
            .to_string();
        assert!(err.contains("not one of posture's tables"), "{err}");
    }

    #[test]
    fn rule_names_name_their_control() {
        for c in catalogue() {
            assert_eq!(Control::id_of_rule(&c.rule_name()), c.id);
        }
        assert_eq!(
            control("vpc_sg_restricted_ssh").unwrap().rule_name(),
            "posture-vpc-sg-restricted-ssh"
        );
        assert_eq!(
            Control::id_of_rule("vpc_sg_restricted_ssh"),
            "vpc_sg_restricted_ssh"
        );
    }

    #[test]
    fn long_reasons_are_cut_to_256_characters() {
        assert_eq!(shorten(&"x".repeat(300)).chars().count(), 256);
        assert_eq!(shorten("short"), "short");
    }

    /// A change rule hears of changes to the resource types in its scope only: every type whose
    /// items fill a table the control reads is its own or declared in `depends_on`, or a change
    /// to it would leave the verdicts stale until the backstop. (A table its own type fills too,
    /// as both roles and policies fill iam_policy_statement, is taken as read for its own rows.)
    #[test]
    fn change_rules_are_scoped_to_every_recorded_type_they_read() {
        for control in catalogue().iter().filter(|c| c.trigger == Trigger::Change) {
            let scope = control.scope();
            for table in control.tables().unwrap() {
                let kinds = posture_sql::tables::table(table).map_or(&[][..], |t| t.kinds);
                let own = posture_sql::Kind::of_config_type(&control.resource_type);
                if own.is_some_and(|own| kinds.contains(&own)) {
                    continue;
                }
                for resource_type in kinds.iter().filter_map(|k| k.descriptor().config_type) {
                    assert!(
                        scope.contains(&resource_type),
                        "{} reads {table}, filled by {resource_type} items: declare it in depends_on",
                        control.id
                    );
                }
            }
        }
    }
}
