use super::prelude::*;

pub static TABLE: Table = Table {
    name: "iam_policy",
    description: "Managed IAM policies, customer and AWS managed when loaded (iam get-account-authorization-details; AWS::IAM::Policy records customer managed ones).",
    kinds: &[Kind::Policy],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &[],
    tag_filters: false,
    records: |inv| each(inv, Kind::Policy),
    columns: &[
        col(
            "policy_name",
            Text,
            "The policy name (from the ARN when the source leaves it out).",
            |r| match r.resource.text("PolicyName") {
                Cell::Null => r
                    .resource
                    .str_at("Arn")
                    .and_then(|arn| arn.rsplit('/').next())
                    .map_or(Cell::Null, |name| Cell::Text(name.to_string())),
                name => name,
            },
        ),
        col(
            "policy_id",
            Text,
            "The policy's unique ID (ANPA…).",
            |r| r.resource.text("PolicyId"),
        ),
        col("arn", Text, "The policy ARN.", |r| r.resource.text("Arn")),
        col("path", Text, "The policy path.", |r| {
            r.resource.text("Path")
        }),
        col(
            "is_aws_managed",
            Bool,
            "Whether AWS owns the policy (arn:aws:iam::aws:policy/…).",
            |r| Cell::Bool(is_aws_managed(r.resource.str_at("Arn").unwrap_or_default())),
        ),
        col(
            "default_version_id",
            Text,
            "The default version, the only one that takes effect.",
            |r| r.resource.text("DefaultVersionId"),
        ),
        col(
            "attachment_count",
            Int,
            "Number of users, groups and roles it is attached to.",
            |r| r.resource.int("AttachmentCount"),
        ),
        col("is_attachable", Bool, "Whether it can be attached.", |r| {
            r.resource.bool("IsAttachable")
        }),
        col(
            "create_date",
            Timestamp,
            "When the policy was created.",
            |r| r.resource.timestamp("CreateDate"),
        ),
        col(
            "update_date",
            Timestamp,
            "When the policy last changed.",
            |r| r.resource.timestamp("UpdateDate"),
        ),
        col(
            "document",
            Json,
            "The default version's policy document, decoded JSON.",
            |r| default_document(r.resource).map_or(Cell::Null, |d| Cell::Text(d.to_string())),
        ),
        col(
            "document_problem",
            Text,
            "Why the default version's document cannot be read (missing, contradictory or not a policy); null when it can. Controls judge such a policy unverified.",
            |r| {
                default_document(r.resource)
                    .err()
                    .map_or(Cell::Null, Cell::Text)
            },
        ),
        col("tags", Tags, "Tags.", |r| r.resource.tags("Tags")),
        ACCOUNT_ID,
        REGION,
    ],
};

/// The default version's document, or why it cannot be read: the one version marked default
/// (AWS Config may give the mark as a string), else the one whose id is DefaultVersionId. A
/// missing, contradictory or unreadable default makes the policy's findings unverified, never
/// a policy without statements.
pub fn default_document(policy: &Value) -> Result<&Value, String> {
    let versions = policy
        .at("PolicyVersionList")
        .and_then(Value::as_array)
        .ok_or("no policy versions are recorded")?;
    let default_id = policy.str_at("DefaultVersionId");
    let marked: Vec<&Value> = versions
        .iter()
        .filter(|v| is_true(v.at("IsDefaultVersion")))
        .collect();
    let version = match marked.as_slice() {
        [one] => *one,
        [] => versions
            .iter()
            .find(|v| default_id.is_some() && v.str_at("VersionId") == default_id)
            .ok_or("no version is marked default")?,
        many => return Err(format!("{} versions are marked default", many.len())),
    };
    if let (Some(id), Some(marked)) = (default_id, version.str_at("VersionId"))
        && id != marked
    {
        return Err(format!(
            "version {marked} is marked default, but DefaultVersionId is {id}"
        ));
    }
    readable(version.at("Document")).map_err(|why| format!("the default version's {why}"))
}

/// A policy document whose statements can be read, or why not.
pub fn readable(document: Option<&Value>) -> Result<&Value, String> {
    match document {
        None | Some(Value::Null) => Err("document is missing".into()),
        Some(doc @ Value::Object(_)) => match doc.at("Statement") {
            Some(Value::Object(_)) => Ok(doc),
            Some(Value::Array(list)) if list.iter().all(Value::is_object) => Ok(doc),
            Some(_) => Err("document's Statement is not a statement or a list of them".into()),
            None => Err("document has no Statement".into()),
        },
        Some(_) => Err("document could not be decoded into a JSON policy".into()),
    }
}

fn is_true(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

    fn policy(versions: Value) -> Value {
        json!({"DefaultVersionId": "v2", "PolicyVersionList": versions})
    }

    #[test]
    fn the_default_document_is_the_one_version_marked_default() {
        let doc: Value = serde_json::from_str(DOC).unwrap();
        for mark in [json!(true), json!("true"), json!("TRUE")] {
            let p = policy(json!([
                {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": []}},
                {"VersionId": "v2", "IsDefaultVersion": mark, "Document": doc},
            ]));
            assert_eq!(default_document(&p), Ok(&doc));
        }
        let by_id = policy(json!([{"VersionId": "v2", "Document": doc}]));
        assert_eq!(default_document(&by_id), Ok(&doc));
    }

    #[test]
    fn a_policy_without_a_readable_default_document_says_why() {
        let doc: Value = serde_json::from_str(DOC).unwrap();
        for (p, why) in [
            (json!({"Arn": "a"}), "no policy versions are recorded"),
            (
                json!({"PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": false, "Document": doc}]}),
                "no version is marked default",
            ),
            (
                policy(
                    json!([{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc}, {"VersionId": "v2", "IsDefaultVersion": "true", "Document": doc}]),
                ),
                "2 versions are marked default",
            ),
            (
                policy(json!([{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc}])),
                "version v1 is marked default, but DefaultVersionId is v2",
            ),
            (
                policy(json!([{"VersionId": "v2", "IsDefaultVersion": true}])),
                "the default version's document is missing",
            ),
            (
                policy(
                    json!([{"VersionId": "v2", "IsDefaultVersion": true, "Document": "%5B%5D"}]),
                ),
                "the default version's document could not be decoded into a JSON policy",
            ),
            (
                policy(
                    json!([{"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17"}}]),
                ),
                "the default version's document has no Statement",
            ),
            (
                policy(
                    json!([{"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": ["*"]}}]),
                ),
                "the default version's document's Statement is not a statement or a list of them",
            ),
        ] {
            assert_eq!(default_document(&p), Err(why.to_string()), "{p}");
        }
    }
}
