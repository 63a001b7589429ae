//! A DataFusion session over an inventory: every table registered, each built on first scan.

use std::fmt;
use std::sync::{Arc, OnceLock};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::inventory::Inventory;
use crate::table::Table;
use crate::tables::TABLES;

/// A session with every table of [`TABLES`] over `inventory`, and posture's [`udfs`](crate::udfs).
pub fn session(inventory: Arc<Inventory>) -> Result<SessionContext> {
    let ctx = bare_session();
    for table in TABLES {
        ctx.register_table(table.name, inventory_table(table, inventory.clone()))?;
    }
    Ok(ctx)
}

/// `table` over `inventory`, for sessions that mix sources (a Config item and live lookups).
pub fn inventory_table(table: &'static Table, inventory: Arc<Inventory>) -> Arc<dyn TableProvider> {
    Arc::new(InventoryTable {
        table,
        inventory,
        batch: OnceLock::new(),
    })
}

/// A session with posture's functions and no tables yet.
pub fn bare_session() -> SessionContext {
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_information_schema(true));
    for udf in crate::udfs::all()
        .into_iter()
        .chain(crate::reachability::all())
    {
        ctx.register_udf(udf);
    }
    ctx
}

/// One table over an in-memory inventory; its rows are built once, when first scanned.
struct InventoryTable {
    table: &'static Table,
    inventory: Arc<Inventory>,
    batch: OnceLock<RecordBatch>,
}

impl fmt::Debug for InventoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InventoryTable({})", self.table.name)
    }
}

#[async_trait]
impl TableProvider for InventoryTable {
    fn schema(&self) -> SchemaRef {
        self.table.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let batch = match self.batch.get() {
            Some(b) => b.clone(),
            None => {
                let b = self
                    .table
                    .batch(&self.inventory)
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
                self.batch.get_or_init(|| b).clone()
            }
        };
        let schema = batch.schema();
        Ok(MemorySourceConfig::try_new_exec(
            &[vec![batch]],
            schema,
            projection.cloned(),
        )?)
    }
}
