//! Typed identifiers: a tenant id cannot be passed where a connection id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    )*};
}

typed_id!(
    /// A customer organisation of the B2B app.
    TenantId,
    /// One directory connection of a tenant.
    ConnectionId,
    /// A SCIM bearer token.
    ScimTokenId,
    /// A SCIM User.
    UserId,
    /// A SCIM Group.
    GroupId,
    /// An event (also the `webhook-id` of its deliveries).
    EventId,
    /// A webhook endpoint.
    EndpointId,
    /// One event to one endpoint.
    DeliveryId,
    /// An operator or tenant-admin account.
    AccountId,
    /// An API key.
    ApiKeyId,
);

/// What a SCIM request is allowed to see: one connection of one tenant. Built only by
/// authenticating a SCIM token; every directory query takes it first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCtx {
    pub tenant_id: TenantId,
    pub tenant_external_id: Option<String>,
    pub connection_id: ConnectionId,
}

/// Which tenants a management-API caller may see: all of them (an operator's key), or one (a
/// key or an admin restricted to a tenant). Management queries take it first; an object of a
/// tenant outside it is `NotFound`, never `Forbidden`, so its existence is not revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantScope {
    All,
    Tenant(TenantId),
}

impl TenantScope {
    pub fn allows(self, tenant: TenantId) -> bool {
        match self {
            TenantScope::All => true,
            TenantScope::Tenant(only) => only == tenant,
        }
    }

    /// The one tenant it is restricted to, if any.
    pub fn restriction(self) -> Option<TenantId> {
        match self {
            TenantScope::All => None,
            TenantScope::Tenant(only) => Some(only),
        }
    }
}
