//! Tenants: one customer organization of the B2B app each. Every management query takes a
//! [`TenantScope`]; a tenant outside it does not exist for the caller.

use crate::entities::{connection, tenant};
use crate::error::{DomainError, Result};
use crate::ids::{ConnectionId, TenantId, TenantScope};
use crate::services::{Services, all_into, contains};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::Serialize;
use uuid::Uuid;

const MAX_NAME: usize = 200;
const MAX_EXTERNAL_ID: usize = 255;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantView {
    pub id: TenantId,
    pub name: String,
    /// Your app's own id for this organization; events carry it as `tenant_external_id`.
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tenant::Model> for TenantView {
    fn from(m: tenant::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            external_id: m.external_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A change to a tenant; `None` keeps a field, `Some(None)` clears the external id.
#[derive(Debug, Clone, Default)]
pub struct TenantUpdate {
    pub name: Option<String>,
    pub external_id: Option<Option<String>>,
}

fn valid_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(DomainError::Invalid(format!(
            "name must be 1 to {MAX_NAME} characters"
        )));
    }
    Ok(name.to_string())
}

fn valid_external_id(external_id: Option<&str>) -> Result<Option<String>> {
    match external_id.map(str::trim) {
        None => Ok(None),
        Some(id) if id.is_empty() || id.chars().count() > MAX_EXTERNAL_ID => {
            Err(DomainError::Invalid(format!(
                "external_id must be 1 to {MAX_EXTERNAL_ID} characters"
            )))
        }
        Some(id) => Ok(Some(id.to_string())),
    }
}

const EXTERNAL_ID_TAKEN: &str = "a tenant with this external_id already exists";

impl Services {
    pub async fn create_tenant(&self, name: &str, external_id: Option<&str>) -> Result<TenantView> {
        let name = valid_name(name)?;
        let external_id = valid_external_id(external_id)?;
        let now = Utc::now();
        let model = tenant::ActiveModel {
            id: Set(TenantId::new().0),
            name: Set(name),
            external_id: Set(external_id),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(|e| DomainError::from_db_unique(e, EXTERNAL_ID_TAKEN))?;
        Ok(model.into())
    }

    pub async fn get_tenant(&self, id: TenantId) -> Result<TenantView> {
        self.tenant_in(id, TenantScope::All).await.map(Into::into)
    }

    /// The tenant, if `scope` may see it.
    async fn tenant_in(&self, id: TenantId, scope: TenantScope) -> Result<tenant::Model> {
        tenant::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .filter(|_| scope.allows(id))
            .ok_or(DomainError::NotFound("tenant"))
    }

    /// Tenants `scope` may see, oldest first, after tenant `after`. `search` matches a
    /// case-insensitive part of the name or the whole external id.
    pub async fn list_tenants(
        &self,
        scope: TenantScope,
        search: Option<&str>,
        after: Option<TenantId>,
        limit: u64,
    ) -> Result<Vec<TenantView>> {
        let mut query = tenant::Entity::find()
            .order_by_asc(tenant::Column::Id)
            .limit(limit);
        if let Some(tenant) = scope.restriction() {
            query = query.filter(tenant::Column::Id.eq(tenant.0));
        }
        if let Some(after) = after {
            query = query.filter(tenant::Column::Id.gt(after.0));
        }
        if let Some(pattern) = contains(search) {
            let name_matches =
                Expr::expr(Func::lower(Expr::col(tenant::Column::Name))).like(pattern);
            query = query.filter(
                Condition::any()
                    .add(name_matches)
                    .add(tenant::Column::ExternalId.eq(search.unwrap_or_default().trim())),
            );
        }
        all_into(query, &self.db).await
    }

    pub async fn update_tenant(
        &self,
        id: TenantId,
        scope: TenantScope,
        change: TenantUpdate,
    ) -> Result<TenantView> {
        let model = self.tenant_in(id, scope).await?;
        let mut update: tenant::ActiveModel = model.into();
        if let Some(name) = change.name {
            update.name = Set(valid_name(&name)?);
        }
        if let Some(external_id) = change.external_id {
            update.external_id = Set(valid_external_id(external_id.as_deref())?);
        }
        update.updated_at = Set(Utc::now());
        let model = update
            .update(&self.db)
            .await
            .map_err(|e| DomainError::from_db_unique(e, EXTERNAL_ID_TAKEN))?;
        Ok(model.into())
    }

    /// Deletes a tenant: each of its connections first, through [`Services::delete_connection`]
    /// (a `connection.deleted` event each, tokens refused at once), then the tenant with what
    /// hangs off it (its endpoints, accounts, API keys). Each connection goes in its own
    /// transaction; if this fails halfway, calling it again finishes the job.
    pub async fn delete_tenant(&self, id: TenantId, scope: TenantScope) -> Result<()> {
        self.tenant_in(id, scope).await?;
        let connections: Vec<Uuid> = connection::Entity::find()
            .select_only()
            .column(connection::Column::Id)
            .filter(connection::Column::TenantId.eq(id.0))
            .into_tuple()
            .all(&self.db)
            .await?;
        for connection in connections {
            match self
                .delete_connection(ConnectionId(connection), Some(id))
                .await
            {
                // Deleted meanwhile by someone else: nothing left to do for it.
                Ok(()) | Err(DomainError::NotFound(_)) => {}
                Err(err) => return Err(err),
            }
        }
        tenant::Entity::delete_by_id(id.0).exec(&self.db).await?;
        Ok(())
    }
}
