//! The SCIM 2.0 API of one connection: `/scim/v2/{connection_id}/...`.

mod auth;
mod body;
mod error;
mod etag;
mod groups;
mod schema;
mod users;

pub use auth::ScimAuth;
pub use error::ScimApiError;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use roster_scim::CONTENT_TYPE;
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
        .service(users::create::create_user)
        .service(users::get::get_user)
        .service(users::replace::replace_user)
        .service(users::delete::delete_user)
        .service(groups::create::create_group)
        .service(groups::get::get_group)
        .service(groups::replace::replace_group)
        .service(groups::delete::delete_group)
}

/// A SCIM JSON response with the resource's version as a weak ETag.
pub(crate) fn resource_response(status: StatusCode, resource: Value) -> HttpResponse {
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
    res.body(resource.to_string())
}
