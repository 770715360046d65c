//! OpenAPI descriptions of SCIM bodies (documentation only; validation lives in `roster-scim`).

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ScimName {
    given_name: Option<String>,
    family_name: Option<String>,
    formatted: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ScimMultiValued {
    value: String,
    r#type: Option<String>,
    primary: Option<bool>,
}

/// A SCIM User (RFC 7643 §4.1). Extensions and unknown attributes are stored and returned.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ScimUser {
    #[schema(example = json!(["urn:ietf:params:scim:schemas:core:2.0:User"]))]
    schemas: Vec<String>,
    /// Assigned by Roster; read-only.
    id: Option<String>,
    /// Unique per connection, compared case-insensitively.
    #[schema(example = "ada@example.com")]
    user_name: String,
    external_id: Option<String>,
    display_name: Option<String>,
    name: Option<ScimName>,
    emails: Option<Vec<ScimMultiValued>>,
    /// Booleans, or the strings "True"/"False" some IdPs send.
    active: Option<bool>,
    /// Write-only: never returned, never stored in the resource.
    password: Option<String>,
}

/// A SCIM error (RFC 7644 §3.12).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ScimErrorBody {
    #[schema(example = json!(["urn:ietf:params:scim:api:messages:2.0:Error"]))]
    schemas: Vec<String>,
    /// The HTTP status, as a string.
    #[schema(example = "409")]
    status: String,
    #[schema(example = "uniqueness")]
    scim_type: Option<String>,
    detail: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ScimMember {
    /// The member's id (a User or a Group of the same connection).
    value: String,
    #[serde(rename = "$ref")]
    r#ref: Option<String>,
    /// `User` or `Group`.
    r#type: Option<String>,
}

/// A SCIM Group (RFC 7643 §4.2).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ScimGroup {
    #[schema(example = json!(["urn:ietf:params:scim:schemas:core:2.0:Group"]))]
    schemas: Vec<String>,
    /// Assigned by Roster; read-only.
    id: Option<String>,
    #[schema(example = "Engineering")]
    display_name: String,
    external_id: Option<String>,
    members: Option<Vec<ScimMember>>,
}

#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ScimPatchOperation {
    /// `add`, `remove` or `replace` (any case).
    #[schema(example = "replace")]
    op: String,
    /// e.g. `active`, `name.givenName`, `emails[type eq "work"].value`, `members[value eq "id"]`.
    path: Option<String>,
    value: Option<serde_json::Value>,
}

/// A PatchOp request (RFC 7644 §3.5.2).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ScimPatch {
    #[schema(example = json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]))]
    schemas: Vec<String>,
    #[serde(rename = "Operations")]
    operations: Vec<ScimPatchOperation>,
}
