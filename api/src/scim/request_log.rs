//! Records every SCIM request of a connection (method, path, status, `scimType`, duration,
//! redacted body excerpt) for the IT admin's troubleshooting view. The entry is handed to a
//! background writer: logging never delays or fails a SCIM response.

use super::ScimApiError;
use crate::ApiState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use roster_domain::ids::ConnectionId;
use roster_domain::services::RequestLogEntry;
use std::time::Instant;
use tracing_actix_web::RequestId;

/// The redacted request body, left in the request's extensions by the body reader.
#[derive(Clone)]
pub struct BodyExcerpt(pub String);

pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, Error> {
    let started = Instant::now();
    let connection = req
        .match_info()
        .get("connection_id")
        .and_then(|id| id.parse::<ConnectionId>().ok());
    let method = req.method().to_string();
    let path = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let state = req.app_data::<web::Data<ApiState>>().cloned();
    let res = next.call(req).await?;
    if let (Some(connection_id), Some(state)) = (connection, state) {
        let scim_error = res
            .response()
            .error()
            .and_then(|e| e.as_error::<ScimApiError>())
            .map(|e| e.0.clone());
        let excerpt = res.request().extensions().get::<BodyExcerpt>().cloned();
        state.request_log.record(RequestLogEntry {
            id: uuid::Uuid::now_v7(),
            connection_id,
            at: chrono::Utc::now(),
            method,
            path,
            status: res.status().as_u16(),
            scim_type: scim_error
                .as_ref()
                .and_then(|e| e.scim_type)
                .map(|t| t.as_str().to_string()),
            duration_ms: started.elapsed().as_millis() as u32,
            request_id,
            request_excerpt: excerpt.map(|e| e.0),
            error_detail: scim_error.map(|e| e.detail),
        });
    }
    Ok(res.map_into_boxed_body())
}
