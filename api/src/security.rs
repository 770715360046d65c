//! Headers every response carries, and CORS: closed unless `cors_allowed_origins` lists the
//! browser origins that may call the APIs (the admin UI is same-origin and needs none).

use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;

/// Set when a handler did not set them: no MIME sniffing, no framing, no referrer, and no
/// caching (every API answer is per-credential; the admin UI's assets set their own).
pub fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// CORS for the listed origins: bearer-authenticated calls (no cookies), the methods and
/// headers the APIs use, preflights cached for an hour.
pub fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| {
            cors.allowed_origin(origin.trim_end_matches('/'))
        })
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600)
}
