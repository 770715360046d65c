//! The audit log: who did what, when, from where; newest first.

use super::auth::Principal;
use super::pagination::{Paginated, after_id, id_page, limit};
use super::problem::Problem;
use super::schema::ReadProblems;
use crate::ApiState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use roster_domain::services::{AuditEntry, AuditFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// An action (`scim_token.revoked`) or a family (`endpoint.*`).
    action: Option<String>,
    /// The API key or account that acted.
    actor_id: Option<Uuid>,
    tenant_id: Option<Uuid>,
    /// Entries at or after this time.
    since: Option<DateTime<Utc>>,
    /// Entries before this time.
    until: Option<DateTime<Utc>>,
    /// A `next_cursor`: older entries.
    after: Option<String>,
    /// Entries per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// List audit entries, newest first.
#[utoipa::path(
    tag = "Audit log",
    params(AuditQuery),
    responses((status = 200, body = Paginated<AuditEntry>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/audit-log")]
pub async fn list_audit(
    principal: Principal,
    state: web::Data<ApiState>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Paginated<AuditEntry>>, Problem> {
    principal.require_operator()?;
    let query = query.into_inner();
    let limit = limit(query.limit)?;
    let before = after_id(query.after.as_deref())?;
    let filter = AuditFilter {
        action: query.action,
        actor_id: query.actor_id,
        tenant: query.tenant_id.map(Into::into),
        since: query.since,
        until: query.until,
    };
    let entries = state
        .svc
        .list_audit(principal.tenant_scope(), &filter, before, limit)
        .await?;
    Ok(web::Json(id_page(entries, limit, |e| e.id)))
}
