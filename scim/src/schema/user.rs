//! The core User schema (RFC 7643 §4.1, representation §8.7.1).

use super::def::{AttributeDef, Mutability, Returned, SchemaDef, Uniqueness};
use super::def::{display, primary, type_label};
use crate::attr::AttrType;
use crate::schemas;

const NAME_SUBS: &[AttributeDef] = &[
    AttributeDef::string(
        "formatted",
        "The full name, including all middle names, titles, and suffixes as appropriate, \
         formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
    ),
    AttributeDef::string(
        "familyName",
        "The family name of the User, or last name in most Western languages.",
    ),
    AttributeDef::string(
        "givenName",
        "The given name of the User, or first name in most Western languages.",
    ),
    AttributeDef::string("middleName", "The middle name(s) of the User."),
    AttributeDef::string(
        "honorificPrefix",
        "The honorific prefix(es) of the User, or title in most Western languages.",
    ),
    AttributeDef::string(
        "honorificSuffix",
        "The honorific suffix(es) of the User, or suffix in most Western languages.",
    ),
];

const EMAIL_SUBS: &[AttributeDef] = &[
    AttributeDef::string(
        "value",
        "Email address for the User, canonicalized by the service provider.",
    ),
    display(),
    type_label(&["work", "home", "other"]),
    primary(),
];

const PHONE_SUBS: &[AttributeDef] = &[
    AttributeDef::string(
        "value",
        "Phone number of the User (RFC 3966 format preferred).",
    ),
    display(),
    type_label(&["work", "home", "mobile", "fax", "pager", "other"]),
    primary(),
];

const IM_SUBS: &[AttributeDef] = &[
    AttributeDef::string("value", "Instant messaging address for the User."),
    display(),
    type_label(&["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    primary(),
];

const PHOTO_SUBS: &[AttributeDef] = &[
    AttributeDef::reference("value", &["external"], "URL of a photo of the User."),
    display(),
    type_label(&["photo", "thumbnail"]),
    primary(),
];

const ADDRESS_SUBS: &[AttributeDef] = &[
    AttributeDef::string(
        "formatted",
        "The full mailing address, formatted for display or use with a mailing label.",
    ),
    AttributeDef::string(
        "streetAddress",
        "The full street address component, which may include house number, street name, \
         P.O. box, and multi-line extended street address information.",
    ),
    AttributeDef::string("locality", "The city or locality component."),
    AttributeDef::string("region", "The state or region component."),
    AttributeDef::string("postalCode", "The zip code or postal code component."),
    AttributeDef::string(
        "country",
        "The country name component (ISO 3166-1 alpha-2).",
    ),
    type_label(&["work", "home", "other"]),
    primary(),
];

const GROUP_SUBS: &[AttributeDef] = &[
    AttributeDef::string("value", "The identifier of the User's group.")
        .with_mutability(Mutability::ReadOnly),
    AttributeDef::reference(
        "$ref",
        &["User", "Group"],
        "The URI of the corresponding 'Group' resource to which the user belongs.",
    )
    .with_mutability(Mutability::ReadOnly),
    display().with_mutability(Mutability::ReadOnly),
    type_label(&["direct", "indirect"]).with_mutability(Mutability::ReadOnly),
];

const ENTITLEMENT_SUBS: &[AttributeDef] = &[
    AttributeDef::string("value", "The value of an entitlement."),
    display(),
    type_label(&[]),
    primary(),
];

const ROLE_SUBS: &[AttributeDef] = &[
    AttributeDef::string("value", "The value of a role."),
    display(),
    type_label(&[]),
    primary(),
];

const CERTIFICATE_SUBS: &[AttributeDef] = &[
    AttributeDef::new(
        "value",
        AttrType::Binary,
        "The value of an X.509 certificate (base64-encoded DER).",
    ),
    display(),
    type_label(&[]),
    primary(),
];

const USER_ATTRIBUTES: &[AttributeDef] = &[
    AttributeDef::string(
        "userName",
        "Unique identifier for the User, typically used by the user to directly authenticate \
         to the service provider. REQUIRED.",
    )
    .req()
    .with_uniqueness(Uniqueness::Server),
    AttributeDef::complex("name", NAME_SUBS, "The components of the user's real name."),
    AttributeDef::string(
        "displayName",
        "The name of the User, suitable for display to end-users.",
    ),
    AttributeDef::string(
        "nickName",
        "The casual way to address the user in real life, e.g., 'Bob' instead of 'Robert'.",
    ),
    AttributeDef::reference(
        "profileUrl",
        &["external"],
        "A fully qualified URL pointing to a page representing the User's online profile.",
    ),
    AttributeDef::string("title", "The user's title, such as \"Vice President.\""),
    AttributeDef::string(
        "userType",
        "Used to identify the relationship between the organization and the user, e.g., \
         'Contractor', 'Employee', 'Intern', 'Temp', 'External', 'Unknown'.",
    ),
    AttributeDef::string(
        "preferredLanguage",
        "The User's preferred written or spoken language (RFC 7231 Accept-Language format).",
    ),
    AttributeDef::string(
        "locale",
        "The User's default location for localizing items such as currency and date formats.",
    ),
    AttributeDef::string(
        "timezone",
        "The User's time zone in the 'Olson' time zone database format, e.g., \
         'America/Los_Angeles'.",
    ),
    AttributeDef::boolean(
        "active",
        "A Boolean value indicating the User's administrative status.",
    ),
    AttributeDef::string(
        "password",
        "The User's cleartext password, used to set an initial password or to reset it.",
    )
    .with_mutability(Mutability::WriteOnly)
    .with_returned(Returned::Never),
    AttributeDef::complex("emails", EMAIL_SUBS, "Email addresses for the User.").multi(),
    AttributeDef::complex("phoneNumbers", PHONE_SUBS, "Phone numbers for the User.").multi(),
    AttributeDef::complex("ims", IM_SUBS, "Instant messaging addresses for the User.").multi(),
    AttributeDef::complex("photos", PHOTO_SUBS, "URLs of photos of the User.").multi(),
    AttributeDef::complex(
        "addresses",
        ADDRESS_SUBS,
        "Physical mailing addresses for the User.",
    )
    .multi(),
    AttributeDef::complex(
        "groups",
        GROUP_SUBS,
        "A list of groups to which the user belongs, either through direct membership, \
         through nested groups, or dynamically calculated.",
    )
    .multi()
    .with_mutability(Mutability::ReadOnly),
    AttributeDef::complex(
        "entitlements",
        ENTITLEMENT_SUBS,
        "A list of entitlements for the User that represent a thing the User has.",
    )
    .multi(),
    AttributeDef::complex(
        "roles",
        ROLE_SUBS,
        "A list of roles for the User that collectively represent who the User is.",
    )
    .multi(),
    AttributeDef::complex(
        "x509Certificates",
        CERTIFICATE_SUBS,
        "A list of certificates issued to the User.",
    )
    .multi(),
];

/// `urn:ietf:params:scim:schemas:core:2.0:User`.
pub static USER_SCHEMA: SchemaDef = SchemaDef {
    id: schemas::USER,
    name: "User",
    description: "User Account",
    attributes: USER_ATTRIBUTES,
};
