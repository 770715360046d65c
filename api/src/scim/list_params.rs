//! Query parameters of a list request (RFC 7644 §3.4.2), names matched case-insensitively:
//! `startIndex` (< 1 means 1), `count` (< 0 means 0; capped to the page size), `sortBy`,
//! `sortOrder`, and the projection parameters.

use super::{Projection, ScimApiError};
use actix_web::HttpRequest;
use roster_domain::services::ListQuery;
use roster_scim::attr::parse_attr_path;
use roster_scim::{ScimError, ScimType};

fn integer(name: &str, value: &str) -> Result<i64, ScimApiError> {
    value.trim().parse::<i64>().map_err(|_| {
        ScimError::bad_request(ScimType::InvalidValue, format!("{name} must be an integer")).into()
    })
}

pub struct ListParams {
    pub query: ListQuery,
    pub projection: Projection,
    /// The raw `filter` parameter, if any.
    pub filter: Option<String>,
}

impl ListParams {
    pub fn from_request(req: &HttpRequest, max_page_size: u64) -> Result<Self, ScimApiError> {
        let projection = Projection::from_request(req)?;
        let mut query = ListQuery {
            condition: None,
            start_index: 1,
            count: max_page_size,
            sort_by: None,
            descending: false,
            with_related: true,
        };
        let mut filter = None;
        for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            match key.to_ascii_lowercase().as_str() {
                "startindex" => query.start_index = integer("startIndex", &value)?.max(1) as u64,
                "count" => {
                    query.count = (integer("count", &value)?.max(0) as u64).min(max_page_size)
                }
                "sortby" => {
                    query.sort_by = Some(parse_attr_path(&value).ok_or_else(|| {
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
                "filter" => filter = Some(value.into_owned()),
                _ => {}
            }
        }
        Ok(Self {
            query,
            projection,
            filter,
        })
    }
}
