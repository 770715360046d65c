//! The SCIM 2.0 API of one connection: `/scim/v2/{connection_id}/...`.

mod auth;
mod body;
mod bulk;
mod discovery;
mod error;
mod etag;
mod groups;
mod list_params;
mod projection;
mod request_log;
pub(crate) mod schema;
mod search;
mod users;

pub use auth::ScimAuth;
pub use error::ScimApiError;
pub use projection::Projection;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use roster_scim::CONTENT_TYPE;
use roster_scim::schema::ResourceKind;
use serde_json::Value;
use utoipa_actix_web::scope::{Scope, scope as utoipa_scope};

pub(crate) fn scope() -> Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
        Response = actix_web::dev::ServiceResponse,
    >,
> {
    utoipa_scope("/scim/v2/{connection_id}")
        .wrap(actix_web::middleware::from_fn(request_log::record))
        .service(discovery::service_provider_config)
        .service(discovery::resource_types)
        .service(discovery::resource_type)
        .service(discovery::schemas_list)
        .service(discovery::schema)
        .service(users::list::list_users)
        .service(users::create::create_user)
        .service(users::get::get_user)
        .service(users::replace::replace_user)
        .service(users::patch::patch_user)
        .service(users::delete::delete_user)
        .service(groups::list::list_groups)
        .service(groups::create::create_group)
        .service(groups::get::get_group)
        .service(groups::replace::replace_group)
        .service(groups::patch::patch_group)
        .service(groups::delete::delete_group)
        .service(bulk::bulk)
        .service(search::search_users)
        .service(search::search_groups)
        .service(search::search_all)
        // Registered last: any other method on a known path is a SCIM 405.
        .route(
            "/ServiceProviderConfig",
            web::route().to(method_not_allowed),
        )
        .route("/ResourceTypes", web::route().to(method_not_allowed))
        .route("/ResourceTypes/{id}", web::route().to(method_not_allowed))
        .route("/Schemas", web::route().to(method_not_allowed))
        .route("/Schemas/{id}", web::route().to(method_not_allowed))
        .route("/Bulk", web::route().to(method_not_allowed))
        .route("/Users", web::route().to(method_not_allowed))
        .route("/Users/{id}", web::route().to(method_not_allowed))
        .route("/Groups", web::route().to(method_not_allowed))
        .route("/Groups/{id}", web::route().to(method_not_allowed))
}

/// A SCIM JSON response with the resource's version as a weak ETag (and `Location` on 201).
pub(crate) fn resource_response(status: StatusCode, resource: Value) -> HttpResponse {
    respond(status, &resource, &resource)
}

/// Like [`resource_response`], with the body projected (`attributes` / `excludedAttributes`);
/// the headers still come from the whole resource.
pub(crate) fn projected_response(
    status: StatusCode,
    resource: Value,
    projection: &Projection,
    kind: ResourceKind,
) -> HttpResponse {
    respond(status, &resource, &projection.apply(&resource, kind))
}

fn respond(status: StatusCode, resource: &Value, body: &Value) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type(CONTENT_TYPE);
    if let Some(version) = resource.pointer("/meta/version").and_then(Value::as_str) {
        res.insert_header(("ETag", version.to_string()));
    }
    if status == StatusCode::CREATED
        && let Some(location) = resource.pointer("/meta/location").and_then(Value::as_str)
    {
        res.insert_header(("Location", location.to_string()));
    }
    res.body(body.to_string())
}

/// A method this path does not support: SCIM 405 body.
async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ScimApiError> {
    let detail = format!("{} is not supported on {}", req.method(), req.path());
    Err(ScimApiError(roster_scim::ScimError::new(405, None, detail)))
}

/// A ListResponse whose resources are projected.
pub(crate) fn list_response(
    total: u64,
    start_index: u64,
    resources: impl Iterator<Item = Value>,
    projection: &Projection,
    kind: ResourceKind,
) -> HttpResponse {
    let resources = resources.map(|r| projection.apply(&r, kind)).collect();
    let body = roster_scim::ListResponse::new(total, start_index, resources);
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(serde_json::to_string(&body).unwrap_or_default())
}
