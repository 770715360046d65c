//! Tests of the discovery documents.

use super::*;
use crate::schemas;
use serde_json::{Value, json};

const BASE: &str = "https://roster.example/scim/v2";

fn limits() -> ServiceProviderLimits {
    ServiceProviderLimits {
        max_results: 200,
        max_payload_bytes: 1_048_576,
        bulk_max_operations: 1000,
        bulk_max_payload_bytes: 2_097_152,
        filter_supported: true,
        patch_supported: true,
        bulk_supported: false,
        sort_supported: true,
        etag_supported: true,
        change_password_supported: false,
        documentation_uri: None,
    }
}

/// The attribute named `name` in a schema document's `attributes` (or `subAttributes`).
fn attr<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[test]
fn schema_documents_have_schemas_id_and_meta() {
    for schema in all_schemas() {
        let doc = schema_json(schema, BASE);
        assert_eq!(doc["schemas"], json!([schemas::SCHEMA]));
        assert_eq!(doc["id"], schema.id);
        assert_eq!(doc["name"], schema.name);
        assert_eq!(doc["meta"]["resourceType"], "Schema");
        let location = format!("{BASE}/Schemas/{}", schema.id);
        assert_eq!(doc["meta"]["location"], location);
        assert_eq!(
            doc["attributes"].as_array().unwrap().len(),
            schema.attributes.len()
        );
    }
    let ids: Vec<&str> = all_schemas().iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        [schemas::USER, schemas::GROUP, schemas::ENTERPRISE_USER]
    );
}

#[test]
fn trailing_slash_of_base_url_is_ignored() {
    let doc = schema_json(&GROUP_SCHEMA, "https://x.example/scim/");
    let expected = format!("https://x.example/scim/Schemas/{}", schemas::GROUP);
    assert_eq!(doc["meta"]["location"], expected);
    let doc = resource_type_json(ResourceKind::Group, "https://x.example/scim/");
    assert_eq!(
        doc["meta"]["location"],
        "https://x.example/scim/ResourceTypes/Group"
    );
}

#[test]
fn attribute_representation_carries_every_characteristic() {
    let doc = schema_json(&USER_SCHEMA, BASE);
    let user_name = attr(&doc["attributes"], "userName");
    assert_eq!(
        *user_name,
        json!({
            "name": "userName", "type": "string", "multiValued": false,
            "description": USER_SCHEMA.attribute("userName").unwrap().description,
            "required": true, "caseExact": false, "mutability": "readWrite",
            "returned": "default", "uniqueness": "server"
        })
    );
    let password = attr(&doc["attributes"], "password");
    assert_eq!(password["mutability"], "writeOnly");
    assert_eq!(password["returned"], "never");
    assert_eq!(attr(&doc["attributes"], "active")["type"], "boolean");
    let profile = attr(&doc["attributes"], "profileUrl");
    assert_eq!(profile["referenceTypes"], json!(["external"]));
    assert!(user_name.get("referenceTypes").is_none());
    assert!(user_name.get("subAttributes").is_none());
}

#[test]
fn complex_attributes_list_sub_attributes() {
    let doc = schema_json(&USER_SCHEMA, BASE);
    let emails = attr(&doc["attributes"], "emails");
    assert_eq!(emails["type"], "complex");
    assert_eq!(emails["multiValued"], true);
    let kind = attr(&emails["subAttributes"], "type");
    assert_eq!(kind["canonicalValues"], json!(["work", "home", "other"]));
    let groups = attr(&doc["attributes"], "groups");
    assert_eq!(groups["mutability"], "readOnly");
    let group_ref = attr(&groups["subAttributes"], "$ref");
    assert_eq!(group_ref["referenceTypes"], json!(["User", "Group"]));
    let doc = schema_json(&GROUP_SCHEMA, BASE);
    let members = attr(&doc["attributes"], "members");
    assert_eq!(
        attr(&members["subAttributes"], "value")["mutability"],
        "immutable"
    );
    let doc = schema_json(&ENTERPRISE_USER_SCHEMA, BASE);
    let manager = attr(&doc["attributes"], "manager");
    assert_eq!(
        attr(&manager["subAttributes"], "displayName")["mutability"],
        "readOnly"
    );
}

#[test]
fn schemas_are_found_by_id_ignoring_case() {
    let upper = schemas::ENTERPRISE_USER.to_uppercase();
    assert_eq!(schema_by_id(&upper).unwrap().id, schemas::ENTERPRISE_USER);
    assert_eq!(schema_by_id(schemas::GROUP).unwrap().name, "Group");
    assert!(schema_by_id("urn:example:nope").is_none());
}

#[test]
fn user_resource_type_lists_the_enterprise_extension() {
    let doc = resource_type_json(ResourceKind::User, BASE);
    assert_eq!(doc["schemas"], json!([schemas::RESOURCE_TYPE]));
    assert_eq!(doc["id"], "User");
    assert_eq!(doc["name"], "User");
    assert_eq!(doc["endpoint"], "/Users");
    assert_eq!(doc["schema"], schemas::USER);
    assert_eq!(
        doc["schemaExtensions"],
        json!([{ "schema": schemas::ENTERPRISE_USER, "required": false }])
    );
    assert_eq!(doc["meta"]["resourceType"], "ResourceType");
    assert_eq!(
        doc["meta"]["location"],
        format!("{BASE}/ResourceTypes/User")
    );
}

#[test]
fn group_resource_type_has_no_extensions() {
    let doc = resource_type_json(ResourceKind::Group, BASE);
    assert_eq!(doc["schemas"], json!([schemas::RESOURCE_TYPE]));
    assert_eq!(doc["endpoint"], "/Groups");
    assert_eq!(doc["schema"], schemas::GROUP);
    assert!(doc.get("schemaExtensions").is_none());
    assert_eq!(
        doc["meta"]["location"],
        format!("{BASE}/ResourceTypes/Group")
    );
}

#[test]
fn service_provider_config_publishes_limits_and_features() {
    let doc = service_provider_config_json(&limits(), BASE);
    assert_eq!(doc["schemas"], json!([schemas::SERVICE_PROVIDER_CONFIG]));
    assert_eq!(doc["patch"]["supported"], true);
    assert_eq!(doc["bulk"]["supported"], false);
    assert_eq!(doc["bulk"]["maxOperations"], 1000);
    assert_eq!(doc["bulk"]["maxPayloadSize"], 2_097_152);
    assert_eq!(doc["filter"]["supported"], true);
    assert_eq!(doc["filter"]["maxResults"], 200);
    assert_eq!(doc["changePassword"]["supported"], false);
    assert_eq!(doc["sort"]["supported"], true);
    assert_eq!(doc["etag"]["supported"], true);
    assert!(doc.get("documentationUri").is_none());
    assert_eq!(doc["meta"]["resourceType"], "ServiceProviderConfig");
    assert_eq!(
        doc["meta"]["location"],
        format!("{BASE}/ServiceProviderConfig")
    );
}

#[test]
fn service_provider_config_authenticates_with_bearer_tokens() {
    let doc = service_provider_config_json(&limits(), BASE);
    let schemes = doc["authenticationSchemes"].as_array().unwrap();
    assert_eq!(schemes.len(), 1);
    assert_eq!(schemes[0]["type"], "oauthbearertoken");
    assert_eq!(schemes[0]["name"], "OAuth Bearer Token");
    assert_eq!(schemes[0]["primary"], true);
    assert!(schemes[0]["description"].is_string());
}

#[test]
fn service_provider_config_features_follow_the_flags() {
    let mut flipped = limits();
    flipped.patch_supported = false;
    flipped.bulk_supported = true;
    flipped.filter_supported = false;
    flipped.change_password_supported = true;
    flipped.documentation_uri = Some("https://docs.example/scim".into());
    let doc = service_provider_config_json(&flipped, BASE);
    assert_eq!(doc["patch"]["supported"], false);
    assert_eq!(doc["bulk"]["supported"], true);
    assert_eq!(doc["filter"]["supported"], false);
    assert_eq!(doc["changePassword"]["supported"], true);
    assert_eq!(doc["documentationUri"], "https://docs.example/scim");
}
