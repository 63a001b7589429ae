//! Fetching: the resources of a table's kinds in one (account, region), through the calls of
//! [`ec2`](super::ec2), [`elb`](super::elb), [`inspector`](super::inspector), [`ssm`](super::ssm), [`autoscaling`](super::autoscaling), [`iam`](super::iam) and [`cloudtrail`](super::cloudtrail), as
//! canonical resources.

use super::{
    ApiRequest, Call, LiveError, Notice, autoscaling, cloudtrail, ec2, elb, iam, inspector, ssm,
};
use crate::inventory::{Kind, Resource};

/// The resources of `kinds` in one (account, region), with the request's filters (without
/// those the endpoint rejected before). If the endpoint rejects them now, once more unfiltered
/// (the engine filters), and they are not sent again on this connection.
pub(crate) async fn fetch(
    call: &Call<'_>,
    kinds: &[Kind],
    request: &ApiRequest,
) -> Result<Vec<Resource>, LiveError> {
    let request = call.live.accepted(request);
    let values = match fetch_once(call, kinds, &request).await {
        Err(e) if !request.filters.is_empty() && e.rejects_filter() => {
            call.live.notice(Notice::Debug(format!(
                "{}/{}: the API rejected the filters ({e}); fetching unfiltered from now on, the engine filters",
                call.account.id, call.region
            )));
            call.live.reject(&request);
            fetch_once(
                call,
                kinds,
                &ApiRequest {
                    filters: Vec::new(),
                    ..request.clone()
                },
            )
            .await
        }
        other => other,
    }?;
    let mut out = Vec::with_capacity(values.len());
    for (kind, mut data) in values {
        // Policy documents arrive URL-encoded, as in AWS Config: decoded in the one shared place.
        // One that cannot be read stays as it came and its policy's findings say unverified.
        let _unreadable = crate::sources::decode_iam_documents(
            kind,
            &mut data,
            std::path::Path::new(&format!("live {}/{}", call.account.id, call.region)),
        );
        out.push(Resource::new(kind, &call.account.id, call.region, data));
    }
    Ok(out)
}

async fn fetch_once(
    call: &Call<'_>,
    kinds: &[Kind],
    request: &ApiRequest,
) -> Result<Vec<(Kind, serde_json::Value)>, LiveError> {
    let tagged = |kind: Kind, values: Vec<serde_json::Value>| {
        values
            .into_iter()
            .map(move |v| (kind, v))
            .collect::<Vec<_>>()
    };
    Ok(match kinds {
        [Kind::Role | Kind::Policy, ..] => iam::authorization_details(call, kinds).await?,
        [Kind::Trail] => cloudtrail::trails(call, request.extra).await?,
        [Kind::Snapshot] => ec2::snapshots(call, request).await?,
        [Kind::ManagedPrefixList] => ec2::prefix_lists(call, request).await?,
        [Kind::LoadBalancerV2] => tagged(Kind::LoadBalancerV2, elb::load_balancers(call).await?),
        // Listeners and patch states are read per load balancer and per managed instance: with
        // their parents when a run wants both, so the parents are listed once.
        [Kind::Listener] => {
            let load_balancers = elb::load_balancers(call).await?;
            tagged(Kind::Listener, elb::listeners(call, &load_balancers).await?)
        }
        [Kind::LoadBalancerV2, Kind::Listener] | [Kind::Listener, Kind::LoadBalancerV2] => {
            let load_balancers = elb::load_balancers(call).await?;
            let listeners = elb::listeners(call, &load_balancers).await?;
            let mut both = tagged(Kind::LoadBalancerV2, load_balancers);
            both.extend(tagged(Kind::Listener, listeners));
            both
        }
        [Kind::TargetGroup] => elb::target_groups(call, request).await?,
        [Kind::ClassicLoadBalancer] => tagged(
            Kind::ClassicLoadBalancer,
            elb::classic_load_balancers(call).await?,
        ),
        [Kind::InspectorFinding] => {
            tagged(Kind::InspectorFinding, inspector::findings(call).await?)
        }
        [Kind::SsmManagedInstance] => tagged(
            Kind::SsmManagedInstance,
            ssm::managed_instances(call).await?,
        ),
        [Kind::SsmPatchState] => {
            let managed = ssm::managed_instances(call).await?;
            tagged(
                Kind::SsmPatchState,
                ssm::patch_states(call, &managed).await?,
            )
        }
        [Kind::SsmManagedInstance, Kind::SsmPatchState]
        | [Kind::SsmPatchState, Kind::SsmManagedInstance] => {
            let managed = ssm::managed_instances(call).await?;
            let states = ssm::patch_states(call, &managed).await?;
            let mut both = tagged(Kind::SsmManagedInstance, managed);
            both.extend(tagged(Kind::SsmPatchState, states));
            both
        }
        [Kind::AutoScalingGroup] => {
            tagged(Kind::AutoScalingGroup, autoscaling::groups(call).await?)
        }
        [Kind::LaunchConfiguration] => tagged(
            Kind::LaunchConfiguration,
            autoscaling::launch_configurations(call).await?,
        ),
        [Kind::EbsDefaults] => tagged(
            Kind::EbsDefaults,
            vec![ec2::ebs_defaults(call, request.extra).await?],
        ),
        [kind] => tagged(*kind, ec2::describe(call, *kind, request).await?),
        other => unreachable!("live spec with kinds {other:?}"),
    })
}
