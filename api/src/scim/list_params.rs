//! Query parameters of a list request (RFC 7644 §3.4.2), names matched case-insensitively:
//! `startIndex` (< 1 means 1), `count` (< 0 means 0; capped to the page size), `sortBy`,
//! `sortOrder`, and the projection parameters.

use super::projection::query_pairs;
use super::{Projection, ScimApiError};
use actix_web::HttpRequest;
use roster_domain::services::ListQuery;
use roster_scim::attr::parse_attr_path;
use roster_scim::filter::{Filter, parse_filter};
use roster_scim::{ScimError, ScimType};
use serde_json::Value;

fn integer(name: &str, value: &str) -> Result<i64, ScimApiError> {
    value.trim().parse::<i64>().map_err(|_| {
        ScimError::bad_request(ScimType::InvalidValue, format!("{name} must be an integer")).into()
    })
}

/// The members of a SearchRequest that are parameters (`schemas` is not one).
const SEARCH_PARAMETERS: &[&str] = &[
    "filter",
    "startIndex",
    "count",
    "sortBy",
    "sortOrder",
    "attributes",
    "excludedAttributes",
];

pub struct ListParams {
    pub query: ListQuery,
    pub projection: Projection,
}

impl ListParams {
    pub fn from_request(req: &HttpRequest, max_page_size: u64) -> Result<Self, ScimApiError> {
        let params = Self::from_pairs(&query_pairs(req), max_page_size)?;
        if params.query.filter.as_ref().is_some_and(names_password) {
            // RFC 7644 §3.4.2.2 / Table 9: sensitive data does not belong in a URI.
            return Err(ScimError::new(
                403,
                Some(ScimType::Sensitive),
                "filters on password must be sent with POST .search, not in the URL",
            )
            .into());
        }
        Ok(params)
    }

    /// From a SearchRequest body (RFC 7644 §3.4.3): the same parameters as JSON members;
    /// `attributes` / `excludedAttributes` are arrays of names.
    pub fn from_search(body: &Value, max_page_size: u64) -> Result<Self, ScimApiError> {
        let Value::Object(map) = body else {
            return Err(ScimError::bad_request(
                ScimType::InvalidSyntax,
                "a SearchRequest must be a JSON object",
            )
            .into());
        };
        let mut pairs = Vec::new();
        for (key, value) in map {
            let known = SEARCH_PARAMETERS
                .iter()
                .any(|p| key.eq_ignore_ascii_case(p));
            let text = match value {
                Value::Null => continue,
                // Not a parameter value: refused rather than ignored, which would widen the
                // search (a `filter` of `true` would list everything).
                Value::Bool(_) | Value::Object(_) if known => {
                    return Err(ScimError::bad_request(
                        ScimType::InvalidValue,
                        format!("{key} must be a string, a number or an array of strings"),
                    )
                    .into());
                }
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(items) if !key.eq_ignore_ascii_case("schemas") => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                _ => continue,
            };
            pairs.push((key.clone(), text));
        }
        Self::from_pairs(&pairs, max_page_size)
    }

    fn from_pairs(pairs: &[(String, String)], max_page_size: u64) -> Result<Self, ScimApiError> {
        let projection = Projection::from_pairs(pairs)?;
        let mut query = ListQuery {
            filter: None,
            start_index: 1,
            count: max_page_size,
            sort_by: None,
            descending: false,
            with_related: true,
        };
        for (key, value) in pairs {
            let value = value.as_str();
            match key.to_ascii_lowercase().as_str() {
                "startindex" => query.start_index = integer("startIndex", value)?.max(1) as u64,
                "count" => {
                    query.count = (integer("count", value)?.max(0) as u64).min(max_page_size)
                }
                "sortby" => {
                    query.sort_by = Some(parse_attr_path(value).ok_or_else(|| {
                        ScimError::bad_request(
                            ScimType::InvalidPath,
                            format!("sortBy `{value}` is not an attribute name"),
                        )
                    })?)
                }
                "sortorder" => {
                    query.descending = match value.to_ascii_lowercase().as_str() {
                        "ascending" => false,
                        "descending" => true,
                        _ => {
                            return Err(ScimError::bad_request(
                                ScimType::InvalidValue,
                                "sortOrder must be `ascending` or `descending`",
                            )
                            .into());
                        }
                    }
                }
                "filter" => query.filter = Some(parse_filter(value)?),
                _ => {}
            }
        }
        Ok(Self { query, projection })
    }
}

/// Whether a filter compares the (write-only) password.
fn names_password(filter: &Filter) -> bool {
    match filter {
        Filter::Present(p) | Filter::Compare(p, ..) => p.is("password", None),
        Filter::ValuePath(p, inner) => p.is("password", None) || names_password(inner),
        Filter::And(a, b) | Filter::Or(a, b) => names_password(a) || names_password(b),
        Filter::Not(inner) => names_password(inner),
    }
}
