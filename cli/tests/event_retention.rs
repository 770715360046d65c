//! Event retention: after `events.retention_days`, events are deleted only once published and
//! with no delivery still pending or retrying; their deliveries and attempts go with them.

mod support;

use chrono::Duration;
use roster_domain::Services;
use roster_domain::entities::{delivery, delivery_attempt, event};
use roster_domain::ids::{EndpointId, EventId, TenantScope};
use roster_domain::services::{AttemptOutcome, AttemptRecord, EventFilter};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;
use support::{bare, catch_all_endpoint};

fn attempt(outcome: AttemptOutcome) -> AttemptRecord {
    AttemptRecord {
        status_code: Some(500),
        duration_ms: 3,
        error_class: None,
        error: None,
        response_excerpt: None,
        outcome,
    }
}

async fn deliver(
    svc: &Services,
    event: EventId,
    endpoint: EndpointId,
    outcome: Option<AttemptOutcome>,
) {
    let delivery = svc
        .begin_deliveries(event, &[endpoint.0], &[])
        .await
        .unwrap()[0]
        .1;
    if let Some(outcome) = outcome {
        svc.record_attempt(delivery, attempt(outcome))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_events_are_pruned_only_when_published_and_settled() {
    // No worker runs: the test decides what is published and delivered. The first use of the
    // connection activated it: event 0.
    let (isolation, svc, clock, ctx) = bare().await;
    assert_eq!(svc.config.events.retention_days, 30);
    for i in 0..5 {
        let input = roster_scim::parse_user(&json!({"userName": format!("u{i}")})).unwrap();
        svc.create_user(&ctx, input).await.unwrap();
    }
    while svc.sequence_events().await.unwrap() > 0 {}
    let events: Vec<EventId> = event::Entity::find()
        .order_by_asc(event::Column::FeedPosition)
        .all(&svc.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| EventId(e.id))
        .collect();
    assert_eq!(events.len(), 6);
    // Every event but the last is published.
    event::Entity::update_many()
        .col_expr(event::Column::PublishedAt, chrono::Utc::now().into())
        .filter(event::Column::Id.ne(events[5].0))
        .exec(&svc.db)
        .await
        .unwrap();
    let endpoint = EndpointId(catch_all_endpoint(&svc, "http://127.0.0.1:9/hooks").await);
    let retry = AttemptOutcome::Retry {
        retry_after_secs: None,
    };
    deliver(&svc, events[1], endpoint, Some(AttemptOutcome::Succeeded)).await;
    deliver(&svc, events[2], endpoint, Some(retry)).await; // retrying
    deliver(&svc, events[3], endpoint, None).await; // pending
    deliver(&svc, events[4], endpoint, Some(AttemptOutcome::Gone)).await; // failed

    clock.advance(Duration::days(29));
    assert_eq!(svc.prune_events().await.unwrap(), 0, "all within retention");

    clock.advance(Duration::days(2));
    assert_eq!(
        svc.prune_events().await.unwrap(),
        3,
        "0 (no delivery), 1 (succeeded) and 4 (failed) go"
    );
    let left: Vec<EventId> = event::Entity::find()
        .order_by_asc(event::Column::FeedPosition)
        .all(&svc.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| EventId(e.id))
        .collect();
    assert_eq!(left, [events[2], events[3], events[5]]);
    // Deliveries and attempts of pruned events went with them.
    let deliveries = delivery::Entity::find().all(&svc.db).await.unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(
        deliveries
            .iter()
            .all(|d| d.event_id != events[1].0 && d.event_id != events[4].0)
    );
    assert_eq!(
        delivery_attempt::Entity::find()
            .count(&svc.db)
            .await
            .unwrap(),
        1
    );

    // The feed goes on from where it was.
    let page = svc
        .list_events(TenantScope::All, 0, &EventFilter::default(), 100)
        .await
        .unwrap();
    let ids: Vec<EventId> = page.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, left);
    assert_eq!(page.next, 6);
    assert_eq!(svc.prune_events().await.unwrap(), 0);
    svc.db.close().await.ok();
    isolation.cleanup().await;
}
