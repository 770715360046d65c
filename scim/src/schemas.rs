//! Schema and message URNs (RFC 7643 §8.7, RFC 7644 §3).

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The `schemas` of a resource in a request: added (`[core]`) when absent, otherwise an array
/// of URN strings.
pub(crate) fn check_resource_schemas(
    resource: &mut serde_json::Map<String, serde_json::Value>,
    core: &str,
) -> Result<(), crate::ScimError> {
    let value = resource
        .entry("schemas")
        .or_insert_with(|| serde_json::Value::from(vec![core]));
    match value.as_array() {
        Some(list) if list.iter().all(serde_json::Value::is_string) => Ok(()),
        _ => Err(crate::ScimError::bad_request(
            crate::ScimType::InvalidSyntax,
            "schemas must be an array of URNs",
        )),
    }
}
