//! One run's fetches, shared by every scan made in the run: scans with the same (account,
//! region, kinds, API request) are answered by one fetch, and the IAM tables a run reads by one
//! GetAccountAuthorizationDetails per account for every IAM kind its planned queries read. A run
//! is what its owner makes it (the Config rule Lambda: one invocation); a new run fetches anew,
//! so nothing read in one run is reused by the next.
//!
//! A whole run ([`RunCache::whole_run`]: `posture check`, `posture exposure`) runs many queries
//! that filter the same tables differently. Its scans drop their filters and limits (the engine
//! applies them again: they are inexact) and ask for the per-resource calls any of its scans
//! needs, so each list call is made once per (account, region, kinds), failures included.
//! [`RunCache::planning`] holds its fetches back until every query is planned, so the union of
//! what the queries read is known before the first fetch.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OnceCell, watch};

use super::{ApiRequest, Call, LiveError};
use crate::inventory::{Kind, Resource};

#[derive(Default)]
pub struct RunCache {
    fetches: Mutex<HashMap<Key, Arc<OnceCell<Fetched>>>>,
    /// The IAM kinds of every scan planned in the run, fetched together.
    iam_kinds: Mutex<BTreeSet<Kind>>,
    whole_run: Option<WholeRun>,
    /// Scans answered, and fetches made for them.
    scans: AtomicUsize,
    fetched: AtomicUsize,
}

/// What a whole run adds.
struct WholeRun {
    /// The kinds its scans read, fetched together: planned scans whose kinds overlap, are read
    /// through one another ([`Kind::read_through`]) or are all IAM share one fetch.
    groups: Mutex<Vec<BTreeSet<Kind>>>,
    /// The kinds of the scans that want the per-resource calls.
    extra: Mutex<BTreeSet<Kind>>,
    /// Open (true) when no [`Planning`] guard is alive: fetches wait for it.
    open: watch::Sender<bool>,
    /// Live [`Planning`] guards.
    planners: AtomicUsize,
}

/// What a live table's scans share.
#[derive(Clone, Default)]
pub enum Fetches {
    /// Nothing: each scan fetches.
    #[default]
    EachScan,
    /// One run's fetches ([`RunCache`]).
    Run(Arc<RunCache>),
    /// Fetches kept for a time, across runs ([`KeptFetches`]).
    Kept(Arc<KeptFetches>),
}

impl Fetches {
    /// A new whole run's ([`RunCache::whole_run`]).
    pub fn whole_run() -> Fetches {
        Fetches::Run(Arc::new(RunCache::whole_run()))
    }

    /// The run cache a scan starting now uses.
    pub(crate) fn run(&self) -> Option<Arc<RunCache>> {
        match self {
            Fetches::EachScan => None,
            Fetches::Run(run) => Some(run.clone()),
            Fetches::Kept(kept) => Some(kept.run()),
        }
    }
}

/// Fetches kept for a time (`posture serve --cache-ttl`): the queries of that time share one
/// [`RunCache`], so a dashboard refreshing every minute fetches once per TTL. The first scan
/// after the TTL, or after [`Self::clear`], starts a new one.
pub struct KeptFetches {
    ttl: Duration,
    run: Mutex<(Instant, Arc<RunCache>)>,
}

impl KeptFetches {
    pub fn new(ttl: Duration) -> KeptFetches {
        KeptFetches {
            ttl,
            run: Mutex::new((Instant::now(), Arc::default())),
        }
    }

    /// The run cache of now: the kept one, or a new one once it is older than the TTL.
    pub fn run(&self) -> Arc<RunCache> {
        let mut run = self.run.lock().expect("not poisoned");
        if run.0.elapsed() >= self.ttl {
            *run = (Instant::now(), Arc::default());
        }
        run.1.clone()
    }

    /// Drops what was kept: the next scan fetches anew.
    pub fn clear(&self) {
        *self.run.lock().expect("not poisoned") = (Instant::now(), Arc::default());
    }
}

/// A fetch's outcome; a whole run keeps failures too, so a failing API is asked once.
type Fetched = Result<Arc<Vec<Resource>>, LiveError>;

/// While alive, a whole run's fetches wait: its queries are being planned.
pub struct Planning<'a>(&'a RunCache);

impl Drop for Planning<'_> {
    fn drop(&mut self) {
        if let Some(run) = &self.0.whole_run {
            if run.planners.fetch_sub(1, Ordering::SeqCst) == 1 {
                run.open.send_replace(true);
            }
        }
    }
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
    /// The cache of a run of many queries over the same tables (module docs).
    pub fn whole_run() -> Self {
        RunCache {
            whole_run: Some(WholeRun {
                groups: Mutex::default(),
                extra: Mutex::default(),
                open: watch::Sender::new(true),
                planners: AtomicUsize::new(0),
            }),
            ..RunCache::default()
        }
    }

    /// Holds a whole run's fetches until the guard drops (nothing for other runs).
    pub fn planning(&self) -> Planning<'_> {
        if let Some(run) = &self.whole_run {
            run.planners.fetch_add(1, Ordering::SeqCst);
            run.open.send_replace(false);
        }
        Planning(self)
    }

    /// (scans answered, fetches made) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.scans.load(Ordering::Relaxed),
            self.fetched.load(Ordering::Relaxed),
        )
    }

    /// A scan of `kinds` is planned. DataFusion plans every scan of a query before it runs any,
    /// so all the IAM kinds a query reads (a whole run: all its queries) are known when its
    /// first IAM scan fetches.
    pub(crate) fn plan(&self, kinds: &[Kind], request: &ApiRequest) {
        if is_iam(kinds) {
            self.iam_kinds
                .lock()
                .expect("not poisoned")
                .extend(kinds.iter().copied());
        }
        if let Some(run) = &self.whole_run {
            let mut groups = run.groups.lock().expect("not poisoned");
            let mut group: BTreeSet<Kind> = kinds
                .iter()
                .flat_map(|k| [Some(*k), k.read_through()])
                .flatten()
                .collect();
            groups.retain(|g| {
                let joins = g
                    .iter()
                    .any(|k| group.contains(k) || (k.is_global() && is_iam(kinds)));
                if joins {
                    group.extend(g);
                }
                !joins
            });
            groups.push(group);
            if request.extra {
                run.extra.lock().expect("not poisoned").extend(kinds);
            }
        }
    }

    /// The resources of `kinds`, fetched by the first scan that asks and shared with the others.
    /// A failed fetch is not kept, but in a whole run: the next scan that asks tries again.
    pub(crate) async fn fetch(
        &self,
        call: &Call<'_>,
        kinds: &[Kind],
        request: &ApiRequest,
    ) -> Result<Vec<Resource>, LiveError> {
        let (fetched, request): (Vec<Kind>, ApiRequest) = match &self.whole_run {
            Some(run) => {
                // Every query is planned before any fetch: the kinds fetched together and the
                // per-resource calls are then those of the whole run. Filters and limits are
                // dropped, the engine applies them again.
                let mut open = run.open.subscribe();
                let _ = open.wait_for(|open| *open).await;
                let group: Vec<Kind> = run
                    .groups
                    .lock()
                    .expect("not poisoned")
                    .iter()
                    .find(|g| kinds.iter().all(|k| g.contains(k)))
                    .map_or_else(|| kinds.to_vec(), |g| g.iter().copied().collect());
                let extra = run.extra.lock().expect("not poisoned");
                let request = ApiRequest {
                    extra: group.iter().any(|k| extra.contains(k)),
                    ..ApiRequest::default()
                };
                (group, request)
            }
            None if is_iam(kinds) => {
                let mut all = self.iam_kinds.lock().expect("not poisoned").clone();
                all.extend(kinds.iter().copied());
                (all.into_iter().collect(), request.clone())
            }
            None => (kinds.to_vec(), request.clone()),
        };
        let request = &request;
        self.scans.fetch_add(1, Ordering::Relaxed);
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
        let fetch = || async {
            self.fetched.fetch_add(1, Ordering::Relaxed);
            super::fetch::fetch(call, &fetched, request)
                .await
                .map(Arc::new)
        };
        let resources = if self.whole_run.is_some() {
            cell.get_or_init(|| async { fetch().await }).await.clone()?
        } else {
            cell.get_or_try_init(|| async { fetch().await.map(Ok) })
                .await?
                .clone()?
        };
        // Without the kinds only other scans asked for; companions fetched with `kinds`
        // (a snapshot's permissions, a trail's status) stay: the table reads them.
        Ok(resources
            .iter()
            .filter(|r| kinds.contains(&r.kind) || !fetched.contains(&r.kind))
            .cloned()
            .collect())
    }
}
