//! Attribute and schema definitions with the characteristics of RFC 7643 §2.2 and §7, and the
//! `const` builders the static schemas are written with.

use crate::attr::AttrType;

/// When an attribute may be written (RFC 7643 §7, "mutability").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    /// The keyword used in schema representations.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// When an attribute is returned in a response (RFC 7643 §7, "returned").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

impl Returned {
    /// The keyword used in schema representations.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// How unique a value must be (RFC 7643 §7, "uniqueness").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

impl Uniqueness {
    /// The keyword used in schema representations.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// The keyword used for a data type in schema representations (RFC 7643 §2.3).
pub fn type_name(attr_type: AttrType) -> &'static str {
    match attr_type {
        AttrType::String => "string",
        AttrType::Boolean => "boolean",
        AttrType::Decimal => "decimal",
        AttrType::Integer => "integer",
        AttrType::DateTime => "dateTime",
        AttrType::Binary => "binary",
        AttrType::Reference => "reference",
        AttrType::Complex => "complex",
    }
}

/// One attribute (or sub-attribute) of a schema with all its characteristics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeDef {
    pub name: &'static str,
    pub attr_type: AttrType,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub description: &'static str,
    /// Only on `Complex` attributes.
    pub sub_attributes: &'static [AttributeDef],
}

impl AttributeDef {
    /// An attribute with the RFC 7643 §2.2 defaults: single-valued, optional, not case-exact,
    /// `readWrite`, returned by default, no uniqueness.
    pub const fn new(name: &'static str, attr_type: AttrType, description: &'static str) -> Self {
        Self {
            name,
            attr_type,
            multi_valued: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: &[],
            reference_types: &[],
            description,
            sub_attributes: &[],
        }
    }

    /// A string attribute with the defaults of [`AttributeDef::new`].
    pub const fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::String, description)
    }

    /// A boolean attribute with the defaults of [`AttributeDef::new`].
    pub const fn boolean(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::Boolean, description)
    }

    /// A reference attribute to the given reference types (`"external"`, `"uri"`, `"User"`...).
    pub const fn reference(
        name: &'static str,
        types: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        let mut def = Self::new(name, AttrType::Reference, description);
        def.reference_types = types;
        def
    }

    /// A complex attribute with the given sub-attributes.
    pub const fn complex(
        name: &'static str,
        subs: &'static [AttributeDef],
        description: &'static str,
    ) -> Self {
        let mut def = Self::new(name, AttrType::Complex, description);
        def.sub_attributes = subs;
        def
    }

    /// Makes the attribute multi-valued.
    pub const fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }

    /// Makes the attribute required.
    pub const fn req(mut self) -> Self {
        self.required = true;
        self
    }

    /// Makes string comparisons of the attribute case-sensitive.
    pub const fn exact(mut self) -> Self {
        self.case_exact = true;
        self
    }

    /// Sets the mutability.
    pub const fn with_mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }

    /// Sets when the attribute is returned.
    pub const fn with_returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }

    /// Sets the uniqueness.
    pub const fn with_uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }

    /// Sets the canonical values.
    pub const fn with_canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical_values = values;
        self
    }

    /// The sub-attribute named `name`, ignoring case.
    pub fn sub(&self, name: &str) -> Option<&'static AttributeDef> {
        find_in(self.sub_attributes, name)
    }
}

/// A schema (RFC 7643 §7): its URN, a name and its attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [AttributeDef],
}

impl SchemaDef {
    /// The attribute named `name`, ignoring case.
    pub fn attribute(&self, name: &str) -> Option<&'static AttributeDef> {
        find_in(self.attributes, name)
    }
}

/// The attribute of `defs` named `name`, ignoring case (RFC 7643 §2.1).
pub fn find_in(defs: &'static [AttributeDef], name: &str) -> Option<&'static AttributeDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// The `display` sub-attribute shared by the multi-valued attributes of RFC 7643 §2.4.
pub(crate) const fn display() -> AttributeDef {
    AttributeDef::string(
        "display",
        "A human-readable name, primarily used for display purposes.",
    )
}

/// The `primary` sub-attribute shared by the multi-valued attributes of RFC 7643 §2.4.
pub(crate) const fn primary() -> AttributeDef {
    AttributeDef::boolean(
        "primary",
        "Whether this is the 'primary' or preferred value of the attribute; 'true' MUST appear \
         no more than once.",
    )
}

/// A `type` sub-attribute with the given canonical values.
pub(crate) const fn type_label(canonical: &'static [&'static str]) -> AttributeDef {
    AttributeDef::string("type", "A label indicating the attribute's function.")
        .with_canonical(canonical)
}
