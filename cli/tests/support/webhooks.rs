//! Webhook fixtures: an endpoint on a `Receiver`, and waiting for the outbox to reach it.

use super::receiver::{Received, Receiver};
use super::{TestApp, wait_for};
use roster_domain::entities::event;
use roster_domain::services::NewEndpoint;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::BTreeSet;
use std::time::Duration;

/// An endpoint on `receiver` for `patterns` (e.g. `*`, `user.*`); returns its id and secret.
pub async fn endpoint(
    app: &TestApp,
    receiver: &Receiver,
    patterns: &[&str],
) -> (uuid::Uuid, String) {
    let (view, secret) = app
        .svc
        .create_endpoint(NewEndpoint {
            url: receiver.url.clone(),
            description: "test receiver".into(),
            event_types: patterns.iter().map(|p| p.to_string()).collect(),
            tenant_id: None,
            ..Default::default()
        })
        .await
        .unwrap();
    (view.id.0, secret)
}

/// The ids of every event in the outbox.
pub async fn event_ids(app: &TestApp) -> BTreeSet<String> {
    event::Entity::find()
        .all(&app.svc.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id.to_string())
        .collect()
}

/// Events the relay has not published yet.
pub async fn unpublished_events(app: &TestApp) -> u64 {
    event::Entity::find()
        .filter(event::Column::PublishedAt.is_null())
        .count(&app.svc.db)
        .await
        .unwrap()
}

/// Waits until every event of the outbox reached `receiver` (at least once; the receiver's
/// requests are returned, duplicates included). For endpoints subscribed to every event type.
pub async fn every_event_received(
    app: &TestApp,
    receiver: &Receiver,
    deadline: Duration,
) -> Vec<Received> {
    wait_for("every event at the receiver", deadline, || async {
        let events = event_ids(app).await;
        let hooks = receiver.received();
        let ids: BTreeSet<String> = hooks.iter().map(Received::webhook_id).collect();
        (!events.is_empty() && ids == events).then_some(hooks)
    })
    .await
}
