//! The steady write load: `changes` Okta-style creates at `rate` per second (open loop), each
//! retried as an identity provider retries (5xx, 429, connection errors; back-off up to 2 s, for
//! up to 3 minutes). A 409 on a retry means an earlier attempt committed and its answer was lost.

use crate::client::Scim;
use crate::users::okta_user;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const GIVE_UP_AFTER: Duration = Duration::from_secs(180);
const IN_FLIGHT: usize = 256;

#[derive(Debug, Default)]
pub struct Writes {
    /// userNames whose create committed.
    pub committed: Vec<String>,
    /// userNames given up on, with the last answer.
    pub gave_up: Vec<(String, String)>,
    /// Attempts that had to be repeated.
    pub retries: usize,
    /// Creates answered 409 on a retry (the first attempt had committed).
    pub committed_unanswered: usize,
    pub seconds: f64,
}

enum Outcome {
    Committed { retries: usize, unanswered: bool },
    GaveUp { retries: usize, last: String },
}

async fn create(scim: &Scim, i: usize) -> (String, Outcome) {
    let body = okta_user(i);
    let user_name = body["userName"].as_str().unwrap_or_default().to_string();
    let deadline = Instant::now() + GIVE_UP_AFTER;
    let (mut retries, mut delay) = (0, Duration::from_millis(250));
    loop {
        let last = match scim.post("/Users", &body).await {
            Ok(reply) if reply.status == 201 => {
                return (
                    user_name,
                    Outcome::Committed {
                        retries,
                        unanswered: false,
                    },
                );
            }
            Ok(reply) if reply.status == 409 && retries > 0 => {
                return (
                    user_name,
                    Outcome::Committed {
                        retries,
                        unanswered: true,
                    },
                );
            }
            Ok(reply) if reply.status < 500 && reply.status != 429 => {
                return (
                    user_name,
                    Outcome::GaveUp {
                        retries,
                        last: format!("HTTP {}: {}", reply.status, reply.json),
                    },
                );
            }
            Ok(reply) => format!("HTTP {}", reply.status),
            Err(err) => format!("{err:#}"),
        };
        if Instant::now() > deadline {
            return (user_name, Outcome::GaveUp { retries, last });
        }
        retries += 1;
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// Sends create `i` to `clients[i % clients.len()]`.
pub async fn run(clients: Vec<Scim>, changes: usize, rate: f64) -> Writes {
    let started = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1.0)));
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for i in 0..changes {
        ticker.tick().await;
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let scim = clients[i % clients.len()].clone();
        tasks.spawn(async move {
            let _permit = permit;
            create(&scim, i).await
        });
    }
    let mut writes = Writes::default();
    while let Some(joined) = tasks.join_next().await {
        let Ok((user_name, outcome)) = joined else {
            continue;
        };
        match outcome {
            Outcome::Committed {
                retries,
                unanswered,
            } => {
                writes.retries += retries;
                writes.committed_unanswered += usize::from(unanswered);
                writes.committed.push(user_name);
            }
            Outcome::GaveUp { retries, last } => {
                writes.retries += retries;
                writes.gave_up.push((user_name, last));
            }
        }
    }
    writes.seconds = started.elapsed().as_secs_f64();
    writes
}
