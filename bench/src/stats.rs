//! Latency samples and their summary (exact percentiles: every sample is kept and sorted).

use serde::Serialize;
use std::time::Duration;

/// Percentiles, mean and throughput of one measured phase. Times in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub requests: usize,
    pub errors: usize,
    pub wall_s: f64,
    pub per_s: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Summary {
    /// `latencies` of the successful requests; `wall` the time of the whole phase.
    pub fn of(mut latencies: Vec<Duration>, errors: usize, wall: Duration) -> Summary {
        latencies.sort_unstable();
        let requests = latencies.len() + errors;
        let total: Duration = latencies.iter().sum();
        let wall_s = wall.as_secs_f64();
        Summary {
            requests,
            errors,
            wall_s,
            per_s: if wall_s > 0.0 {
                latencies.len() as f64 / wall_s
            } else {
                0.0
            },
            mean_ms: if latencies.is_empty() {
                0.0
            } else {
                ms(total) / latencies.len() as f64
            },
            p50_ms: ms(percentile(&latencies, 50.0)),
            p95_ms: ms(percentile(&latencies, 95.0)),
            p99_ms: ms(percentile(&latencies, 99.0)),
            max_ms: ms(latencies.last().copied().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let s = Summary::of(samples, 2, Duration::from_secs(1));
        assert_eq!(s.requests, 102);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
        assert_eq!(s.per_s, 100.0);
    }

    #[test]
    fn empty_is_zero() {
        let s = Summary::of(Vec::new(), 0, Duration::ZERO);
        assert_eq!(s.p99_ms, 0.0);
        assert_eq!(s.per_s, 0.0);
    }
}
