//! `Idempotency-Key` on management-API POSTs: the same credential sending the same key again
//! gets the first response (`Idempotency-Replayed: true`) instead of a second action, for 24
//! hours. The same key with another request is a 422; while the first is still being handled,
//! a 409. Failures worth retrying (5xx, 429, 401) free the key. Requests without credentials
//! (login, setup-link redemption) ignore it.

use super::MAX_JSON_BYTES;
use super::problem::{Problem, ProblemKind};
use crate::ApiState;
use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use futures_util::StreamExt;
use roster_domain::services::{Idempotency, IdempotentRequest};

pub const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotency-replayed";
const MAX_KEY_LEN: usize = 255;

/// `res` as the answer to `req`. (`ServiceRequest::into_response` would drop the error a
/// problem response carries, and with it the request id the body quotes.)
fn respond(req: ServiceRequest, res: HttpResponse) -> ServiceResponse<BoxBody> {
    ServiceResponse::new(req.into_parts().0, res)
}

fn problem(req: ServiceRequest, problem: Problem) -> ServiceResponse<BoxBody> {
    respond(req, HttpResponse::from_error(problem))
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let key = req
        .headers()
        .get(HEADER)
        .map(|k| k.to_str().map(str::to_string));
    let credential = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (Some(key), Some(credential), true) = (key, credential, req.method() == Method::POST)
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match key {
        Ok(k) if (1..=MAX_KEY_LEN).contains(&k.len()) => k,
        _ => {
            let detail =
                format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters");
            return Ok(problem(req, Problem::validation(detail)));
        }
    };
    // Read the body (bounded like every JSON body), then hand it on unchanged.
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        body.extend_from_slice(&chunk?);
        if body.len() > MAX_JSON_BYTES {
            let detail = format!("the body is larger than {MAX_JSON_BYTES} bytes");
            return Ok(problem(
                req,
                Problem::new(ProblemKind::PayloadTooLarge, detail),
            ));
        }
    }
    let body = body.freeze();
    req.set_payload(Payload::from(body.clone()));
    let svc = req
        .app_data::<web::Data<ApiState>>()
        .expect("ApiState is registered")
        .svc
        .clone();
    let path = req.path().to_string();
    let method = req.method().to_string();
    let request = IdempotentRequest {
        credential: &credential,
        key: &key,
        method: &method,
        path: &path,
        body: &body,
    };
    match svc
        .begin_idempotency(&request)
        .await
        .map_err(Problem::from)?
    {
        Idempotency::Proceed => {}
        Idempotency::InFlight => {
            let detail = "a request with this Idempotency-Key is still being handled; retry later";
            return Ok(problem(req, Problem::new(ProblemKind::Conflict, detail)));
        }
        Idempotency::Mismatch => {
            let detail = "this Idempotency-Key was used for a different request (method, path or \
                          body); use a new key";
            return Ok(problem(
                req,
                Problem::new(ProblemKind::IdempotencyMismatch, detail),
            ));
        }
        Idempotency::Replay {
            status,
            content_type,
            body: Some(body),
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut res = HttpResponse::build(status);
            if let Some(ct) = content_type {
                res.content_type(ct);
            }
            res.insert_header((REPLAYED, "true"));
            return Ok(respond(req, res.body(body)));
        }
        Idempotency::Replay { body: None, .. } => {
            let detail = "the request with this Idempotency-Key succeeded; its response held a \
                          secret, shown once and not stored: list the resource to find it";
            let mut res = HttpResponse::from_error(Problem::new(ProblemKind::Conflict, detail));
            res.headers_mut().insert(
                header::HeaderName::from_static(REPLAYED),
                header::HeaderValue::from_static("true"),
            );
            return Ok(respond(req, res));
        }
    }
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            release(&svc, &request).await;
            return Err(err);
        }
    };
    let status = res.status();
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::UNAUTHORIZED
    {
        release(&svc, &request).await;
        return Ok(res);
    }
    let (http_req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    // Handlers mark answers that carry a secret (a token, a key, a setup link) `no-store`.
    let secret = res
        .headers()
        .get(header::CACHE_CONTROL)
        .is_some_and(|v| v == "no-store");
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stored = (!secret).then(|| String::from_utf8_lossy(&bytes).into_owned());
    if let Err(err) = svc
        .complete_idempotency(&request, status.as_u16(), content_type, stored)
        .await
    {
        tracing::warn!(error = %err, "an idempotent response could not be stored");
        release(&svc, &request).await;
    }
    let res = res.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, res))
}

async fn release(svc: &roster_domain::Services, request: &IdempotentRequest<'_>) {
    if let Err(err) = svc.release_idempotency(request).await {
        tracing::warn!(error = %err, "an idempotency key could not be released");
    }
}
