//! A small SCIM client for tests: one connection, its token, JSON in and out.

use super::TestApp;
use roster_domain::entities::event;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::Value;

pub use reqwest::Method;

pub struct Scim<'a> {
    pub app: &'a TestApp,
    pub base: String,
    pub token: String,
}

/// A new tenant with one connection of `provider` and a token for it.
pub async fn connect<'a>(app: &'a TestApp, tenant_name: &str, provider: &str) -> Scim<'a> {
    let tenant = app.svc.create_tenant(tenant_name, None).await.unwrap();
    let conn = app
        .svc
        .create_connection(tenant.id, "", provider)
        .await
        .unwrap();
    let token = app.svc.issue_scim_token(conn.id, None).await.unwrap();
    Scim {
        app,
        base: format!("{}/scim/v2/{}", app.base_url, conn.id),
        token: token.token,
    }
}

impl Scim<'_> {
    /// Sends a request; returns the status and the JSON body (`Null` when there is none).
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send_with(method, path, body, &[]).await
    }

    /// Sends a request that must succeed (2xx); returns the JSON body.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, res) = self.send(method, path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {res}");
        res
    }

    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .app
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Checks a SCIM error answer (RFC 7644 §3.12): the SCIM content type, the Error schema and
/// `status` as a string equal to the HTTP status.
pub fn check_scim_error(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{what}: {status} {body}"));
    let ct = headers.get("content-type").and_then(|v| v.to_str().ok());
    if !ct.is_some_and(|ct| ct.starts_with("application/scim+json")) {
        return fail(&format!("content type {ct:?}"));
    }
    if !body["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s == ERROR_SCHEMA))
    {
        return fail("not the SCIM Error schema");
    }
    if body["status"].as_str() != Some(status.to_string().as_str()) {
        return fail("`status` is not the status as a string");
    }
    Ok(())
}

/// An event as the tests look at it.
#[derive(Debug, Clone)]
pub struct Ev {
    pub kind: String,
    pub data: Value,
    pub previous: Value,
}

/// Every event after the first `skip`, in sequence order.
pub async fn events_after(app: &TestApp, skip: usize) -> Vec<Ev> {
    event::Entity::find()
        .order_by_asc(event::Column::CreatedAt)
        .order_by_asc(event::Column::Sequence)
        .all(&app.svc.db)
        .await
        .unwrap()
        .into_iter()
        .skip(skip)
        .map(|e| Ev {
            kind: e.event_type,
            data: e.payload["data"].clone(),
            previous: e
                .payload
                .get("previous_attributes")
                .cloned()
                .unwrap_or(Value::Null),
        })
        .collect()
}

pub async fn event_count(app: &TestApp) -> usize {
    events_after(app, 0).await.len()
}
