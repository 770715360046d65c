//! `Principal`: who is calling the management API, and what it may see and do.
//!
//! Today the only credential is an API key (`Authorization: Bearer rk_…`). An operator or
//! tenant-admin session (a JWT) will be another variant: handlers only ask a principal for its
//! [`TenantScope`] and for [`Principal::require_write`], never which kind it is.

use super::problem::Problem;
use crate::ApiState;
use crate::bearer::bearer;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use roster_domain::ids::{TenantId, TenantScope};
use roster_domain::services::{API_KEY_PREFIX, ApiKeyAuth, ApiKeyScope};
use std::future::Future;
use std::pin::Pin;

/// The authenticated caller. Every `/api/v1` handler takes it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The B2B app's backend, with an API key.
    ApiKey(ApiKeyAuth),
}

impl Principal {
    /// Which tenants this principal may see; pass it to every service call.
    pub fn tenant_scope(&self) -> TenantScope {
        match self {
            Principal::ApiKey(key) => key.tenant_scope(),
        }
    }

    /// Writes need a full-scope credential: a read-only key gets a 403 problem.
    pub fn require_write(&self) -> Result<(), Problem> {
        match self {
            Principal::ApiKey(key) if key.scope == ApiKeyScope::Full => Ok(()),
            Principal::ApiKey(_) => Err(Problem::forbidden(
                "this API key is read-only; writes need a key with the full scope",
            )),
        }
    }

    /// Actions on the deployment itself (endpoints, deliveries, events, API keys, accounts,
    /// the audit log) are for the B2B app's side: API keys and operator sessions. A
    /// tenant-admin session (an IT admin from a setup link) gets a 403 problem.
    pub fn require_operator(&self) -> Result<(), Problem> {
        match self {
            Principal::ApiKey(_) => Ok(()),
        }
    }

    /// Creating or deleting tenants needs a credential that is not confined to one tenant.
    pub fn require_unrestricted(&self) -> Result<(), Problem> {
        match self.tenant_scope() {
            TenantScope::All => Ok(()),
            TenantScope::Tenant(_) => Err(Problem::forbidden(
                "this credential is limited to one tenant; this action needs an unrestricted one",
            )),
        }
    }

    /// For an object of `tenant` loaded without a scope: a tenant this principal may not see
    /// is a 404 problem, exactly as if the object did not exist (never a 403).
    pub fn ensure_visible(&self, tenant: TenantId, what: &str) -> Result<(), Problem> {
        if self.tenant_scope().allows(tenant) {
            Ok(())
        } else {
            Err(Problem::not_found(format!("{what} not found")))
        }
    }
}

impl FromRequest for Principal {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<ApiState>>().cloned();
        let credential = bearer(req);
        let header_present = req.headers().contains_key("Authorization");
        Box::pin(async move {
            let state = state.expect("ApiState is registered");
            let Some(credential) = credential else {
                return Err(Problem::unauthorized(if header_present {
                    "the Authorization header must be `Bearer <API key>`"
                } else {
                    "an API key is required (Authorization: Bearer rk_…)"
                }));
            };
            if credential.starts_with(API_KEY_PREFIX) {
                let key = state.svc.authenticate_api_key(&credential).await?;
                return Ok(Principal::ApiKey(key));
            }
            Err(Problem::unauthorized(
                "unrecognised credential: the management API takes an API key (rk_…)",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::ids::ApiKeyId;

    fn key(scope: ApiKeyScope, tenant: Option<TenantId>) -> Principal {
        Principal::ApiKey(ApiKeyAuth {
            key_id: ApiKeyId::new(),
            scope,
            tenant_id: tenant,
        })
    }

    #[test]
    fn read_only_keys_cannot_write() {
        assert!(key(ApiKeyScope::Full, None).require_write().is_ok());
        let err = key(ApiKeyScope::ReadOnly, None)
            .require_write()
            .unwrap_err();
        assert_eq!(err.kind.status(), 403);
    }

    #[test]
    fn other_tenants_objects_are_not_found() {
        let (mine, theirs) = (TenantId::new(), TenantId::new());
        let scoped = key(ApiKeyScope::ReadOnly, Some(mine));
        assert!(scoped.ensure_visible(mine, "event").is_ok());
        let err = scoped.ensure_visible(theirs, "event").unwrap_err();
        assert_eq!(err.kind.status(), 404);
        assert_eq!(err.detail, "event not found");
        assert!(
            key(ApiKeyScope::Full, None)
                .ensure_visible(theirs, "event")
                .is_ok()
        );
    }
}
