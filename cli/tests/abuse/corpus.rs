//! The corpus: what a probe is and expects, and the hostile bodies (broken, mistyped,
//! oversized, mislabelled) each operation that takes one gets. Add a row to a table to extend
//! it; every row runs on every route it fits. Path ids, query strings and ETags are in
//! `params.rs`, refused writes and webhook URLs in `writes.rs`.

use crate::support::routes::{Operation, World, concrete, resolve, sample_body};
use reqwest::Method;
use serde_json::{Value, json};

/// What an answer must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A 4xx, in the API's error format.
    Refused,
    /// Exactly this status (an error in the API's format when it is 4xx).
    Status(u16),
    /// A read whose input the API documents as acceptable (SCIM's `count=-1` means 0): 2xx or
    /// 4xx, never 5xx.
    Lenient,
    /// SCIM Bulk: refused as a whole (4xx), or 200 with every operation failed (4xx each).
    BulkFailed,
}

/// One hostile request.
pub struct Probe {
    pub what: String,
    pub method: Method,
    /// Path and query, below the base URL.
    pub path: String,
    /// Extra headers; `content-type` is set here when the probe has a body.
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    pub expect: Expect,
}

pub fn is_scim(path: &str) -> bool {
    path.starts_with("/scim/")
}

/// The content type an API expects.
pub fn json_type(path: &str) -> &'static str {
    if is_scim(path) {
        "application/scim+json"
    } else {
        "application/json"
    }
}

pub fn text(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

/// `value` with every string replaced by `f(string)`, keys kept.
fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), map_strings(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The sample's text with every string value replaced by raw JSON text (e.g. an escape
/// `serde_json` would never write).
fn with_raw_strings(sample: &Value, raw: &str) -> Vec<u8> {
    const MARK: &str = "@@RAW@@";
    let marked = map_strings(sample, &|_| MARK.to_string()).to_string();
    marked.replace(MARK, raw).into_bytes()
}

type Mangle = fn(&Value) -> Vec<u8>;

/// Bodies that are not JSON, or JSON nobody should send, derived from the route's valid sample.
pub const MALFORMED: &[(&str, Mangle)] = &[
    ("truncated JSON", |s| {
        let t = text(s);
        t[..t.len() / 2].to_vec()
    }),
    ("trailing garbage", |s| {
        [text(s), b" }{garbage".to_vec()].concat()
    }),
    ("a second document", |s| [text(s), text(s)].concat()),
    ("a raw NUL byte", |s| [b"\0".to_vec(), text(s)].concat()),
    ("a NUL escape in every string", |s| {
        text(&map_strings(s, &|v| format!("{v}\u{0}")))
    }),
    ("a lone high surrogate", |s| with_raw_strings(s, r"\ud800")),
    ("a lone low surrogate", |s| with_raw_strings(s, r"x\udc00y")),
    ("invalid UTF-8", |s| {
        with_raw_strings(s, "\u{1}").replace_first(b"\x01", b"\xff\xfe")
    }),
    ("a byte order mark", |s| {
        [b"\xef\xbb\xbf".to_vec(), text(s)].concat()
    }),
    ("single quotes", |s| {
        String::from_utf8(text(s))
            .unwrap()
            .replace('"', "'")
            .into_bytes()
    }),
    ("a comment", |s| [b"/* hi */".to_vec(), text(s)].concat()),
    ("NaN", |_| b"{\"x\": NaN}".to_vec()),
    ("10k levels of [", |_| "[".repeat(10_000).into_bytes()),
    ("10k levels of {\"a\":", |_| {
        "{\"a\":".repeat(10_000).into_bytes()
    }),
    ("a 100k-element array", |_| {
        text(&Value::Array(vec![json!(0); 100_000]))
    }),
    ("a number of 10k digits", |_| {
        format!("{{\"x\": 1{}}}", "0".repeat(10_000)).into_bytes()
    }),
];

/// Top-level values of the wrong type (those the schema accepts are skipped).
pub const TOP_LEVEL: &[(&str, &str, &str)] = &[
    ("an empty body", "null", ""),
    ("null", "null", "null"),
    ("an array", "array", "[]"),
    ("a string", "string", "\"text\""),
    ("a number", "integer", "42"),
    ("a boolean", "boolean", "true"),
];

/// The 10 MB body: past every body limit.
pub fn ten_megabytes() -> Vec<u8> {
    format!("{{\"x\": \"{}\"}}", "a".repeat(10 * 1024 * 1024)).into_bytes()
}

/// A valid body sent as something else. `None`: no Content-Type at all.
pub const CONTENT_TYPES: &[(&str, Option<&str>, Mangle)] = &[
    ("text/plain", Some("text/plain"), text),
    ("application/xml", Some("application/xml"), text),
    (
        "multipart/form-data",
        Some("multipart/form-data; boundary=x"),
        |s| {
            format!("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n{s}\r\n--x--\r\n")
                .into_bytes()
        },
    ),
    (
        "JSON in UTF-16",
        Some("application/json; charset=utf-16"),
        |s| {
            s.to_string()
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect()
        },
    ),
    (
        "form-urlencoded",
        Some("application/x-www-form-urlencoded"),
        |_| b"name=x".to_vec(),
    ),
];

/// Values of each JSON type, for fields that must have another.
pub fn wrong_values() -> Vec<(&'static str, Value)> {
    vec![
        ("string", json!("x")),
        ("integer", json!(7)),
        ("number", json!(1.5)),
        ("boolean", json!(true)),
        ("array", json!(["x"])),
        ("object", json!({"x": 1})),
        ("null", Value::Null),
    ]
}

/// Fields the document does not type (SCIM Bulk and SearchRequest bodies, nested SCIM
/// attributes): (path suffix, method, JSON pointer, allowed types).
pub const MORE_FIELDS: &[(&str, &str, &str, &[&str])] = &[
    ("/Bulk", "post", "/schemas", &["array"]),
    ("/Bulk", "post", "/Operations", &["array"]),
    ("/Bulk", "post", "/failOnErrors", &["integer", "null"]),
    ("/Bulk", "post", "/Operations/0", &["object"]),
    ("/Bulk", "post", "/Operations/0/method", &["string"]),
    ("/Bulk", "post", "/Operations/0/path", &["string"]),
    ("/Bulk", "post", "/Operations/0/data", &["object"]),
    ("/Bulk", "post", "/Operations/0/data/userName", &["string"]),
    ("/.search", "post", "/filter", &["string", "null"]),
    ("/.search", "post", "/startIndex", &["integer", "null"]),
    ("/.search", "post", "/count", &["integer", "null"]),
    ("/.search", "post", "/sortBy", &["string", "null"]),
    ("/.search", "post", "/sortOrder", &["string", "null"]),
    (
        "/.search",
        "post",
        "/attributes",
        &["array", "string", "null"],
    ),
    (
        "/.search",
        "post",
        "/excludedAttributes",
        &["array", "string", "null"],
    ),
    ("/Users", "post", "/name/givenName", &["string", "null"]),
    ("/Users", "post", "/emails/0", &["object", "null"]),
    ("/Users", "post", "/emails/0/value", &["string", "null"]),
    ("/Users/{id}", "put", "/name/givenName", &["string", "null"]),
    ("/Users/{id}", "put", "/emails/0/value", &["string", "null"]),
    ("/Users/{id}", "patch", "/Operations/0", &["object"]),
    ("/Users/{id}", "patch", "/Operations/0/op", &["string"]),
    (
        "/Users/{id}",
        "patch",
        "/Operations/0/path",
        &["string", "null"],
    ),
    ("/Groups/{id}", "patch", "/Operations/0", &["object"]),
    ("/Groups/{id}", "patch", "/Operations/0/op", &["string"]),
    (
        "/Groups/{id}",
        "patch",
        "/Operations/0/path",
        &["string", "null"],
    ),
];

/// SCIM attributes the service provider ignores when a client sends them, whatever their
/// type: `id` is assigned by the service provider, `meta` and `groups` are read-only (RFC 7643
/// §3.1, §4.1.2), `password` is write-only and never stored.
const IGNORED: &[&str] = &["/id", "/meta", "/groups", "/password"];

/// What SCIM tolerates by design (IdPs send it): a resource without `schemas` (or with
/// `schemas: null`, as every null means "unassigned") gets the core schema; a PatchOp or
/// BulkRequest may omit `schemas`. (path suffix, method, pointer, null tolerated too)
const TOLERATED: &[(&str, &str, &str, bool)] = &[
    ("/Users", "post", "/schemas", true),
    ("/Users/{id}", "put", "/schemas", true),
    ("/Groups", "post", "/schemas", true),
    ("/Groups/{id}", "put", "/schemas", true),
    ("/Users/{id}", "patch", "/schemas", false),
    ("/Groups/{id}", "patch", "/schemas", false),
    ("/Bulk", "post", "/schemas", false),
];

/// JSON types a schema accepts; `None` when it accepts anything.
fn accepted(doc: &Value, schema: &Value) -> Option<Vec<String>> {
    let schema = resolve(doc, schema);
    if let Some(t) = schema.get("type") {
        return Some(match t {
            Value::Array(list) => list
                .iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
            other => vec![other.as_str()?.to_string()],
        });
    }
    if let Some(Value::Array(options)) = schema.get("oneOf") {
        let mut all = Vec::new();
        for option in options {
            all.extend(accepted(doc, option)?);
        }
        return Some(all);
    }
    schema.get("enum").map(|_| vec!["string".to_string()])
}

fn accepts(types: &[String], kind: &str) -> bool {
    types
        .iter()
        .any(|t| t == kind || (t == "number" && kind == "integer"))
}

/// `pointer` in `value` set to `new` (the parent must exist; a missing member is added).
fn set(value: &Value, pointer: &str, new: Value) -> Option<Value> {
    let mut out = value.clone();
    let (parent, last) = pointer.rsplit_once('/')?;
    match out.pointer_mut(parent)? {
        Value::Object(map) => {
            map.insert(last.to_string(), new);
        }
        Value::Array(items) => *items.get_mut(last.parse::<usize>().ok()?)? = new,
        _ => return None,
    }
    Some(out)
}

fn remove(value: &Value, pointer: &str) -> Value {
    let mut out = value.clone();
    if let Some((parent, last)) = pointer.rsplit_once('/')
        && let Some(Value::Object(map)) = out.pointer_mut(parent)
    {
        map.remove(last);
    }
    out
}

/// The fields of a route's body to mistype: (pointer, accepted types, required).
fn fields(doc: &Value, op: &Operation) -> Vec<(String, Vec<String>, bool)> {
    let mut out = Vec::new();
    let schema = op.body_schema(doc).unwrap_or_default();
    let schema = match schema.get("oneOf") {
        // `Option<T>` bodies: the object of the first option.
        Some(Value::Array(options)) => resolve(doc, &options[0]),
        _ => schema,
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let pointer = format!("/{name}");
        if IGNORED.contains(&pointer.as_str()) {
            continue;
        }
        if let Some(types) = accepted(doc, property) {
            out.push((pointer, types, required.contains(&name.as_str())));
        }
    }
    for (suffix, method, pointer, types) in MORE_FIELDS {
        if op.method == *method && op.path.ends_with(suffix) {
            let types = types.iter().map(|t| t.to_string()).collect();
            out.push((pointer.to_string(), types, false));
        }
    }
    out
}

fn body_probe(op: &Operation, path: &str, what: String, ct: Option<&str>, body: Vec<u8>) -> Probe {
    let expect = if op.path.ends_with("/Bulk") {
        Expect::BulkFailed
    } else {
        Expect::Refused
    };
    Probe {
        what: format!("{}: {what}", op.route()),
        method: op.http_method(),
        path: path.to_string(),
        headers: ct
            .map(|ct| vec![("content-type", ct.to_string())])
            .unwrap_or_default(),
        body: Some(body),
        expect,
    }
}

/// Broken, mistyped, oversized and mislabelled bodies for an operation that takes one.
pub fn body_probes(doc: &Value, op: &Operation, world: &World, big: &[u8]) -> Vec<Probe> {
    let sample = sample_body(&op.method, &op.path)
        .unwrap_or_else(|| panic!("{} takes a body: add a sample to sample_body()", op.route()));
    let path = concrete(&op.path, world);
    let ct = Some(json_type(&op.path));
    let top = accepted(doc, &op.body_schema(doc).unwrap_or_default()).unwrap_or_default();
    let mut out = Vec::new();
    // Mangling strings needs a string to mangle.
    let mut stringy = sample.clone();
    if !stringy.to_string().contains("\":\"") {
        stringy["x"] = json!("x");
    }
    for (what, mangle) in MALFORMED {
        out.push(body_probe(
            op,
            &path,
            what.to_string(),
            ct,
            mangle(&stringy),
        ));
    }
    for (what, kind, raw) in TOP_LEVEL {
        // An `Option<T>` body may be absent or null; that is a valid request.
        if !accepts(&top, kind) {
            out.push(body_probe(
                op,
                &path,
                what.to_string(),
                ct,
                raw.as_bytes().to_vec(),
            ));
        }
    }
    let mut huge = body_probe(op, &path, "a 10 MB body".into(), ct, big.to_vec());
    huge.expect = Expect::Status(413);
    out.push(huge);
    for (what, content_type, encode) in CONTENT_TYPES {
        let mut probe = body_probe(
            op,
            &path,
            format!("as {what}"),
            *content_type,
            encode(&sample),
        );
        // UTF-16 is still JSON by its type: 400 (not UTF-8) or 415 (not a charset we read).
        if !what.contains("UTF-16") {
            probe.expect = Expect::Status(415);
        }
        out.push(probe);
    }
    if !is_scim(&op.path) {
        // The management API wants a Content-Type (SCIM reads a body without one as JSON).
        let mut bare = body_probe(op, &path, "no Content-Type".into(), None, text(&sample));
        bare.expect = Expect::Status(415);
        out.push(bare);
    }
    for (pointer, types, required) in fields(doc, op) {
        let tolerated = TOLERATED.iter().find(|(suffix, method, p, _)| {
            op.method == *method && op.path.ends_with(suffix) && pointer == *p
        });
        let null_tolerated = tolerated.is_some_and(|t| t.3);
        let tolerated = tolerated.is_some();
        for (kind, value) in wrong_values() {
            if accepts(&types, kind) || (null_tolerated && value.is_null()) {
                continue;
            }
            if let Some(body) = set(&sample, &pointer, value) {
                out.push(body_probe(
                    op,
                    &path,
                    format!("{pointer} as {kind}"),
                    ct,
                    text(&body),
                ));
            }
        }
        if accepts(&types, "array") {
            let items = Value::Array(vec![json!(0); 100_000]);
            if let Some(body) = set(&sample, &pointer, items) {
                let what = format!("{pointer} with 100k elements");
                out.push(body_probe(op, &path, what, ct, text(&body)));
            }
        }
        if required && !tolerated {
            let what = format!("{pointer} missing");
            out.push(body_probe(
                op,
                &path,
                what,
                ct,
                text(&remove(&sample, &pointer)),
            ));
        }
    }
    // Management API bodies name every field they take (`additionalProperties: false`).
    if !is_scim(&op.path)
        && let Some(body) = set(&sample, "/unexpected_field", json!(1))
    {
        out.push(body_probe(
            op,
            &path,
            "an unknown field".into(),
            ct,
            text(&body),
        ));
    }
    if op.path.ends_with("/.search") {
        for (what, filter) in super::params::filter_bombs(10_000) {
            let body = set(&sample, "/filter", json!(filter)).unwrap();
            out.push(body_probe(
                op,
                &path,
                format!("filter: {what}"),
                ct,
                text(&body),
            ));
        }
    }
    out
}

trait ReplaceFirst {
    fn replace_first(self, from: &[u8], to: &[u8]) -> Vec<u8>;
}

impl ReplaceFirst for Vec<u8> {
    fn replace_first(self, from: &[u8], to: &[u8]) -> Vec<u8> {
        match self.windows(from.len()).position(|w| w == from) {
            Some(i) => [&self[..i], to, &self[i + from.len()..]].concat(),
            None => self,
        }
    }
}
