//! Tests of response projection.

use super::*;
use crate::schemas;
use serde_json::{Value, json};

fn user() -> Value {
    json!({
        "schemas": [schemas::USER, schemas::ENTERPRISE_USER],
        "id": "2819c223",
        "externalId": "00u1",
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@home.example", "type": "home"}
        ],
        "password": "hunter2",
        "active": true,
        "meta": {"resourceType": "User", "lastModified": "2024-01-01T00:00:00Z"},
        "x-custom": "kept",
        (schemas::ENTERPRISE_USER): {
            "department": "Tour Operations",
            "employeeNumber": "701984",
            "manager": {"value": "26118915", "displayName": "John Smith"}
        }
    })
}

fn group() -> Value {
    json!({
        "schemas": [schemas::GROUP],
        "id": "e9e30dba",
        "displayName": "Tour Guides",
        "members": [{"value": "2819c223", "display": "Babs"}],
        "meta": {"resourceType": "Group"}
    })
}

/// Parses `a.b` or `urn:...:name.sub` the simple way tests need.
fn path(text: &str) -> AttrPath {
    let (head, sub) = match text.rsplit_once(':') {
        Some((_, tail)) if tail.contains('.') => {
            let (n, s) = text.rsplit_once('.').unwrap();
            (n, Some(s))
        }
        Some(_) => (text, None),
        None => match text.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (text, None),
        },
    };
    let (urn, name) = match head.rsplit_once(':') {
        Some((urn, name)) => (Some(urn.to_string()), name),
        None => (None, head),
    };
    AttrPath {
        urn,
        name: name.to_string(),
        sub: sub.map(str::to_string),
    }
}

fn paths(list: &[&str]) -> Vec<AttrPath> {
    list.iter().map(|p| path(p)).collect()
}

fn project_user(attributes: &[&str], excluded: &[&str]) -> Value {
    project(
        &user(),
        ResourceSchema::user(),
        &paths(attributes),
        &paths(excluded),
    )
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn ext(name: &str) -> String {
    format!("{}:{name}", schemas::ENTERPRISE_USER)
}

#[test]
fn without_parameters_only_never_attributes_are_removed() {
    let mut expected = user();
    expected.as_object_mut().unwrap().remove("password");
    assert_eq!(project_user(&[], &[]), expected);
}

#[test]
fn okta_style_attributes_user_name() {
    let out = project_user(&["userName"], &[]);
    assert_eq!(keys(&out), ["id", "schemas", "userName"]);
    assert_eq!(out["userName"], "bjensen@example.com");
}

#[test]
fn attribute_names_ignore_case_and_keep_the_resource_spelling() {
    let resource = json!({"id": "1", "UserName": "a", "displayName": "A"});
    let out = project(
        &resource,
        ResourceSchema::user(),
        &paths(&["USERNAME"]),
        &[],
    );
    assert_eq!(out, json!({"id": "1", "UserName": "a"}));
    let out = project_user(&["EMAILS.VALUE"], &["Name"]);
    assert_eq!(out["emails"][0], json!({"value": "bjensen@example.com"}));
}

#[test]
fn naming_a_sub_attribute_returns_only_it() {
    let out = project_user(&["name.givenName"], &[]);
    assert_eq!(out["name"], json!({"givenName": "Barbara"}));
    let out = project_user(&["emails.value"], &[]);
    assert_eq!(
        out["emails"],
        json!([{"value": "bjensen@example.com"}, {"value": "babs@home.example"}])
    );
}

#[test]
fn naming_a_complex_parent_returns_all_its_sub_attributes() {
    let out = project_user(&["name", "emails"], &[]);
    assert_eq!(out["name"], user()["name"]);
    assert_eq!(out["emails"], user()["emails"]);
    let out = project_user(&["name", "name.givenName"], &[]);
    assert_eq!(out["name"], user()["name"]);
}

#[test]
fn meta_is_returned_by_default_or_when_requested() {
    assert!(project_user(&["userName"], &[]).get("meta").is_none());
    assert_eq!(project_user(&["meta"], &[])["meta"], user()["meta"]);
    let out = project_user(&["meta.lastModified"], &[]);
    assert_eq!(out["meta"], json!({"lastModified": "2024-01-01T00:00:00Z"}));
    assert!(project_user(&[], &[]).get("meta").is_some());
}

#[test]
fn extension_urn_alone_returns_the_whole_extension() {
    let out = project_user(&[schemas::ENTERPRISE_USER], &[]);
    assert_eq!(keys(&out), ["id", "schemas", schemas::ENTERPRISE_USER]);
    assert_eq!(
        out[schemas::ENTERPRISE_USER],
        user()[schemas::ENTERPRISE_USER]
    );
    // The same path when a parser keeps the URN whole in `name`.
    let whole = [AttrPath::new(&schemas::ENTERPRISE_USER.to_lowercase())];
    let out = project(&user(), ResourceSchema::user(), &whole, &[]);
    assert_eq!(
        out[schemas::ENTERPRISE_USER],
        user()[schemas::ENTERPRISE_USER]
    );
}

#[test]
fn urn_qualified_names_address_extension_attributes() {
    let out = project_user(&[&ext("department")], &[]);
    assert_eq!(
        out[schemas::ENTERPRISE_USER],
        json!({"department": "Tour Operations"})
    );
    let out = project_user(&[&ext("manager.displayName")], &[]);
    assert_eq!(
        out[schemas::ENTERPRISE_USER],
        json!({"manager": {"displayName": "John Smith"}})
    );
    let out = project_user(&["userName"], &[]);
    assert!(out.get(schemas::ENTERPRISE_USER).is_none());
}

#[test]
fn core_urn_qualified_names_address_core_attributes() {
    let qualified = format!("{}:userName", schemas::USER);
    let out = project_user(&[&qualified], &[]);
    assert_eq!(keys(&out), ["id", "schemas", "userName"]);
    let out = project_user(&[schemas::USER], &[]);
    assert!(out.get("userName").is_some() && out.get("meta").is_some());
    assert!(out.get(schemas::ENTERPRISE_USER).is_none());
}

#[test]
fn entra_excluded_members_on_a_group() {
    let out = project(&group(), ResourceSchema::group(), &[], &paths(&["members"]));
    assert_eq!(keys(&out), ["displayName", "id", "meta", "schemas"]);
}

#[test]
fn excluded_never_removes_always_attributes() {
    let out = project_user(&[], &["id", "schemas", "userName"]);
    assert!(out.get("id").is_some() && out.get("schemas").is_some());
    assert!(out.get("userName").is_none());
}

#[test]
fn excluded_sub_attributes_and_emptied_parents() {
    let out = project_user(&[], &["name.givenName", "emails.type"]);
    assert_eq!(out["name"], json!({"familyName": "Jensen"}));
    assert!(
        out["emails"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("type").is_none())
    );
    let out = project_user(&[], &["name.givenName", "name.familyName"]);
    assert!(out.get("name").is_none());
}

#[test]
fn excluded_extension_and_extension_attributes() {
    let out = project_user(&[], &[schemas::ENTERPRISE_USER]);
    assert!(out.get(schemas::ENTERPRISE_USER).is_none());
    assert!(out.get("userName").is_some());
    let out = project_user(&[], &[&ext("department"), &ext("manager.value")]);
    assert_eq!(
        out[schemas::ENTERPRISE_USER],
        json!({"employeeNumber": "701984", "manager": {"displayName": "John Smith"}})
    );
}

#[test]
fn both_lists_select_then_exclude() {
    let out = project_user(&["name", "userName"], &["name.familyName", "userName"]);
    assert_eq!(keys(&out), ["id", "name", "schemas"]);
    assert_eq!(out["name"], json!({"givenName": "Barbara"}));
}

#[test]
fn never_attributes_never_appear() {
    assert!(project_user(&["password"], &[]).get("password").is_none());
    assert!(project_user(&[], &["userName"]).get("password").is_none());
}

#[test]
fn unknown_attributes_behave_as_returned_default() {
    assert_eq!(project_user(&[], &[])["x-custom"], "kept");
    assert!(project_user(&["userName"], &[]).get("x-custom").is_none());
    assert_eq!(project_user(&["X-CUSTOM"], &[])["x-custom"], "kept");
    assert!(project_user(&[], &["x-custom"]).get("x-custom").is_none());
    let resource = json!({"id": "1", "blob": {"a": 1, "b": 2}});
    let out = project(&resource, ResourceSchema::user(), &paths(&["blob.a"]), &[]);
    assert_eq!(out, json!({"id": "1", "blob": {"a": 1}}));
}

#[test]
fn paths_of_other_schemas_select_nothing() {
    let out = project_user(&["urn:example:other:2.0:User:userName"], &[]);
    assert_eq!(keys(&out), ["id", "schemas"]);
    let out = project_user(&[], &["urn:example:other:2.0:User:userName"]);
    assert!(out.get("userName").is_some());
}

const TEST_SUBS: &[AttributeDef] = &[
    AttributeDef::string("plain", "d"),
    AttributeDef::string("onRequest", "d").with_returned(Returned::Request),
    AttributeDef::string("hidden", "d").with_returned(Returned::Never),
    AttributeDef::string("pinned", "d").with_returned(Returned::Always),
];

const TEST_ATTRIBUTES: &[AttributeDef] = &[
    AttributeDef::string("plain", "d"),
    AttributeDef::string("onRequest", "d").with_returned(Returned::Request),
    AttributeDef::complex("box", TEST_SUBS, "d"),
];

static TEST_SCHEMA: SchemaDef = SchemaDef {
    id: "urn:example:test",
    name: "Test",
    description: "d",
    attributes: TEST_ATTRIBUTES,
};

static TEST_RESOURCE: ResourceSchema = ResourceSchema {
    kind: ResourceKind::User,
    core: &TEST_SCHEMA,
    extensions: &[],
};

fn project_test(attributes: &[&str], excluded: &[&str]) -> Value {
    let resource = json!({
        "id": "1", "plain": "p", "onRequest": "r",
        "box": {"plain": "p", "onRequest": "r", "hidden": "h", "pinned": "a"}
    });
    project(
        &resource,
        &TEST_RESOURCE,
        &paths(attributes),
        &paths(excluded),
    )
}

#[test]
fn request_attributes_appear_only_when_named() {
    let out = project_test(&[], &[]);
    assert_eq!(
        out,
        json!({"id": "1", "plain": "p", "box": {"plain": "p", "pinned": "a"}})
    );
    let out = project_test(&["onRequest"], &[]);
    assert_eq!(out, json!({"id": "1", "onRequest": "r"}));
    let out = project_test(&["box", "box.onRequest"], &[]);
    assert_eq!(
        out["box"],
        json!({"plain": "p", "onRequest": "r", "pinned": "a"})
    );
    let out = project_test(&["box.onRequest"], &[]);
    assert_eq!(out["box"], json!({"onRequest": "r", "pinned": "a"}));
}

#[test]
fn sub_attribute_returned_rules_apply() {
    let out = project_test(&["box.hidden"], &[]);
    assert_eq!(out["box"], json!({"pinned": "a"}));
    let out = project_test(&[], &["box.pinned", "box.plain"]);
    assert_eq!(out["box"], json!({"pinned": "a"}));
}

#[test]
fn odd_resources_do_not_panic() {
    let user = ResourceSchema::user();
    for odd in [json!(null), json!("x"), json!([1, 2]), json!(3)] {
        assert_eq!(project(&odd, user, &paths(&["userName"]), &[]), odd);
    }
    let resource = json!({
        "id": "1",
        "name": "not an object",
        "emails": {"value": "a@b"},
        "phoneNumbers": ["+1", {"value": "+2", "type": "work"}, null],
        "addresses": [],
        (schemas::ENTERPRISE_USER): "junk"
    });
    let all = [
        "name.givenName",
        "emails.value",
        "phoneNumbers.value",
        "addresses.type",
    ];
    let out = project(&resource, user, &paths(&all), &[]);
    assert_eq!(
        out,
        json!({"id": "1", "emails": {"value": "a@b"}, "phoneNumbers": [{"value": "+2"}]})
    );
    let out = project(
        &resource,
        user,
        &[],
        &paths(&["name.givenName", &ext("department")]),
    );
    assert_eq!(out, resource);
    let out = project(&resource, user, &paths(&[schemas::ENTERPRISE_USER]), &[]);
    assert_eq!(out[schemas::ENTERPRISE_USER], "junk");
}

#[test]
fn empty_values_survive_when_selected_whole() {
    let resource = json!({"id": "1", "name": {}, "emails": []});
    assert_eq!(
        project(&resource, ResourceSchema::user(), &[], &[]),
        resource
    );
    let out = project(
        &resource,
        ResourceSchema::user(),
        &paths(&["name", "emails"]),
        &[],
    );
    assert_eq!(out, resource);
}
