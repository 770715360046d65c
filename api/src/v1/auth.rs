//! `Principal`: who is calling the management API, from where, and what it may see and do.
//!
//! Two credentials, both `Authorization: Bearer …`: an API key (`rk_…`, the app's backend) or
//! a session's access token (a JWT, `eyJ…`: an operator who logged in, or an IT admin who
//! opened a setup link). Handlers ask a principal for its [`TenantScope`] and call
//! [`Principal::require_write`] / [`Principal::require_operator`]; they never ask which kind
//! it is. [`Principal::audit`] records what it did in the audit log.

use super::problem::Problem;
use crate::ApiState;
use crate::bearer::bearer;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use roster_domain::Services;
use roster_domain::ids::{TenantId, TenantScope};
use roster_domain::services::{
    API_KEY_PREFIX, Actor, ApiKeyAuth, ApiKeyScope, SessionAuth, SessionRole, Target,
};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use tracing_actix_web::RequestId;

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The B2B app's backend, with an API key.
    ApiKey(ApiKeyAuth),
    /// An operator or a tenant admin, with a session's access token.
    Session(SessionAuth),
}

/// The authenticated caller. Every protected `/api/v1` handler takes it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub credential: Credential,
    /// The client's address (the TCP peer).
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Where a request comes from, for principals and anonymous actions (login) alike.
pub fn origin(req: &HttpRequest) -> (Option<String>, Option<String>) {
    let proxies = req
        .app_data::<web::Data<ApiState>>()
        .map(|s| s.svc.config.trusted_proxies.clone())
        .unwrap_or_default();
    let forwarded = req
        .headers()
        .get("X-Forwarded-For")
        .and_then(|v| v.to_str().ok());
    let ip = req
        .peer_addr()
        .map(|peer| client_ip(peer.ip(), forwarded, &proxies).to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.to_string());
    (ip, request_id)
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy; then the last
/// address of `X-Forwarded-For` that is not itself a trusted proxy (addresses further left
/// were written by the client and prove nothing).
fn client_ip(
    peer: std::net::IpAddr,
    forwarded: Option<&str>,
    proxies: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let trusted = |ip: &std::net::IpAddr| proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    forwarded
        .into_iter()
        .flat_map(|h| h.split(','))
        .rev()
        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .find(|ip| !trusted(ip))
        .unwrap_or(peer)
}

/// An actor that has no credential (yet): a login, a setup-link redemption.
pub fn anonymous(req: &HttpRequest, label: &str) -> Actor {
    let (ip, request_id) = origin(req);
    Actor {
        kind: "anonymous",
        id: None,
        label: label.into(),
        ip,
        request_id,
    }
}

impl Principal {
    /// Which tenants this principal may see; pass it to every service call.
    pub fn tenant_scope(&self) -> TenantScope {
        match &self.credential {
            Credential::ApiKey(key) => key.tenant_scope(),
            Credential::Session(session) => session.tenant_scope(),
        }
    }

    /// Writes need a full-scope credential: a read-only key gets a 403 problem.
    pub fn require_write(&self) -> Result<(), Problem> {
        match &self.credential {
            Credential::ApiKey(key) if key.scope == ApiKeyScope::ReadOnly => {
                Err(Problem::forbidden(
                    "this API key is read-only; writes need a key with the full scope",
                ))
            }
            _ => Ok(()),
        }
    }

    /// Actions on the deployment itself (endpoints, deliveries, events, API keys, accounts,
    /// the audit log) are for the B2B app's side: API keys and operator sessions. A
    /// tenant-admin session (an IT admin from a setup link) gets a 403 problem.
    pub fn require_operator(&self) -> Result<(), Problem> {
        match &self.credential {
            Credential::Session(s) if s.role == SessionRole::TenantAdmin => Err(
                Problem::forbidden("this is for operators; an IT admin session cannot do it"),
            ),
            _ => Ok(()),
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

    /// The session this principal authenticated with, if any.
    pub fn session(&self) -> Option<&SessionAuth> {
        match &self.credential {
            Credential::Session(s) => Some(s),
            Credential::ApiKey(_) => None,
        }
    }

    pub fn actor(&self) -> Actor {
        let (kind, id, label) = match &self.credential {
            Credential::ApiKey(key) => ("api_key", Some(key.key_id.0), key.label.clone()),
            Credential::Session(s) => (
                "session",
                Some(s.account_id.map_or(s.session_id, |a| a.0)),
                s.label.clone(),
            ),
        };
        Actor {
            kind,
            id,
            label,
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// Records `action` in the audit log.
    pub async fn audit(
        &self,
        svc: &Services,
        action: &str,
        tenant: Option<TenantId>,
        target: Option<Target>,
        details: Option<Value>,
    ) {
        svc.audit(&self.actor(), action, tenant, target, details)
            .await;
    }
}

/// Management-API paths that take no credential (they take one in the body).
pub const PUBLIC_PATHS: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/setup-links/redeem",
];

/// Authenticates a request from its `Authorization` header.
async fn authenticate_request(req: &HttpRequest) -> Result<Principal, Problem> {
    let state = req
        .app_data::<web::Data<ApiState>>()
        .cloned()
        .expect("ApiState is registered");
    let (ip, request_id) = origin(req);
    let Some(credential) = bearer(req) else {
        return Err(Problem::unauthorized(
            if req.headers().contains_key("Authorization") {
                "the Authorization header must be `Bearer <API key>` or `Bearer <session token>`"
            } else {
                "an API key is required (Authorization: Bearer rk_…), or a session token"
            },
        ));
    };
    let credential = if credential.starts_with(API_KEY_PREFIX) {
        Credential::ApiKey(state.svc.authenticate_api_key(&credential).await?)
    } else if credential.starts_with("eyJ") {
        Credential::Session(state.svc.authenticate_session(&credential).await?)
    } else {
        return Err(Problem::unauthorized(
            "unrecognised credential: the management API takes an API key (rk_…) or a \
             session token",
        ));
    };
    Ok(Principal {
        credential,
        ip,
        request_id,
    })
}

/// Middleware on the whole management API, so that no route can forget it and nothing of the
/// request is looked at first: outside [`PUBLIC_PATHS`], a request without a valid credential
/// is a 401 problem (429 over its rate), and one that changes something (any method but GET,
/// HEAD, OPTIONS) with a read-only key is a 403. The principal is kept for the handler's
/// [`Principal`] extractor, so a request is authenticated (and counted) once.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !PUBLIC_PATHS.contains(&req.path()) {
        let checked = authenticate_request(req.request()).await.and_then(|p| {
            if req.method().is_safe() {
                Ok(p)
            } else {
                p.require_write().map(|()| p)
            }
        });
        match checked {
            Ok(principal) => {
                req.extensions_mut().insert(principal);
            }
            Err(problem) => {
                let res = actix_web::HttpResponse::from_error(problem);
                return Ok(ServiceResponse::new(req.into_parts().0, res));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

impl FromRequest for Principal {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Normally set by [`authenticate`]; routes outside it authenticate here.
        let known = req.extensions().get::<Principal>().cloned();
        let req = req.clone();
        Box::pin(async move {
            match known {
                Some(principal) => Ok(principal),
                None => authenticate_request(&req).await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::ids::ApiKeyId;
    use uuid::Uuid;

    fn principal(credential: Credential) -> Principal {
        Principal {
            credential,
            ip: None,
            request_id: None,
        }
    }

    fn key(scope: ApiKeyScope, tenant: Option<TenantId>) -> Principal {
        principal(Credential::ApiKey(ApiKeyAuth {
            key_id: ApiKeyId::new(),
            label: "k".into(),
            scope,
            tenant_id: tenant,
        }))
    }

    fn session(role: SessionRole, tenant: Option<TenantId>) -> Principal {
        principal(Credential::Session(SessionAuth {
            session_id: Uuid::now_v7(),
            account_id: None,
            role,
            tenant_id: tenant,
            label: "s".into(),
        }))
    }

    #[test]
    fn the_client_address_comes_from_trusted_proxies_only() {
        let lb: ipnet::IpNet = "10.0.0.0/8".parse().unwrap();
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let header = Some("6.6.6.6, 203.0.113.7, 10.0.0.2");
        // Not from a proxy: the header is the client's word and ignored.
        assert_eq!(
            client_ip(ip("198.51.100.1"), header, &[lb]),
            ip("198.51.100.1")
        );
        // From the load balancer: the last address it did not add itself.
        assert_eq!(client_ip(ip("10.0.0.1"), header, &[lb]), ip("203.0.113.7"));
        assert_eq!(client_ip(ip("10.0.0.1"), None, &[lb]), ip("10.0.0.1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("garbage"), &[lb]),
            ip("10.0.0.1")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), header, &[]), ip("10.0.0.1"));
    }

    #[test]
    fn read_only_keys_cannot_write() {
        assert!(key(ApiKeyScope::Full, None).require_write().is_ok());
        let err = key(ApiKeyScope::ReadOnly, None)
            .require_write()
            .unwrap_err();
        assert_eq!(err.kind.status(), 403);
        assert!(session(SessionRole::Operator, None).require_write().is_ok());
    }

    #[test]
    fn tenant_admins_are_confined_to_their_tenant_and_not_operators() {
        let tenant = TenantId::new();
        let admin = session(SessionRole::TenantAdmin, Some(tenant));
        assert_eq!(admin.tenant_scope(), TenantScope::Tenant(tenant));
        assert_eq!(admin.require_operator().unwrap_err().kind.status(), 403);
        assert_eq!(admin.require_unrestricted().unwrap_err().kind.status(), 403);
        let operator = session(SessionRole::Operator, None);
        assert_eq!(operator.tenant_scope(), TenantScope::All);
        assert!(operator.require_operator().is_ok());
        assert!(operator.require_unrestricted().is_ok());
        let orphan = session(SessionRole::TenantAdmin, None);
        assert!(!orphan.tenant_scope().allows(tenant), "no tenant: nothing");
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
