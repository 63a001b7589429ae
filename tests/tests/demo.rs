//! The bundled demo account: the compiled-in copy equals `demo/` on disk and fills every table.
//! (That every control finds resources both ways in it is checked through `posture check`.)

use std::sync::Arc;

use posture_sql::Inventory;
use posture_sql::tables::TABLES;

use crate::{query, repo};

#[test]
fn the_compiled_in_demo_equals_the_demo_directory() {
    let bundled = Arc::new(Inventory::demo());
    let on_disk = Arc::new(Inventory::load(&repo("demo")).unwrap());
    for table in TABLES {
        let sql = format!("select * from {}", table.name);
        assert_eq!(
            query(&bundled, &sql),
            query(&on_disk, &sql),
            "{}",
            table.name
        );
    }
    assert!(bundled.notes.is_empty(), "{:?}", bundled.notes);
}

#[test]
fn every_table_has_demo_rows_in_two_regions_or_global() {
    let demo = Arc::new(Inventory::demo());
    for table in TABLES {
        let rows = query(
            &demo,
            &format!("select distinct region from {}", table.name),
        );
        let regions: Vec<&str> = rows.iter().map(|r| r["region"].as_str().unwrap()).collect();
        if table.name.starts_with("iam_") {
            assert_eq!(regions, ["global"], "{}", table.name);
        } else {
            assert_eq!(regions.len(), 2, "{}: {regions:?}", table.name);
        }
    }
}
