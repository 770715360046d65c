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

/// The SCIM error responses of the resource endpoints (bodies per RFC 7644 §3.12).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ScimErrors {
    /// Invalid request; `scimType` says why (invalidSyntax, invalidValue, invalidPath,
    /// invalidFilter, mutability, noTarget, tooMany).
    #[response(status = 400, content_type = "application/scim+json")]
    BadRequest(ScimErrorBody),
    /// Missing, unknown, expired or revoked token, or a token of another connection.
    #[response(status = 401, content_type = "application/scim+json")]
    Unauthorized(ScimErrorBody),
    /// No such resource in this connection.
    #[response(status = 404, content_type = "application/scim+json")]
    NotFound(ScimErrorBody),
    /// `userName` already exists in this connection (`scimType: uniqueness`).
    #[response(status = 409, content_type = "application/scim+json")]
    Conflict(ScimErrorBody),
    /// `If-Match` does not name the current version.
    #[response(status = 412, content_type = "application/scim+json")]
    PreconditionFailed(ScimErrorBody),
    /// The body is larger than advertised in `/ServiceProviderConfig`.
    #[response(status = 413, content_type = "application/scim+json")]
    PayloadTooLarge(ScimErrorBody),
    /// The body is not JSON (`application/scim+json` or `application/json`).
    #[response(status = 415, content_type = "application/scim+json")]
    UnsupportedMediaType(ScimErrorBody),
    /// Over the token's request rate (`limits.scim_requests_per_sec`); retry after
    /// `Retry-After` seconds.
    #[response(
        status = 429,
        content_type = "application/scim+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    TooManyRequests(ScimErrorBody),
}

/// Query parameters of list requests (RFC 7644 §3.4.2).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQueryDoc {
    /// RFC 7644 filter, e.g. `userName eq "ada@example.com"`.
    filter: Option<String>,
    /// 1-based index of the first result (values below 1 mean 1).
    #[param(rename = "startIndex")]
    start_index: Option<i64>,
    /// Results per page, capped to `filter.maxResults`; 0 returns totals only.
    count: Option<i64>,
    /// e.g. `userName`, `displayName`, `meta.created`.
    #[param(rename = "sortBy")]
    sort_by: Option<String>,
    /// `ascending` (default) or `descending`.
    #[param(rename = "sortOrder")]
    sort_order: Option<String>,
    /// Comma-separated attributes to return.
    attributes: Option<String>,
    /// Comma-separated attributes to omit.
    #[param(rename = "excludedAttributes")]
    excluded_attributes: Option<String>,
}
