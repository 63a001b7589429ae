//! The CloudFormation templates in `cfn/`, generated from the catalogue (`posture cfn generate`):
//! the Config rules Lambda with one rule per control, the same rules as a conformance pack with
//! AWS-owned SSM remediations, and the read-only role for live queries. IAM actions are exactly
//! those of the tables the controls read ([`posture_sql::Table::iam_actions`]), so the policies
//! follow the SQL.

use serde_json::{Map, Value, json};

use posture_queries::{Control, Error, Trigger, catalogue};

/// The function name the templates give the Lambda.
pub const FUNCTION_NAME: &str = "posture-config-rules";

/// The Sid of the Lambda role's statement that reads what the controls read.
pub const READ_STATEMENT: &str = "ReadWhatTheControlsRead";

/// The Sid of the read-only role's statement.
pub const READONLY_STATEMENT: &str = "ReadWhatTheTablesRead";

/// (file name under cfn/, template).
pub fn templates() -> Result<Vec<(&'static str, Value)>, Error> {
    Ok(vec![
        ("posture-rules.yaml", rules_template()?),
        ("conformance-pack.yaml", conformance_pack()),
        ("posture-readonly.yaml", readonly_template()),
    ])
}

/// `vpc_sg_restricted_ssh` → `VpcSgRestrictedSsh`.
fn camel(s: &str) -> String {
    s.split(['_', '-'])
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

fn parameter_name(control: &Control, name: &str) -> String {
    format!("{}{}", camel(&control.id), camel(name))
}

/// The read actions of `tables` ([`posture_sql::Table::iam_actions`]), sorted.
pub fn actions_of(tables: impl IntoIterator<Item = &'static str>) -> Vec<&'static str> {
    let mut actions: Vec<&str> = tables
        .into_iter()
        .filter_map(posture_sql::tables::table)
        .flat_map(|t| t.iam_actions())
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

/// The read actions the given controls need wherever they run ([`Control::tables`]), sorted.
pub fn read_actions<'a>(
    controls: impl IntoIterator<Item = &'a Control>,
) -> Result<Vec<&'static str>, Error> {
    let mut tables = Vec::new();
    for control in controls {
        tables.extend(control.tables()?);
    }
    Ok(actions_of(tables))
}

/// The read actions of the Config rule Lambda: what it fetches for every control, and the
/// Config API calls (oversized items, the resources a periodic rule evaluated before, the
/// evaluations), sorted.
pub fn lambda_read_actions() -> Result<Vec<&'static str>, Error> {
    let mut tables = Vec::new();
    for control in catalogue() {
        tables.extend(control.lookup_tables()?);
    }
    let mut actions = actions_of(tables);
    actions.extend([
        "config:GetComplianceDetailsByConfigRule",
        "config:GetResourceConfigHistory",
        "config:PutEvaluations",
    ]);
    actions.sort();
    Ok(actions)
}

/// How often AWS Config runs the periodic controls, and the backstop of those with dependencies.
fn frequency_parameters(parameters: &mut Map<String, Value>) {
    for (name, description) in [
        (
            "MaximumExecutionFrequency",
            "How often AWS Config runs the periodic controls.",
        ),
        (
            "BackstopFrequency",
            "How often AWS Config re-evaluates every resource of a control whose verdicts depend on other resources (an instance's role, its security groups), besides their changes.",
        ),
    ] {
        parameters.insert(name.into(), json!({
            "Type": "String",
            "Default": "TwentyFour_Hours",
            "AllowedValues": ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"],
            "Description": description,
        }));
    }
}

/// Template parameters of every control parameter, with the control's defaults.
fn control_parameters(parameters: &mut Map<String, Value>) {
    for control in catalogue() {
        for p in &control.parameters {
            parameters.insert(parameter_name(control, &p.name), json!({"Type": "String", "Default": p.default, "Description": format!("{}: {}", control.id, p.description)}));
        }
    }
}

/// One AWS::Config::ConfigRule: scope and trigger from the control, its parameters as template
/// parameters, `controlId` naming the control for the Lambda.
fn config_rule(control: &Control, lambda: Value) -> Value {
    let mut input = Map::new();
    input.insert("controlId".into(), json!(control.id));
    for p in &control.parameters {
        input.insert(
            p.name.clone(),
            json!({"Ref": parameter_name(control, &p.name)}),
        );
    }
    let scheduled = |frequency: &str| json!({"EventSource": "aws.config", "MessageType": "ScheduledNotification", "MaximumExecutionFrequency": {"Ref": frequency}});
    let details = match control.trigger {
        Trigger::Change => {
            let mut details = vec![
                json!({"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}),
                json!({"EventSource": "aws.config", "MessageType": "OversizedConfigurationItemChangeNotification"}),
            ];
            // Changes of the resources it depends on re-evaluate; the backstop catches any missed.
            if !control.depends_on.is_empty() {
                details.push(scheduled("BackstopFrequency"));
            }
            json!(details)
        }
        Trigger::Periodic => json!([scheduled("MaximumExecutionFrequency")]),
    };
    let mut properties = json!({
        "ConfigRuleName": control.rule_name(),
        "Description": format!("{} ({} severity; posture control {})", control.title, json!(control.severity).as_str().unwrap_or_default(), control.id),
        "InputParameters": input,
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": lambda, "SourceDetails": details},
    });
    if control.trigger == Trigger::Change {
        properties["Scope"] = json!({"ComplianceResourceTypes": control.scope()});
    }
    json!({"Type": "AWS::Config::ConfigRule", "Properties": properties})
}

fn rules_template() -> Result<Value, Error> {
    let controls = catalogue();
    let mut parameters = Map::new();
    parameters.insert("CodeS3Bucket".into(), json!({"Type": "String", "Description": "The S3 bucket holding the Lambda zip (target/lambda/bootstrap/bootstrap.zip; see config-rules/README.md)."}));
    parameters.insert(
        "CodeS3Key".into(),
        json!({"Type": "String", "Description": "The key of the zip in that bucket."}),
    );
    frequency_parameters(&mut parameters);
    parameters.insert("AlarmTopicArn".into(), json!({"Type": "String", "Default": "", "Description": "An SNS topic the function's error alarm notifies. Empty (the default): the alarm only changes state."}));
    parameters.insert("MuteParameterName".into(), json!({"Type": "String", "Default": "", "AllowedPattern": "^(/[a-zA-Z0-9_.-]+)*$", "Description": "An SSM parameter (String, or SecureString under the aws/ssm key) holding the mute file, as `posture check --mute` reads it, e.g. /posture/mutes; read at each invocation. Muted resources are COMPLIANT with the annotation `muted: <reason> (until <date>)`. Empty (the default): only the resources' posture:mute tags mute."}));
    control_parameters(&mut parameters);

    let read = lambda_read_actions()?;
    let mut resources = Map::new();
    resources.insert("LogGroup".into(), json!({
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": format!("/aws/lambda/{FUNCTION_NAME}"), "RetentionInDays": 90},
    }));
    // AWS Config invokes the function asynchronously: an invocation that still fails after
    // Lambda's retries is kept here (the event and the error), not only in the logs.
    resources.insert(
        "FailedInvocations".into(),
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": {"SqsManagedSseEnabled": true, "MessageRetentionPeriod": 1_209_600},
        }),
    );
    resources.insert("ExecutionRole".into(), json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "posture's Config rules: read exactly what the controls read, report evaluations, write logs, keep failed invocations.",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]},
            "Policies": [{
                "PolicyName": "posture-config-rules",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Sid": READ_STATEMENT, "Effect": "Allow", "Action": read, "Resource": "*"},
                    {"Sid": "WriteLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": ["LogGroup", "Arn"]}},
                    {"Sid": "KeepFailedInvocations", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": {"Fn::GetAtt": ["FailedInvocations", "Arn"]}},
                    {"Fn::If": ["MutesSet", {"Sid": "ReadMutes", "Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${MuteParameterName}"}}, {"Ref": "AWS::NoValue"}]},
                ]},
            }],
        },
    }));
    resources.insert("Function".into(), json!({
        "Type": "AWS::Lambda::Function",
        "DependsOn": "LogGroup",
        "Properties": {
            "FunctionName": FUNCTION_NAME,
            "Description": "posture: evaluates every control for AWS Config, with the SQL of `posture check`.",
            "Runtime": "provided.al2023",
            "Handler": "bootstrap",
            "Architectures": ["x86_64"],
            "MemorySize": 512,
            "Timeout": 300,
            "Code": {"S3Bucket": {"Ref": "CodeS3Bucket"}, "S3Key": {"Ref": "CodeS3Key"}},
            "Role": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
            "Environment": {"Variables": {crate::handler::MUTE_PARAMETER_VARIABLE: {"Ref": "MuteParameterName"}}},
        },
    }));
    resources.insert(
        "FailureDestination".into(),
        json!({
            "Type": "AWS::Lambda::EventInvokeConfig",
            "Properties": {
                "FunctionName": {"Ref": "Function"},
                "Qualifier": "$LATEST",
                "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["FailedInvocations", "Arn"]}}},
            },
        }),
    );
    resources.insert(
        "ErrorAlarm".into(),
        json!({
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": format!("{FUNCTION_NAME} failed an invocation: a rule's verdicts may be stale. The event and error are in the FailedInvocations queue, the details in the function's log group."),
                "Namespace": "AWS/Lambda",
                "MetricName": "Errors",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Function"}}],
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": {"Fn::If": ["AlarmTopicSet", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]},
            },
        }),
    );
    resources.insert(
        "ConfigPermission".into(),
        json!({
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": ["Function", "Arn"]},
                "Principal": "config.amazonaws.com",
                "SourceAccount": {"Ref": "AWS::AccountId"},
                // Rule ARNs carry the rule's id, not its name: any Config rule of this account.
                "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*"},
            },
        }),
    );
    for control in controls {
        let mut rule = config_rule(control, json!({"Fn::GetAtt": ["Function", "Arn"]}));
        rule["DependsOn"] = json!("ConfigPermission");
        resources.insert(format!("Rule{}", camel(&control.id)), rule);
    }
    Ok(json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "posture: the Config rules Lambda and one AWS Config custom rule per control. Generated by `posture cfn generate`; do not edit.",
        "Parameters": parameters,
        "Conditions": {
            "AlarmTopicSet": {"Fn::Not": [{"Fn::Equals": ["", {"Ref": "AlarmTopicArn"}]}]},
            "MutesSet": {"Fn::Not": [{"Fn::Equals": ["", {"Ref": "MuteParameterName"}]}]},
        },
        "Resources": resources,
        "Outputs": {
            "FunctionArn": {"Description": "For cfn/conformance-pack.yaml's LambdaArn.", "Value": {"Fn::GetAtt": ["Function", "Arn"]}},
            "FailedInvocationsQueueUrl": {"Description": "Invocations that failed after Lambda's retries: the event and the error.", "Value": {"Ref": "FailedInvocations"}},
        },
    }))
}

fn conformance_pack() -> Value {
    let mut parameters = Map::new();
    parameters.insert("LambdaArn".into(), json!({"Type": "String", "Description": "The ARN of posture's Config rules Lambda (the FunctionArn output of cfn/posture-rules.yaml)."}));
    frequency_parameters(&mut parameters);
    parameters.insert("RemediationRoleArn".into(), json!({"Type": "String", "Default": "", "Description": "A role SSM Automation assumes to remediate. Empty (the default) leaves remediation off."}));
    control_parameters(&mut parameters);
    let mut resources = Map::new();
    for control in catalogue() {
        resources.insert(
            format!("Rule{}", camel(&control.id)),
            config_rule(control, json!({"Ref": "LambdaArn"})),
        );
        let Some(document) = &control.remediation.ssm_document else {
            continue;
        };
        let mut document_parameters = json!({"AutomationAssumeRole": {"StaticValue": {"Values": [{"Ref": "RemediationRoleArn"}]}}});
        if let Some(resource) = &control.remediation.ssm_resource_parameter {
            document_parameters[resource] = json!({"ResourceValue": {"Value": "RESOURCE_ID"}});
        }
        resources.insert(
            format!("Remediate{}", camel(&control.id)),
            json!({
                "Type": "AWS::Config::RemediationConfiguration",
                "Condition": "RemediationOn",
                "DependsOn": format!("Rule{}", camel(&control.id)),
                "Properties": {
                    "ConfigRuleName": control.rule_name(),
                    "TargetType": "SSM_DOCUMENT",
                    "TargetId": document,
                    "Automatic": false,
                    "Parameters": document_parameters,
                },
            }),
        );
    }
    json!({
        "Description": "posture: every control as an AWS Config custom rule, with AWS-owned SSM remediations (off unless RemediationRoleArn is set, and never automatic). Generated by `posture cfn generate`; do not edit.",
        "Parameters": parameters,
        "Conditions": {"RemediationOn": {"Fn::Not": [{"Fn::Equals": ["", {"Ref": "RemediationRoleArn"}]}]}},
        "Resources": resources,
    })
}

/// Every action any table needs: `posture query`/`check` read them all.
pub fn all_read_actions() -> Vec<&'static str> {
    let mut actions: Vec<&str> = posture_sql::tables::TABLES
        .iter()
        .flat_map(|t| t.iam_actions())
        .chain(["ec2:DescribeRegions"])
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

fn readonly_template() -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "posture: a read-only role for live `posture query`, `check` and `snapshot`, with exactly the actions its tables read. Generated by `posture cfn generate`; do not edit.",
        "Parameters": {
            "TrustedPrincipalArn": {"Type": "String", "Description": "Who may assume the role (an IAM role or user ARN, or arn:aws:iam::ACCOUNT:root)."},
            "RoleName": {"Type": "String", "Default": "posture-readonly", "Description": "The role's name (the same in every account, for --org-role)."},
            "ExternalId": {"Type": "String", "Default": "", "MaxLength": 1224, "AllowedPattern": "[\\w+=,.@:/-]*", "Description": "When set, assuming the role requires this sts:ExternalId (for a third party that assumes it). Empty (the default): no condition."},
        },
        "Conditions": {"ExternalIdSet": {"Fn::Not": [{"Fn::Equals": ["", {"Ref": "ExternalId"}]}]}},
        "Resources": {
            "ReadOnlyRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "Description": "posture: read what its tables read, nothing else.",
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"AWS": {"Ref": "TrustedPrincipalArn"}},
                        "Action": "sts:AssumeRole",
                        "Condition": {"Fn::If": ["ExternalIdSet", {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}, {"Ref": "AWS::NoValue"}]},
                    }]},
                    "Policies": [{
                        "PolicyName": "posture-readonly",
                        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Sid": READONLY_STATEMENT, "Effect": "Allow", "Action": all_read_actions(), "Resource": "*"}]},
                    }],
                },
            },
        },
        "Outputs": {"RoleArn": {"Description": "For --role-arn.", "Value": {"Fn::GetAtt": ["ReadOnlyRole", "Arn"]}}},
    })
}

/// Block-style YAML of a JSON value: keys in template order, strings double-quoted (JSON string
/// syntax is valid YAML) unless plainly safe.
pub fn yaml(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, &mut out);
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s)
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c))
                && !s.contains("::")
                && !s.starts_with(['-', '.', ':'])
                && !matches!(
                    s.as_str(),
                    "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
                )
                && s.parse::<f64>().is_err() =>
        {
            s.clone()
        }
        other => other.to_string(),
    }
}

fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::Object(o) if !o.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        write_yaml(v, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        write_yaml(v, indent + 2, out);
                    }
                    Value::Object(_) => out.push_str(&format!("{pad}{k}: {{}}\n")),
                    Value::Array(_) => out.push_str(&format!("{pad}{k}: []\n")),
                    _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(v))),
                }
            }
        }
        Value::Array(a) => {
            for item in a {
                match item {
                    Value::Object(o) if !o.is_empty() => {
                        let mut inner = String::new();
                        write_yaml(item, indent + 2, &mut inner);
                        // The first key goes on the dash's line.
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                    }
                    Value::Array(_) => {
                        out.push_str(&format!("{pad}-\n"));
                        write_yaml(item, indent + 2, out);
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_is_block_style_with_safe_scalars() {
        let v = json!({"A": {"B": [1, "x", {"C": "yes", "D": ["a:b"]}], "E": "", "F": "arn:aws:iam::aws:policy/X", "G": "10"}});
        assert_eq!(
            yaml(&v),
            "A:\n  B:\n    - 1\n    - x\n    - C: \"yes\"\n      D:\n        - a:b\n  E: \"\"\n  F: \"arn:aws:iam::aws:policy/X\"\n  G: \"10\"\n"
        );
    }

    #[test]
    fn actions_follow_what_controls_read_views_included() {
        let control = posture_queries::control("ec2_instance_role_no_admin_access").unwrap();
        assert!(
            read_actions([control])
                .unwrap()
                .contains(&"iam:GetAccountAuthorizationDetails")
        );
        let ssh = posture_queries::control("vpc_sg_restricted_ssh").unwrap();
        assert_eq!(read_actions([ssh]).unwrap(), ["ec2:DescribeSecurityGroups"]);
        // A change-triggered rule's item fills its own tables: only the rest are fetched.
        assert_eq!(ssh.lookup_tables().unwrap(), Vec::<&str>::new());
        // A role change and the backstop fetch the instances too.
        assert_eq!(
            control.lookup_tables().unwrap(),
            [
                "ec2_instance",
                "iam_instance_profile",
                "iam_policy",
                "iam_policy_statement",
                "iam_role",
                "iam_role_policy_attachment"
            ]
        );
        // Through the exposure view only.
        let reachable = posture_queries::control("ec2_instance_not_internet_reachable").unwrap();
        assert!(
            read_actions([reachable])
                .unwrap()
                .contains(&"ec2:DescribeRouteTables")
        );
    }
}
