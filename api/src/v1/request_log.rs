//! The SCIM request log of a connection: what the IdP sent and what it got, newest first.

use super::auth::Principal;
use super::connections::ConnectionPath;
use super::pagination::{Paginated, decode_cursor, encode_cursor, limit};
use super::problem::Problem;
use super::schema::ReadProblems;
use crate::ApiState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use roster_domain::ids::ConnectionId;
use roster_domain::services::RequestLogEntry;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestLogQuery {
    /// `error`: only requests answered with a 4xx or 5xx.
    outcome: Option<String>,
    /// A `next_cursor`: older requests than the last one seen.
    after: Option<String>,
    /// Requests per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RequestLogCursor {
    at: DateTime<Utc>,
    id: Uuid,
}

/// List a connection's SCIM requests, newest first.
///
/// Bodies are excerpts with secrets (passwords) redacted; kept for
/// `scim.request_log_retention_days`.
#[utoipa::path(
    tag = "SCIM request log",
    params(("connection_id" = Uuid, Path), RequestLogQuery),
    responses((status = 200, body = Paginated<RequestLogEntry>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/connections/{connection_id}/requests")]
pub async fn list_requests(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
    query: web::Query<RequestLogQuery>,
) -> Result<web::Json<Paginated<RequestLogEntry>>, Problem> {
    let limit = limit(query.limit)?;
    let errors_only = match query.outcome.as_deref() {
        None | Some("all") => false,
        Some("error") => true,
        Some(other) => {
            return Err(Problem::validation(format!(
                "outcome must be `error` or `all`, not `{other}`"
            )));
        }
    };
    let before = query
        .after
        .as_deref()
        .map(|raw| decode_cursor::<RequestLogCursor>(raw, "after").map(|c| (c.at, c.id)))
        .transpose()?;
    let entries = state
        .svc
        .request_log(
            ConnectionId(id.into_inner()),
            principal.tenant_scope().restriction(),
            before,
            errors_only,
            limit,
        )
        .await?;
    let next_cursor = match entries.last() {
        Some(last) if entries.len() as u64 == limit => Some(encode_cursor(&RequestLogCursor {
            at: last.at,
            id: last.id,
        })),
        _ => None,
    };
    Ok(web::Json(Paginated {
        data: entries,
        next_cursor,
    }))
}
