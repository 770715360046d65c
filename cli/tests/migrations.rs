//! Schema changes that move data keep it, on both backends, in both directions.

mod support;

use roster_migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

async fn one_i64(db: &DatabaseConnection, query: SelectStatement) -> i64 {
    let statement = db.get_database_backend().build(&query);
    db.query_one_raw(statement)
        .await
        .unwrap()
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .unwrap()
}

fn event_seq(table: &str, key: &str, id: Uuid) -> SelectStatement {
    Query::select()
        .column(Alias::new("event_seq"))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(key)).eq(id))
        .to_owned()
}

/// Migration 11 moves each connection's event counter from `connections.event_seq` to
/// `connection_sequences`; undoing it moves the counter back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_counters_move_to_their_own_table_and_back() {
    let isolation = support::Isolation::new().await;
    let db = roster_domain::db::connect(&isolation.config).await.unwrap();
    Migrator::up(&db, Some(10)).await.unwrap();
    let backend = db.get_database_backend();
    let (tenant, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let now = chrono::Utc::now();
    let tenant_row = Query::insert()
        .into_table(Alias::new("tenants"))
        .columns(["id", "name", "created_at", "updated_at"].map(Alias::new))
        .values_panic([tenant.into(), "Acme".into(), now.into(), now.into()])
        .to_owned();
    db.execute_raw(backend.build(&tenant_row)).await.unwrap();
    for (id, seq) in [(a, 41_i64), (b, 0)] {
        let row = Query::insert()
            .into_table(Alias::new("connections"))
            .columns(
                [
                    "id",
                    "tenant_id",
                    "name",
                    "provider",
                    "state",
                    "event_seq",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                id.into(),
                tenant.into(),
                "c".into(),
                "okta".into(),
                "active".into(),
                seq.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        db.execute_raw(backend.build(&row)).await.unwrap();
    }

    Migrator::up(&db, None).await.unwrap();
    let moved = |id| event_seq("connection_sequences", "connection_id", id);
    assert_eq!(one_i64(&db, moved(a)).await, 41);
    assert_eq!(one_i64(&db, moved(b)).await, 0);

    Migrator::down(&db, Some(1)).await.unwrap();
    assert_eq!(one_i64(&db, event_seq("connections", "id", a)).await, 41);
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(one_i64(&db, moved(a)).await, 41);
    isolation.cleanup().await;
}
