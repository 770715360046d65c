//! Echoes the request id that `tracing-actix-web` gives every request (and every log line of
//! it) as an `x-request-id` response header, so a client can quote it; problem+json bodies
//! quote it too. Also logs refused requests at debug (a flood of 401s or 429s must not flood
//! the logs) and failed ones at error, inside the request's span.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing_actix_web::RequestId;

pub const HEADER: &str = "x-request-id";

pub async fn add_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if status.is_server_error() || status.is_client_error() {
        let error = res.response().error().map(ToString::to_string);
        let error = error.as_deref().unwrap_or_default();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), error, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), error, "request refused");
        }
    }
    if let Some(id) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res = crate::v1::problem::with_request_id(res, &id);
        res.headers_mut()
            .insert(HeaderName::from_static(HEADER), id);
    }
    Ok(res)
}
