//! Roster's HTTP edge: the SCIM 2.0 API per connection, the management API (`/api/v1`),
//! health and readiness, the OpenAPI document and its docs page, and the admin UI. Handlers are
//! thin: extract, call a service, render.

mod admin;
mod bearer;
mod health;
mod log_span;
mod nul_guard;
pub mod openapi;
mod request_id;
pub mod scim;
mod security;
pub mod v1;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use roster_domain::Services;
use roster_domain::health::HealthCheck;
use roster_domain::services::RequestLog;
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// What every handler can read.
#[derive(Clone)]
pub struct ApiState {
    pub svc: Services,
    pub checks: Arc<Vec<Arc<dyn HealthCheck>>>,
    pub request_log: RequestLog,
}

/// Registers every documented route; shared by the server and by [`openapi::document`].
fn routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Error = actix_web::Error,
            InitError = (),
        >,
{
    app.openapi(openapi::base())
        .service(health::healthz)
        .service(health::readyz)
        .service(scim::scope())
        .service(v1::scope())
}

/// Unknown routes: a SCIM error body under `/scim`, problem+json elsewhere.
async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    if req.path().starts_with("/scim/") {
        let detail = format!("no SCIM endpoint {} {}", req.method(), req.path());
        return scim::ScimApiError(roster_scim::ScimError::not_found(detail)).error_response();
    }
    let problem =
        v1::problem::Problem::not_found(format!("no route {} {}", req.method(), req.path()));
    actix_web::HttpResponse::from_error(problem)
}

/// Starts the HTTP server on `listener` (bind it first, so tests can use port 0).
pub fn start(
    svc: Services,
    checks: Vec<Arc<dyn HealthCheck>>,
    listener: TcpListener,
) -> anyhow::Result<Server> {
    let state = ApiState {
        request_log: svc.start_request_log(),
        svc,
        checks: Arc::new(checks),
    };
    let admin_dir = state.svc.config.admin_dir.clone();
    let origins = state.svc.config.cors_allowed_origins.clone();
    let server = HttpServer::new(move || {
        let (app, api) = routes(
            App::new()
                .app_data(web::Data::new(state.clone()))
                .into_utoipa_app(),
        )
        .split_for_parts();
        app.wrap(actix_web::middleware::from_fn(nul_guard::middleware))
            .wrap(actix_web::middleware::from_fn(request_id::add_header))
            .wrap(security::headers())
            .wrap(actix_web::middleware::Condition::new(
                !origins.is_empty(),
                security::cors(&origins),
            ))
            .wrap(TracingLogger::<log_span::RedactedRootSpan>::new())
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi::finish(api)))
            .configure(|cfg| admin::configure(cfg, &admin_dir))
            .default_service(web::to(not_found))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
