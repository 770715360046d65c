//! A small management-API (`/api/v1`) client for tests: an API key, JSON out, and the checks
//! every problem+json answer must pass.

use super::TestApp;
use super::scim::Scim;
use roster_domain::ids::{ConnectionId, TenantId};
use roster_domain::services::ApiKeyScope;
use serde_json::Value;

pub struct Res {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub struct Api<'a> {
    pub app: &'a TestApp,
    pub key: String,
}

impl<'a> Api<'a> {
    /// A client with a new API key of `scope`, restricted to `tenant` if given.
    pub async fn new(app: &'a TestApp, scope: ApiKeyScope, tenant: Option<TenantId>) -> Api<'a> {
        let key = app
            .svc
            .create_api_key("tests", scope, tenant)
            .await
            .unwrap();
        Api {
            app,
            key: key.secret,
        }
    }

    /// GET `/api/v1{path}` with the key.
    pub async fn get(&self, path: &str) -> Res {
        get(self.app, path, Some(&format!("Bearer {}", self.key))).await
    }

    /// `method` `/api/v1{path}` with the key and an optional JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Res {
        let mut req = self
            .app
            .http
            .request(method, format!("{}/api/v1{path}", self.app.base_url))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        read(req).await
    }

    /// A page of `/events?{query}` that must succeed: the events and `next_cursor`.
    pub async fn events(&self, query: &str) -> (Vec<Value>, String) {
        let res = self.get(&format!("/events?{query}")).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let cursor = res.body["next_cursor"]
            .as_str()
            .expect("the events feed always returns a cursor")
            .to_string();
        (res.body["data"].as_array().unwrap().clone(), cursor)
    }

    /// Follows the feed from `after` (the start when `None`) with pages of `limit` until a
    /// page is not full; returns every event read and the cursor to poll from next.
    pub async fn drain(
        &self,
        after: Option<&str>,
        filter: &str,
        limit: u32,
    ) -> (Vec<Value>, String) {
        let mut all = Vec::new();
        let mut cursor = after.map(str::to_string);
        loop {
            let after = cursor
                .as_deref()
                .map(|c| format!("&after={c}"))
                .unwrap_or_default();
            let (page, next) = self.events(&format!("limit={limit}{filter}{after}")).await;
            let full = page.len() == limit as usize;
            all.extend(page);
            cursor = Some(next);
            if !full {
                return (all, cursor.unwrap());
            }
        }
    }
}

/// GET `/api/v1{path}` with the given `Authorization` header (none when `None`).
pub async fn get(app: &TestApp, path: &str, authorization: Option<&str>) -> Res {
    let mut req = app.http.get(format!("{}/api/v1{path}", app.base_url));
    if let Some(auth) = authorization {
        req = req.header("Authorization", auth);
    }
    read(req).await
}

/// POST `/api/v1{path}` with a JSON body and no credential (login, refresh, redeem).
pub async fn post_anonymous(app: &TestApp, path: &str, body: Value) -> Res {
    read(
        app.http
            .post(format!("{}/api/v1{path}", app.base_url))
            .json(&body),
    )
    .await
}

/// Sends the request; the body as JSON, or as a JSON string when it is not JSON.
pub async fn read(req: reqwest::RequestBuilder) -> Res {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Res {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// Asserts an RFC 7807 answer: `status`, the problem+json content type, the stable type URI
/// ending in `slug`, a title and detail, and the request id of the `x-request-id` header.
pub fn assert_problem(res: &Res, status: u16, slug: &str) {
    if let Err(e) = check_problem(res, status, slug) {
        panic!("{e}");
    }
}

/// What [`assert_problem`] asserts, as a result.
pub fn check_problem(res: &Res, status: u16, slug: &str) -> Result<(), String> {
    let body = &res.body;
    let fail = |what: &str| Err(format!("{what}: {} {body}", res.status));
    if res.status != status {
        return fail(&format!("status is not {status}"));
    }
    if res
        .headers
        .get("content-type")
        .is_none_or(|ct| ct != "application/problem+json")
    {
        return fail(&format!(
            "content type {:?}",
            res.headers.get("content-type")
        ));
    }
    if body["type"] != format!("https://roster.dev/problems/{slug}") {
        return fail(&format!("type is not {slug}"));
    }
    if body["status"] != status {
        return fail("the body's status differs");
    }
    if body["title"].as_str().is_none_or(str::is_empty)
        || body["detail"].as_str().is_none_or(str::is_empty)
    {
        return fail("no title or detail");
    }
    let request_id = res
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok());
    if request_id.is_none() || body["request_id"].as_str() != request_id {
        return fail("the body does not quote the request id");
    }
    Ok(())
}

/// The problem type of each error status the management API answers.
pub fn problem_slug(status: u16) -> &'static str {
    match status {
        400 => "validation",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        412 => "precondition-failed",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "idempotency-mismatch",
        429 => "rate-limited",
        _ => "internal",
    }
}

/// The connection a SCIM client talks to.
pub fn connection_of(s: &Scim<'_>) -> ConnectionId {
    s.base.rsplit('/').next().unwrap().parse().unwrap()
}
