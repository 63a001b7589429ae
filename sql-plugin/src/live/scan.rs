//! The DataFusion side of live tables: which filters become API ids and filters, and a scan
//! that fetches inside its stream, one partition per region. `EXPLAIN` shows what was pushed.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::expr::InList;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown, TableType};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties, SendableRecordBatchStream};

use super::{ec2, ApiRequest, Live};
use crate::inventory::{InventoryBuilder, Kind, Resource};
use crate::table::Table;

/// `ec2_instance` columns → DescribeInstances filters. Ids go through the `instance-id` filter,
/// not the id list: an id list fails with InvalidInstanceID.NotFound in every region that does
/// not hold the instance, a filter just matches nothing.
const INSTANCE_FILTERS: &[(&str, &str)] = &[
    ("instance_id", "instance-id"),
    ("instance_state", "instance-state-name"),
    ("vpc_id", "vpc-id"),
    ("subnet_id", "subnet-id"),
    ("image_id", "image-id"),
    ("instance_type", "instance-type"),
    ("http_tokens", "metadata-options.http-tokens"),
    ("http_endpoint", "metadata-options.http-endpoint"),
];

/// `column = 'v'`, `'v' = column`, `column IN ('a', 'b')`, or an OR of those on one column
/// (DataFusion rewrites short IN lists that way) → (column, values).
fn equality(expr: &Expr) -> Option<(&str, Vec<String>)> {
    let text = |e: &Expr| match e {
        Expr::Literal(v, _) => v.try_as_str().flatten().map(str::to_string),
        _ => None,
    };
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right }) => match (left.as_ref(), right.as_ref()) {
            (Expr::Column(c), v) | (v, Expr::Column(c)) => Some((c.name.as_str(), vec![text(v)?])),
            _ => None,
        },
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Or, right }) => {
            let (a, mut values) = equality(left)?;
            let (b, more) = equality(right)?;
            (a == b).then(|| {
                values.extend(more);
                (a, values)
            })
        }
        Expr::InList(InList { expr, list, negated: false }) => match expr.as_ref() {
            Expr::Column(c) => Some((c.name.as_str(), list.iter().map(text).collect::<Option<Vec<_>>>()?)),
            _ => None,
        },
        _ => None,
    }
}

/// The one place that decides both whether a filter is pushed and what it becomes.
fn push(expr: &Expr, request: &mut ApiRequest) -> bool {
    let Some((column, values)) = equality(expr) else { return false };
    let Some((_, name)) = INSTANCE_FILTERS.iter().find(|(c, _)| *c == column) else { return false };
    request.filters.push((name.to_string(), values));
    true
}

/// The live tables and the resources each reads. Only `ec2_instance` pushes filters down yet.
pub const LIVE_TABLES: &[(&str, Kind)] = &[
    ("ec2_instance", Kind::Instance),
    ("ec2_security_group", Kind::SecurityGroup),
    ("ec2_security_group_rule", Kind::SecurityGroup),
    ("ebs_volume", Kind::Volume),
    ("vpc", Kind::Vpc),
    ("vpc_subnet", Kind::Subnet),
];

pub struct LiveTable {
    table: &'static Table,
    kind: Kind,
    live: Arc<Live>,
}

impl LiveTable {
    pub fn new(table: &'static Table, kind: Kind, live: Arc<Live>) -> Self {
        LiveTable { table, kind, live }
    }

    /// Whether this table's API takes the filter.
    fn pushes(&self, expr: &Expr, request: &mut ApiRequest) -> bool {
        self.kind == Kind::Instance && push(expr, request)
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
    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| if self.pushes(f, &mut ApiRequest::default()) { TableProviderFilterPushDown::Inexact } else { TableProviderFilterPushDown::Unsupported })
            .collect())
    }

    async fn scan(&self, _state: &dyn Session, projection: Option<&Vec<usize>>, filters: &[Expr], limit: Option<usize>) -> Result<Arc<dyn ExecutionPlan>> {
        // Without pushdown, a LIMIT still comes here; only DescribeInstances is asked to honour it.
        let mut request = ApiRequest { limit: limit.filter(|_| self.kind == Kind::Instance), ..ApiRequest::default() };
        for f in filters {
            self.pushes(f, &mut request);
        }
        let schema = match projection {
            Some(p) => Arc::new(self.table.schema().project(p)?),
            None => self.table.schema(),
        };
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(self.live.regions.len()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(Arc::new(LiveScanExec { table: self.table, kind: self.kind, live: self.live.clone(), request, projection: projection.cloned(), schema, properties: Arc::new(properties) }))
    }
}

struct LiveScanExec {
    table: &'static Table,
    kind: Kind,
    live: Arc<Live>,
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
        write!(f, "LiveScanExec: table={}, account={}, regions=[{}]", self.table.name, self.live.account_id, self.live.regions.join(", "))?;
        for (name, values) in &self.request.filters {
            write!(f, ", filter {name}=[{}]", values.join(", "))?;
        }
        if let Some(limit) = self.request.limit {
            write!(f, ", limit={limit}")?;
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

    fn apply_expressions(&self, _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, _children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(&self, partition: usize, _context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let region = self.live.regions.get(partition).cloned().ok_or_else(|| DataFusionError::Internal(format!("no partition {partition}")))?;
        let (table, kind, live, request, projection) = (self.table, self.kind, self.live.clone(), self.request.clone(), self.projection.clone());
        let batch = async move { fetch(table, kind, &live, &region, &request, projection.as_deref()).await };
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), futures::stream::once(batch))))
    }
}

/// One region's rows: call the API (without filters the endpoint rejected before),
/// map to canonical resources, and build the table's batch from them.
async fn fetch(table: &'static Table, kind: Kind, live: &Live, region: &str, request: &ApiRequest, projection: Option<&[usize]>) -> Result<RecordBatch> {
    let client = live.ec2(region);
    let request = live.accepted(request);
    let result = match kind {
        Kind::Instance => instances(&client, live, region, &request).await,
        other => ec2::describe(&client, other).await,
    };
    let resources = match result {
        Ok(resources) => resources,
        Err(e) if e.is_access() && !live.strict => {
            eprintln!("warning: {}/{region}: {e}; skipped (--strict makes this an error)", live.account_id);
            Vec::new()
        }
        Err(e) => return Err(DataFusionError::External(format!("{}/{region}: {e}", live.account_id).into())),
    };
    let mut builder = InventoryBuilder::default();
    for resource in resources {
        builder.add(Resource::new(kind, &live.account_id, region, resource));
    }
    let batch = table.batch(&builder.finish()).map_err(|e| DataFusionError::External(Box::new(e)))?;
    Ok(match projection {
        Some(p) => batch.project(p)?,
        None => batch,
    })
}

/// DescribeInstances with the pushed filters, and once more without them if the endpoint
/// rejects them (then never sent again on this connection).
async fn instances(client: &aws_sdk_ec2::Client, live: &Live, region: &str, request: &ApiRequest) -> std::result::Result<Vec<serde_json::Value>, super::LiveError> {
    let result = match ec2::describe_instances(client, request).await {
        Err(e) if !request.filters.is_empty() && e.rejects_filter() => {
            if std::env::var_os("POSTURE_DEBUG").is_some() {
                eprintln!("debug: {region}: DescribeInstances rejected the filters ({e}); fetching unfiltered from now on, the engine filters");
            }
            live.reject(request);
            ec2::describe_instances(client, &ApiRequest { filters: Vec::new(), ..request.clone() }).await
        }
        other => other,
    };
    result.map(|(instances, _pages)| instances)
}

/// A table that cannot be read live yet: says so instead of returning nothing.
pub struct NotLiveYet(pub &'static Table);

impl fmt::Debug for NotLiveYet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NotLiveYet({})", self.0.name)
    }
}

#[async_trait]
impl TableProvider for NotLiveYet {
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(&self, _: &dyn Session, _: Option<&Vec<usize>>, _: &[Expr], _: Option<usize>) -> Result<Arc<dyn ExecutionPlan>> {
        Err(DataFusionError::Plan(format!("table {} is not available from live AWS yet; query it offline with --inventory PATH or --demo", self.0.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    #[test]
    fn equality_and_in_lists_become_api_filters() {
        let mut r = ApiRequest::default();
        assert!(push(&col("instance_id").in_list(vec![lit("i-1"), lit("i-2")], false), &mut r));
        assert!(push(&lit("optional").eq(col("http_tokens")), &mut r));
        assert!(push(&col("instance_state").eq(lit("running")), &mut r));
        assert!(push(&col("vpc_id").eq(lit("vpc-1")).or(col("vpc_id").eq(lit("vpc-2"))), &mut r));
        assert_eq!(r.filters, [("instance-id".to_string(), vec!["i-1".to_string(), "i-2".to_string()]), ("metadata-options.http-tokens".to_string(), vec!["optional".to_string()]), ("instance-state-name".to_string(), vec!["running".to_string()]), ("vpc-id".to_string(), vec!["vpc-1".to_string(), "vpc-2".to_string()])]);
    }

    #[test]
    fn other_predicates_stay_in_the_engine() {
        let mut r = ApiRequest::default();
        assert!(!push(&col("instance_type").not_eq(lit("t3.micro")), &mut r));
        assert!(!push(&col("key_name").eq(lit("k")), &mut r));
        assert!(!push(&col("instance_id").in_list(vec![lit("i-1")], true), &mut r));
        assert!(!push(&col("vpc_id").eq(lit("vpc-1")).or(col("subnet_id").eq(lit("s-1"))), &mut r));
        assert_eq!(r, ApiRequest::default());
    }
}
