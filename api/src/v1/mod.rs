//! The management API, `/api/v1`: JSON in and out, API-key (later also session) bearer auth
//! ([`auth::Principal`]), RFC 7807 problem+json errors ([`problem::Problem`]) and cursor
//! pagination ([`pagination`]). Handlers are thin: extract, call a service with the principal's
//! tenant scope, map to a DTO.

mod accounts;
mod api_keys;
mod audit;
pub mod auth;
mod connections;
mod deliveries;
mod directory;
mod endpoints;
mod events;
mod idempotency;
mod nullable;
mod optional_json;
pub mod pagination;
pub mod problem;
mod request_log;
mod schema;
mod scim_tokens;
mod sessions;
mod setup_links;
mod snapshot;
mod tenants;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};
use problem::{Problem, ProblemKind};
use utoipa_actix_web::scope::{Scope, scope as utoipa_scope};

/// Every path of the management API, for the 405 answer to methods it does not support.
const KNOWN_PATHS: &[&str] = &[
    "/tenants",
    "/tenants/{id}",
    "/tenants/{id}/connections",
    "/tenants/{id}/users",
    "/tenants/{id}/groups",
    "/tenants/{id}/setup-links",
    "/auth/login",
    "/auth/refresh",
    "/auth/logout",
    "/auth/me",
    "/accounts",
    "/accounts/{id}",
    "/accounts/{id}/password",
    "/setup-links/redeem",
    "/setup-links/{id}/revoke",
    "/audit-log",
    "/connections/{id}",
    "/connections/{id}/snapshot",
    "/connections/{id}/scim-tokens",
    "/connections/{id}/users",
    "/connections/{id}/groups",
    "/connections/{id}/requests",
    "/scim-tokens/{id}/revoke",
    "/users/{id}",
    "/users/{id}/groups",
    "/groups/{id}",
    "/groups/{id}/members",
    "/api-keys",
    "/api-keys/{id}/revoke",
    "/events",
    "/events/{id}",
    "/endpoints",
    "/endpoints/{id}",
    "/endpoints/{id}/{action}",
    "/endpoints/{id}/secret/rotate",
    "/deliveries/{id}",
    "/deliveries/{id}/replay",
];

/// Largest JSON body the management API accepts.
pub(crate) const MAX_JSON_BYTES: usize = 1024 * 1024;

pub(crate) fn scope() -> Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
        Response = actix_web::dev::ServiceResponse,
    >,
> {
    let scope = utoipa_scope("/api/v1")
        .wrap(actix_web::middleware::from_fn(idempotency::middleware))
        // Outermost: nothing runs for a request without a valid credential.
        .wrap(actix_web::middleware::from_fn(auth::authenticate))
        .app_data(
            web::JsonConfig::default()
                .limit(MAX_JSON_BYTES)
                .error_handler(json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(sessions::login)
        .service(sessions::refresh)
        .service(sessions::logout)
        .service(sessions::me)
        .service(accounts::create_account)
        .service(accounts::list_accounts)
        .service(accounts::get_account)
        .service(accounts::delete_account)
        .service(accounts::set_password)
        .service(setup_links::redeem_setup_link)
        .service(setup_links::create_setup_link)
        .service(setup_links::list_setup_links)
        .service(setup_links::revoke_setup_link)
        .service(audit::list_audit)
        .service(events::list_events)
        .service(events::get_event)
        .service(tenants::create_tenant)
        .service(tenants::list_tenants)
        .service(tenants::get_tenant)
        .service(tenants::update_tenant)
        .service(tenants::delete_tenant)
        .service(connections::create_connection)
        .service(connections::list_connections)
        .service(connections::get_connection)
        .service(connections::update_connection)
        .service(connections::delete_connection)
        .service(snapshot::snapshot)
        .service(scim_tokens::issue_scim_token)
        .service(scim_tokens::list_scim_tokens)
        .service(scim_tokens::revoke_scim_token)
        .service(directory::connection_users)
        .service(directory::tenant_users)
        .service(directory::connection_groups)
        .service(directory::tenant_groups)
        .service(directory::get_user)
        .service(directory::user_groups)
        .service(directory::get_group)
        .service(directory::group_members)
        .service(request_log::list_requests)
        .service(api_keys::create_api_key)
        .service(api_keys::list_api_keys)
        .service(api_keys::revoke_api_key)
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
        .service(deliveries::delivery_stats)
        .service(deliveries::get_delivery)
        .service(deliveries::replay_delivery)
        .service(deliveries::recover_deliveries);
    // Registered last: any other method on a known path is a 405 problem.
    KNOWN_PATHS.iter().fold(scope, |scope, path| {
        scope.route(path, web::route().to(method_not_allowed))
    })
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
