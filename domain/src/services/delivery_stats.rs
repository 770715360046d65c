//! Successes and failures of an endpoint's delivery attempts over time, for the console's chart.

use crate::entities::{delivery, delivery_attempt};
use crate::error::{DomainError, Result};
use crate::ids::{EndpointId, TenantId};
use crate::services::Services;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

/// Buckets in a [`DeliveryStats`], whatever the window.
pub const STATS_BUCKETS: i64 = 24;
/// The longest window, in hours.
pub const MAX_STATS_HOURS: u32 = 24 * 30;

/// Attempts in one slice of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptBucket {
    pub start: DateTime<Utc>,
    /// Attempts answered with a 2xx.
    pub succeeded: i64,
    /// Attempts that got another status, timed out or could not connect.
    pub failed: i64,
}

/// An endpoint's attempts over the last `hours`, in equal buckets, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryStats {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub bucket_seconds: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub buckets: Vec<AttemptBucket>,
}

/// `0` for attempts before `since + width`, `1` for the next slice, …
fn bucket_of(since: DateTime<Utc>, width: Duration) -> SimpleExpr {
    let mut case = CaseStatement::new();
    for n in 1..STATS_BUCKETS {
        let end = since + width * n as i32;
        case = case.case(
            delivery_attempt::Column::AttemptedAt.lt(end),
            (n - 1) as i32,
        );
    }
    case.finally((STATS_BUCKETS - 1) as i32).into()
}

fn succeeded() -> SimpleExpr {
    CaseStatement::new()
        .case(
            delivery_attempt::Column::StatusCode
                .gte(200)
                .and(delivery_attempt::Column::StatusCode.lt(300)),
            1,
        )
        .finally(0)
        .into()
}

impl Services {
    /// Attempts to `endpoint` over the last `hours` (1 to [`MAX_STATS_HOURS`]), in
    /// [`STATS_BUCKETS`] buckets; every bucket is present, empty ones with zeros.
    pub async fn delivery_stats(
        &self,
        endpoint: EndpointId,
        within: Option<TenantId>,
        hours: u32,
    ) -> Result<DeliveryStats> {
        if !(1..=MAX_STATS_HOURS).contains(&hours) {
            return Err(DomainError::Invalid(format!(
                "hours must be between 1 and {MAX_STATS_HOURS}"
            )));
        }
        self.endpoint_model(endpoint, within).await?;
        let until = self.clock.now();
        let width = Duration::seconds(i64::from(hours) * 3600 / STATS_BUCKETS);
        let since = until - width * STATS_BUCKETS as i32;
        let deliveries = Query::select()
            .column(delivery::Column::Id)
            .from(delivery::Entity)
            .and_where(delivery::Column::EndpointId.eq(endpoint.0))
            .to_owned();
        let rows: Vec<(i32, i32, i64)> = delivery_attempt::Entity::find()
            .select_only()
            .column_as(bucket_of(since, width), "bucket")
            .column_as(succeeded(), "ok")
            .column_as(delivery_attempt::Column::Id.count(), "n")
            .filter(delivery_attempt::Column::DeliveryId.in_subquery(deliveries))
            .filter(delivery_attempt::Column::AttemptedAt.gte(since))
            .filter(delivery_attempt::Column::AttemptedAt.lte(until))
            // By position: the expressions hold bind parameters, so PostgreSQL would not see a
            // repeated expression as the same one.
            .group_by(Expr::cust("1"))
            .group_by(Expr::cust("2"))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut buckets: Vec<AttemptBucket> = (0..STATS_BUCKETS)
            .map(|n| AttemptBucket {
                start: since + width * n as i32,
                succeeded: 0,
                failed: 0,
            })
            .collect();
        for (bucket, ok, n) in rows {
            let Some(slot) = usize::try_from(bucket)
                .ok()
                .and_then(|b| buckets.get_mut(b))
            else {
                continue;
            };
            if ok == 1 {
                slot.succeeded += n;
            } else {
                slot.failed += n;
            }
        }
        Ok(DeliveryStats {
            since,
            until,
            bucket_seconds: width.num_seconds(),
            succeeded: buckets.iter().map(|b| b.succeeded).sum(),
            failed: buckets.iter().map(|b| b.failed).sum(),
            buckets,
        })
    }
}
