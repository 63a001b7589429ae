use super::prelude::*;

pub static TABLE: Table = Table {
    name: "iam_policy_statement",
    description: "IAM policy statements, one row per statement of every managed policy's default version and every role inline policy. Action lists are normalised: always lists, lower-cased.",
    kinds: &[Kind::Policy, Kind::Role],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| {
        let mut out = Vec::new();
        for p in inv.of(Kind::Policy) {
            if let Ok(doc) = super::iam_policy::default_document(&p.data) {
                let owner = json!({"PolicyArn": p.data.str_at("Arn"), "PolicyName": p.data.str_at("PolicyName"), "PolicyType": "managed"});
                push_statements(&mut out, p, owner, doc);
            }
        }
        for role in inv.of(Kind::Role) {
            for inline in role
                .data
                .at("RolePolicyList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Ok(doc) = super::iam_policy::readable(inline.at("PolicyDocument")) {
                    let owner = json!({"PolicyName": inline.str_at("PolicyName"), "PolicyType": "inline", "RoleName": role.data.str_at("RoleName"), "RoleArn": role.data.str_at("Arn")});
                    push_statements(&mut out, role, owner, doc);
                }
            }
        }
        out
    },
    columns: &[
        col(
            "policy_arn",
            Text,
            "The managed policy (null for inline policies).",
            |r| r.item.text("PolicyArn"),
        ),
        col(
            "policy_name",
            Text,
            "The managed or inline policy name.",
            |r| r.item.text("PolicyName"),
        ),
        col("policy_type", Text, "`managed` or `inline`.", |r| {
            r.item.text("PolicyType")
        }),
        col(
            "is_aws_managed",
            Bool,
            "Whether the policy is AWS managed.",
            |r| Cell::Bool(r.item.str_at("PolicyArn").is_some_and(is_aws_managed)),
        ),
        col(
            "role_name",
            Text,
            "For inline policies: the role that embeds it.",
            |r| r.item.text("RoleName"),
        ),
        col(
            "role_arn",
            Text,
            "For inline policies: the role's ARN.",
            |r| r.item.text("RoleArn"),
        ),
        col(
            "statement_index",
            Int,
            "Position of the statement in the document, from 0.",
            |r| r.item.int("Index"),
        ),
        col("sid", Text, "The statement id.", |r| {
            r.item.text("Statement.Sid")
        }),
        col("effect", Text, "`Allow` or `Deny`.", |r| {
            r.item.text("Statement.Effect")
        }),
        col(
            "actions",
            TextList,
            "Action, as a lower-cased list (`*`, `s3:*`, `ec2:describeinstances`).",
            |r| lower_list(r.item.at("Statement.Action")),
        ),
        col(
            "not_actions",
            TextList,
            "NotAction, as a lower-cased list.",
            |r| lower_list(r.item.at("Statement.NotAction")),
        ),
        col("resources", TextList, "Resource, as a list.", |r| {
            Cell::TextList(one_or_many(r.item.at("Statement.Resource")))
        }),
        col("not_resources", TextList, "NotResource, as a list.", |r| {
            Cell::TextList(one_or_many(r.item.at("Statement.NotResource")))
        }),
        col("condition", Json, "The Condition block, if any.", |r| {
            r.item.json("Statement.Condition")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};

fn push_statements<'a>(
    out: &mut Vec<Record<'a>>,
    owner: &'a Resource,
    fields: Value,
    doc: &'a Value,
) {
    let statements: Vec<&Value> = match doc.at("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    let Value::Object(fields) = fields else {
        return;
    };
    for (i, statement) in statements.into_iter().enumerate() {
        let mut item = fields.clone();
        item.insert("Index".into(), json!(i));
        item.insert("Statement".into(), statement.clone());
        out.push(
            Record::new(&owner.account_id, &owner.region, &owner.data)
                .with_owned_item(Value::Object(item)),
        );
    }
}

/// `"x"` or `["x", "y"]` → a list.
fn one_or_many(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(list @ Value::Array(_)) => strings(Some(list), None),
        _ => Vec::new(),
    }
}

fn lower_list(v: Option<&Value>) -> Cell {
    Cell::TextList(
        one_or_many(v)
            .into_iter()
            .map(|a| a.to_ascii_lowercase())
            .collect(),
    )
}
