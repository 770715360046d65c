//! OpenAPI descriptions of management-API bodies that are serialized from domain types
//! (documentation only: the event body is the domain's `EventEnvelope` itself, so that it
//! cannot drift from what webhooks carry).

use super::problem::ProblemDetails;
use serde::Serialize;
use utoipa::ToSchema;

/// An event: exactly the body of its webhook deliveries.
#[derive(Serialize, ToSchema)]
#[schema(as = Event)]
#[allow(dead_code)]
pub struct EventDoc {
    /// UUIDv7; the `webhook-id` of its deliveries.
    id: uuid::Uuid,
    /// `user.created`, `user.updated`, `user.deactivated`, `user.reactivated`, `user.deleted`,
    /// `group.created`, `group.updated`, `group.deleted`, `group.user_added`,
    /// `group.user_removed`, `connection.activated`, `connection.deactivated`,
    /// `connection.deleted`.
    #[serde(rename = "type")]
    #[schema(example = "user.created")]
    event_type: String,
    created_at: chrono::DateTime<chrono::Utc>,
    tenant_id: uuid::Uuid,
    /// Your app's id for the tenant, if it was given one.
    tenant_external_id: Option<String>,
    connection_id: Option<uuid::Uuid>,
    /// Grows by one per event of a connection, in commit order.
    sequence: i64,
    /// The normalized object (`object`: `user`, `group`, `connection`; for membership events
    /// `{group, user}`), with `raw`, the SCIM resource as stored.
    #[schema(value_type = Object)]
    data: serde_json::Value,
    /// On `*.updated`: the previous value of every attribute that changed.
    #[schema(value_type = Option<Object>)]
    previous_attributes: Option<serde_json::Value>,
}

/// The problem+json answers every management-API route may give.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ReadProblems {
    /// Invalid parameter or cursor (`type` …/validation).
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemDetails),
    /// Missing, malformed, unknown or revoked API key (`type` …/unauthorized); the response
    /// carries `WWW-Authenticate: Bearer`.
    #[response(
        status = 401,
        content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"roster-api\"`"))
    )]
    Unauthorized(ProblemDetails),
    /// An operator-only route called with an IT-admin session (`type` …/forbidden).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(ProblemDetails),
    /// No such object, or one of a tenant the key may not see (`type` …/not-found).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemDetails),
    /// Over the key's request rate (`type` …/rate-limited); retry after `Retry-After`.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    TooManyRequests(ProblemDetails),
    /// Something failed on our side (`type` …/internal); quote the request id.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(ProblemDetails),
}

/// The problem+json answers of routes that change something: those of reads, plus these.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum WriteProblems {
    /// Invalid body or parameter (`type` …/validation).
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemDetails),
    /// Missing, malformed, unknown or revoked API key (`type` …/unauthorized).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemDetails),
    /// A read-only key (`type` …/forbidden).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(ProblemDetails),
    /// No such object, or one of a tenant the key may not see (`type` …/not-found).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemDetails),
    /// The object's state does not allow it, e.g. a disabled endpoint, or a request with
    /// this `Idempotency-Key` still in flight (`type` …/conflict).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(ProblemDetails),
    /// The body is larger than 1 MiB (`type` …/payload-too-large).
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(ProblemDetails),
    /// The body is not JSON (`type` …/unsupported-media-type).
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(ProblemDetails),
    /// The `Idempotency-Key` was used for another request (`type` …/idempotency-mismatch).
    #[response(status = 422, content_type = "application/problem+json")]
    IdempotencyMismatch(ProblemDetails),
    /// Over the key's request rate (`type` …/rate-limited); retry after `Retry-After`.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    TooManyRequests(ProblemDetails),
    /// Something failed on our side (`type` …/internal); quote the request id.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(ProblemDetails),
}

/// A user's email as the normalized user carries it.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EmailDoc {
    value: Option<String>,
    #[serde(rename = "type")]
    email_type: Option<String>,
    primary: bool,
}

/// A group a user belongs to.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct GroupRefDoc {
    id: uuid::Uuid,
    display_name: String,
}

/// A user in the normalized shape, the same whatever the IdP: what `user.*` events carry as
/// `data`.
#[derive(Serialize, ToSchema)]
#[schema(as = DirectoryUser)]
#[allow(dead_code)]
pub struct DirectoryUserDoc {
    /// Always `user`.
    object: String,
    id: uuid::Uuid,
    user_name: String,
    external_id: Option<String>,
    display_name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    emails: Vec<EmailDoc>,
    active: bool,
    groups: Vec<GroupRefDoc>,
    /// The SCIM resource as stored.
    #[schema(value_type = Object)]
    raw: serde_json::Value,
}

/// A group in the normalized shape: what `group.*` events carry as `data` (members are listed
/// by `GET /groups/{group_id}/members`).
#[derive(Serialize, ToSchema)]
#[schema(as = DirectoryGroup)]
#[allow(dead_code)]
pub struct DirectoryGroupDoc {
    /// Always `group`.
    object: String,
    id: uuid::Uuid,
    display_name: String,
    external_id: Option<String>,
    /// The SCIM resource as stored.
    #[schema(value_type = Object)]
    raw: serde_json::Value,
}

/// The problem+json answers of login, refresh and setup-link redemption.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum SessionProblems {
    /// Invalid body (`type` …/validation).
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemDetails),
    /// The body is larger than 1 MiB (`type` …/payload-too-large).
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(ProblemDetails),
    /// The body is not JSON (`type` …/unsupported-media-type).
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(ProblemDetails),
    /// Wrong email or password; an invalid, used or expired token (`type` …/unauthorized).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemDetails),
    /// Too many failed attempts (`type` …/rate-limited); wait `Retry-After` seconds.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    TooManyRequests(ProblemDetails),
    /// Something failed on our side (`type` …/internal); quote the request id.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(ProblemDetails),
}
