//! Text with the NUL character (U+0000) is refused at the edge, in the format of the API asked:
//! PostgreSQL cannot store it (in text or JSONB) while SQLite can, so without this guard the
//! same request would fail with a 500 on one backend and succeed on the other. Checked: the
//! query string (`%00`) and JSON bodies (the escape `\u0000`; raw NUL is not valid JSON).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};
use futures_util::StreamExt;

const DETAIL: &str = "text must not contain the NUL character (U+0000)";

/// True when a JSON text holds a `\u0000` escape (not an escaped backslash followed by `u0000`).
fn json_has_nul(body: &[u8]) -> bool {
    let mut i = 0;
    while i + 6 <= body.len() {
        if body[i] == b'\\' {
            if body[i + 1] == b'u' && &body[i + 2..i + 6] == b"0000" {
                return true;
            }
            // Skip the escaped character, so `\\u0000` is not read as an escape.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn query_has_nul(query: &str) -> bool {
    query.to_ascii_lowercase().contains("%00")
}

fn refuse(req: ServiceRequest) -> ServiceResponse<BoxBody> {
    let res = if req.path().starts_with("/scim/") {
        let err = roster_scim::ScimError::bad_request(roster_scim::ScimType::InvalidValue, DETAIL);
        crate::scim::ScimApiError(err).error_response()
    } else {
        HttpResponse::from_error(crate::v1::problem::Problem::validation(DETAIL))
    };
    ServiceResponse::new(req.into_parts().0, res)
}

fn too_large(req: ServiceRequest, cap: usize) -> ServiceResponse<BoxBody> {
    let detail = format!("the body is larger than {cap} bytes");
    let res = if req.path().starts_with("/scim/") {
        let err = roster_scim::ScimError::new(413, None, detail);
        crate::scim::ScimApiError(err).error_response()
    } else {
        let problem = crate::v1::problem::Problem::new(
            crate::v1::problem::ProblemKind::PayloadTooLarge,
            detail,
        );
        HttpResponse::from_error(problem)
    };
    ServiceResponse::new(req.into_parts().0, res)
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if query_has_nul(req.query_string()) {
        return Ok(refuse(req));
    }
    let json = req.content_type().ends_with("json");
    let cap = req
        .app_data::<web::Data<crate::ApiState>>()
        .map(|s| {
            let scim = &s.svc.config.scim;
            scim.max_body_bytes
                .max(scim.bulk_max_payload_bytes)
                .max(crate::v1::MAX_JSON_BYTES)
        })
        .unwrap_or(crate::v1::MAX_JSON_BYTES);
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Bodies past every limit are refused by their handler; do not buffer them here.
    if !json || declared.is_some_and(|n| n > cap) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        body.extend_from_slice(&chunk?);
        if body.len() > cap {
            break;
        }
    }
    if body.len() > cap {
        // Past every limit: what the handler would answer, without reading the rest.
        return Ok(too_large(req, cap));
    }
    let body = body.freeze();
    if json_has_nul(&body) {
        return Ok(refuse(req));
    }
    req.set_payload(Payload::from(body));
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escapes_are_found_and_escaped_backslashes_are_not() {
        assert!(json_has_nul(br#"{"a": "x\u0000y"}"#));
        assert!(json_has_nul(br#"{"\u0000": 1}"#));
        assert!(json_has_nul(br#"["\\\u0000"]"#));
        assert!(!json_has_nul(br#"{"a": "\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a": "\u0001 and \n"}"#));
        assert!(query_has_nul("search=a%00b"));
        assert!(query_has_nul("filter=userName%20eq%20%22%00%22"));
        assert!(!query_has_nul("search=a%2500"));
    }
}
