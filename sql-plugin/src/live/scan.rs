//! The DataFusion side of live tables: which filters become API filters, and a scan that
//! fetches inside its stream, one partition per (account, region). `EXPLAIN` shows what was pushed.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::ScalarValue;
use datafusion::common::runtime::SpawnedTask;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::expr::{InList, ScalarFunction};
use datafusion::logical_expr::{
    BinaryExpr, Expr, Operator, TableProviderFilterPushDown, TableType,
};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};

use super::{ApiRequest, Call, Fetches, Live, LiveError, RunCache, fetch};
use crate::inventory::InventoryBuilder;
use crate::table::Table;

/// `column = 'v'`, `'v' = column`, `column IN ('a', 'b')`, or an OR of those on one column
/// (DataFusion rewrites short IN lists that way) → (column, values). `tags['k'] = 'v'` is the
/// column `tag:k`. Booleans become `true`/`false`, as the EC2 API writes them.
fn equality(expr: &Expr) -> Option<(String, Vec<String>)> {
    let text = |e: &Expr| match e {
        Expr::Literal(ScalarValue::Boolean(Some(b)), _) => Some(b.to_string()),
        Expr::Literal(v, _) => v.try_as_str().flatten().map(str::to_string),
        _ => None,
    };
    let column = |e: &Expr| match e {
        Expr::Column(c) => Some(c.name.clone()),
        Expr::ScalarFunction(ScalarFunction { func, args }) if func.name() == "get_field" => {
            match args.as_slice() {
                [Expr::Column(c), key] if c.name == "tags" => Some(format!("tag:{}", text(key)?)),
                _ => None,
            }
        }
        _ => None,
    };
    match expr {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) => match (column(left), column(right)) {
            (Some(c), None) => Some((c, vec![text(right)?])),
            (None, Some(c)) => Some((c, vec![text(left)?])),
            _ => None,
        },
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Or,
            right,
        }) => {
            let (a, mut values) = equality(left)?;
            let (b, more) = equality(right)?;
            (a == b).then(|| {
                values.extend(more);
                (a, values)
            })
        }
        Expr::InList(InList {
            expr,
            list,
            negated: false,
        }) => Some((
            column(expr)?,
            list.iter().map(text).collect::<Option<Vec<_>>>()?,
        )),
        // `where encrypted`, and `encrypted = false` as DataFusion simplifies it.
        Expr::Column(c) => Some((c.name.clone(), vec!["true".to_string()])),
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Column(c) => Some((c.name.clone(), vec!["false".to_string()])),
            _ => None,
        },
        _ => None,
    }
}

/// The one place that decides both whether a filter is pushed and what it becomes.
fn push(table: &Table, expr: &Expr, request: &mut ApiRequest) -> bool {
    let Some((column, values)) = equality(expr) else {
        return false;
    };
    let name = match column.strip_prefix("tag:") {
        Some(_) if table.tag_filters => column.clone(),
        Some(_) => return false,
        None => match table.api_filter(&column) {
            Some(name) => name.to_string(),
            None => return false,
        },
    };
    request.filters.push((name, values));
    true
}

pub struct LiveTable {
    table: &'static Table,
    live: Arc<Live>,
    fetches: Fetches,
}

impl LiveTable {
    pub fn new(table: &'static Table, live: Arc<Live>, fetches: Fetches) -> Self {
        LiveTable {
            table,
            live,
            fetches,
        }
    }
}

impl fmt::Debug for LiveTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LiveTable({})", self.table.name)
    }
}

#[async_trait]
impl TableProvider for LiveTable {
    fn schema(&self) -> SchemaRef {
        self.table.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Inexact: the engine filters again, so a fallback to unfiltered fetching stays correct.
    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| {
                if push(self.table, f, &mut ApiRequest::default()) {
                    TableProviderFilterPushDown::Inexact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = self.table.schema();
        // Columns used: projected, or read by a filter the engine applies after the scan.
        let mut used: HashSet<String> = match projection {
            Some(p) => p.iter().map(|&i| schema.field(i).name().clone()).collect(),
            None => schema.fields().iter().map(|f| f.name().clone()).collect(),
        };
        let mut request = ApiRequest {
            limit: limit.filter(|_| self.table.max_results),
            ..ApiRequest::default()
        };
        for f in filters {
            push(self.table, f, &mut request);
            used.extend(f.column_refs().into_iter().map(|c| c.name.clone()));
        }
        request.extra = self
            .table
            .extra_call_columns
            .iter()
            .any(|c| used.contains(*c));
        let schema = match projection {
            Some(p) => Arc::new(schema.project(p)?),
            None => schema,
        };
        let cache = self.fetches.run();
        if let Some(cache) = &cache {
            cache.plan(self.table.kinds, &request);
        }
        let partitions = self.live.partitions(self.table.is_global());
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(partitions.len().max(1)),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(Arc::new(LiveScanExec {
            table: self.table,
            live: self.live.clone(),
            cache,
            partitions,
            request,
            projection: projection.cloned(),
            schema,
            properties: Arc::new(properties),
        }))
    }
}

struct LiveScanExec {
    table: &'static Table,
    live: Arc<Live>,
    cache: Option<Arc<RunCache>>,
    partitions: Vec<(usize, String)>,
    request: ApiRequest,
    projection: Option<Vec<usize>>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl fmt::Debug for LiveScanExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LiveScanExec({})", self.table.name)
    }
}

impl DisplayAs for LiveScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let accounts: Vec<&str> = self.live.accounts.iter().map(|a| a.id.as_str()).collect();
        let mut regions: Vec<&str> = self.partitions.iter().map(|(_, r)| r.as_str()).collect();
        regions.sort();
        regions.dedup();
        write!(
            f,
            "LiveScanExec: table={}, accounts=[{}], regions=[{}]",
            self.table.name,
            accounts.join(", "),
            regions.join(", ")
        )?;
        for (name, values) in &self.request.filters {
            write!(f, ", filter {name}=[{}]", values.join(", "))?;
        }
        if let Some(limit) = self.request.limit {
            write!(f, ", limit={limit}")?;
        }
        if self.request.extra {
            write!(
                f,
                ", extra calls for [{}]",
                self.table.extra_call_columns.join(", ")
            )?;
        }
        Ok(())
    }
}

impl ExecutionPlan for LiveScanExec {
    fn name(&self) -> &'static str {
        "LiveScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let Some((account, region)) = self.partitions.get(partition).cloned() else {
            // No account at all (every one was skipped): an empty table.
            return Ok(Box::pin(RecordBatchStreamAdapter::new(
                self.schema.clone(),
                futures::stream::empty(),
            )));
        };
        let (table, live, cache, request, projection) = (
            self.table,
            self.live.clone(),
            self.cache.clone(),
            self.request.clone(),
            self.projection.clone(),
        );
        let fetch = async move {
            live.progress.start(table.name);
            let batch = rows(
                table,
                &live,
                cache.as_deref(),
                account,
                &region,
                &request,
                projection.as_deref(),
            )
            .await;
            live.progress.done();
            batch
        };
        // A task of its own from the first poll: scans with the same request share one fetch
        // (`RunCache`), run by the scan that asked first, and a one-partition plan may stop
        // polling that scan's stream while it waits on another that reads the same fetch.
        let batch = async move {
            SpawnedTask::spawn(fetch)
                .join()
                .await
                .map_err(|e| DataFusionError::ExecutionJoin(Box::new(e)))?
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            futures::stream::once(batch),
        )))
    }
}

/// One partition's rows: fetch the table's resources, build its batch from them.
async fn rows(
    table: &'static Table,
    live: &Live,
    cache: Option<&RunCache>,
    account: usize,
    region: &str,
    request: &ApiRequest,
    projection: Option<&[usize]>,
) -> Result<RecordBatch> {
    let account = &live.accounts[account];
    let call = Call {
        live,
        account,
        region,
    };
    let fetched = match cache {
        Some(cache) => cache.fetch(&call, table.kinds, request).await,
        None => fetch::fetch(&call, table.kinds, request).await,
    };
    let resources = match fetched {
        Ok(resources) => resources,
        Err(e) if e.is_access() && !live.strict => {
            live.skipped(&account.id, region, &e);
            Vec::new()
        }
        Err(e) => {
            // Kept a LiveError, so callers can tell an AWS failure from a query's.
            return Err(DataFusionError::External(Box::new(LiveError {
                message: format!("{}/{region}: {}", account.id, e.message),
                ..e
            })));
        }
    };
    let mut builder = InventoryBuilder::default();
    for resource in resources {
        builder.add(resource);
    }
    table
        .projected_batch(&builder.finish(), projection)
        .map_err(|e| DataFusionError::External(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    fn named(name: &str) -> &'static Table {
        crate::tables::table(name).unwrap()
    }

    fn instances() -> &'static Table {
        named("ec2_instance")
    }

    #[test]
    fn equality_and_in_lists_become_api_filters() {
        let mut r = ApiRequest::default();
        assert!(push(
            instances(),
            &col("instance_id").in_list(vec![lit("i-1"), lit("i-2")], false),
            &mut r
        ));
        assert!(push(
            instances(),
            &lit("optional").eq(col("http_tokens")),
            &mut r
        ));
        assert!(push(
            instances(),
            &col("instance_state").eq(lit("running")),
            &mut r
        ));
        assert!(push(
            instances(),
            &col("vpc_id")
                .eq(lit("vpc-1"))
                .or(col("vpc_id").eq(lit("vpc-2"))),
            &mut r
        ));
        assert_eq!(
            r.filters,
            [
                (
                    "instance-id".to_string(),
                    vec!["i-1".to_string(), "i-2".to_string()]
                ),
                (
                    "metadata-options.http-tokens".to_string(),
                    vec!["optional".to_string()]
                ),
                (
                    "instance-state-name".to_string(),
                    vec!["running".to_string()]
                ),
                (
                    "vpc-id".to_string(),
                    vec!["vpc-1".to_string(), "vpc-2".to_string()]
                )
            ]
        );
        let mut r = ApiRequest::default();
        assert!(push(
            named("ebs_volume"),
            &col("encrypted").eq(lit(false)),
            &mut r
        ));
        assert!(push(named("ebs_volume"), &!col("encrypted"), &mut r));
        assert!(push(named("ec2_image"), &col("is_public"), &mut r));
        assert_eq!(
            r.filters,
            [
                ("encrypted".to_string(), vec!["false".to_string()]),
                ("encrypted".to_string(), vec!["false".to_string()]),
                ("is-public".to_string(), vec!["true".to_string()])
            ]
        );
    }

    #[test]
    fn other_predicates_stay_in_the_engine() {
        let mut r = ApiRequest::default();
        assert!(!push(
            instances(),
            &col("instance_type").not_eq(lit("t3.micro")),
            &mut r
        ));
        assert!(!push(
            instances(),
            &col("platform").eq(lit("windows")),
            &mut r
        ));
        assert!(!push(
            instances(),
            &col("instance_id").in_list(vec![lit("i-1")], true),
            &mut r
        ));
        assert!(!push(
            instances(),
            &col("vpc_id")
                .eq(lit("vpc-1"))
                .or(col("subnet_id").eq(lit("s-1"))),
            &mut r
        ));
        assert!(!push(
            named("iam_role"),
            &col("role_name").eq(lit("admin")),
            &mut r
        ));
        assert_eq!(r, ApiRequest::default());
    }

    /// A table that pushes like a live one and remembers what reached its scan.
    struct Recorder(&'static Table, std::sync::Mutex<ApiRequest>);

    impl fmt::Debug for Recorder {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "Recorder({})", self.0.name)
        }
    }

    #[async_trait]
    impl TableProvider for Recorder {
        fn schema(&self) -> SchemaRef {
            self.0.schema()
        }
        fn table_type(&self) -> TableType {
            TableType::Base
        }
        fn supports_filters_pushdown(
            &self,
            filters: &[&Expr],
        ) -> Result<Vec<TableProviderFilterPushDown>> {
            Ok(filters
                .iter()
                .map(|f| {
                    if push(self.0, f, &mut ApiRequest::default()) {
                        TableProviderFilterPushDown::Inexact
                    } else {
                        TableProviderFilterPushDown::Unsupported
                    }
                })
                .collect())
        }
        async fn scan(
            &self,
            _: &dyn Session,
            projection: Option<&Vec<usize>>,
            filters: &[Expr],
            _: Option<usize>,
        ) -> Result<Arc<dyn ExecutionPlan>> {
            for f in filters {
                push(self.0, f, &mut self.1.lock().unwrap());
            }
            let schema = Arc::new(
                self.schema()
                    .project(projection.map_or(&[][..], |p| p.as_slice()))?,
            );
            Ok(Arc::new(datafusion::physical_plan::empty::EmptyExec::new(
                schema,
            )))
        }
    }

    /// What SQL's WHERE clause becomes once DataFusion has planned it.
    async fn planned(table: &'static str, predicate: &str) -> ApiRequest {
        let ctx = crate::session::bare_session();
        let recorder = Arc::new(Recorder(named(table), Default::default()));
        ctx.register_table(table, recorder.clone()).unwrap();
        ctx.sql(&format!("select * from {table} where {predicate}"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let request = recorder.1.lock().unwrap().clone();
        request
    }

    #[tokio::test]
    async fn tag_lookups_become_tag_filters_on_ec2_tables_only() {
        let r = planned("ec2_instance", "tags['env'] = 'prod'").await;
        assert_eq!(
            r.filters,
            [("tag:env".to_string(), vec!["prod".to_string()])]
        );
        let r = planned("ebs_volume", "tags['team'] in ('a', 'b')").await;
        assert_eq!(
            r.filters,
            [(
                "tag:team".to_string(),
                vec!["a".to_string(), "b".to_string()]
            )]
        );
        assert_eq!(
            planned("iam_role", "tags['env'] = 'prod'").await,
            ApiRequest::default()
        );
    }
}
