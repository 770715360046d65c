//! The audit log: who did what, when, from where. Written after the action succeeded (a
//! failure to write is logged, never turned into a failed request); listed newest first.

use crate::entities::audit_entry;
use crate::error::Result;
use crate::ids::{TenantId, TenantScope};
use crate::services::{Services, all_into};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// Who acted, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `api_key`, `session` or `anonymous`.
    pub kind: &'static str,
    pub id: Option<Uuid>,
    /// An API key's name and prefix, an account's email, `setup link`…
    pub label: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// What was acted on.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub kind: &'static str,
    pub id: Uuid,
}

impl Target {
    pub fn new(kind: &'static str, id: impl Into<Uuid>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `api_key`, `session` or `anonymous`.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub tenant_id: Option<TenantId>,
    /// e.g. `scim_token.issued`, `endpoint.secret_rotated`, `auth.login_failed`.
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<Uuid>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<Value>,
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(m: audit_entry::Model) -> Self {
        Self {
            id: m.id,
            at: m.at,
            actor_kind: m.actor_kind,
            actor_id: m.actor_id,
            actor_label: m.actor_label,
            tenant_id: m.tenant_id.map(Into::into),
            action: m.action,
            target_kind: m.target_kind,
            target_id: m.target_id,
            ip: m.ip,
            request_id: m.request_id,
            details: m.details,
        }
    }
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// An action, or a prefix ending in `.*` (`endpoint.*`).
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub tenant: Option<TenantId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Services {
    /// Records an action; never fails the caller (a write failure is logged as an error).
    pub async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        tenant: Option<TenantId>,
        target: Option<Target>,
        details: Option<Value>,
    ) {
        let entry = audit_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            at: Set(Utc::now()),
            actor_kind: Set(actor.kind.into()),
            actor_id: Set(actor.id),
            actor_label: Set(actor.label.clone()),
            tenant_id: Set(tenant.map(|t| t.0)),
            action: Set(action.into()),
            target_kind: Set(target.map(|t| t.kind.to_string())),
            target_id: Set(target.map(|t| t.id)),
            ip: Set(actor.ip.clone()),
            request_id: Set(actor.request_id.clone()),
            details: Set(details),
        };
        if let Err(err) = entry.insert(&self.db).await {
            tracing::error!(error = %err, action, "an audit entry could not be written");
        }
    }

    /// Entries `scope` may see (a tenant-restricted scope: its tenant's), newest first,
    /// older than entry `before`.
    pub async fn list_audit(
        &self,
        scope: TenantScope,
        filter: &AuditFilter,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>> {
        let mut query = audit_entry::Entity::find()
            .order_by_desc(audit_entry::Column::Id)
            .limit(limit);
        if let Some(tenant) = scope.restriction() {
            query = query.filter(audit_entry::Column::TenantId.eq(tenant.0));
        }
        if let Some(tenant) = filter.tenant {
            query = query.filter(audit_entry::Column::TenantId.eq(tenant.0));
        }
        match filter.action.as_deref() {
            Some(prefix) if prefix.ends_with(".*") => {
                let prefix = &prefix[..prefix.len() - 1];
                query = query.filter(audit_entry::Column::Action.starts_with(prefix));
            }
            Some(action) => query = query.filter(audit_entry::Column::Action.eq(action)),
            None => {}
        }
        if let Some(actor) = filter.actor_id {
            query = query.filter(audit_entry::Column::ActorId.eq(actor));
        }
        if let Some(since) = filter.since {
            query = query.filter(audit_entry::Column::At.gte(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_entry::Column::At.lt(until));
        }
        if let Some(before) = before {
            query = query.filter(audit_entry::Column::Id.lt(before));
        }
        all_into(query, &self.db).await
    }
}
