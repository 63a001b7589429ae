//! Postgres functions clients call on connecting or listing columns, beyond those of
//! datafusion-pg-catalog: answered for a server that defines no types, sequences or
//! defaults of its own.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};
use datafusion::prelude::SessionContext;
use serde_json::Value;

pub fn register(ctx: &SessionContext) {
    // Clients read the server's version here; SQLAlchemy needs it to say PostgreSQL.
    let version = format!(
        "PostgreSQL 16.6 (posture serve {}, Apache DataFusion {})",
        env!("CARGO_PKG_VERSION"),
        datafusion::DATAFUSION_VERSION
    );
    ctx.register_udf(constant(
        "version",
        Vec::new(),
        ScalarValue::Utf8(Some(version)),
    ));
    // psycopg asks for extension types (hstore) by name: none is defined here.
    ctx.register_udf(constant(
        "to_regtype",
        vec![DataType::Utf8],
        ScalarValue::Int32(None),
    ));
    // SQLAlchemy asks for each column's sequence, and lists domains with their constraints
    // and visibility: there are no sequences, domains or constraints, and every type is
    // visible.
    ctx.register_udf(constant(
        "pg_get_serial_sequence",
        vec![DataType::Utf8, DataType::Utf8],
        ScalarValue::Utf8(None),
    ));
    ctx.register_udf(constant(
        "pg_type_is_visible",
        vec![DataType::Int32],
        ScalarValue::Boolean(Some(true)),
    ));
    ctx.register_udf(ScalarUDF::new_from_impl(Constant {
        name: "pg_get_constraintdef",
        signature: Signature::one_of(
            vec![
                TypeSignature::Exact(vec![DataType::Int32]),
                TypeSignature::Exact(vec![DataType::Int32, DataType::Boolean]),
            ],
            Volatility::Immutable,
        ),
        value: ScalarValue::Utf8(None),
    }));
    ctx.register_udf(ScalarUDF::new_from_impl(JsonBuildObject {
        signature: Signature::variadic_any(Volatility::Immutable),
    }));
}

fn constant(name: &'static str, arguments: Vec<DataType>, value: ScalarValue) -> ScalarUDF {
    ScalarUDF::new_from_impl(Constant {
        name,
        signature: Signature::exact(arguments, Volatility::Immutable),
        value,
    })
}

/// A function whose answer is always `value`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Constant {
    name: &'static str,
    signature: Signature,
    value: ScalarValue,
}

impl ScalarUDFImpl for Constant {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> datafusion::error::Result<DataType> {
        Ok(self.value.data_type())
    }

    fn invoke_with_args(&self, _: ScalarFunctionArgs) -> datafusion::error::Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(self.value.clone()))
    }
}

/// `json_build_object(key, value, …)`: a JSON object as text, numbers and booleans as JSON's.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonBuildObject {
    signature: Signature,
}

impl ScalarUDFImpl for JsonBuildObject {
    fn name(&self) -> &str {
        "json_build_object"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> datafusion::error::Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> datafusion::error::Result<ColumnarValue> {
        if args.args.len() % 2 != 0 {
            return exec_err!("json_build_object takes keys and values in pairs");
        }
        let columns = ColumnarValue::values_to_arrays(&args.args)?;
        let texts: Vec<ArrayRef> = columns
            .iter()
            .map(|c| cast(c, &DataType::Utf8))
            .collect::<Result<_, _>>()?;
        let objects: StringArray = (0..args.number_rows)
            .map(|row| {
                let object: serde_json::Map<String, Value> = columns
                    .chunks(2)
                    .zip(texts.chunks(2))
                    .map(|(pair, text)| {
                        let key = text[0].as_string::<i32>();
                        let key = if key.is_null(row) { "" } else { key.value(row) };
                        (key.to_string(), json_value(&pair[1], &text[1], row))
                    })
                    .collect();
                Some(Value::Object(object).to_string())
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(objects)))
    }
}

fn json_value(column: &ArrayRef, text: &ArrayRef, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    let text = text.as_string::<i32>().value(row);
    match column.data_type() {
        DataType::Boolean => Value::Bool(text == "true"),
        t if t.is_numeric() => serde_json::from_str(text).unwrap_or(Value::from(text)),
        _ => Value::from(text),
    }
}
