//! Tests of the schema definitions and of attribute lookup.

use super::*;
use crate::schemas;

fn qualified(urn: &str, name: &str, sub: Option<&str>) -> AttrPath {
    AttrPath {
        urn: Some(urn.to_string()),
        name: name.to_string(),
        sub: sub.map(str::to_string),
    }
}

fn user_find(path: &AttrPath) -> Option<&'static AttributeDef> {
    ResourceSchema::user().find(path)
}

#[test]
fn finds_core_attributes_ignoring_case() {
    let def = user_find(&AttrPath::new("USERNAME")).unwrap();
    assert_eq!(def.name, "userName");
    assert!(def.required);
    assert!(!def.case_exact);
    assert_eq!(def.uniqueness, Uniqueness::Server);
    assert_eq!(def.mutability, Mutability::ReadWrite);
    assert_eq!(
        user_find(&AttrPath::new("displayname")).unwrap().name,
        "displayName"
    );
}

#[test]
fn finds_sub_attributes() {
    let def = user_find(&AttrPath::with_sub("NAME", "givenname")).unwrap();
    assert_eq!(def.name, "givenName");
    let def = user_find(&AttrPath::with_sub("emails", "value")).unwrap();
    assert_eq!(def.attr_type, AttrType::String);
    assert!(user_find(&AttrPath::with_sub("groups", "$REF")).is_some());
}

#[test]
fn finds_core_attributes_qualified_with_the_core_urn() {
    let path = qualified(schemas::USER, "userName", None);
    assert_eq!(user_find(&path).unwrap().name, "userName");
    let path = qualified(&schemas::USER.to_uppercase(), "name", Some("familyName"));
    assert_eq!(user_find(&path).unwrap().name, "familyName");
    let path = qualified(schemas::GROUP, "members", Some("value"));
    assert!(ResourceSchema::group().find(&path).is_some());
}

#[test]
fn finds_extension_attributes_by_urn() {
    let path = qualified(schemas::ENTERPRISE_USER, "department", None);
    assert_eq!(user_find(&path).unwrap().name, "department");
    let path = qualified(schemas::ENTERPRISE_USER, "Manager", Some("DISPLAYNAME"));
    let def = user_find(&path).unwrap();
    assert_eq!(def.name, "displayName");
    assert_eq!(def.mutability, Mutability::ReadOnly);
    // A URN-qualified name that a parser left whole.
    let whole = format!("{}:employeeNumber", schemas::ENTERPRISE_USER);
    assert_eq!(
        user_find(&AttrPath::new(&whole)).unwrap().name,
        "employeeNumber"
    );
}

#[test]
fn common_attributes_are_found_on_both_resource_types() {
    for schema in [ResourceSchema::user(), ResourceSchema::group()] {
        for name in ["id", "externalId", "meta", "schemas"] {
            assert!(schema.find(&AttrPath::new(name)).is_some(), "{name}");
        }
        let last = schema
            .find(&AttrPath::with_sub("meta", "lastModified"))
            .unwrap();
        assert_eq!(last.attr_type, AttrType::DateTime);
    }
}

#[test]
fn unknown_paths_are_none() {
    let user = ResourceSchema::user();
    let unknown = [
        AttrPath::new("nope"),
        AttrPath::with_sub("name", "nope"),
        AttrPath::with_sub("userName", "value"),
        AttrPath::new("department"),
        qualified("urn:example:unknown", "userName", None),
        qualified(schemas::ENTERPRISE_USER, "userName", None),
        qualified(schemas::GROUP, "displayName", None),
        AttrPath::new(schemas::ENTERPRISE_USER),
    ];
    for path in unknown {
        assert!(user.find(&path).is_none(), "{path}");
    }
    let group = ResourceSchema::group();
    assert!(group.find(&AttrPath::new("userName")).is_none());
    assert!(
        group
            .find(&qualified(schemas::ENTERPRISE_USER, "department", None))
            .is_none()
    );
}

#[test]
fn attribute_info_answers() {
    let user = ResourceSchema::user();
    assert!(!user.case_exact(&AttrPath::new("userName")));
    assert!(user.case_exact(&AttrPath::new("id")));
    assert!(user.case_exact(&AttrPath::new("externalId")));
    assert_eq!(
        user.attr_type(&AttrPath::with_sub("meta", "lastModified")),
        Some(AttrType::DateTime)
    );
    assert_eq!(
        user.attr_type(&AttrPath::new("active")),
        Some(AttrType::Boolean)
    );
    assert_eq!(
        user.attr_type(&AttrPath::new("name")),
        Some(AttrType::Complex)
    );
    assert_eq!(user.attr_type(&AttrPath::new("unknown")), None);
    assert!(user.multi_valued(&AttrPath::new("emails")));
    assert!(user.multi_valued(&AttrPath::with_sub("emails", "value")));
    assert!(!user.multi_valued(&AttrPath::new("userName")));
    assert!(!user.multi_valued(&AttrPath::new("unknown")));
    assert!(!user.case_exact(&AttrPath::new("unknown")));
    let group = ResourceSchema::group();
    assert!(group.multi_valued(&AttrPath::new("members")));
    assert_eq!(
        group.attr_type(&AttrPath::with_sub("members", "$ref")),
        Some(AttrType::Reference)
    );
}

/// Checks one level of definitions, then recurses into sub-attributes.
fn check_level(defs: &[AttributeDef], level: &str, depth: usize) {
    for (i, def) in defs.iter().enumerate() {
        let at = format!("{level}{}", def.name);
        let complex = def.attr_type == AttrType::Complex;
        assert_eq!(
            complex,
            !def.sub_attributes.is_empty(),
            "{at}: subs iff complex"
        );
        let is_ref = def.attr_type == AttrType::Reference;
        assert_eq!(
            is_ref,
            !def.reference_types.is_empty(),
            "{at}: referenceTypes"
        );
        if !def.canonical_values.is_empty() {
            assert_eq!(def.attr_type, AttrType::String, "{at}: canonical values");
        }
        assert!(!def.description.is_empty(), "{at}: description");
        let dup = defs[..i]
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(def.name));
        assert!(!dup, "{at}: duplicate name");
        if complex {
            assert_eq!(depth, 0, "{at}: complex sub-attribute");
            check_level(def.sub_attributes, &format!("{at}."), depth + 1);
        }
    }
}

#[test]
fn definitions_are_well_formed() {
    for schema in all_schemas() {
        check_level(schema.attributes, &format!("{}:", schema.id), 0);
    }
    check_level(COMMON_ATTRIBUTES, "common:", 0);
    for schema in [USER_SCHEMA, GROUP_SCHEMA] {
        for def in schema.attributes {
            assert!(
                find_in(COMMON_ATTRIBUTES, def.name).is_none(),
                "{} shadowed",
                def.name
            );
        }
    }
}

#[test]
fn user_characteristics_follow_rfc_7643() {
    let get = |name: &str| USER_SCHEMA.attribute(name).unwrap();
    let password = get("password");
    assert_eq!(password.mutability, Mutability::WriteOnly);
    assert_eq!(password.returned, Returned::Never);
    let groups = get("groups");
    assert!(groups.multi_valued);
    assert_eq!(groups.mutability, Mutability::ReadOnly);
    assert!(
        groups
            .sub_attributes
            .iter()
            .all(|s| s.mutability == Mutability::ReadOnly)
    );
    assert_eq!(
        groups.sub("type").unwrap().canonical_values,
        ["direct", "indirect"]
    );
    assert_eq!(
        get("emails").sub("type").unwrap().canonical_values,
        ["work", "home", "other"]
    );
    let phone_types = get("phoneNumbers").sub("type").unwrap().canonical_values;
    assert_eq!(
        phone_types,
        ["work", "home", "mobile", "fax", "pager", "other"]
    );
    assert_eq!(get("ims").sub("type").unwrap().canonical_values.len(), 8);
    assert_eq!(
        get("photos").sub("value").unwrap().reference_types,
        ["external"]
    );
    assert_eq!(get("profileUrl").reference_types, ["external"]);
    let cert = get("x509Certificates").sub("value").unwrap();
    assert_eq!(cert.attr_type, AttrType::Binary);
    let address_subs: Vec<&str> = get("addresses")
        .sub_attributes
        .iter()
        .map(|s| s.name)
        .collect();
    let expected = [
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "type",
        "primary",
    ];
    assert_eq!(address_subs, expected);
    let name_subs: Vec<&str> = get("name").sub_attributes.iter().map(|s| s.name).collect();
    let expected = [
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ];
    assert_eq!(name_subs, expected);
    for multi in [
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "addresses",
        "entitlements",
        "roles",
    ] {
        assert!(get(multi).multi_valued, "{multi}");
    }
    assert_eq!(get("active").attr_type, AttrType::Boolean);
}

#[test]
fn common_characteristics_follow_rfc_7643() {
    let get = |name: &str| find_in(COMMON_ATTRIBUTES, name).unwrap();
    let id = get("id");
    assert_eq!(
        (id.mutability, id.returned, id.uniqueness, id.case_exact),
        (
            Mutability::ReadOnly,
            Returned::Always,
            Uniqueness::Server,
            true
        )
    );
    let external = get("externalId");
    assert!(external.case_exact);
    assert_eq!(external.mutability, Mutability::ReadWrite);
    let meta = get("meta");
    assert_eq!(meta.mutability, Mutability::ReadOnly);
    let subs: Vec<&str> = meta.sub_attributes.iter().map(|s| s.name).collect();
    assert_eq!(
        subs,
        [
            "resourceType",
            "created",
            "lastModified",
            "location",
            "version"
        ]
    );
    assert_eq!(get("schemas").returned, Returned::Always);
}

#[test]
fn group_and_enterprise_characteristics_follow_rfc_7643() {
    assert!(GROUP_SCHEMA.attribute("displayName").unwrap().required);
    let members = GROUP_SCHEMA.attribute("members").unwrap();
    assert!(members.multi_valued);
    assert_eq!(
        members.sub("value").unwrap().mutability,
        Mutability::Immutable
    );
    assert_eq!(
        members.sub("type").unwrap().canonical_values,
        ["User", "Group"]
    );
    assert_eq!(
        members.sub("$ref").unwrap().reference_types,
        ["User", "Group"]
    );
    assert!(members.sub("display").is_some());
    let names: Vec<&str> = ENTERPRISE_USER_SCHEMA
        .attributes
        .iter()
        .map(|a| a.name)
        .collect();
    let expected = [
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
    ];
    assert_eq!(names[..5], expected);
    let manager = ENTERPRISE_USER_SCHEMA.attribute("manager").unwrap();
    assert_eq!(manager.attr_type, AttrType::Complex);
    assert_eq!(manager.sub("$ref").unwrap().reference_types, ["User"]);
}

#[test]
fn resource_kinds_and_schemas_agree() {
    for kind in ResourceKind::ALL {
        assert_eq!(kind.schema().kind(), kind);
    }
    assert_eq!(ResourceKind::User.endpoint(), "/Users");
    assert_eq!(ResourceKind::Group.name(), "Group");
    let user = ResourceSchema::user();
    assert_eq!(user.core().id, schemas::USER);
    assert_eq!(user.extensions().len(), 1);
    assert_eq!(user.extensions()[0].0.id, schemas::ENTERPRISE_USER);
    assert!(!user.extensions()[0].1);
    assert!(
        user.extension(&schemas::ENTERPRISE_USER.to_lowercase())
            .is_some()
    );
    assert!(ResourceSchema::group().extensions().is_empty());
}
