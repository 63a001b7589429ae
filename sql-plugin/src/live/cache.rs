//! One run's fetches, shared by every scan made in the run: scans with the same (account,
//! region, kinds, API request) are answered by one fetch, and the IAM tables a run reads by one
//! GetAccountAuthorizationDetails per account for every IAM kind its planned queries read. A run
//! is what its owner makes it (the Config rule Lambda: one invocation); a new run fetches anew,
//! so nothing read in one run is reused by the next.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::{ApiRequest, Call, LiveError};
use crate::inventory::{Kind, Resource};

#[derive(Default)]
pub struct RunCache {
    fetches: Mutex<HashMap<Key, Arc<OnceCell<Arc<Vec<Resource>>>>>>,
    /// The IAM kinds of every scan planned in the run, fetched together.
    iam_kinds: Mutex<BTreeSet<Kind>>,
}

#[derive(PartialEq, Eq, Hash)]
struct Key {
    account: String,
    region: String,
    kinds: Vec<Kind>,
    request: ApiRequest,
}

fn is_iam(kinds: &[Kind]) -> bool {
    kinds.iter().any(|k| k.is_global())
}

impl RunCache {
    /// A scan of `kinds` is planned. DataFusion plans every scan of a query before it runs any,
    /// so all the IAM kinds a query reads are known when its first IAM scan fetches.
    pub(crate) fn plan(&self, kinds: &[Kind]) {
        if is_iam(kinds) {
            self.iam_kinds
                .lock()
                .expect("not poisoned")
                .extend(kinds.iter().copied());
        }
    }

    /// The resources of `kinds`, fetched by the first scan that asks and shared with the others.
    /// A failed fetch is not kept: the next scan that asks tries again.
    pub(crate) async fn fetch(
        &self,
        call: &Call<'_>,
        kinds: &[Kind],
        request: &ApiRequest,
    ) -> Result<Vec<Resource>, LiveError> {
        let fetched: Vec<Kind> = if is_iam(kinds) {
            let mut all = self.iam_kinds.lock().expect("not poisoned").clone();
            all.extend(kinds.iter().copied());
            all.into_iter().collect()
        } else {
            kinds.to_vec()
        };
        let key = Key {
            account: call.account.id.clone(),
            region: call.region.to_string(),
            kinds: fetched.clone(),
            request: request.clone(),
        };
        let cell = self
            .fetches
            .lock()
            .expect("not poisoned")
            .entry(key)
            .or_default()
            .clone();
        let resources = cell
            .get_or_try_init(|| async {
                super::fetch::fetch(call, &fetched, request)
                    .await
                    .map(Arc::new)
            })
            .await?;
        // Without the IAM kinds only other scans asked for; companions fetched with `kinds`
        // (a snapshot's permissions, a trail's status) stay: the table reads them.
        Ok(resources
            .iter()
            .filter(|r| kinds.contains(&r.kind) || !fetched.contains(&r.kind))
            .cloned()
            .collect())
    }
}
