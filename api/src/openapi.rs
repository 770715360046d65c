//! The OpenAPI 3.1 document: routes are collected from the handlers' `#[utoipa::path]`
//! annotations; this module adds what is global (info, security schemes).

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster API",
        description = "Multi-tenant SCIM 2.0 provisioning with signed webhooks. \
            The SCIM API is what identity providers call, one base URL per connection \
            (`/scim/v2/{connection_id}`), authenticated with that connection's bearer token.",
        license(name = "Apache-2.0"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "SCIM Discovery", description = "What the service provider supports: ServiceProviderConfig, ResourceTypes, Schemas"),
        (name = "SCIM Users", description = "SCIM 2.0 Users (RFC 7644) of one connection"),
        (name = "SCIM Groups", description = "SCIM 2.0 Groups (RFC 7644) of one connection, members included"),
        (name = "SCIM Bulk", description = "Many SCIM operations in one request, with bulkId references"),
        (name = "Health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "scim_token",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A connection's SCIM token (`scim_…`), issued once by an operator.",
                    ))
                    .build(),
            ),
        );
    }
}

pub(crate) fn base() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc
}

/// The complete document, as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, doc) = crate::routes(actix_web::App::new().into_utoipa_app()).split_for_parts();
    doc
}
