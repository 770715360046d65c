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
