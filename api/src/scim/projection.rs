//! `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), accepted on every operation that
//! returns a resource. Parameter names are matched case-insensitively.

use super::ScimApiError;
use actix_web::HttpRequest;
use roster_scim::attr::{AttrPath, parse_attr_list};
use roster_scim::schema::{ResourceKind, project};
use serde_json::Value;

#[derive(Debug, Default, Clone)]
pub struct Projection {
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
}

impl Projection {
    pub fn from_request(req: &HttpRequest) -> Result<Self, ScimApiError> {
        Self::from_pairs(&query_pairs(req))
    }

    /// From `(name, value)` parameters (query string, or a SearchRequest body).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ScimApiError> {
        let mut projection = Projection::default();
        for (key, value) in pairs {
            if key.eq_ignore_ascii_case("attributes") {
                projection.attributes.extend(parse_attr_list(value)?);
            } else if key.eq_ignore_ascii_case("excludedAttributes") {
                projection.excluded.extend(parse_attr_list(value)?);
            }
        }
        Ok(projection)
    }

    /// Whether the client asked not to get `name` (e.g. Entra's `excludedAttributes=members`),
    /// so that it need not even be loaded.
    pub fn excludes(&self, name: &str) -> bool {
        self.excluded.iter().any(|p| p.is(name, None))
            || (!self.attributes.is_empty()
                && !self
                    .attributes
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case(name)))
    }

    pub fn apply(&self, resource: &Value, kind: ResourceKind) -> Value {
        project(resource, kind.schema(), &self.attributes, &self.excluded)
    }
}

/// The query string as `(name, value)` pairs.
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
