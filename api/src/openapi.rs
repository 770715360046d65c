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
            (`/scim/v2/{connection_id}`), authenticated with that connection's bearer token. \
            The management API (`/api/v1`) is what your app's backend calls, with an API key; \
            its errors are RFC 7807 problem+json and its lists are cursor-paged \
            (`{data, next_cursor}`, pass `next_cursor` back as `after`).",
        license(name = "Apache-2.0"),
    ),
    modifiers(&SecuritySchemes),
    // Error bodies are only named by `IntoResponses` derives, which do not register them.
    components(schemas(crate::scim::schema::ScimErrorBody, crate::v1::problem::ProblemDetails)),
    tags(
        (name = "SCIM Discovery", description = "What the service provider supports: ServiceProviderConfig, ResourceTypes, Schemas"),
        (name = "SCIM Users", description = "SCIM 2.0 Users (RFC 7644) of one connection"),
        (name = "SCIM Groups", description = "SCIM 2.0 Groups (RFC 7644) of one connection, members included"),
        (name = "SCIM Bulk", description = "Many SCIM operations in one request, with bulkId references"),
        (name = "Events", description = "The feed of every event, the same bodies webhooks carry, cursor-paged in commit order"),
        (name = "Tenants", description = "Your customers' organizations, each with its connections"),
        (name = "Connections", description = "Directory connections of a tenant: the SCIM base URL an IdP calls, state, activity; snapshots to bootstrap from before tailing events"),
        (name = "SCIM tokens", description = "The bearer tokens IdPs call a connection with: issued once, listed, revoked at once"),
        (name = "Directory", description = "Users and groups of a connection or tenant, in the normalized shape events carry"),
        (name = "SCIM request log", description = "What each IdP sent and what it got"),
        (name = "Sessions", description = "Operators and IT admins: log in, refresh, log out (JWT access tokens, rotating refresh tokens)"),
        (name = "Accounts", description = "Operator and tenant-admin accounts (email + argon2id password)"),
        (name = "Setup links", description = "Links that give a customer's IT admin a session for their tenant"),
        (name = "Audit log", description = "Who did what, when, from where"),
        (name = "API keys", description = "Credentials for your app's backend: scoped, optionally per tenant, revocable"),
        (name = "Webhook endpoints", description = "Where events are delivered: subscriptions, secrets and their rotation, enable/disable, test events"),
        (name = "Deliveries", description = "One event to one endpoint, with every attempt; replay and recover"),
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
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key (`rk_…`) for your app's backend, issued once with \
                         `roster api-key create`; scoped `full` or `read_only`, optionally \
                         restricted to one tenant.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A session's access token (a JWT) from `POST /api/v1/auth/login` or \
                         `POST /api/v1/setup-links/redeem`; short-lived, renewed with \
                         `POST /api/v1/auth/refresh`.",
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
    finish(doc)
}

/// What applies to many operations at once, added after the routes are collected: the
/// `Idempotency-Key` header on every management-API POST that writes.
pub(crate) fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for (path, item) in doc.paths.paths.iter_mut() {
        // Writes document the 422 an `Idempotency-Key` reused for another request gets.
        let Some(post) = item.post.as_mut().filter(|op| {
            path.starts_with("/api/v1/") && op.responses.responses.contains_key("422")
        }) else {
            continue;
        };
        let header = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .description(Some(
                "Any string of up to 255 characters, unique per intended action: sending the \
                 same request with the same key within 24 hours returns the first answer \
                 (`Idempotency-Replayed: true`) instead of acting again.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(255)),
            ))
            .build();
        post.parameters
            .get_or_insert_with(Vec::new)
            .push(header.into());
    }
    doc
}
