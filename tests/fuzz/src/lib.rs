//! What the fuzz targets share: every table built over an inventory, the way a query reads it.

use posture_sql::Inventory;
use posture_sql::tables::TABLES;

/// Every table's rows as Arrow batches: each column getter runs over each record. Errors are
/// fine (a cell of the wrong type is reported, not a crash); panics are what the fuzzer finds.
pub fn build_tables(inventory: &Inventory) {
    for table in TABLES {
        let _ = table.batch(inventory);
    }
}
