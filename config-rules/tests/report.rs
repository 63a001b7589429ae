//! PutEvaluations error paths against aws-smithy-mocks (moto never fails an evaluation):
//! batching and TestMode, failed evaluations sent again, throttling retried by the SDK, and what
//! keeps failing reported as an error naming it.

use aws_sdk_config::Client;
use aws_sdk_config::operation::put_evaluations::PutEvaluationsOutput;
use aws_sdk_config::types::{ComplianceType as SdkCompliance, Evaluation as SdkEvaluation};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use posture_config_rules::report::put_evaluations;
use posture_config_rules::{ComplianceType, Evaluation};

fn evaluations(n: usize) -> Vec<Evaluation> {
    (0..n)
        .map(|i| Evaluation {
            compliance_resource_type: "AWS::EC2::Instance".into(),
            compliance_resource_id: format!("i-{i:04}"),
            compliance_type: if i % 2 == 0 {
                ComplianceType::NonCompliant
            } else {
                ComplianceType::Compliant
            },
            annotation: "because".into(),
            ordering_timestamp: "2026-11-25T14:00:00.000Z".into(),
        })
        .collect()
}

fn failed(id: &str) -> SdkEvaluation {
    SdkEvaluation::builder()
        .compliance_resource_type("AWS::EC2::Instance")
        .compliance_resource_id(id)
        .compliance_type(SdkCompliance::NonCompliant)
        .ordering_timestamp(aws_sdk_config::primitives::DateTime::from_secs(0))
        .build()
        .unwrap()
}

#[tokio::test]
async fn batches_of_100_in_test_mode() {
    let rule = mock!(Client::put_evaluations)
        .match_requests(|r| {
            r.test_mode() == Some(true)
                && r.evaluations().len() <= 100
                && r.result_token() == Some("TESTMODE")
        })
        .then_output(|| PutEvaluationsOutput::builder().build());
    let client = mock_client!(aws_sdk_config, RuleMode::MatchAny, [&rule]);
    assert_eq!(
        put_evaluations(&client, "TESTMODE", &evaluations(250))
            .await
            .unwrap(),
        3
    );
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn failed_evaluations_are_sent_again_until_accepted() {
    let first = mock!(Client::put_evaluations)
        .match_requests(|r| r.evaluations().len() == 10 && r.test_mode() == Some(false))
        .then_output(|| {
            PutEvaluationsOutput::builder()
                .failed_evaluations(failed("i-0003"))
                .failed_evaluations(failed("i-0007"))
                .build()
        });
    let again = mock!(Client::put_evaluations)
        .match_requests(|r| {
            r.evaluations()
                .iter()
                .map(|e| e.compliance_resource_id())
                .collect::<Vec<_>>()
                == ["i-0003", "i-0007"]
        })
        .then_output(|| PutEvaluationsOutput::builder().build());
    let client = mock_client!(aws_sdk_config, RuleMode::Sequential, [&first, &again]);
    assert_eq!(
        put_evaluations(&client, "token", &evaluations(10))
            .await
            .unwrap(),
        2
    );
    assert_eq!((first.num_calls(), again.num_calls()), (1, 1));
}

#[tokio::test]
async fn evaluations_that_keep_failing_are_an_error_naming_them() {
    let rule = mock!(Client::put_evaluations).then_output(|| {
        PutEvaluationsOutput::builder()
            .failed_evaluations(failed("i-0001"))
            .build()
    });
    let client = mock_client!(aws_sdk_config, RuleMode::MatchAny, [&rule]);
    let err = put_evaluations(&client, "token", &evaluations(2))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("kept failing 1 evaluations") && err.contains("AWS::EC2::Instance i-0001"),
        "{err}"
    );
    assert_eq!(rule.num_calls(), 4);
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk() {
    let rule = mock!(Client::put_evaluations)
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_string()),
        )
        .output(|| PutEvaluationsOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_config, RuleMode::Sequential, [&rule], |c| c
        .retry_config(
            aws_sdk_config::config::retry::RetryConfig::standard().with_max_attempts(3)
        ));
    assert_eq!(
        put_evaluations(&client, "token", &evaluations(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(rule.num_calls(), 2);

    // Access denied is not retried: one line, rendered as every AWS error is
    // (`LiveError::from_sdk`): the call, AWS's code and message.
    let denied = mock!(Client::put_evaluations)
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"AccessDeniedException","message":"not authorized to perform config:PutEvaluations"}"#.to_string()),
        )
        .build();
    let client = mock_client!(aws_sdk_config, [&denied]);
    let err = put_evaluations(&client, "token", &evaluations(1))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "PutEvaluations: AccessDeniedException: not authorized to perform config:PutEvaluations"
    );
    assert_eq!(denied.num_calls(), 1);
}

#[tokio::test]
async fn a_bad_timestamp_is_an_error_before_anything_is_sent() {
    let rule =
        mock!(Client::put_evaluations).then_output(|| PutEvaluationsOutput::builder().build());
    let client = mock_client!(aws_sdk_config, [&rule]);
    let mut bad = evaluations(1);
    bad[0].ordering_timestamp = "yesterday".into();
    let err = put_evaluations(&client, "token", &bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("i-0000: OrderingTimestamp \"yesterday\""),
        "{err}"
    );
    assert_eq!(rule.num_calls(), 0);
}
