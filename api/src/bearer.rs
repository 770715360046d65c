//! The bearer credential of a request (`Authorization: Bearer <secret>`), shared by the SCIM
//! and management API extractors.

use actix_web::HttpRequest;

/// The secret after `Bearer ` (scheme case-insensitive), if the header has that shape.
pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}
