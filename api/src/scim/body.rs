//! Request bodies: `application/scim+json` or `application/json`, at most the configured size,
//! a JSON document; anything else is a SCIM error, never a framework default page.

use super::error::ScimApiError;
use super::request_log::BodyExcerpt;
use actix_web::{HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use roster_domain::services::redacted_excerpt;
use roster_scim::{ScimError, ScimType};
use serde_json::Value;

pub async fn read_json(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Value, ScimApiError> {
    if let Some(ct) = req.headers().get("Content-Type") {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        let essence = ct.split(';').next().unwrap_or_default().trim();
        if !matches!(essence, "application/scim+json" | "application/json") {
            return Err(ScimError::new(
                415,
                None,
                "Content-Type must be application/scim+json or application/json",
            )
            .into());
        }
    }
    let too_large = || {
        ScimError::new(
            413,
            None,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get("Content-Length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large().into());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ScimError::bad_request(ScimType::InvalidSyntax, format!("reading the body: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large().into());
        }
        body.extend_from_slice(&chunk);
    }
    let excerpt = |text: String| req.extensions_mut().insert(BodyExcerpt(text));
    match serde_json::from_slice::<Value>(&body) {
        Ok(json) => {
            excerpt(redacted_excerpt(&json));
            roster_scim::limits::check_values(&json)?;
            Ok(json)
        }
        Err(e) => {
            // Unparseable bodies cannot be redacted, so only their size is kept.
            excerpt(format!("(not JSON, {} bytes)", body.len()));
            Err(
                ScimError::bad_request(ScimType::InvalidSyntax, format!("invalid JSON: {e}"))
                    .into(),
            )
        }
    }
}
