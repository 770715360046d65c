//! Evaluator tests over a User and a Group resource.

use super::*;
use crate::attr::{AttrPath, AttrType, AttributeInfo};
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Attribute facts for the tests, keyed by `name` or `name.sub` (lowercase).
pub(super) struct TestInfo;

impl TestInfo {
    fn key(path: &AttrPath) -> String {
        match &path.sub {
            Some(sub) => format!("{}.{}", path.name, sub).to_lowercase(),
            None => path.name.to_lowercase(),
        }
    }
}

impl AttributeInfo for TestInfo {
    fn attr_type(&self, path: &AttrPath) -> Option<AttrType> {
        match Self::key(path).as_str() {
            "meta.lastmodified" | "meta.created" | "d" => Some(AttrType::DateTime),
            "active" | "emails.primary" | "b" => Some(AttrType::Boolean),
            "age" | "n" => Some(AttrType::Integer),
            "score" => Some(AttrType::Decimal),
            "name" | "emails" | "members" | "meta" => Some(AttrType::Complex),
            _ => Some(AttrType::String),
        }
    }

    fn case_exact(&self, path: &AttrPath) -> bool {
        matches!(
            Self::key(path).as_str(),
            "id" | "externalid" | "members.value" | "x509" | "cs"
        )
    }

    fn multi_valued(&self, path: &AttrPath) -> bool {
        matches!(
            path.name.to_lowercase().as_str(),
            "emails" | "members" | "schemas" | "ims"
        )
    }
}

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "Ext-1",
        "userName": "BJensen@example.com",
        "name": {"familyName": "Jensen", "givenName": "Barbara", "middleName": ""},
        "title": "Tour Guide",
        "userType": "Employee",
        "nickName": null,
        "active": "True",
        "age": 42,
        "score": 3.5,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": "True"},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "phoneNumbers": [],
        "meta": {"lastModified": "2011-05-13T04:42:34Z", "created": "2010-01-23T04:56:22+02:00"},
        ENTERPRISE: {"department": "Tour Operations", "manager": {"value": "26118915", "displayName": "John"}}
    })
}

fn group() -> Value {
    json!({
        "id": "G",
        "displayName": "Group",
        "members": [{"value": "U", "display": "u"}, {"value": "V"}]
    })
}

fn on(resource: &Value, filter: &str) -> bool {
    let parsed = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    matches(&parsed, resource, &TestInfo)
}

fn check(resource: &Value, cases: &[(&str, bool)]) {
    for (filter, expected) in cases {
        assert_eq!(on(resource, filter), *expected, "{filter}");
    }
}

#[test]
fn string_operators_ignore_case_unless_case_exact() {
    check(
        &user(),
        &[
            (r#"userName eq "bjensen@EXAMPLE.com""#, true),
            (r#"USERNAME eq "bjensen@example.com""#, true),
            (r#"userName eq "bjensen""#, false),
            (r#"userName co "JENSEN@""#, true),
            (r#"userName sw "bj""#, true),
            (r#"userName ew ".COM""#, true),
            (r#"userName ew "example""#, false),
            (r#"userName ne "nobody""#, true),
            (r#"userName ne "BJENSEN@example.com""#, false),
            (r#"title gt "Tour""#, true),
            (r#"title gt "tour guide""#, false),
            (r#"title ge "TOUR GUIDE""#, true),
            (r#"title lt "u""#, true),
            (r#"title le "Tour Guide""#, true),
            (r#"externalId eq "Ext-1""#, true),
            (r#"externalId eq "ext-1""#, false),
            (r#"externalId sw "Ext""#, true),
            (r#"externalId sw "ext""#, false),
            (r#"externalId gt "Ext-0""#, true),
            (r#"externalId lt "ext-0""#, true),
            (r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false),
        ],
    );
}

#[test]
fn presence() {
    check(
        &user(),
        &[
            ("title pr", true),
            ("name pr", true),
            ("name.givenName pr", true),
            ("name.middleName pr", false),
            ("nickName pr", false),
            ("phoneNumbers pr", false),
            ("emails pr", true),
            ("emails.value pr", true),
            ("emails.display pr", false),
            ("age pr", true),
            ("missing pr", false),
            (&format!("{ENTERPRISE}:department pr"), true),
            (&format!("{ENTERPRISE}:costCenter pr"), false),
        ],
    );
    assert!(!on(&json!({"name": {"givenName": null}}), "name pr"));
    assert!(!on(&json!({"emails": [{}]}), "emails pr"));
}

#[test]
fn numbers_booleans_and_null() {
    check(
        &user(),
        &[
            ("age eq 42", true),
            ("age eq 42.0", true),
            ("age gt 41.5", true),
            ("age ge 42", true),
            ("age lt 42", false),
            ("age le -1", false),
            ("age ne 42", false),
            (r#"age eq "42""#, false),
            ("age co 4", false),
            ("score gt 3", true),
            ("score lt 3.6", true),
            ("score eq 3.5", true),
            ("active eq true", true),
            ("active eq false", false),
            ("active ne false", true),
            (r#"active eq "true""#, true),
            ("emails[primary eq true]", true),
            ("emails[primary eq true and type eq \"home\"]", false),
            ("emails.primary eq true", true),
            ("nickName eq null", true),
            ("missing eq null", true),
            ("title eq null", false),
            ("title ne null", true),
            ("missing ne null", false),
            ("title eq 5", false),
            ("title eq true", false),
        ],
    );
    let flags = json!({"flag": true, "text": "True", "big": 18446744073709551615u64, "neg": -5});
    check(
        &flags,
        &[
            ("flag eq true", true),
            ("flag eq false", false),
            ("flag eq \"true\"", false),
            // Strings count as booleans only for Boolean attributes.
            ("text eq true", false),
            ("big gt 18446744073709551614", true),
            ("big gt 1.5", true),
            ("neg lt 18446744073709551615", true),
            ("neg gt -5.5", true),
        ],
    );
}

#[test]
fn date_times_compare_as_instants() {
    check(
        &user(),
        &[
            (r#"meta.lastModified gt "2011-05-13T04:42:33Z""#, true),
            (r#"meta.lastModified gt "2011-05-13T04:42:34Z""#, false),
            (r#"meta.lastModified ge "2011-05-13T04:42:34Z""#, true),
            (
                r#"meta.lastModified eq "2011-05-13T06:42:34.000+02:00""#,
                true,
            ),
            (
                r#"meta.lastModified lt "2011-05-13T06:42:34.001+02:00""#,
                true,
            ),
            (r#"meta.lastModified le "2011-05-12T23:42:33-05:00""#, false),
            (r#"meta.lastModified gt "yesterday""#, false),
            (r#"meta.lastModified lt "yesterday""#, false),
            (r#"meta.lastModified sw "2011-05""#, true),
            (r#"meta.created lt "2010-01-23T03:00:00Z""#, true),
            (r#"meta.created gt "2010-01-23T02:00:00Z""#, true),
        ],
    );
    let bad = json!({"meta": {"lastModified": "garbage"}});
    assert!(!on(&bad, r#"meta.lastModified gt "2011-05-13T04:42:34Z""#));
    assert!(on(&bad, r#"meta.lastModified eq "GARBAGE""#));
}

#[test]
fn multi_valued_attributes() {
    check(
        &user(),
        &[
            (r#"emails eq "babs@jensen.org""#, true),
            (r#"emails co "example.com""#, true),
            (r#"emails.value co "example.org""#, false),
            (r#"emails.value ew "jensen.org""#, true),
            (r#"emails.type eq "home""#, true),
            (r#"emails.type eq "other""#, false),
            (r#"emails ne "babs@jensen.org""#, false),
            (
                r#"emails[type eq "work" and value co "@example.com"]"#,
                true,
            ),
            (
                r#"emails[type eq "home" and value co "@example.com"]"#,
                false,
            ),
            (
                r#"emails[type eq "home"] and emails[value co "@example.com"]"#,
                true,
            ),
            (r#"emails[not (type eq "work")]"#, true),
            (r#"emails[type pr and not (value pr)]"#, false),
            (
                r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
                true,
            ),
            (r#"phoneNumbers[type eq "work"]"#, false),
            (r#"missing[type eq "work"]"#, false),
            (r#"name[givenName eq "barbara"]"#, true),
        ],
    );
}

#[test]
fn extension_and_qualified_paths() {
    check(
        &user(),
        &[
            (
                &format!(r#"{ENTERPRISE}:department eq "tour operations""#),
                true,
            ),
            (
                &format!(
                    r#"{}:department eq "Tour Operations""#,
                    ENTERPRISE.to_uppercase()
                ),
                true,
            ),
            (
                &format!(r#"{ENTERPRISE}:manager.value eq "26118915""#),
                true,
            ),
            (&format!(r#"{ENTERPRISE}:manager eq "26118915""#), true),
            (
                &format!(r#"{ENTERPRISE}:manager[displayName sw "jo"]"#),
                true,
            ),
            (r#"department eq "Tour Operations""#, false),
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj""#,
                true,
            ),
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "jensen""#,
                true,
            ),
            (r#"urn:example:other:userName sw "bj""#, false),
        ],
    );
}

#[test]
fn rfc7644_examples_evaluate() {
    check(
        &user(),
        &[
            (r#"userName Eq "bjensen@example.com""#, true),
            (r#"name.familyName co "ens""#, true),
            (r#"userName sw "J""#, false),
            ("title pr", true),
            (r#"title pr and userType eq "Employee""#, true),
            (r#"title pr or userType eq "Intern""#, true),
            (
                r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
                true,
            ),
            (
                r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
                false,
            ),
            (
                r#"userType eq "Employee" and (emails.type eq "work")"#,
                true,
            ),
            (
                r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
                true,
            ),
            (
                r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
                true,
            ),
            (
                r#"emails[type eq "home" and value co "@example.com"] or ims[type eq "aim"]"#,
                true,
            ),
            (
                r#"emails[type eq "home" and value co "@example.com"] or ims[type eq "xmpp"]"#,
                false,
            ),
        ],
    );
}

#[test]
fn boolean_logic() {
    check(
        &user(),
        &[
            ("title pr and missing pr", false),
            ("title pr or missing pr", true),
            ("missing pr or title pr and age eq 1", false),
            ("(missing pr or title pr) and age eq 42", true),
            ("not (missing pr)", true),
            ("not (title pr) or not (not (age eq 42))", true),
        ],
    );
}

#[test]
fn entra_group_membership_check() {
    let g = group();
    assert!(on(&g, r#"id eq "G" and members[value eq "U"]"#));
    assert!(on(&g, r#"id eq "G" and members[value eq "V"]"#));
    assert!(
        !on(&g, r#"id eq "G" and members[value eq "u"]"#),
        "members.value is caseExact"
    );
    assert!(!on(&g, r#"id eq "G" and members[value eq "W"]"#));
    assert!(!on(&g, r#"id eq "H" and members[value eq "U"]"#));
    assert!(on(&g, r#"displayName eq "group""#));
    assert!(on(&g, r#"members eq "U""#));
    assert!(on(&json!({"id": "G"}), "not (members pr)"));
}

#[test]
fn odd_resources_never_panic() {
    let f = parse_filter(r#"a.b eq "x" or a[b gt 1] or a pr or a eq null or a lt "z""#).unwrap();
    for resource in [
        json!(null),
        json!(1),
        json!("a"),
        json!([]),
        json!({"a": [1, "x", null, [2], {"b": null}]}),
        json!({"a": {"b": [true, {"c": 1}]}}),
    ] {
        let _ = matches(&f, &resource, &TestInfo);
    }
    assert!(matches(
        &f,
        &json!({"a": [1, "x", null, [2], {"b": null}]}),
        &TestInfo
    ));
}
