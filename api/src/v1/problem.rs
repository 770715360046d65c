//! The one error type of the management API: RFC 7807 `application/problem+json` bodies with a
//! stable `type` URI per kind of error, so clients can branch on it rather than on prose.
//!
//! Domain errors become problems here and nowhere else; internal errors are logged (with the
//! request id, which the tracing span carries) and answered with a generic detail. The request
//! id is added to the body by the `request_id` middleware, which sees the request.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use roster_domain::DomainError;
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

pub const CONTENT_TYPE: &str = "application/problem+json";
const TYPE_BASE: &str = "https://roster.dev/problems/";
const WWW_AUTHENTICATE: &str = "Bearer realm=\"roster-api\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// 400: the request is malformed or a value is invalid.
    Validation,
    /// 401: missing, malformed, unknown or revoked credentials.
    Unauthorized,
    /// 403: authenticated, but not allowed to do this (e.g. a read-only key writing).
    Forbidden,
    /// 404: no such object, or one the caller may not see.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: conflicts with the current state (e.g. a uniqueness rule).
    Conflict,
    /// 412: an `If-Match` precondition failed.
    PreconditionFailed,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 422: an `Idempotency-Key` reused for a different request.
    IdempotencyMismatch,
    /// 429: slow down.
    RateLimited,
    /// 500: our fault; the detail is generic, the logs have the rest.
    Internal,
}

impl ProblemKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::Validation => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The last segment of the `type` URI; stable, part of the API.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::PreconditionFailed => "precondition-failed",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::IdempotencyMismatch => "idempotency-mismatch",
            Self::RateLimited => "rate-limited",
            Self::Internal => "internal",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Validation => "Invalid request",
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Not allowed",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::PreconditionFailed => "Precondition failed",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::IdempotencyMismatch => "Idempotency key reused",
            Self::RateLimited => "Too many requests",
            Self::Internal => "Internal error",
        }
    }
}

/// An RFC 7807 problem, as the management API answers every error.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://roster.dev/problems/not-found",
    "title": "Not found",
    "status": 404,
    "detail": "event not found",
    "request_id": "5b0e8f5e-4c1e-4f4b-9a57-3f1f9b0a2c11"
}))]
pub struct ProblemDetails {
    /// Stable URI of the kind of error: `https://roster.dev/problems/{validation, unauthorized,
    /// forbidden, not-found, method-not-allowed, conflict, precondition-failed,
    /// payload-too-large, unsupported-media-type, rate-limited, internal}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the kind of error.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request's id (also the `x-request-id` header); quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A management-API error; renders as problem+json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
    /// Seconds for a `Retry-After` header (429 answers).
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn validation(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Validation, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Forbidden, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::NotFound, detail)
    }

    pub fn internal() -> Self {
        Self::new(
            ProblemKind::Internal,
            "internal error; quote the request id when reporting it",
        )
    }

    pub fn details(&self, request_id: Option<&str>) -> ProblemDetails {
        ProblemDetails {
            type_uri: format!("{TYPE_BASE}{}", self.kind.slug()),
            title: self.kind.title(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            request_id: request_id.map(str::to_string),
        }
    }

    fn body(&self, request_id: Option<&str>) -> String {
        serde_json::to_string(&self.details(request_id)).unwrap_or_default()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.slug(), self.detail)
    }
}

impl From<DomainError> for Problem {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(what) => Self::not_found(format!("{what} not found")),
            DomainError::Conflict(msg) => Self::new(ProblemKind::Conflict, msg),
            DomainError::Invalid(msg) => Self::validation(msg),
            DomainError::Unauthorized(msg) => Self::unauthorized(msg),
            DomainError::PreconditionFailed(msg) => Self::new(ProblemKind::PreconditionFailed, msg),
            DomainError::RateLimited {
                detail,
                retry_after_secs,
            } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(ProblemKind::RateLimited, detail)
            },
            // A SCIM-level rejection reaching the management API is still the client's doing.
            DomainError::Scim(e) => match StatusCode::from_u16(e.status) {
                Ok(StatusCode::NOT_FOUND) => Self::not_found(e.detail),
                Ok(StatusCode::CONFLICT) => Self::new(ProblemKind::Conflict, e.detail),
                _ => Self::validation(e.detail),
            },
            internal @ (DomainError::Db(_) | DomainError::Cache(_) | DomainError::Other(_)) => {
                tracing::error!(error = %internal, "internal error in the management API");
                Self::internal()
            }
        }
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.content_type(CONTENT_TYPE);
        if self.kind == ProblemKind::Unauthorized {
            res.insert_header((header::WWW_AUTHENTICATE, WWW_AUTHENTICATE));
        }
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.body(self.body(None))
    }
}

/// Called by the request-id middleware: when the response is a [`Problem`], its body is
/// rendered again with the request id (status, headers and the error for the logs are kept).
pub(crate) fn with_request_id(
    res: ServiceResponse<BoxBody>,
    request_id: &HeaderValue,
) -> ServiceResponse<BoxBody> {
    let body = match (
        res.response().error().and_then(|e| e.as_error::<Problem>()),
        request_id.to_str(),
    ) {
        (Some(problem), Ok(id)) => problem.body(Some(id)),
        _ => return res,
    };
    res.map_body(|_, _| BoxBody::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_map_to_stable_problem_types_and_internals_stay_inside() {
        let cases = [
            (DomainError::NotFound("event"), 404, "not-found"),
            (DomainError::Invalid("bad".into()), 400, "validation"),
            (DomainError::Conflict("taken".into()), 409, "conflict"),
            (DomainError::Unauthorized("no"), 401, "unauthorized"),
            (
                DomainError::Other(anyhow::anyhow!("password=hunter2 at db:5432")),
                500,
                "internal",
            ),
        ];
        for (err, status, slug) in cases {
            let details = Problem::from(err).details(Some("r1"));
            assert_eq!(details.status, status);
            assert_eq!(
                details.type_uri,
                format!("https://roster.dev/problems/{slug}")
            );
            assert_eq!(details.request_id.as_deref(), Some("r1"));
            assert!(!details.detail.contains("hunter2"));
        }
    }

    #[test]
    fn unauthorized_asks_for_a_bearer_token() {
        let res = Problem::unauthorized("no key").error_response();
        assert_eq!(res.status(), 401);
        let get = |name| res.headers().get(name).and_then(|v| v.to_str().ok());
        assert_eq!(get(header::WWW_AUTHENTICATE), Some(WWW_AUTHENTICATE));
        assert_eq!(get(header::CONTENT_TYPE), Some(CONTENT_TYPE));
    }
}
