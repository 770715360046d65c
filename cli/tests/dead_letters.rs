//! Poison messages on RabbitMQ: an undecodable message is set aside in the dead-letter queue
//! instead of blocking the others, and an operator moves it back once the cause is fixed.

mod support;

use lapin::BasicProperties;
use lapin::options::BasicPublishOptions;
use roster_worker::bus::rabbit_names::exchange_name;
use std::time::Duration;
use support::{Backend, TestApp, backend, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_message_is_dead_lettered_and_can_be_requeued() {
    if backend() != Backend::Services {
        eprintln!("RabbitMQ only: the in-process bus is covered by its unit tests");
        return;
    }
    let app = TestApp::start().await;
    let config = app.svc.config.clone();
    let url = config.amqp_url.clone().unwrap();
    let conn = lapin::Connection::connect(&url, Default::default())
        .await
        .unwrap();
    let channel = conn.create_channel().await.unwrap();
    channel
        .basic_publish(
            exchange_name(&config.queue_prefix).as_str().into(),
            "user.created".into(),
            BasicPublishOptions::default(),
            b"{not json",
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();

    let bus = roster_worker::connect_bus(&config).await.unwrap();
    wait_for("the dead letter", Duration::from_secs(20), || async {
        (bus.dead_letters(false).await.unwrap() == 1).then_some(())
    })
    .await;
    // Requeued, the worker rejects it again: it comes back to the dead-letter queue, and
    // nothing else is held up meanwhile.
    assert_eq!(bus.dead_letters(true).await.unwrap(), 1);
    wait_for("the dead letter again", Duration::from_secs(20), || async {
        (bus.dead_letters(false).await.unwrap() == 1).then_some(())
    })
    .await;
    conn.close(0, "done".into()).await.ok();
    app.stop().await;
}
