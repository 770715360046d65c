//! Every route of the OpenAPI document, for suites that must cover them all (the authorization
//! matrix, the abuse corpus): the operations under a prefix, a world of objects to fill their
//! path parameters, and a valid sample body for each operation that takes one. A route whose
//! path parameters have no fixture, or whose body has no sample, fails those suites: new routes
//! join them.

use super::scim::{Scim, connect};
use super::{TestApp, wait_for};
use reqwest::Method;
use roster_domain::services::{ApiKeyScope, NewAccount, NewEndpoint, NewSetupLink};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// The signing key of session tokens in these suites (`keyed`).
pub const SIGNING_KEY: &str = "matrix-signing-key-0123456789-0123456789";

/// Sessions on (login, refresh, IT-admin tokens), signed with [`SIGNING_KEY`].
pub fn keyed(config: &mut roster_domain::Config) {
    config.auth.jwt_signing_key = Some(SIGNING_KEY.into());
}

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const BULK_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// One operation of the document.
pub struct Operation {
    /// Lower case, as in the document (`get`, `post`, …).
    pub method: String,
    /// The path template, e.g. `/api/v1/tenants/{tenant_id}`.
    pub path: String,
    /// The operation object.
    pub spec: Value,
}

impl Operation {
    /// `POST /api/v1/tenants`, for messages.
    pub fn route(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    pub fn http_method(&self) -> Method {
        Method::from_bytes(self.method.to_uppercase().as_bytes()).unwrap()
    }

    pub fn takes_body(&self) -> bool {
        self.spec.get("requestBody").is_some()
    }

    /// Names of the parameters `in` the path, query or header.
    pub fn params(&self, location: &str) -> Vec<String> {
        self.spec["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == location)
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect()
    }

    /// The schema of the request body, `$ref`s resolved at the top level.
    pub fn body_schema(&self, doc: &Value) -> Option<Value> {
        let content = self.spec.pointer("/requestBody/content")?.as_object()?;
        let schema = content.values().next()?.get("schema")?;
        Some(resolve(doc, schema))
    }
}

/// The document as served.
pub fn document() -> Value {
    serde_json::to_value(roster_api::openapi::document()).unwrap()
}

/// A schema with its `$ref` (if any) replaced by the component it names.
pub fn resolve(doc: &Value, schema: &Value) -> Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).expect("a $ref to a component"))
        }
        None => schema.clone(),
    }
}

/// Every operation whose path starts with `prefix`, in document order.
pub fn operations(doc: &Value, prefix: &str) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with(prefix) {
            continue;
        }
        for (method, spec) in ops.as_object().unwrap() {
            out.push(Operation {
                method: method.clone(),
                path: path.clone(),
                spec: spec.clone(),
            });
        }
    }
    out
}

/// A valid body for every operation that takes one.
pub fn sample_body(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("post", "/api/v1/accounts") => {
            json!({"email": "m@x.test", "password": "long enough password", "role": "operator"})
        }
        ("post", "/api/v1/accounts/{account_id}/password") => {
            json!({"password": "long enough password"})
        }
        ("post", "/api/v1/api-keys") => json!({"name": "m", "scope": "full"}),
        ("post", "/api/v1/auth/login") => {
            json!({"email": "nobody@x.test", "password": "long enough password"})
        }
        ("post", "/api/v1/auth/refresh") => json!({"refresh_token": "rt_unknown"}),
        ("patch", "/api/v1/connections/{connection_id}") => json!({"name": "renamed"}),
        ("post", "/api/v1/connections/{connection_id}/scim-tokens") => {
            json!({"expires_in_days": 30})
        }
        ("post", "/api/v1/endpoints") => json!({"url": "http://127.0.0.1:9/m"}),
        ("patch", "/api/v1/endpoints/{endpoint_id}") => json!({"description": "x"}),
        ("post", "/api/v1/endpoints/{endpoint_id}/disable") => json!({"reason": "maintenance"}),
        ("post", "/api/v1/endpoints/{endpoint_id}/recover") => {
            json!({"since": "2020-01-01T00:00:00Z"})
        }
        ("post", "/api/v1/endpoints/{endpoint_id}/secret/rotate") => json!({"overlap_hours": 1}),
        ("post", "/api/v1/setup-links/redeem") => json!({"token": "sl_unknown"}),
        ("post", "/api/v1/tenants") => json!({"name": "m"}),
        ("patch", "/api/v1/tenants/{tenant_id}") => json!({"name": "m"}),
        ("post", "/api/v1/tenants/{tenant_id}/connections") => json!({"provider": "okta"}),
        ("post", "/api/v1/tenants/{tenant_id}/setup-links") => {
            json!({"expires_in_hours": 24, "return_url": "https://app.example.com/done"})
        }
        (
            "post" | "put",
            "/scim/v2/{connection_id}/Users" | "/scim/v2/{connection_id}/Users/{id}",
        ) => {
            json!({"schemas": [USER_SCHEMA], "userName": "sample@a.test", "active": true,
                   "name": {"givenName": "Sam"}, "emails": [{"value": "sample@a.test"}]})
        }
        (
            "post" | "put",
            "/scim/v2/{connection_id}/Groups" | "/scim/v2/{connection_id}/Groups/{id}",
        ) => json!({"schemas": [GROUP_SCHEMA], "displayName": "Sample", "members": []}),
        ("patch", "/scim/v2/{connection_id}/Users/{id}") => json!({"schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Patched"}]}),
        ("patch", "/scim/v2/{connection_id}/Groups/{id}") => json!({"schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Patched"}]}),
        ("post", "/scim/v2/{connection_id}/Bulk") => json!({"schemas": [BULK_SCHEMA],
            "Operations": [{"method": "POST", "path": "/Users", "bulkId": "b1",
                "data": {"schemas": [USER_SCHEMA], "userName": "bulk@a.test"}}]}),
        (
            "post",
            "/scim/v2/{connection_id}/.search"
            | "/scim/v2/{connection_id}/Users/.search"
            | "/scim/v2/{connection_id}/Groups/.search",
        ) => json!({"schemas": [SEARCH_SCHEMA], "filter": "id pr", "count": 5}),
        _ => return None,
    })
}

/// Tenant A with one connection, a user, a group, an endpoint with a delivery, a SCIM token,
/// a tenant-restricted API key, an IT-admin account and a setup link.
pub struct World {
    /// Tenant A's object for each path parameter.
    pub ids: HashMap<&'static str, String>,
    /// A SCIM token of tenant A's connection.
    pub scim_token: String,
}

/// Where the world's endpoint points: the first network webhooks may reach (port 9, closed).
fn hook_url(app: &TestApp) -> String {
    let net = app.svc.config.webhook.allowed_networks.first();
    let host = net
        .expect("an allowed network for the world's endpoint")
        .addr();
    format!("http://{host}:9/hook")
}

pub async fn world(app: &TestApp) -> World {
    let s: Scim<'_> = connect(app, "Tenant A", "okta").await;
    let connection = super::api::connection_of(&s);
    let tenant = app.svc.get_connection(connection).await.unwrap().tenant_id;
    let user = s
        .ok(
            Method::POST,
            "/Users",
            Some(json!({"schemas": [USER_SCHEMA], "userName": "a@a.test"})),
        )
        .await;
    let group = s
        .ok(
            Method::POST,
            "/Groups",
            Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "A"})),
        )
        .await;
    let (endpoint, _) = app
        .svc
        .create_endpoint(NewEndpoint {
            url: hook_url(app),
            description: String::new(),
            event_types: vec!["*".into()],
            tenant_id: Some(tenant),
            ordered: false,
            max_concurrency: None,
            rate_limit_per_sec: None,
        })
        .await
        .unwrap();
    s.ok(
        Method::POST,
        "/Users",
        Some(json!({"schemas": [USER_SCHEMA], "userName": "b@a.test"})),
    )
    .await;
    let delivery = wait_for(
        "a delivery to tenant A's endpoint",
        Duration::from_secs(20),
        || async {
            let slice = app
                .svc
                .list_deliveries(endpoint.id, None, None, None, 1)
                .await
                .unwrap();
            slice.items.first().map(|d| (d.id, d.event_id))
        },
    )
    .await;
    let token = app.svc.issue_scim_token(connection, None).await.unwrap();
    let key = app
        .svc
        .create_api_key("a", ApiKeyScope::Full, Some(tenant))
        .await
        .unwrap();
    let account = app
        .svc
        .create_account(NewAccount {
            email: "admin@a.test".into(),
            password: "long enough password".into(),
            role: "tenant_admin".into(),
            tenant_id: Some(tenant),
        })
        .await
        .unwrap();
    let link = app
        .svc
        .create_setup_link(
            tenant,
            roster_domain::ids::TenantScope::All,
            NewSetupLink {
                expires_in_hours: 1,
                single_use: true,
                return_url: None,
            },
        )
        .await
        .unwrap();
    let ids = HashMap::from([
        ("tenant_id", tenant.to_string()),
        ("connection_id", connection.to_string()),
        ("user_id", user["id"].as_str().unwrap().to_string()),
        ("group_id", group["id"].as_str().unwrap().to_string()),
        ("endpoint_id", endpoint.id.to_string()),
        ("delivery_id", delivery.0.to_string()),
        ("event_id", delivery.1.to_string()),
        ("token_id", token.id.to_string()),
        ("api_key_id", key.key.id.to_string()),
        ("account_id", account.id.to_string()),
        ("setup_link_id", link.link.id.to_string()),
    ]);
    World {
        ids,
        scim_token: token.token,
    }
}

/// The fixture for path parameter `param` of `path` (`{id}` depends on the SCIM resource).
pub fn fixture(path: &str, param: &str, world: &World) -> String {
    if param == "id" {
        let kind = path.split('/').rev().nth(1).unwrap_or_default();
        return match kind {
            "Users" => world.ids["user_id"].clone(),
            "Groups" => world.ids["group_id"].clone(),
            "Schemas" => USER_SCHEMA.to_string(),
            "ResourceTypes" => "User".to_string(),
            other => panic!("no fixture for {{id}} of {other} in {path}: add it to fixture()"),
        };
    }
    world
        .ids
        .get(param)
        .unwrap_or_else(|| panic!("no fixture for {{{param}}} of {path}: add it to world()"))
        .clone()
}

/// `path` with every parameter replaced by its fixture, except those in `overrides`.
pub fn concrete_with(path: &str, world: &World, overrides: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => match overrides.iter().find(|(name, _)| *name == param) {
                Some((_, value)) => out.push_str(value),
                None => out.push_str(&fixture(path, param, world)),
            },
            None => out.push_str(segment),
        }
    }
    out
}

/// `path` with every parameter replaced by tenant A's object.
pub fn concrete(path: &str, world: &World) -> String {
    concrete_with(path, world, &[])
}
