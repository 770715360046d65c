//! What a handler of a bus message gets from `begin_deliveries`: the deliveries it creates,
//! never one another handler of the same message still holds, and those a failed handler
//! left unattempted once their lease has run out.

mod support;

use chrono::Duration;
use roster_domain::clock::Clock;
use roster_domain::entities::delivery;
use roster_domain::ids::EventId;
use roster_domain::services::CLAIM_LEASE_SECS;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::{bare, catch_all_endpoint, create_user_event};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_message_sends_nothing_twice_and_takes_over_what_was_left() {
    // No worker runs: the test plays the handlers.
    let (isolation, svc, clock, ctx) = bare().await;
    let event = EventId(create_user_event(&svc, &ctx, "ada").await.id);
    let mut endpoints = Vec::new();
    for n in 0..3 {
        let url = format!("http://127.0.0.1:9/hooks/{n}");
        endpoints.push(catch_all_endpoint(&svc, &url).await);
    }
    let sorted = |mut v: Vec<(Uuid, roster_domain::ids::DeliveryId)>| {
        v.sort_by_key(|(endpoint, _)| *endpoint);
        v.into_iter().map(|(e, _)| e).collect::<Vec<_>>()
    };
    let mut all = endpoints.clone();
    all.sort();

    // The first handler creates and holds all three.
    let first = svc.begin_deliveries(event, &endpoints, &[]).await.unwrap();
    assert_eq!(sorted(first.clone()), all);
    // The same message again (its ack was lost) while the first still works: nothing.
    let again = svc.begin_deliveries(event, &endpoints, &[]).await.unwrap();
    assert!(again.is_empty(), "{again:?}");

    // The first handler attempted one, then died. After the lease, a redelivery takes over
    // the two never attempted, and only those.
    let attempted = first[0].1;
    svc.record_attempt(
        attempted,
        roster_domain::services::AttemptRecord {
            status_code: Some(200),
            duration_ms: 3,
            error_class: None,
            error: None,
            response_excerpt: None,
            outcome: roster_domain::services::AttemptOutcome::Succeeded,
        },
    )
    .await
    .unwrap();
    clock.advance(Duration::seconds(CLAIM_LEASE_SECS + 1));
    let taken = svc.begin_deliveries(event, &endpoints, &[]).await.unwrap();
    let mut left: Vec<Uuid> = first[1..].iter().map(|(e, _)| *e).collect();
    left.sort();
    assert_eq!(sorted(taken.clone()), left);
    let left_ids: Vec<_> = first[1..].iter().map(|(_, d)| *d).collect();
    for (_, delivery) in &taken {
        assert!(left_ids.contains(delivery), "the same rows, not new ones");
    }
    // Taken over once: a further redelivery gets nothing.
    let once = svc.begin_deliveries(event, &endpoints, &[]).await.unwrap();
    assert!(once.is_empty(), "{once:?}");
    let rows = delivery::Entity::find()
        .filter(delivery::Column::EventId.eq(event.0))
        .all(&svc.db)
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        3,
        "one delivery per endpoint, however often redelivered"
    );

    // An endpoint with deliveries waiting for a slot: the row is created due, and left to
    // the retry loop rather than returned.
    let second = create_user_event(&svc, &ctx, "bob").await;
    let queued = [endpoints[0]];
    let mine = svc
        .begin_deliveries(EventId(second.id), &endpoints, &queued)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|(e, _)| *e != endpoints[0]));
    let waiting = delivery::Entity::find()
        .filter(delivery::Column::EventId.eq(second.id))
        .filter(delivery::Column::EndpointId.eq(endpoints[0]))
        .one(&svc.db)
        .await
        .unwrap()
        .unwrap();
    assert!(waiting.next_attempt_at.unwrap() <= clock.now());
    isolation.cleanup().await;
}
