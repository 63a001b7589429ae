//! The table model: a table is a name, documented columns, a function that turns an
//! [`Inventory`] into records, and what it asks the AWS API for when read live. Each column
//! reads one [`Cell`] from a record, so a table's definition is one list of
//! `(name, type, description, getter)` lines.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, MapBuilder,
    MapFieldNames, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::compute::concat;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use serde_json::Value;

use crate::Error;
use crate::inventory::{Inventory, Kind};
use crate::value::Cell;

/// How many frozen resources a table builds at a time ([`Table::arrays`]).
pub(crate) const PART_SIZE: usize = 4096;

/// One SQL table.
pub struct Table {
    pub name: &'static str,
    pub description: &'static str,
    pub columns: &'static [Column],
    /// Every record of this table in the inventory, in a stable order.
    pub records: for<'a> fn(&'a Inventory) -> Vec<Record<'a>>,
    /// The kinds it reads: live, they are fetched together for every scan (and so give the
    /// calls and the IAM actions it needs).
    pub kinds: &'static [Kind],
    /// Column → API filter, for equality and IN on the column.
    pub api_filters: &'static [(&'static str, &'static str)],
    /// One row per listed item, so `LIMIT n` can become `MaxResults` and stop early.
    pub max_results: bool,
    /// Columns that need calls beyond the list (per row, or per region): made only when one of
    /// these is projected or filtered on.
    pub extra_call_columns: &'static [&'static str],
    /// `tags['k'] = 'v'` becomes the API filter `tag:k` (the EC2 Describe calls take them).
    pub tag_filters: bool,
}

/// One documented column and how to read it from a record.
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub description: &'static str,
    pub get: fn(&Record<'_>) -> Cell,
}

/// The column types posture's tables use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Bool,
    Int,
    /// A 64-bit float (scores).
    Float,
    /// Microseconds since the epoch, UTC.
    Timestamp,
    /// A list of strings (ids, CIDRs, normalised IAM actions).
    TextList,
    /// `map<string, string>`: resource tags, `tags['Name']` in SQL.
    Tags,
    /// A JSON document kept as text (IAM policy documents, raw options).
    Json,
}

/// One row's inputs: where it came from, the resource, and (for flattened tables such as
/// security-group rules or policy statements) the sub-item the row is about.
pub struct Record<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub resource: &'a Value,
    pub item: Cow<'a, Value>,
    /// A second resource joined to this one (a snapshot's permissions, a trail's status).
    pub joined: Option<&'a Value>,
}

impl<'a> Record<'a> {
    pub fn new(account_id: &'a str, region: &'a str, resource: &'a Value) -> Self {
        Record {
            account_id,
            region,
            resource,
            item: Cow::Borrowed(&Value::Null),
            joined: None,
        }
    }

    pub fn with_item(mut self, item: &'a Value) -> Self {
        self.item = Cow::Borrowed(item);
        self
    }

    pub fn with_owned_item(mut self, item: Value) -> Self {
        self.item = Cow::Owned(item);
        self
    }

    pub fn with_joined(mut self, joined: Option<&'a Value>) -> Self {
        self.joined = joined;
        self
    }

    pub fn account(&self) -> Cell {
        Cell::Text(self.account_id.to_string())
    }

    pub fn region(&self) -> Cell {
        Cell::Text(self.region.to_string())
    }

    /// `arn:aws:<service>:<region>:<account>:<suffix>` for resources whose AWS output has no ARN.
    pub fn arn(&self, service: &str, suffix: &str) -> Cell {
        Cell::Text(format!(
            "arn:aws:{service}:{}:{}:{suffix}",
            self.region, self.account_id
        ))
    }
}

impl ColumnType {
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Text | ColumnType::Json => DataType::Utf8,
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Int => DataType::Int64,
            ColumnType::Float => DataType::Float64,
            ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            ColumnType::TextList => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
            ColumnType::Tags => tags_builder().finish().data_type().clone(),
        }
    }

    pub fn sql_name(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Json => "text (json)",
            ColumnType::Bool => "boolean",
            ColumnType::Int => "bigint",
            ColumnType::Float => "double",
            ColumnType::Timestamp => "timestamp",
            ColumnType::TextList => "list<text>",
            ColumnType::Tags => "map<text,text>",
        }
    }
}

fn tags_builder() -> MapBuilder<StringBuilder, StringBuilder> {
    let names = MapFieldNames {
        entry: "entries".into(),
        key: "key".into(),
        value: "value".into(),
    };
    MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new())
}

impl Table {
    /// The Arrow schema. Descriptions stay in [`Table`], not in field metadata: DataFusion 55
    /// rejects a union of columns whose metadata differ ("Physical input schema should be the
    /// same as the one converted from logical input schema"), as views over several tables do.
    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(c.name, c.ty.data_type(), true))
            .collect();
        Arc::new(Schema::new(fields))
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// IAM is global: one partition per account.
    pub fn is_global(&self) -> bool {
        self.kinds.iter().any(|k| k.is_global())
    }

    /// The API filter equality on `column` becomes.
    pub fn api_filter(&self, column: &str) -> Option<&'static str> {
        self.api_filters
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, f)| *f)
    }

    /// The IAM actions reading this table live needs, sorted.
    pub fn iam_actions(&self) -> Vec<&'static str> {
        let mut out: Vec<&str> = self
            .kinds
            .iter()
            .flat_map(|k| k.descriptor().iam_actions.iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// All rows of this table in the inventory, as one Arrow batch.
    pub fn batch(&self, inventory: &Inventory) -> Result<RecordBatch, Error> {
        self.projected_batch(inventory, None)
    }

    /// The rows, with only the columns at `projection` (all when None): a query pays for the
    /// columns it reads.
    pub fn projected_batch(
        &self,
        inventory: &Inventory,
        projection: Option<&[usize]>,
    ) -> Result<RecordBatch, Error> {
        let indices: Vec<usize> =
            projection.map_or_else(|| (0..self.columns.len()).collect(), <[usize]>::to_vec);
        let (rows, arrays) = self.arrays(inventory, &indices)?;
        batch_of(Arc::new(self.schema().project(&indices)?), arrays, rows)
    }

    /// The row count and the arrays of the columns at `indices`. A table of one kind (and no
    /// companion) over frozen resources is built a part at a time, so that only one part's
    /// JSON trees are ever in memory; its records read no other kind.
    pub fn arrays(
        &self,
        inventory: &Inventory,
        indices: &[usize],
    ) -> Result<(usize, Vec<ArrayRef>), Error> {
        let parts = match self.kinds {
            [kind] if kind.companion().is_none() => inventory.frozen_parts(*kind, PART_SIZE),
            _ => None,
        };
        let Some(parts) = parts else {
            return self.arrays_of(inventory, indices);
        };
        let mut rows = 0;
        let mut columns: Vec<Vec<ArrayRef>> = vec![Vec::new(); indices.len()];
        for part in parts {
            let (n, arrays) = self.arrays_of(&part, indices)?;
            rows += n;
            columns.iter_mut().zip(arrays).for_each(|(c, a)| c.push(a));
        }
        let arrays = columns
            .iter()
            .map(|parts| concat(&parts.iter().map(AsRef::as_ref).collect::<Vec<_>>()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, arrays))
    }

    fn arrays_of(
        &self,
        inventory: &Inventory,
        indices: &[usize],
    ) -> Result<(usize, Vec<ArrayRef>), Error> {
        let records = (self.records)(inventory);
        let arrays = indices
            .iter()
            .map(|&i| self.build_column(&self.columns[i], &records))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((records.len(), arrays))
    }

    fn build_column(&self, column: &Column, records: &[Record<'_>]) -> Result<ArrayRef, Error> {
        let mismatch = |cell: &Cell| Error::CellType {
            table: self.name,
            column: column.name,
            expected: column.ty,
            got: format!("{cell:?}"),
        };
        macro_rules! scalar {
            ($builder:expr, $variant:ident) => {{
                let mut b = $builder;
                for r in records {
                    match (column.get)(r) {
                        Cell::Null => b.append_null(),
                        Cell::$variant(v) => b.append_value(v),
                        other => return Err(mismatch(&other)),
                    }
                }
                Arc::new(b.finish()) as ArrayRef
            }};
        }
        Ok(match column.ty {
            ColumnType::Text | ColumnType::Json => scalar!(StringBuilder::new(), Text),
            ColumnType::Bool => scalar!(BooleanBuilder::new(), Bool),
            ColumnType::Int => scalar!(Int64Builder::new(), Int),
            ColumnType::Float => scalar!(Float64Builder::new(), Float),
            ColumnType::Timestamp => {
                scalar!(
                    TimestampMicrosecondBuilder::new().with_timezone("UTC"),
                    Timestamp
                )
            }
            ColumnType::TextList => {
                let mut b = ListBuilder::new(StringBuilder::new());
                for r in records {
                    match (column.get)(r) {
                        Cell::Null => b.append_null(),
                        Cell::TextList(items) => {
                            for i in items {
                                b.values().append_value(i);
                            }
                            b.append(true);
                        }
                        other => return Err(mismatch(&other)),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Tags => {
                let mut b = tags_builder();
                for r in records {
                    match (column.get)(r) {
                        Cell::Null => b.append(false)?,
                        Cell::Tags(pairs) => {
                            for (k, v) in pairs {
                                b.keys().append_value(k);
                                b.values().append_value(v);
                            }
                            b.append(true)?;
                        }
                        other => return Err(mismatch(&other)),
                    }
                }
                Arc::new(b.finish())
            }
        })
    }
}

/// A batch of `arrays` under `schema`, with `rows` rows even when no column is read
/// (`count(*)`).
pub fn batch_of(
    schema: SchemaRef,
    arrays: Vec<ArrayRef>,
    rows: usize,
) -> Result<RecordBatch, Error> {
    Ok(RecordBatch::try_new_with_options(
        schema,
        arrays,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )?)
}
