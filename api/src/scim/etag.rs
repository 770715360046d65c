//! ETags (RFC 7644 §3.14): every resource carries `W/"<version>"`. `If-Match` on a write must
//! name the current version (else 412); `If-None-Match` on a read answers 304 when it does.

use super::ScimApiError;
use actix_web::HttpRequest;
use actix_web::HttpResponse;
use roster_scim::ScimError;
use serde_json::Value;

/// Versions named by a header such as `W/"3"`, `"3", W/"4"` or `*` (`None` means any).
fn versions(req: &HttpRequest, header: &str) -> Option<Result<Vec<i64>, ()>> {
    parse_tags(req.headers().get(header)?.to_str().ok()?)
}

/// Versions named by an ETag list (`None` for `*`).
pub fn parse_tags(raw: &str) -> Option<Result<Vec<i64>, ()>> {
    let raw = raw.trim();
    if raw == "*" {
        return None;
    }
    let parsed = raw
        .split(',')
        .map(|tag| {
            let tag = tag.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            tag.trim_matches('"').parse::<i64>().map_err(|_| ())
        })
        .collect();
    Some(parsed)
}

/// The version a write must find (from `If-Match`); `None` when the client set no condition.
/// A tag we never issued cannot match anything: 412 right away.
pub fn if_match(req: &HttpRequest) -> Result<Option<Vec<i64>>, ScimApiError> {
    match versions(req, "If-Match") {
        None => Ok(None),
        Some(Ok(list)) => Ok(Some(list)),
        Some(Err(())) => Err(ScimError::new(
            412,
            None,
            "If-Match does not name a version of this resource",
        )
        .into()),
    }
}

/// `304 Not Modified` when `If-None-Match` names the resource's current version.
pub fn not_modified(req: &HttpRequest, resource: &Value) -> Option<HttpResponse> {
    let current = resource
        .pointer("/meta/version")
        .and_then(Value::as_str)?
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .ok()?;
    match versions(req, "If-None-Match") {
        None if req.headers().contains_key("If-None-Match") => Some(current),
        Some(Ok(list)) if list.contains(&current) => Some(current),
        _ => None,
    }
    .map(|v| {
        HttpResponse::NotModified()
            .insert_header(("ETag", format!("W/\"{v}\"")))
            .finish()
    })
}
