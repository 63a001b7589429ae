//! A DataFusion session over an inventory: every table registered, each built on first scan.

use std::fmt;
use std::sync::{Arc, OnceLock};

use arrow::array::ArrayRef;
use arrow::datatypes::SchemaRef;
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
    Arc::new(InventoryTable::new(table, inventory))
}

/// The catalog the tables are in: the database name Postgres clients see (`posture serve`).
pub const CATALOG: &str = "posture";

/// A session with posture's functions and no tables yet.
pub fn bare_session() -> SessionContext {
    let ctx = SessionContext::new_with_config(
        SessionConfig::new()
            .with_information_schema(true)
            .with_default_catalog_and_schema(CATALOG, "public"),
    );
    for udf in crate::udfs::all()
        .into_iter()
        .chain(crate::reachability::all())
    {
        ctx.register_udf(udf);
    }
    ctx
}

/// One table over an in-memory inventory; each column is built once, when a scan first reads
/// it (or, after the first build, when any scan asks for one not built yet).
struct InventoryTable {
    table: &'static Table,
    inventory: Arc<Inventory>,
    rows: OnceLock<usize>,
    columns: Vec<OnceLock<ArrayRef>>,
}

impl fmt::Debug for InventoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InventoryTable({})", self.table.name)
    }
}

impl InventoryTable {
    fn new(table: &'static Table, inventory: Arc<Inventory>) -> InventoryTable {
        InventoryTable {
            table,
            inventory,
            rows: OnceLock::new(),
            columns: table.columns.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    fn unbuilt(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.columns.len()).filter(|&i| self.columns[i].get().is_none())
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
        let indices: Vec<usize> = projection
            .cloned()
            .unwrap_or_else(|| (0..self.columns.len()).collect());
        let mut missing: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| self.columns[i].get().is_none())
            .collect();
        if !missing.is_empty() || self.rows.get().is_none() {
            if self.rows.get().is_some() {
                // Asked again for columns not built yet: build every one left in this pass.
                // Each pass reads all the table's resources (frozen ones parsed again), and a
                // view or a run of controls asks under many projections; so at most two passes.
                missing = self.unbuilt().collect();
            }
            let (rows, arrays) = self
                .table
                .arrays(&self.inventory, &missing)
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            self.rows.get_or_init(|| rows);
            for (i, array) in missing.into_iter().zip(arrays) {
                self.columns[i].get_or_init(|| array);
            }
        }
        let arrays = indices
            .iter()
            .map(|&i| self.columns[i].get().expect("built above").clone())
            .collect();
        let schema = Arc::new(self.table.schema().project(&indices)?);
        let rows = *self.rows.get().expect("set above");
        let batch = crate::table::batch_of(schema.clone(), arrays, rows)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        Ok(MemorySourceConfig::try_new_exec(
            &[vec![batch]],
            schema,
            None,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::table;

    /// A session's first scan builds only the columns it reads; a second scan that reads a
    /// column not built yet builds all the rest, so that no third pass over the resources is
    /// needed whatever the later projections.
    #[tokio::test]
    async fn a_table_passes_over_its_resources_at_most_twice() {
        let ctx = bare_session();
        let provider =
            InventoryTable::new(table("ec2_instance").unwrap(), Arc::new(Inventory::demo()));
        let state = ctx.state();
        let built = |p: &InventoryTable| p.columns.len() - p.unbuilt().count();
        provider
            .scan(&state, Some(&vec![0]), &[], None)
            .await
            .unwrap();
        assert_eq!(built(&provider), 1);
        provider
            .scan(&state, Some(&vec![0]), &[], None)
            .await
            .unwrap();
        assert_eq!(
            built(&provider),
            1,
            "a scan of built columns builds nothing"
        );
        provider
            .scan(&state, Some(&vec![1]), &[], None)
            .await
            .unwrap();
        assert_eq!(built(&provider), provider.columns.len());
    }
}
