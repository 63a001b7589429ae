//! The tables `posture serve` adds or wraps: the controls as data, and tag maps as JSON text.

use std::fmt::Debug;
use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::json::ReaderBuilder;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use datafusion::prelude::SessionContext;
use futures::StreamExt;

/// `posture_finding`: every control over the session's tables, evaluated at each scan, in the
/// columns of `posture check --output json`. A control that could not be evaluated is one row
/// with the status `error` and why: fail closed, never left out.
pub struct FindingTable {
    /// The source's session (tag maps as maps).
    pub ctx: Arc<SessionContext>,
    pub as_of: i64,
    /// `posture serve --mute`'s, else none: the resources' posture:mute tags still apply.
    pub mutes: Arc<posture_queries::mute::Mutes>,
}

impl Debug for FindingTable {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "FindingTable")
    }
}

fn finding_schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let mut fields = vec![
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
    ];
    fields.extend(crate::check::MUTE_COLUMNS.map(text));
    Arc::new(Schema::new(fields))
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
        let evaluated = selection
            .run(&self.ctx, self.as_of, None, &self.mutes)
            .await;
        for warning in &evaluated.warnings {
            eprintln!("warning: {}", posture_sql::text::escape_control(warning));
        }
        let schema = finding_schema();
        // The rows of `posture check --output json`, the mute flattened into its columns.
        let mut rows: Vec<serde_json::Value> = crate::check::rows(&evaluated.results)
            .iter()
            .map(|row| {
                let columns = schema.fields().iter().map(|f| f.name());
                columns
                    .map(|c| (c.clone(), crate::check::cell(row, c).clone()))
                    .collect::<serde_json::Map<_, _>>()
                    .into()
            })
            .collect();
        for e in &evaluated.failed {
            let posture_queries::Error::Query { control, .. } = e else {
                return Err(DataFusionError::External(e.to_string().into()));
            };
            rows.push(serde_json::json!({
                "control_id": control, "status": "error", "reason": e.to_string(),
            }));
        }
        let batch = batch_of(schema, &rows)?;
        MemTable::try_new(batch.schema(), vec![vec![batch]])?
            .scan(state, projection, filters, limit)
            .await
    }
}

/// `posture_control`: the catalogue.
pub fn control_table() -> Result<MemTable> {
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
pub struct MapsAsJson {
    inner: Arc<dyn TableProvider>,
    schema: SchemaRef,
}

impl MapsAsJson {
    pub fn new(inner: Arc<dyn TableProvider>) -> MapsAsJson {
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
