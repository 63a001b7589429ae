//! A token bucket per (account, region, API): EC2 refills its request tokens at about 20 per
//! second per action, so posture paces itself below that instead of relying on retries alone.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Calls that may go at once, and how many more per second after that.
const BURST: f64 = 40.0;
const RATE: f64 = 15.0;

#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    /// Takes a token for `key` at `now`; returns how long the caller must wait for it.
    pub fn take(&self, key: &str, now: Instant) -> Duration {
        let mut buckets = self.buckets.lock().expect("not poisoned");
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: BURST,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * RATE).min(BURST) - 1.0;
        bucket.at = now.max(bucket.at);
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / RATE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_calls_are_paced_per_key() {
        let limiter = Limiter::default();
        let t0 = Instant::now();
        for _ in 0..BURST as usize {
            assert_eq!(
                limiter.take("a/us-east-1/DescribeInstances", t0),
                Duration::ZERO
            );
        }
        let wait = limiter.take("a/us-east-1/DescribeInstances", t0);
        assert!((wait.as_secs_f64() - 1.0 / RATE).abs() < 1e-9, "{wait:?}");
        // The next caller queues behind the first.
        let wait = limiter.take("a/us-east-1/DescribeInstances", t0);
        assert!((wait.as_secs_f64() - 2.0 / RATE).abs() < 1e-9, "{wait:?}");
        // Other APIs, regions and accounts have their own buckets.
        assert_eq!(
            limiter.take("a/us-east-1/DescribeVolumes", t0),
            Duration::ZERO
        );
        assert_eq!(
            limiter.take("b/us-east-1/DescribeInstances", t0),
            Duration::ZERO
        );
        // Tokens come back with time.
        assert_eq!(
            limiter.take(
                "a/us-east-1/DescribeInstances",
                t0 + Duration::from_secs(10)
            ),
            Duration::ZERO
        );
    }
}
