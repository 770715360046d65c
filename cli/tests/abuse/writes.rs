//! Writes to the world's user and group that must be refused whole: a PATCH with one bad
//! operation among good ones, a stale or foreign ETag, SCIM Bulk requests refused as a whole
//! or operation by operation. And names that are unusual but valid, which must round-trip.

use super::corpus::{Expect, Probe, text};
use crate::support::routes::{BULK_SCHEMA, PATCH_SCHEMA, USER_SCHEMA, World};
use reqwest::Method;
use serde_json::{Value, json};

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_SCHEMA], "Operations": ops})
}

fn bulk(ops: Value, fail_on_errors: Value) -> Value {
    json!({"schemas": [BULK_SCHEMA], "failOnErrors": fail_on_errors, "Operations": ops})
}

fn rename() -> Value {
    json!({"op": "replace", "path": "displayName", "value": "Changed"})
}

/// (what, method, resource: "user" / "group" / "bulk", body, If-Match, expectation)
type Write = (
    &'static str,
    Method,
    &'static str,
    Value,
    Option<&'static str>,
    Expect,
);

fn writes(world: &World) -> Vec<Write> {
    use Expect::{BulkFailed, Refused, Status};
    let user = &world.ids["user_id"];
    let group = &world.ids["group_id"];
    let unknown = "0196b5b0-0000-7000-8000-000000000000";
    let ten_thousand = Value::Array(vec![rename(); 10_000]);
    vec![
        (
            "PATCH: a good op then an unknown op",
            Method::PATCH,
            "user",
            patch(json!([rename(), {"op": "bogus", "path": "displayName", "value": "x"}])),
            None,
            Refused,
        ),
        (
            "PATCH: a good op then removing userName",
            Method::PATCH,
            "user",
            patch(json!([rename(), {"op": "remove", "path": "userName"}])),
            None,
            Refused,
        ),
        (
            "PATCH: a good op then active = \"maybe\"",
            Method::PATCH,
            "user",
            patch(json!([rename(), {"op": "replace", "path": "active", "value": "maybe"}])),
            None,
            Refused,
        ),
        (
            "PATCH: a good op then a broken path",
            Method::PATCH,
            "user",
            patch(json!([rename(), {"op": "replace", "path": "emails[type eq", "value": "x"}])),
            None,
            Refused,
        ),
        (
            "PATCH: a good op then a 2 MB value",
            Method::PATCH,
            "user",
            patch(json!([rename(), {"op": "add", "path": "title", "value": "t".repeat(2 << 20)}])),
            None,
            Refused,
        ),
        (
            "PATCH: 10k operations",
            Method::PATCH,
            "user",
            patch(ten_thousand),
            None,
            Refused,
        ),
        (
            "PATCH: a good op, a stale ETag",
            Method::PATCH,
            "user",
            patch(json!([rename()])),
            Some("W/\"999\""),
            Status(412),
        ),
        (
            "PUT: userName as a number",
            Method::PUT,
            "user",
            json!({"schemas": [USER_SCHEMA], "userName": 7, "displayName": "Changed"}),
            None,
            Refused,
        ),
        (
            "PUT: a good body, a stale ETag",
            Method::PUT,
            "user",
            json!({"schemas": [USER_SCHEMA], "userName": "a@a.test", "displayName": "Changed"}),
            Some("W/\"999\""),
            Status(412),
        ),
        (
            "DELETE: a stale ETag",
            Method::DELETE,
            "user",
            Value::Null,
            Some("W/\"999\""),
            Status(412),
        ),
        (
            "PATCH: a good op then a member that is a number",
            Method::PATCH,
            "group",
            patch(json!([rename(), {"op": "add", "path": "members", "value": [{"value": 7}]}])),
            None,
            Refused,
        ),
        (
            "PATCH: adding the user then an unknown op",
            Method::PATCH,
            "group",
            patch(
                json!([{"op": "add", "path": "members", "value": [{"value": user}]}, {"op": "bogus"}]),
            ),
            None,
            Refused,
        ),
        (
            "DELETE: a garbage ETag",
            Method::DELETE,
            "group",
            Value::Null,
            Some("garbage"),
            Status(412),
        ),
        (
            "Bulk: failOnErrors as text",
            Method::POST,
            "bulk",
            bulk(
                json!([{"method": "PATCH", "path": format!("/Users/{user}"), "data": patch(json!([rename()]))}]),
                json!("x"),
            ),
            None,
            Refused,
        ),
        (
            "Bulk: a bulkId used twice",
            Method::POST,
            "bulk",
            bulk(
                json!([
                    {"method": "POST", "path": "/Users", "bulkId": "x", "data": {"schemas": [USER_SCHEMA], "userName": "bulk1@a.test"}},
                    {"method": "POST", "path": "/Users", "bulkId": "x", "data": {"schemas": [USER_SCHEMA], "userName": "bulk2@a.test"}},
                ]),
                Value::Null,
            ),
            None,
            Refused,
        ),
        (
            "Bulk: a good op then an operation of the wrong type",
            Method::POST,
            "bulk",
            bulk(
                json!([{"method": "PATCH", "path": format!("/Users/{user}"), "data": patch(json!([rename()]))}, 7]),
                Value::Null,
            ),
            None,
            Refused,
        ),
        (
            "Bulk: every operation fails on its own",
            Method::POST,
            "bulk",
            bulk(
                json!([
                    {"method": "PATCH", "path": format!("/Users/{user}"), "data": patch(json!([rename(), {"op": "bogus"}]))},
                    {"method": "PUT", "path": format!("/Users/{user}"), "data": {"schemas": [USER_SCHEMA], "userName": 7}},
                    {"method": "DELETE", "path": format!("/Users/{user}"), "version": "W/\"999\""},
                    {"method": "PATCH", "path": format!("/Users/{user}"), "version": "garbage", "data": patch(json!([rename()]))},
                    {"method": "POST", "path": "/Users", "bulkId": "dup", "data": {"schemas": [USER_SCHEMA], "userName": "A@A.TEST"}},
                    {"method": "PATCH", "path": format!("/Groups/{group}"), "data": patch(json!([{"op": "add", "path": "members", "value": [{"value": 7}]}]))},
                    {"method": "DELETE", "path": format!("/Groups/{unknown}")},
                    {"method": "PATCH", "path": "/Users/bulkId:nowhere", "data": patch(json!([rename()]))},
                    {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"schemas": [USER_SCHEMA], "displayName": 7}},
                ]),
                Value::Null,
            ),
            None,
            BulkFailed,
        ),
        (
            "Bulk: circular bulkIds",
            Method::POST,
            "bulk",
            bulk(
                json!([
                    {"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "A1", "members": [{"value": "bulkId:b"}]}},
                    {"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "B1", "members": [{"value": "bulkId:a"}]}},
                ]),
                Value::Null,
            ),
            None,
            BulkFailed,
        ),
    ]
}

/// The refused writes as probes.
pub fn write_probes(world: &World) -> Vec<Probe> {
    let connection = format!("/scim/v2/{}", world.ids["connection_id"]);
    writes(world)
        .into_iter()
        .map(|(what, method, resource, body, if_match, expect)| {
            let path = match resource {
                "user" => format!("{connection}/Users/{}", world.ids["user_id"]),
                "group" => format!("{connection}/Groups/{}", world.ids["group_id"]),
                _ => format!("{connection}/Bulk"),
            };
            let mut headers = vec![];
            if let Some(tag) = if_match {
                headers.push(("if-match", tag.to_string()));
            }
            let body = (!body.is_null()).then(|| {
                headers.push(("content-type", "application/scim+json".to_string()));
                body.to_string().into_bytes()
            });
            Probe {
                what: format!("{what} ({resource})"),
                method,
                path,
                headers,
                body,
                expect,
            }
        })
        .collect()
}

/// Unusual but valid text: every API must store it and give it back exactly. Only the
/// overlong one may be refused (a documented length limit), never cut.
pub fn unusual_names() -> Vec<(&'static str, String)> {
    vec![
        ("an RTL override", "\u{202e}gnp.exe\u{202c}".into()),
        (
            "zero-width joiners",
            "👩\u{200d}💻 and 👨\u{200d}👩\u{200d}👧".into(),
        ),
        (
            "zero-width space and non-joiner",
            "a\u{200b}b\u{200c}c\u{2060}".into(),
        ),
        (
            "NFC",
            "Ame\u{301}lie"
                .chars()
                .collect::<String>()
                .replace("e\u{301}", "\u{e9}"),
        ),
        ("NFD", "Ame\u{301}lie".into()),
        (
            "4-byte emoji and symbols",
            "😀 𝔘𝔫𝔦 𓀀 🏳\u{fe0f}\u{200d}🌈".into(),
        ),
        (
            "stacked combining marks",
            "Z\u{335}\u{321}\u{31b}a\u{336}\u{327}l\u{334}g\u{337}o".into(),
        ),
        ("a BOM and a soft hyphen", "\u{feff}Soft\u{ad}hyphen".into()),
        ("mixed scripts", "Ωmega Ἀθῆναι 東京 مرحبا עברית".into()),
        ("100k characters", "ü".repeat(100_000)),
    ]
}

/// Webhook URLs that must never be accepted: header injection, other schemes, credentials,
/// and this machine or its private networks in every disguise.
pub const BAD_URLS: &[&str] = &[
    "http://a\r\nX-Evil: 1@93.184.216.34/",
    "http://93.184.216.34/\r\nX-Evil: 1",
    "http://93.184.216.34/a\nb",
    "http://93.184.216.34/a\rb",
    "http://93.184.216.34/a\tb",
    "http://93.184.216.34/a\u{0}b",
    "http://93.184.216.34/a\u{7f}b",
    " http://93.184.216.34/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "ftp://93.184.216.34/",
    "gopher://93.184.216.34:70/_",
    "data:text/plain,x",
    "http://user:pass@93.184.216.34/",
    "http://user@93.184.216.34/",
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/hook",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://localhost/",
    "http://LOCALHOST:8080/",
    "http://localhost./",
    "http://localtest.me/",
    "http://ip6-localhost/",
    "http://",
    "http:///path",
    "",
    "not a url",
];

/// Creating or changing an endpoint to each bad URL: 400.
pub fn webhook_probes(world: &World) -> Vec<Probe> {
    let endpoint = format!("/api/v1/endpoints/{}", world.ids["endpoint_id"]);
    let mut out = Vec::new();
    for url in BAD_URLS {
        for (method, path) in [
            (Method::POST, "/api/v1/endpoints"),
            (Method::PATCH, &endpoint),
        ] {
            out.push(Probe {
                what: format!("{method} {path}: url {url:?}"),
                method,
                path: path.to_string(),
                headers: vec![("content-type", "application/json".into())],
                body: Some(text(&json!({ "url": url }))),
                expect: Expect::Status(400),
            });
        }
    }
    out
}
