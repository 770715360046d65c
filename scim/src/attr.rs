//! Attribute paths and what the protocol code needs to know about an attribute, shared by the
//! filter evaluator, the PATCH engine, projection and sorting.

/// `[urn ":"] name ["." sub]`, names as written (attribute names compare case-insensitively,
/// RFC 7643 §2.1). `urn` is the schema URN when the path was fully qualified, e.g.
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    pub fn new(name: &str) -> Self {
        Self {
            urn: None,
            name: name.to_string(),
            sub: None,
        }
    }

    pub fn with_sub(name: &str, sub: &str) -> Self {
        Self {
            urn: None,
            name: name.to_string(),
            sub: Some(sub.to_string()),
        }
    }

    /// Whether this path names `name` (and `sub`) of the core schema or of `urn`, ignoring case.
    pub fn is(&self, name: &str, sub: Option<&str>) -> bool {
        self.name.eq_ignore_ascii_case(name)
            && match (self.sub.as_deref(), sub) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
    }
}

impl std::fmt::Display for AttrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// The data type of an attribute (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

/// What comparison and projection need to know about attributes of one resource type.
/// Implemented by the schema registry; tests may implement it directly.
pub trait AttributeInfo {
    /// The type of the attribute at `path` (`sub` included), or `None` when it is not defined
    /// (unknown attributes are compared as case-insensitive strings).
    fn attr_type(&self, path: &AttrPath) -> Option<AttrType>;
    /// Whether string values of `path` compare case-sensitively (`caseExact`).
    fn case_exact(&self, path: &AttrPath) -> bool;
    /// Whether the attribute (not its sub-attribute) is multi-valued.
    fn multi_valued(&self, path: &AttrPath) -> bool;
}

/// Parses one attribute path without filters: `[urn ":"] name ["." sub]`, names being
/// `ALPHA *(ALPHA / DIGIT / "-" / "_")` or `$ref` (RFC 7644 §3.10).
pub fn parse_attr_path(input: &str) -> Option<AttrPath> {
    let input = input.trim();
    let (urn, rest) = match input.rfind(':') {
        Some(i) if input[..i].to_ascii_lowercase().starts_with("urn:") => {
            (Some(input[..i].to_string()), &input[i + 1..])
        }
        Some(_) => return None,
        None => (None, input),
    };
    let mut parts = rest.split('.');
    let name = parts.next().filter(|n| is_attr_name(n))?;
    let sub = match parts.next() {
        None => None,
        Some(s) if is_attr_name(s) => Some(s.to_string()),
        Some(_) => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(AttrPath {
        urn,
        name: name.to_string(),
        sub,
    })
}

fn is_attr_name(s: &str) -> bool {
    s == "$ref"
        || s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The comma-separated list of `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5).
pub fn parse_attr_list(input: &str) -> Result<Vec<AttrPath>, crate::ScimError> {
    input
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            parse_attr_path(s).ok_or_else(|| {
                crate::ScimError::bad_request(
                    crate::ScimType::InvalidPath,
                    format!("`{s}` is not an attribute name"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_lists() {
        let list = parse_attr_list(
            "userName, name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value,members.$ref",
        )
        .unwrap();
        assert_eq!(list[0], AttrPath::new("userName"));
        assert_eq!(list[1], AttrPath::with_sub("name", "givenName"));
        assert_eq!(
            list[2].urn.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(
            (list[2].name.as_str(), list[2].sub.as_deref()),
            ("manager", Some("value"))
        );
        assert_eq!(list[3], AttrPath::with_sub("members", "$ref"));
        assert_eq!(
            parse_attr_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                .unwrap()
                .name,
            "User"
        );
        assert!(parse_attr_list("").unwrap().is_empty());
        for bad in ["a.b.c", "1abc", "na me", "x:y", "emails[type eq \"work\"]"] {
            assert!(parse_attr_list(bad).is_err(), "{bad}");
        }
    }
}
