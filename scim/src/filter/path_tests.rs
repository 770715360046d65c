//! PATCH path parser tests.

use super::*;
use crate::attr::AttrPath;
use crate::error::ScimType;

fn path(input: &str) -> PatchPath {
    parse_path(input).unwrap_or_else(|e| panic!("{input}: {e}"))
}

#[test]
fn plain_attribute_paths() {
    assert_eq!(
        path("userName"),
        PatchPath {
            attr: AttrPath::new("userName"),
            filter: None,
            sub_attr: None
        }
    );
    assert_eq!(
        path("name.familyName").attr,
        AttrPath::with_sub("name", "familyName")
    );
    assert_eq!(path("  active ").attr, AttrPath::new("active"));
    let manager = path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager");
    assert_eq!(
        manager.attr.urn.as_deref(),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
    );
    assert_eq!(manager.attr.name, "manager");
    let value = path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value");
    assert_eq!(value.attr.sub.as_deref(), Some("value"));
    assert!(value.filter.is_none());
}

#[test]
fn value_paths() {
    let members = path(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#);
    assert_eq!(members.attr, AttrPath::new("members"));
    assert_eq!(
        members.filter,
        Some(Filter::Compare(
            AttrPath::new("value"),
            CompareOp::Eq,
            CompValue::String("2819c223-7f76-453a-919d-413861904646".into())
        ))
    );
    assert_eq!(members.sub_attr, None);

    let work = path(r#"emails[type eq "work"].value"#);
    assert_eq!(work.attr, AttrPath::new("emails"));
    assert!(work.filter.is_some());
    assert_eq!(work.sub_attr.as_deref(), Some("value"));

    let complex = path(r#"addresses[type eq "work" and not (primary eq false)].streetAddress"#);
    assert_eq!(complex.sub_attr.as_deref(), Some("streetAddress"));
    assert!(matches!(complex.filter, Some(Filter::And(..))));
    assert_eq!(
        path("members[value pr].$ref").sub_attr.as_deref(),
        Some("$ref")
    );
}

#[test]
fn display_round_trips() {
    for input in [
        "userName",
        "name.familyName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        r#"emails[type eq "work"].value"#,
        r#"members[value eq "a\"b"]"#,
        r#"emails[(type eq "work" or primary eq true) and value ew ".org"]"#,
    ] {
        let parsed = path(input);
        assert_eq!(parsed.to_string(), input);
        assert_eq!(path(&parsed.to_string()), parsed);
    }
}

#[test]
fn invalid_paths() {
    let cases = [
        ("", "empty"),
        ("  ", "empty"),
        (r#"emails[type eq "work""#, "expected `]`"),
        ("a..b", "not an attribute path"),
        ("a.b.c", "not an attribute path"),
        ("[x]", "starts with an attribute"),
        (r#""userName""#, "starts with an attribute"),
        ("1name", "not an attribute path"),
        ("name givenName", "unexpected text"),
        ("name.", "not an attribute path"),
        (r#"emails[type eq "work"]value"#, "expected `.subAttribute`"),
        (
            r#"emails[type eq "work"].value.x"#,
            "expected `.subAttribute`",
        ),
        (r#"emails[type eq "work"]."#, "expected `.subAttribute`"),
        (r#"emails[type eq "work"][value pr]"#, "unexpected text"),
        (r#"name.givenName[value pr]"#, "not a sub-attribute"),
        (r#"emails[type eq]"#, "expected a value"),
        (r#"emails[a[b pr]]"#, "cannot be nested"),
        ("emails[]", "expected an attribute path"),
        ("userName eq \"x\"", "unexpected text"),
        (r#"members[value eq "x]"#, "unterminated string"),
    ];
    for (input, expected) in cases {
        let err = parse_path(input).expect_err(input);
        assert_eq!(err.status, 400);
        assert_eq!(err.scim_type, Some(ScimType::InvalidPath), "{input}");
        assert!(err.detail.contains(expected), "{input}: {}", err.detail);
    }
    let long = format!("a{}", "b".repeat(MAX_FILTER_LEN));
    assert!(
        parse_path(&long)
            .unwrap_err()
            .detail
            .contains("longer than")
    );
}
