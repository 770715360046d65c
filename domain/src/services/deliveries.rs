//! Deliveries (one event to one endpoint) and their attempts.

use crate::entities::{delivery, delivery_attempt};
use crate::error::{DomainError, Result};
use crate::ids::{DeliveryId, EndpointId, EventId};
use crate::services::Services;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// The outcome of one HTTP attempt, as recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub status_code: Option<u16>,
    pub duration_ms: u32,
    /// `timeout`, `connect`, `http_status`, `signing`, … when the attempt failed.
    pub error_class: Option<String>,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
    /// Status the delivery takes after this attempt.
    pub outcome: DeliveryStatus,
}

impl Services {
    /// The delivery of `event` to `endpoint`, created if new. `None` when it already succeeded
    /// (a redelivered bus message must not send twice).
    pub async fn begin_delivery(
        &self,
        event: EventId,
        endpoint: EndpointId,
    ) -> Result<Option<DeliveryId>> {
        let now = Utc::now();
        let inserted = delivery::ActiveModel {
            id: Set(DeliveryId::new().0),
            event_id: Set(event.0),
            endpoint_id: Set(endpoint.0),
            status: Set(DeliveryStatus::Pending.as_str().into()),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            last_attempt_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await;
        match inserted {
            Ok(model) => Ok(Some(model.id.into())),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                let existing = delivery::Entity::find()
                    .filter(delivery::Column::EventId.eq(event.0))
                    .filter(delivery::Column::EndpointId.eq(endpoint.0))
                    .one(&self.db)
                    .await?
                    .ok_or(DomainError::NotFound("delivery"))?;
                Ok((existing.status != DeliveryStatus::Succeeded.as_str())
                    .then_some(existing.id.into()))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Records an attempt and moves the delivery to the attempt's outcome, atomically.
    pub async fn record_attempt(&self, id: DeliveryId, attempt: AttemptRecord) -> Result<()> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        delivery_attempt::ActiveModel {
            id: Set(Uuid::now_v7()),
            delivery_id: Set(id.0),
            attempted_at: Set(now),
            status_code: Set(attempt.status_code.map(i32::from)),
            duration_ms: Set(i32::try_from(attempt.duration_ms).unwrap_or(i32::MAX)),
            error_class: Set(attempt.error_class),
            error: Set(attempt.error),
            response_excerpt: Set(attempt.response_excerpt),
        }
        .insert(&txn)
        .await?;
        delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, attempt.outcome.as_str().into())
            .col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
            .col_expr(delivery::Column::LastAttemptAt, now.into())
            .col_expr(
                delivery::Column::NextAttemptAt,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .col_expr(delivery::Column::UpdatedAt, now.into())
            .filter(delivery::Column::Id.eq(id.0))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
