//! The management API, `/api/v1`: JSON in and out, API-key (later also session) bearer auth
//! ([`auth::Principal`]), RFC 7807 problem+json errors ([`problem::Problem`]) and cursor
//! pagination ([`pagination`]). Handlers are thin: extract, call a service with the principal's
//! tenant scope, map to a DTO.

pub mod auth;
mod connections;
mod deliveries;
mod endpoints;
mod events;
pub mod pagination;
pub mod problem;
mod schema;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};
use problem::{Problem, ProblemKind};
use utoipa_actix_web::scope::{Scope, scope as utoipa_scope};

/// Largest JSON body the management API accepts.
const MAX_JSON_BYTES: usize = 1024 * 1024;

pub(crate) fn scope() -> Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
        Response = actix_web::dev::ServiceResponse,
    >,
> {
    utoipa_scope("/api/v1")
        .app_data(
            web::JsonConfig::default()
                .limit(MAX_JSON_BYTES)
                .error_handler(json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(events::list_events)
        .service(events::get_event)
        .service(connections::snapshot)
        .service(endpoints::create_endpoint)
        .service(endpoints::list_endpoints)
        .service(endpoints::get_endpoint)
        .service(endpoints::update_endpoint)
        .service(endpoints::delete_endpoint)
        .service(endpoints::enable_endpoint)
        .service(endpoints::disable_endpoint)
        .service(endpoints::get_secret)
        .service(endpoints::rotate_secret)
        .service(endpoints::send_test_event)
        .service(deliveries::list_deliveries)
        .service(deliveries::get_delivery)
        .service(deliveries::replay_delivery)
        .service(deliveries::recover_deliveries)
        // Registered last: any other method on a known path is a 405 problem.
        .route("/events", web::route().to(method_not_allowed))
        .route("/events/{id}", web::route().to(method_not_allowed))
        .route(
            "/connections/{connection_id}/snapshot",
            web::route().to(method_not_allowed),
        )
        .route("/endpoints", web::route().to(method_not_allowed))
        .route("/endpoints/{id}", web::route().to(method_not_allowed))
        .route(
            "/endpoints/{id}/{action}",
            web::route().to(method_not_allowed),
        )
        .route(
            "/endpoints/{id}/secret/rotate",
            web::route().to(method_not_allowed),
        )
        .route("/deliveries/{id}", web::route().to(method_not_allowed))
        .route(
            "/deliveries/{id}/replay",
            web::route().to(method_not_allowed),
        )
}

/// Body extractor errors: problem+json, never actix's text/plain.
fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let problem = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            Problem::new(
                ProblemKind::PayloadTooLarge,
                format!("the body is larger than {MAX_JSON_BYTES} bytes"),
            )
        }
        JsonPayloadError::ContentType => Problem::new(
            ProblemKind::UnsupportedMediaType,
            "the body must be JSON (Content-Type: application/json)",
        ),
        other => Problem::validation(format!("invalid JSON body: {other}")),
    };
    problem.into()
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        QueryPayloadError::Deserialize(e) => format!("invalid query string: {e}"),
        other => format!("invalid query string: {other}"),
    };
    Problem::validation(detail).into()
}

fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        PathError::Deserialize(e) => format!("invalid path parameter: {e}"),
        other => format!("invalid path parameter: {other}"),
    };
    Problem::validation(detail).into()
}

async fn method_not_allowed(req: HttpRequest) -> Result<actix_web::HttpResponse, Problem> {
    Err(Problem::new(
        ProblemKind::MethodNotAllowed,
        format!("{} is not supported on {}", req.method(), req.path()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn kind(err: actix_web::Error) -> ProblemKind {
        err.as_error::<Problem>().expect("a Problem").kind
    }

    #[test]
    fn extractor_errors_become_problems() {
        let req = TestRequest::default().to_http_request();
        assert_eq!(
            kind(json_error(JsonPayloadError::ContentType, &req)),
            ProblemKind::UnsupportedMediaType
        );
        let overflow = JsonPayloadError::Overflow {
            limit: MAX_JSON_BYTES,
        };
        assert_eq!(
            kind(json_error(overflow, &req)),
            ProblemKind::PayloadTooLarge
        );
        let syntax = serde_json::from_str::<u8>("{").unwrap_err();
        assert_eq!(
            kind(json_error(JsonPayloadError::Deserialize(syntax), &req)),
            ProblemKind::Validation
        );
        let query = serde::de::Error::custom("unknown field `type`");
        let err = query_error(QueryPayloadError::Deserialize(query), &req);
        let problem = err.as_error::<Problem>().unwrap();
        assert_eq!(problem.kind, ProblemKind::Validation);
        assert!(problem.detail.contains("unknown field `type`"));
    }
}
