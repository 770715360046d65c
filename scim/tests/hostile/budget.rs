//! PATCH requests at the bounds of what one request may cost: values spread over attributes
//! count against `MAX_OPERATIONS`, objects merge in linear time, and copies made by filtered
//! operations are counted against `MAX_RESOURCE_BYTES` before they are made.

use super::{ENTERPRISE, assert_refusal, check_patch, user};
use roster_scim::limits::{MAX_RESOURCE_BYTES, json_len};
use roster_scim::patch::{MAX_OPERATIONS, apply_ops, parse_patch};
use roster_scim::schema::ResourceSchema;
use roster_scim::{ScimError, ScimType, parse_user};
use serde_json::{Value, json};

/// `n` attributes named `x0`, `x1`, …
fn attributes(n: usize) -> Value {
    Value::Object((0..n).map(|i| (format!("x{i}"), json!(i))).collect())
}

/// Reads and applies a PATCH body to `resource`, a user.
fn patch_user(resource: &Value, body: &Value) -> Result<Value, ScimError> {
    let ops = parse_patch(body)?;
    apply_ops(resource, &ops, ResourceSchema::user())
}

/// The refusal of a PATCH, checked to be a 400 with one of the `allowed` scimTypes.
fn refused(result: Result<Value, ScimError>, allowed: &[ScimType], what: &str) -> ScimError {
    match result {
        Ok(out) => panic!("{what}: accepted, {} bytes", json_len(&out)),
        Err(err) => {
            assert_refusal(&err, allowed, what);
            err
        }
    }
}

/// A value spread over attributes (path-less, or an extension's object, path-less or named by
/// its path) is one operation per attribute, counted against `MAX_OPERATIONS`: each attribute
/// is looked up in the object it grows, so 50,000 of them in one value once took seconds.
#[test]
fn spread_attributes_count_as_operations() {
    let spreads = |n: usize| {
        [
            json!([{"op": "add", "value": attributes(n)}]),
            json!([{"op": "replace", "value": {ENTERPRISE: attributes(n)}}]),
            json!([{"op": "add", "path": ENTERPRISE, "value": attributes(n)}]),
            json!([
                {"op": "add", "value": attributes(n / 2)},
                {"op": "add", "path": "title", "value": "x"},
                {"op": "add", "value": {ENTERPRISE: attributes(n - n / 2 - 1)}}
            ]),
        ]
    };
    for (i, ops) in spreads(MAX_OPERATIONS).into_iter().enumerate() {
        let what = format!("spread {i} at the limit");
        assert!(
            check_patch(&json!({"Operations": ops}), &what).user,
            "{what}"
        );
    }
    for n in [MAX_OPERATIONS + 1, 50_000] {
        for (i, ops) in spreads(n).into_iter().enumerate() {
            let result = patch_user(&user(), &json!({"Operations": ops}));
            let err = refused(result, &[ScimType::TooMany], &format!("spread {i} of {n}"));
            assert!(
                err.detail.contains(&MAX_OPERATIONS.to_string()),
                "{}",
                err.detail
            );
        }
    }
}

/// An object merged into a complex value (`add` of `name`, of the values a filter selects) keeps
/// the spelling of keys already there, through an index: as many keys as a body allows go in one
/// pass. These once compared every key with every other; nothing here measures time, but a
/// return to quadratic work shows as a test that does not finish.
#[test]
fn objects_as_large_as_a_body_allows_merge_into_complex_values() {
    let n = 50_000;
    let mut value = attributes(n);
    value["GivenName"] = json!("Ada");
    let ops = [
        json!({"op": "add", "path": "name", "value": value}),
        json!({"op": "add", "path": "emails[type eq \"work\"]", "value": value}),
    ];
    let out = patch_user(&user(), &json!({"Operations": ops})).expect("applied");
    let name = out["name"].as_object().expect("name");
    assert_eq!(name.len(), n + 2, "x…, givenName, familyName");
    assert_eq!(name["givenName"], "Ada");
    assert!(!name.contains_key("GivenName"));
    assert_eq!(out["emails"][0].as_object().map(|e| e.len()), Some(n + 4));
    parse_user(&out).expect("still a user");
}

/// A filtered `add` or `replace` copies its value into every value the filter selects: a user
/// of 189 KB and a 10 KB value once made a resource of 100 MB. The resource may not outgrow
/// `MAX_RESOURCE_BYTES`, and every copy is counted before it is made.
#[test]
fn copies_into_filtered_values_stay_within_the_resource_limit() {
    let stored = |n: usize| {
        let emails: Vec<Value> = (0..n).map(|i| json!({"value": format!("{i}@x")})).collect();
        json!({"userName": "u", "emails": emails})
    };
    let display = "d".repeat(10_000);
    let ops = |op: &str, path: &str, value: &Value| {
        let op = json!({"op": op, "path": path, "value": value});
        json!({"Operations": [op]})
    };
    let fan_outs = [
        ops("add", "emails[value pr].display", &json!(display)),
        ops("replace", "emails[value pr].display", &json!(display)),
        ops("add", "emails[value pr]", &json!({"display": display})),
        ops("replace", "emails[value pr]", &json!({"value": display})),
    ];
    let within = stored(150);
    for (i, body) in fan_outs.iter().enumerate() {
        let out = patch_user(&within, body).expect("within the limit");
        assert!(json_len(&out) <= MAX_RESOURCE_BYTES);
        assert_eq!(out["emails"].as_array().map(Vec::len), Some(150), "{i}");
    }
    let over = stored(10_000);
    assert_eq!(json_len(&over), 188_917);
    for (i, body) in fan_outs.iter().enumerate() {
        let what = format!("fan-out {i}");
        let err = refused(patch_user(&over, body), &[ScimType::InvalidValue], &what);
        assert!(
            err.detail.contains(&MAX_RESOURCE_BYTES.to_string()),
            "{}",
            err.detail
        );
    }
    // As long a list as a body allows and as long a value: 20 GB, were the copies made first.
    let longest = stored(40_000);
    assert!(json_len(&longest) < 1 << 20);
    let body = ops(
        "add",
        "emails[value pr].display",
        &json!("d".repeat(1 << 19)),
    );
    refused(
        patch_user(&longest, &body),
        &[ScimType::InvalidValue],
        "20 GB",
    );
}
