use super::*;
use crate::schema::ResourceSchema;
use serde_json::{Value, json};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ada", "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@home.test", "type": "home", "primary": true}]
    })
}

fn patch(resource: &Value, ops: Value) -> Result<Value, crate::ScimError> {
    let ops = parse_patch(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops
    }))?;
    apply_ops(resource, &ops, ResourceSchema::user())
}

#[test]
fn entra_pathless_replace_with_path_keys_urn_keys_and_string_booleans() {
    let out = patch(
        &user(),
        json!([{"op": "Replace", "value": {
            "name.givenName": "Augusta",
            format!("{ENT}:department"): "R&D",
            "active": "False",
            "displayName": "Ada L."
        }}]),
    )
    .unwrap();
    assert_eq!(
        out["name"],
        json!({"givenName": "Augusta", "familyName": "Lovelace"})
    );
    assert_eq!(out[ENT]["department"], "R&D");
    assert_eq!(out["active"], false);
    assert_eq!(out["displayName"], "Ada L.");
    assert!(out["schemas"].as_array().unwrap().contains(&json!(ENT)));
}

#[test]
fn entra_adds_a_work_email_before_one_exists_and_replaces_it_later() {
    let out = patch(
        &user(),
        json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "ada@work.test"}]),
    )
    .unwrap();
    let emails = out["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[1], json!({"type": "work", "value": "ada@work.test"}));
    let out = patch(&out, json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "a@work.test"}])).unwrap();
    assert_eq!(out["emails"][1]["value"], "a@work.test");
    assert_eq!(
        out["emails"][0]["value"], "ada@home.test",
        "other values untouched"
    );
    let out = patch(
        &out,
        json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
    )
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"type": "work", "value": "a@work.test"}])
    );
    let out = patch(
        &out,
        json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]),
    )
    .unwrap();
    assert!(
        out.get("emails").is_none(),
        "an emptied multi-valued attribute is unassigned"
    );
}

#[test]
fn entra_manager_as_a_plain_string_or_an_object() {
    let out = patch(
        &user(),
        json!([{"op": "Add", "path": format!("{ENT}:manager"), "value": "m-1"}]),
    )
    .unwrap();
    assert_eq!(out[ENT]["manager"], json!({"value": "m-1"}));
    let out = patch(
        &out,
        json!([{"op": "replace", "path": format!("{ENT}:manager"), "value": {"value": "m-2"}}]),
    )
    .unwrap();
    assert_eq!(out[ENT]["manager"], json!({"value": "m-2"}));
    let out = patch(
        &out,
        json!([{"op": "remove", "path": format!("{ENT}:manager")}]),
    )
    .unwrap();
    assert!(out[ENT].get("manager").is_none());
}

#[test]
fn a_whole_extension_can_be_added_replaced_and_removed() {
    let out = patch(&user(), json!([{"op": "add", "path": ENT, "value": {"schemas": [ENT], "department": "R&D", "costCenter": "7"}}])).unwrap();
    assert_eq!(out[ENT], json!({"department": "R&D", "costCenter": "7"}));
    assert!(out["schemas"].as_array().unwrap().contains(&json!(ENT)));
    let out = patch(
        &out,
        json!([{"op": "replace", "path": ENT, "value": {"division": "EMEA"}}]),
    )
    .unwrap();
    assert_eq!(
        out[ENT],
        json!({"division": "EMEA"}),
        "replace swaps the whole object"
    );
    let out = patch(&out, json!([{"op": "remove", "path": ENT}])).unwrap();
    assert!(out.get(ENT).is_none());
    assert!(!out["schemas"].as_array().unwrap().contains(&json!(ENT)));
}

#[test]
fn removing_active_removes_it() {
    let out = patch(&user(), json!([{"op": "remove", "path": "active"}])).unwrap();
    assert!(out.get("active").is_none());
    let stored = crate::parse_user(&out).unwrap();
    assert!(
        stored.resource.get("active").is_none(),
        "absent stays absent"
    );
    assert!(stored.active, "and the user counts as active");
}

#[test]
fn okta_deactivation_and_read_only_values_in_pathless_replace() {
    let out = patch(
        &user(),
        json!([{"op": "replace", "value": {"active": false, "id": "x", "meta": {}}}]),
    )
    .unwrap();
    assert_eq!(out["active"], false);
    assert!(out.get("id").is_none() && out.get("meta").is_none());
}

#[test]
fn explicit_read_only_targets_are_mutability_errors() {
    for path in ["id", "meta.lastModified", "groups"] {
        let err = patch(
            &user(),
            json!([{"op": "replace", "path": path, "value": "x"}]),
        )
        .unwrap_err();
        assert_eq!(err.scim_type, Some(crate::ScimType::Mutability), "{path}");
    }
}

#[test]
fn value_filters_on_single_valued_attributes_are_invalid_paths() {
    // These used to replace the attribute by a list built from the filter (losing `name`).
    let stored = json!({"userName": "ada", "name": {"givenName": "Ada"}, "x": "custom"});
    for (op, path) in [
        ("add", "name[givenName eq \"Ada\"].familyName"),
        ("replace", "name[givenName eq \"Grace\"].familyName"),
        ("remove", "name[givenName eq \"Ada\"]"),
        ("add", "nickName[value eq \"x\"].value"),
        (
            "replace",
            &format!("{ENT}:manager[value eq \"m\"].displayName"),
        ),
        ("add", "x[value eq \"custom\"].y"),
    ] {
        let err = patch(&stored, json!([{"op": op, "path": path, "value": "v"}])).unwrap_err();
        assert_eq!(
            err.scim_type,
            Some(crate::ScimType::InvalidPath),
            "{op} {path}"
        );
    }
}

#[test]
fn add_merges_multi_valued_without_duplicates_and_keeps_one_primary() {
    let out = patch(
        &user(),
        json!([{"op": "add", "path": "emails", "value": [
            {"value": "ada@home.test", "type": "home", "primary": true},
            {"value": "new@x.test", "type": "other", "primary": true}
        ]}]),
    )
    .unwrap();
    let emails = out["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[0]["primary"], false);
    assert_eq!(emails[1]["primary"], true);
    let out = patch(
        &out,
        json!([{"op": "add", "value": {"nickName": "Countess", "name": {"middleName": "King"}}}]),
    )
    .unwrap();
    assert_eq!(out["nickName"], "Countess");
    assert_eq!(
        out["name"]["familyName"], "Lovelace",
        "add merges complex values"
    );
    assert_eq!(out["name"]["middleName"], "King");
}

#[test]
fn remove_with_a_list_drops_the_same_values() {
    let stored = json!({"userName": "ada", "emails": [
        {"value": "a@x.test", "type": "work"}, {"type": "other"}, {"value": "b@x.test"}
    ], "roles": ["admin", "dev", {"value": "dev"}]});
    let out = patch(
        &stored,
        json!([
            {"op": "remove", "path": "emails", "value": [{"value": "a@x.test"}, {"type": "other"}, "b@x.test"]},
            {"op": "remove", "path": "roles", "value": ["dev", {"value": "admin"}]}
        ]),
    )
    .unwrap();
    assert_eq!(out["emails"], json!([{"value": "b@x.test"}]));
    assert_eq!(out["roles"], json!(["admin", {"value": "dev"}]));
}

#[test]
fn replace_of_a_sub_attribute_and_null_clears() {
    let out = patch(
        &user(),
        json!([{"op": "replace", "path": "name.familyName", "value": "Byron"}]),
    )
    .unwrap();
    assert_eq!(out["name"]["familyName"], "Byron");
    let out = patch(
        &out,
        json!([{"op": "replace", "path": "nickName", "value": null}]),
    )
    .unwrap();
    assert!(out.get("nickName").is_none());
    let out = patch(&out, json!([{"op": "remove", "path": "name.givenName"}])).unwrap();
    assert_eq!(out["name"], json!({"familyName": "Byron"}));
}

#[test]
fn bad_requests() {
    let cases = [
        (
            json!({"Operations": [{"op": "remove"}]}),
            crate::ScimType::NoTarget,
        ),
        (
            json!({"Operations": [{"op": "move", "path": "x"}]}),
            crate::ScimType::InvalidSyntax,
        ),
        (json!({"Operations": []}), crate::ScimType::InvalidSyntax),
        (
            json!({"Operations": [{"op": "add", "path": "emails[type eq"}]}),
            crate::ScimType::InvalidPath,
        ),
        (
            json!({"Operations": [{"op": "add", "value": "x"}]}),
            crate::ScimType::InvalidSyntax,
        ),
        (
            json!({"schemas": ["urn:wrong"], "Operations": [{"op": "add", "path": "x", "value": 1}]}),
            crate::ScimType::InvalidSyntax,
        ),
    ];
    for (body, expected) in cases {
        let err = parse_patch(&body).unwrap_err();
        assert_eq!(err.scim_type, Some(expected), "{body}");
    }
    // All or nothing: the error of the second operation leaves the input as it was.
    let before = user();
    let err = patch(
        &before,
        json!([
            {"op": "replace", "path": "userName", "value": "changed"},
            {"op": "replace", "path": "id", "value": "x"}
        ]),
    );
    assert!(err.is_err());
    assert_eq!(before["userName"], "ada");
}

/// A user of `bytes` bytes of JSON (a long `nickName` makes up the size), with `emails`, each
/// with a display name of 20 bytes.
fn user_of(bytes: usize, emails: usize) -> Value {
    let mut user = user();
    user["emails"] = (0..emails)
        .map(|i| json!({"value": format!("{i:04}@x.test"), "display": "d".repeat(20)}))
        .collect();
    user["nickName"] = json!("");
    let pad = bytes - crate::limits::json_len(&user);
    user["nickName"] = json!("n".repeat(pad));
    assert_eq!(crate::limits::json_len(&user), bytes);
    user
}

#[test]
fn a_patch_may_not_make_a_resource_larger_than_the_limit() {
    use crate::limits::{MAX_RESOURCE_BYTES, json_len};
    let near = user_of(MAX_RESOURCE_BYTES - 1000, 100);
    let too_large = |result: Result<Value, crate::ScimError>| {
        let err = result.map(|v| json_len(&v)).unwrap_err();
        assert_eq!(err.scim_type, Some(crate::ScimType::InvalidValue));
        err.detail
    };
    // What a PATCH removes or replaces makes room: same-size values, several times over.
    let same_size = json!("y".repeat(20));
    let out = patch(
        &near,
        json!([
            {"op": "replace", "path": "emails[value pr].display", "value": same_size},
            {"op": "replace", "path": "emails[value pr].display", "value": same_size},
            {"op": "remove", "path": "emails[value pr].display"},
            {"op": "add", "path": "emails[value pr].display", "value": same_size},
            {"op": "replace", "path": "nickName", "value": "short"},
            {"op": "add", "value": {"title": "t".repeat(50_000)}}
        ]),
    )
    .unwrap();
    assert!(json_len(&out) <= MAX_RESOURCE_BYTES);
    // 100 copies of `"type":"work",` do not fit in the last 1000 bytes.
    let detail = too_large(patch(
        &near,
        json!([{"op": "add", "path": "emails[value pr].type", "value": "work"}]),
    ));
    assert!(detail.contains(&MAX_RESOURCE_BYTES.to_string()), "{detail}");
    too_large(patch(
        &near,
        json!([{"op": "add", "path": "title", "value": "t".repeat(1000)}]),
    ));

    // A resource stored larger (under a larger body limit) may be patched, not grow.
    let over = user_of(MAX_RESOURCE_BYTES + 5000, 2);
    let out = patch(
        &over,
        json!([
            {"op": "replace", "path": "nickName", "value": "shorter"},
            {"op": "add", "path": "title", "value": "x"}
        ]),
    )
    .unwrap();
    assert!(json_len(&out) < MAX_RESOURCE_BYTES);
    let detail = too_large(patch(
        &over,
        json!([{"op": "add", "path": "title", "value": "x"}]),
    ));
    assert!(
        detail.contains(&(MAX_RESOURCE_BYTES + 5000).to_string()),
        "{detail}"
    );
}

#[test]
fn members_become_row_changes() {
    let ops = parse_patch(&json!({"Operations": [
        {"op": "add", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]},
        {"op": "remove", "path": "members[value eq \"u1\"]"},
        {"op": "Remove", "path": "members", "value": [{"value": "u2"}]},
        {"op": "replace", "value": {"id": "g", "displayName": "New", "members": [{"value": "u3"}]}},
        {"op": "remove", "path": "members[value eq \"a\" or value eq \"b\"]"},
        {"op": "remove", "path": "members"}
    ]}))
    .unwrap();
    let (changes, rest) = split_member_ops(ops).unwrap();
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(changes.len(), 6);
    assert!(matches!(&changes[0], MemberChange::Add(m) if m.len() == 2));
    assert_eq!(changes[1], MemberChange::Remove(ids(&["u1"])));
    assert_eq!(changes[2], MemberChange::Remove(ids(&["u2"])));
    assert!(matches!(&changes[3], MemberChange::Replace(m) if m[0].value == "u3"));
    assert_eq!(changes[4], MemberChange::Remove(ids(&["a", "b"])));
    assert_eq!(changes[5], MemberChange::RemoveAll);
    assert_eq!(rest.len(), 1);
    let renamed = apply_ops(
        &json!({"displayName": "Old"}),
        &rest,
        ResourceSchema::group(),
    )
    .unwrap();
    assert_eq!(
        renamed,
        json!({"displayName": "New"}),
        "the read-only id is ignored"
    );

    let bad = parse_patch(
        &json!({"Operations": [{"op": "remove", "path": "members[display eq \"x\"]"}]}),
    )
    .unwrap();
    assert_eq!(
        split_member_ops(bad).unwrap_err().scim_type,
        Some(crate::ScimType::InvalidFilter)
    );
}

mod laws {
    use super::*;
    use proptest::prelude::*;

    fn attr() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "nickName",
            "title",
            "userType",
            "locale",
            "name.middleName",
            "name.honorificPrefix",
        ])
    }

    proptest! {
        /// Replacing twice is replacing once.
        #[test]
        fn replace_is_idempotent(path in attr(), value in "[a-zA-Z0-9 ]{0,12}") {
            let op = json!([{"op": "replace", "path": path, "value": value}]);
            let once = patch(&user(), op.clone()).unwrap();
            let twice = patch(&once, op).unwrap();
            prop_assert_eq!(once, twice);
        }

        /// `remove` undoes an `add` of an attribute that was absent.
        #[test]
        fn remove_undoes_add(path in attr(), value in "[a-z]{1,8}") {
            let added = patch(&user(), json!([{"op": "add", "path": path, "value": value}])).unwrap();
            let removed = patch(&added, json!([{"op": "remove", "path": path}])).unwrap();
            prop_assert_eq!(removed, user());
        }

        /// A path-less replace of `{path: v}` is a replace of `path` with `v`.
        #[test]
        fn pathless_equals_pathed(path in attr(), value in "[a-z]{1,8}") {
            let pathed = patch(&user(), json!([{"op": "replace", "path": path, "value": value}])).unwrap();
            let pathless = patch(&user(), json!([{"op": "replace", "value": {path: value}}])).unwrap();
            prop_assert_eq!(pathed, pathless);
        }

        /// Arbitrary operations never panic, and a failure changes nothing.
        #[test]
        fn arbitrary_operations_are_safe(op in "(add|remove|replace|Add|junk)", path in "[a-zA-Z.\\[\\] \"=]{0,24}", value in "[a-z]{0,5}") {
            let input = user();
            let _ = patch(&input, json!([{"op": op, "path": path, "value": value}]));
            prop_assert_eq!(input, user());
        }
    }
}
