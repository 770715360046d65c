//! The discovery documents of RFC 7644 §4: `/Schemas` (RFC 7643 §7), `/ResourceTypes`
//! (RFC 7643 §6) and `/ServiceProviderConfig` (RFC 7643 §5).

use super::def::{AttributeDef, SchemaDef, type_name};
use super::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, ResourceKind, USER_SCHEMA};
use crate::attr::AttrType;
use crate::schemas;
use serde_json::{Map, Value, json};

/// The schemas served at `/Schemas`: User, Group and the Enterprise User extension.
pub fn all_schemas() -> [&'static SchemaDef; 3] {
    [&USER_SCHEMA, &GROUP_SCHEMA, &ENTERPRISE_USER_SCHEMA]
}

/// The schema served at `/Schemas/{id}`; the URN compares ignoring case.
pub fn schema_by_id(id: &str) -> Option<&'static SchemaDef> {
    all_schemas()
        .into_iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
}

/// `base_url` without a trailing slash, so that `base_url + "/Schemas"` is well formed.
fn base(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// The `meta` of a discovery resource.
fn meta(resource_type: &str, location: String) -> Value {
    json!({ "resourceType": resource_type, "location": location })
}

/// The representation of a schema (RFC 7643 §7), as in RFC 7643 §8.7.1.
pub fn schema_json(schema: &SchemaDef, base_url: &str) -> Value {
    let location = format!("{}/Schemas/{}", base(base_url), schema.id);
    json!({
        "schemas": [schemas::SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": schema.attributes.iter().map(attribute_json).collect::<Vec<_>>(),
        "meta": meta("Schema", location),
    })
}

/// One attribute definition with all its characteristics. `canonicalValues` only when there are
/// some, `referenceTypes` only on references, `subAttributes` only on complex attributes.
fn attribute_json(def: &AttributeDef) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), def.name.into());
    out.insert("type".into(), type_name(def.attr_type).into());
    out.insert("multiValued".into(), def.multi_valued.into());
    out.insert("description".into(), def.description.into());
    out.insert("required".into(), def.required.into());
    out.insert("caseExact".into(), def.case_exact.into());
    out.insert("mutability".into(), def.mutability.as_str().into());
    out.insert("returned".into(), def.returned.as_str().into());
    out.insert("uniqueness".into(), def.uniqueness.as_str().into());
    if !def.canonical_values.is_empty() {
        out.insert("canonicalValues".into(), def.canonical_values.into());
    }
    if def.attr_type == AttrType::Reference {
        out.insert("referenceTypes".into(), def.reference_types.into());
    }
    if def.attr_type == AttrType::Complex {
        let subs = def.sub_attributes.iter().map(attribute_json).collect();
        out.insert("subAttributes".into(), Value::Array(subs));
    }
    Value::Object(out)
}

/// The representation of a resource type (RFC 7643 §6). `schemaExtensions` is present only
/// when the resource type has extensions (User: the Enterprise User extension, optional).
pub fn resource_type_json(kind: ResourceKind, base_url: &str) -> Value {
    let schema = kind.schema();
    let location = format!("{}/ResourceTypes/{}", base(base_url), kind.name());
    let mut doc = json!({
        "schemas": [schemas::RESOURCE_TYPE],
        "id": kind.name(),
        "name": kind.name(),
        "endpoint": kind.endpoint(),
        "description": schema.core().description,
        "schema": schema.core().id,
        "meta": meta("ResourceType", location),
    });
    let extensions: Vec<Value> = schema
        .extensions()
        .iter()
        .map(|(s, required)| json!({ "schema": s.id, "required": required }))
        .collect();
    if !extensions.is_empty() {
        doc["schemaExtensions"] = Value::Array(extensions);
    }
    doc
}

/// What the service provider supports, published at `/ServiceProviderConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProviderLimits {
    /// `filter.maxResults`: the most resources a list response returns.
    pub max_results: u64,
    /// The largest request body accepted. RFC 7643 §5 has no field for it outside `bulk`, so it
    /// is not published; the HTTP layer enforces it.
    pub max_payload_bytes: u64,
    /// `bulk.maxOperations`.
    pub bulk_max_operations: u64,
    /// `bulk.maxPayloadSize`, in bytes.
    pub bulk_max_payload_bytes: u64,
    pub filter_supported: bool,
    pub patch_supported: bool,
    pub bulk_supported: bool,
    pub sort_supported: bool,
    pub etag_supported: bool,
    pub change_password_supported: bool,
    /// `documentationUri`, omitted when `None`.
    pub documentation_uri: Option<String>,
}

/// The service provider configuration (RFC 7643 §5), authenticating with OAuth bearer tokens.
pub fn service_provider_config_json(limits: &ServiceProviderLimits, base_url: &str) -> Value {
    let location = format!("{}/ServiceProviderConfig", base(base_url));
    let mut doc = json!({
        "schemas": [schemas::SERVICE_PROVIDER_CONFIG],
        "patch": { "supported": limits.patch_supported },
        "bulk": {
            "supported": limits.bulk_supported,
            "maxOperations": limits.bulk_max_operations,
            "maxPayloadSize": limits.bulk_max_payload_bytes,
        },
        "filter": { "supported": limits.filter_supported, "maxResults": limits.max_results },
        "changePassword": { "supported": limits.change_password_supported },
        "sort": { "supported": limits.sort_supported },
        "etag": { "supported": limits.etag_supported },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "meta": meta("ServiceProviderConfig", location),
    });
    if let Some(uri) = &limits.documentation_uri {
        doc["documentationUri"] = Value::from(uri.as_str());
    }
    doc
}
