//! Invariants of the table registry, and generated files kept in sync.

use std::collections::HashSet;

use posture_sql::tables::TABLES;
use posture_sql::ColumnType;

use crate::repo;

#[test]
fn every_table_is_documented_and_located() {
    let mut names = HashSet::new();
    for t in TABLES {
        assert!(names.insert(t.name), "{} is registered twice", t.name);
        assert!(!t.description.is_empty(), "{} has no description", t.name);
        let file = repo(&format!("sql-plugin/src/tables/{}.rs", t.name));
        assert!(file.exists(), "{} is not defined in its own file {file:?}", t.name);
        let mut columns = HashSet::new();
        for c in t.columns {
            assert!(columns.insert(c.name), "{}.{} appears twice", t.name, c.name);
            assert!(c.description.ends_with('.') || c.description.ends_with('…') || c.description.ends_with(')'), "{}.{}: describe it in a sentence", t.name, c.name);
        }
        for required in ["account_id", "region"] {
            assert!(columns.contains(required), "{} has no {required}", t.name);
        }
        assert_eq!(t.columns.last().unwrap().name, "region", "{}: account_id, region come last", t.name);
        if let Some(tags) = t.column("tags") {
            assert_eq!(tags.ty, ColumnType::Tags, "{}.tags is a map", t.name);
        }
    }
    let files = std::fs::read_dir(repo("sql-plugin/src/tables")).unwrap().count();
    assert_eq!(files, TABLES.len() + 1, "one file per table, plus mod.rs");
}

#[test]
fn docs_tables_md_is_generated_from_the_registry() {
    let expected = std::fs::read_to_string(repo("docs/tables.md")).unwrap_or_default();
    let generated = posture_sql::tables::markdown(TABLES);
    if expected != generated {
        std::fs::write(repo("docs/tables.md"), &generated).unwrap();
        panic!("docs/tables.md was stale and has been regenerated; commit it");
    }
}
