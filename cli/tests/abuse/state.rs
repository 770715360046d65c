//! What a refused request must not change: every row of the tables requests can write, as
//! text, minus the columns that move on their own (last-used times, the relay's and the
//! worker's bookkeeping). The SCIM request log is left out: it records every request.

use crate::support::{TestApp, wait_for};
use roster_domain::entities::*;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::time::Duration;

/// Each table's rows, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(pub Vec<(&'static str, BTreeSet<String>)>);

async fn rows<E>(db: &DatabaseConnection, show: fn(E::Model) -> String) -> BTreeSet<String>
where
    E: EntityTrait,
    E::Model: Debug,
{
    E::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(show)
        .collect()
}

fn debug<T: Debug>(model: T) -> String {
    format!("{model:?}")
}

impl Snapshot {
    pub async fn take(app: &TestApp) -> Snapshot {
        let db = &app.svc.db;
        Snapshot(vec![
            ("tenants", rows::<tenant::Entity>(db, debug).await),
            (
                "connections",
                rows::<connection::Entity>(db, |m| {
                    debug(connection::Model {
                        last_request_at: None,
                        ..m
                    })
                })
                .await,
            ),
            ("users", rows::<scim_user::Entity>(db, debug).await),
            ("groups", rows::<scim_group::Entity>(db, debug).await),
            (
                "members",
                rows::<scim_group_member::Entity>(db, debug).await,
            ),
            (
                "events",
                rows::<event::Entity>(db, |m| {
                    debug(event::Model {
                        published_at: None,
                        dispatched_at: None,
                        feed_position: None,
                        ..m
                    })
                })
                .await,
            ),
            (
                "deliveries",
                rows::<delivery::Entity>(db, |m| format!("{} of {}", m.id, m.event_id)).await,
            ),
            (
                "endpoints",
                rows::<webhook_endpoint::Entity>(db, |m| {
                    debug(webhook_endpoint::Model {
                        failing_since: None,
                        ..m
                    })
                })
                .await,
            ),
            (
                "api keys",
                rows::<api_key::Entity>(db, |m| {
                    debug(api_key::Model {
                        last_used_at: None,
                        ..m
                    })
                })
                .await,
            ),
            (
                "scim tokens",
                rows::<scim_token::Entity>(db, |m| {
                    debug(scim_token::Model {
                        last_used_at: None,
                        ..m
                    })
                })
                .await,
            ),
            ("accounts", rows::<account::Entity>(db, debug).await),
            ("sessions", rows::<session::Entity>(db, debug).await),
            ("setup links", rows::<setup_link::Entity>(db, debug).await),
            (
                "audit entries",
                rows::<audit_entry::Entity>(db, debug).await,
            ),
            (
                "idempotency keys",
                rows::<idempotency_key::Entity>(db, debug).await,
            ),
        ])
    }

    /// Rows of `later` not in `self`, and rows of `self` gone or changed in `later`, by table.
    pub fn diff(&self, later: &Snapshot) -> Vec<(&'static str, Vec<String>, Vec<String>)> {
        let mut out = Vec::new();
        for ((table, before), (_, after)) in self.0.iter().zip(&later.0) {
            let added: Vec<String> = after.difference(before).cloned().collect();
            let gone: Vec<String> = before.difference(after).cloned().collect();
            if !added.is_empty() || !gone.is_empty() {
                out.push((*table, added, gone));
            }
        }
        out
    }
}

/// Waits until the relay has published every event and the deliveries made of them stopped
/// changing for a second, so that none appears later by itself (only the in-process bus marks
/// events dispatched; with RabbitMQ the deliveries are the only trace).
pub async fn settle(app: &TestApp) {
    wait_for("every event published", Duration::from_secs(20), || async {
        let events = event::Entity::find().all(&app.svc.db).await.unwrap();
        events
            .iter()
            .all(|e| e.published_at.is_some())
            .then_some(())
    })
    .await;
    let until = std::time::Instant::now() + Duration::from_secs(20);
    let (mut last, mut steady) = (u64::MAX, 0);
    while steady < 10 {
        assert!(
            std::time::Instant::now() < until,
            "the deliveries never settled"
        );
        let count = delivery::Entity::find().count(&app.svc.db).await.unwrap();
        steady = if count == last { steady + 1 } else { 0 };
        last = count;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
