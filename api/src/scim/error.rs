//! The one place where failures become SCIM error bodies (RFC 7644 §3.12). Internal errors are
//! logged with the request id and answered with a generic message that quotes it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use roster_domain::DomainError;
use roster_scim::{CONTENT_TYPE, ScimError, ScimType};
use std::fmt;

#[derive(Debug)]
pub struct ScimApiError(pub ScimError);

impl fmt::Display for ScimApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<ScimError> for ScimApiError {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

impl From<DomainError> for ScimApiError {
    fn from(err: DomainError) -> Self {
        Self(match err {
            DomainError::Scim(e) => e,
            DomainError::NotFound(what) => ScimError::not_found(format!("{what} not found")),
            DomainError::Conflict(msg) => ScimError::conflict(msg),
            DomainError::Invalid(msg) => ScimError::bad_request(ScimType::InvalidValue, msg),
            DomainError::Unauthorized(msg) => ScimError::unauthorized(msg),
            DomainError::PreconditionFailed(msg) => ScimError::new(412, None, msg),
            DomainError::RateLimited { detail, .. } => ScimError::new(429, None, detail),
            internal @ (DomainError::Db(_) | DomainError::Cache(_) | DomainError::Other(_)) => {
                tracing::error!(error = %internal, "internal error in the SCIM API");
                ScimError::new(
                    500,
                    None,
                    "internal error; quote the x-request-id response header when reporting it",
                )
            }
        })
    }
}

impl ResponseError for ScimApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.content_type(CONTENT_TYPE);
        if self.0.status == 401 {
            res.insert_header(("WWW-Authenticate", "Bearer realm=\"roster-scim\""));
        }
        if self.0.status == 429 {
            // Request limits count per second.
            res.insert_header(("Retry-After", "1"));
        }
        res.body(self.0.body().to_string())
    }
}
