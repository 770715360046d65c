//! Hostile path ids, query strings (bad numbers and cursors, filter bombs) and ETags, for
//! every operation that takes them.

use super::corpus::{Expect, Probe, is_scim, json_type, text};
use crate::support::routes::{Operation, World, concrete, concrete_with, sample_body};
use reqwest::Method;

/// Path parameter values that name nothing.
pub fn bad_ids() -> Vec<(&'static str, String)> {
    vec![
        ("not a UUID", "not-a-uuid".into()),
        (
            "a UUID of nothing",
            "00000000-0000-0000-0000-000000000000".into(),
        ),
        ("10 KB long", "a".repeat(10 * 1024)),
        ("%00", "%00".into()),
        (
            "a NUL inside",
            "0196b5b0%000000-7000-8000-000000000000".into(),
        ),
        ("dot segments", "..%2F..%2Fetc%2Fpasswd".into()),
        ("RTL override and emoji", "%E2%80%AEabc%F0%9F%98%80".into()),
        ("SQL", "1'%20OR%20'1'%3D'1".into()),
        (
            "a UUID with junk",
            "0196b5b0-0000-7000-8000-000000000000%20junk".into(),
        ),
    ]
}

/// Every path parameter of the operation, in turn, set to each bad id (the body, if any, is
/// the valid sample: only the id is wrong).
pub fn path_probes(op: &Operation, world: &World) -> Vec<Probe> {
    let mut out = Vec::new();
    for param in op.params("path") {
        for (what, id) in bad_ids() {
            let path = concrete_with(&op.path, world, &[(param.as_str(), id.as_str())]);
            let body = sample_body(&op.method, &op.path).map(|s| text(&s));
            let headers = match body {
                Some(_) => vec![("content-type", json_type(&op.path).to_string())],
                None => vec![],
            };
            out.push(Probe {
                what: format!("{}: {{{param}}} {what}", op.route()),
                method: op.http_method(),
                path,
                headers,
                body,
                expect: Expect::Refused,
            });
        }
    }
    out
}

/// `text` URL-encoded for a query string.
pub fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `text` for a query string with brackets and parentheses left as they are (URLs longer than
/// 64 KiB cannot be sent).
fn enc_short(text: &str) -> String {
    let encoded = enc(text);
    [("%28", "("), ("%29", ")"), ("%5B", "["), ("%5D", "]")]
        .iter()
        .fold(encoded, |s, (from, to)| s.replace(from, to))
}

/// SCIM filters that must be refused: bombs, oversized and broken ones. `ors`: how many `or`
/// clauses the longest one has.
pub fn filter_bombs(ors: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![(
        format!("{ors} `or` clauses"),
        vec!["a pr"; ors].join(" or "),
    )];
    let rows: Vec<(&str, String)> = vec![
        (
            "10k nested parens",
            format!("{}userName pr{}", "(".repeat(10_000), ")".repeat(10_000)),
        ),
        (
            "10k `not(`",
            format!("{}userName pr{}", "not(".repeat(10_000), ")".repeat(10_000)),
        ),
        (
            "a 10k-segment attribute path",
            format!("{} pr", vec!["a"; 10_000].join(".")),
        ),
        (
            "a 10 KB attribute name",
            format!("{} pr", "a".repeat(10_000)),
        ),
        (
            "a 10 KB URN",
            format!("urn:{}:userName pr", "x".repeat(10_000)),
        ),
        (
            "10k nested value paths",
            format!("{}a pr{}", "a[".repeat(10_000), "]".repeat(10_000)),
        ),
        ("unbalanced parens", "((userName pr".into()),
        ("an operator without a value", "userName eq".into()),
        ("an unknown operator", "userName zz \"a\"".into()),
        ("an unterminated string", "userName eq \"abc".into()),
        ("a lone surrogate escape", "userName eq \"\\ud800\"".into()),
    ];
    out.extend(rows.into_iter().map(|(what, f)| (what.to_string(), f)));
    out
}

/// Values for a query parameter, by its name: (what, encoded value, expectation).
pub fn query_values(scim: bool, name: &str) -> Vec<(String, String, Expect)> {
    use Expect::{Lenient, Refused};
    let long = "a".repeat(10_000);
    let rows: Vec<(&str, String, Expect)> = match (scim, name) {
        (false, "limit" | "hours") => vec![
            ("abc", "abc".into(), Refused),
            ("-1", "-1".into(), Refused),
            ("1e9", "1e9".into(), Refused),
            ("2^64", "18446744073709551616".into(), Refused),
            ("1.5", "1.5".into(), Refused),
            ("a billion", "1000000000".into(), Lenient),
            ("0", "0".into(), Lenient),
        ],
        (false, "after") => vec![
            ("garbage", "garbage".into(), Refused),
            ("10 KB", long.clone(), Refused),
            ("invalid UTF-8", "%FF%FE".into(), Refused),
            ("a NUL", "abc%00".into(), Refused),
        ],
        (false, "tenant_id" | "connection_id" | "actor_id" | "group_id") => vec![
            ("not a UUID", "not-a-uuid".into(), Refused),
            ("10 KB", long.clone(), Refused),
        ],
        (false, "since" | "until") => vec![
            ("not a time", "yesterday".into(), Refused),
            ("month 13", "2020-13-45T00:00:00Z".into(), Refused),
        ],
        (false, "state" | "outcome" | "status") => vec![("unknown", "bogus".into(), Refused)],
        (false, "types") => vec![("not a pattern", enc("user created!"), Refused)],
        (false, "search" | "action") => vec![
            ("10 KB", long.clone(), Lenient),
            ("RTL override and emoji", enc("\u{202e}😀"), Lenient),
            ("invalid UTF-8", "%FF%FE".into(), Lenient),
            ("a NUL", "a%00b".into(), Refused),
        ],
        (true, "count") => vec![
            ("-1 (means 0)", "-1".into(), Lenient),
            ("1e9", "1e9".into(), Refused),
            ("abc", "abc".into(), Refused),
            ("a billion (capped)", "1000000000".into(), Lenient),
            ("2^64", "18446744073709551616".into(), Refused),
        ],
        (true, "startIndex") => vec![
            ("0 (means 1)", "0".into(), Lenient),
            ("-5 (means 1)", "-5".into(), Lenient),
            ("abc", "abc".into(), Refused),
            ("1e9", "1e9".into(), Refused),
        ],
        // 7k `or` clauses: the longest a URL can carry (10k go in `.search` bodies).
        (true, "filter") => {
            let bombs = filter_bombs(7_000).into_iter();
            return bombs
                .map(|(what, f)| (what, enc_short(&f), Refused))
                .collect();
        }
        (true, "sortBy" | "attributes" | "excludedAttributes") => vec![
            ("a 10 KB path", long.clone(), Lenient),
            ("a 10k-segment path", vec!["a"; 10_000].join("."), Lenient),
            ("5k names", vec!["a"; 5_000].join(","), Lenient),
            ("a NUL", "a%00".into(), Refused),
        ],
        (true, "sortOrder") => vec![("sideways", "sideways".into(), Lenient)],
        _ => panic!("no values for the query parameter `{name}`: add them to query_values()"),
    };
    rows.into_iter()
        .map(|(w, v, e)| (w.to_string(), v, e))
        .collect()
}

/// Each query parameter of a GET, in turn, set to each bad value; plus junk parameters.
pub fn query_probes(op: &Operation, world: &World) -> Vec<Probe> {
    let mut out = Vec::new();
    if op.method != "get" {
        return out;
    }
    let path = concrete(&op.path, world);
    let probe = |what: String, query: String, expect| Probe {
        what: format!("{}: {what}", op.route()),
        method: Method::GET,
        path: format!("{path}?{query}"),
        headers: vec![],
        body: None,
        expect,
    };
    out.push(probe(
        "junk parameters".into(),
        "%zz=%ff%fe&&=&x".into(),
        Expect::Lenient,
    ));
    for name in op.params("query") {
        for (what, value, expect) in query_values(is_scim(&op.path), &name) {
            out.push(probe(
                format!("{name}={what}"),
                format!("{name}={value}"),
                expect,
            ));
        }
    }
    out
}

/// ETags no server issued, or not this version.
pub const BAD_ETAGS: &[&str] = &[
    "garbage",
    "W/\"abc\"",
    "\"-1\"",
    "W/\"999999\"",
    "W/\"99999999999999999999\"",
    "\"\"",
    "W/",
    "W/\"1\" junk, W/\"x\"",
];

/// Conditional requests on a SCIM resource with bad ETags: writes must fail with 412 (the body
/// is the valid sample, so only the ETag is wrong); reads ignore what matches nothing.
pub fn etag_probes(op: &Operation, world: &World) -> Vec<Probe> {
    let resource = op.path.ends_with("/Users/{id}") || op.path.ends_with("/Groups/{id}");
    if !resource {
        return vec![];
    }
    let path = concrete(&op.path, world);
    let body = sample_body(&op.method, &op.path).map(|s| text(&s));
    let mut out = Vec::new();
    for tag in BAD_ETAGS {
        let (header, expect) = match op.method.as_str() {
            "get" => ("if-none-match", Expect::Status(200)),
            _ => ("if-match", Expect::Status(412)),
        };
        let mut headers = vec![(header, tag.to_string())];
        if body.is_some() {
            headers.push(("content-type", json_type(&op.path).to_string()));
        }
        out.push(Probe {
            what: format!("{}: {header} {tag}", op.route()),
            method: op.http_method(),
            path: path.clone(),
            headers,
            body: body.clone(),
            expect,
        });
    }
    out
}
