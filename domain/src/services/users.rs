//! SCIM Users of a connection.

use crate::entities::scim_user;
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, UserId};
use crate::services::Services;
use chrono::{SecondsFormat, Utc};
use roster_scim::UserInput;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::{Value, json};

/// The SCIM representation of a stored user: the stored resource plus `id`, `meta` and the
/// computed `groups`.
pub fn scim_user_resource(model: &scim_user::Model, scim_base_url: &str) -> Value {
    let mut resource = model.resource.clone();
    if let Value::Object(map) = &mut resource {
        map.insert("id".into(), Value::from(model.id.to_string()));
        map.insert("groups".into(), json!([]));
        map.insert(
            "meta".into(),
            json!({
                "resourceType": "User",
                "created": model.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "lastModified": model.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "location": format!("{scim_base_url}/Users/{}", model.id),
                "version": format!("W/\"{}\"", model.version),
            }),
        );
    }
    resource
}

/// The normalized user carried by `user.*` events: the same shape whatever the IdP.
pub(crate) fn user_event_data(model: &scim_user::Model, raw: Value) -> Value {
    let emails: Vec<Value> = model
        .resource
        .get("emails")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| {
                    json!({
                        "value": e.get("value"),
                        "type": e.get("type"),
                        "primary": e.get("primary").and_then(roster_scim::user::parse_bool).unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "object": "user",
        "id": model.id,
        "user_name": model.user_name,
        "external_id": model.external_id,
        "display_name": model.display_name,
        "first_name": model.given_name,
        "last_name": model.family_name,
        "emails": emails,
        "active": model.active,
        "groups": [],
        "raw": raw,
    })
}

impl Services {
    /// Creates a user and its `user.created` event in one transaction. A `userName` already used
    /// in the connection (compared case-insensitively) is a `Conflict` and writes nothing.
    pub async fn create_user(
        &self,
        ctx: &ConnectionCtx,
        input: UserInput,
    ) -> Result<scim_user::Model> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let model = scim_user::ActiveModel {
            id: Set(UserId::new().0),
            connection_id: Set(ctx.connection_id.0),
            user_name_lower: Set(input.user_name.to_lowercase()),
            user_name: Set(input.user_name),
            external_id: Set(input.external_id),
            display_name: Set(input.display_name),
            given_name: Set(input.given_name),
            family_name: Set(input.family_name),
            email_lower: Set(input.primary_email.map(|e| e.to_lowercase())),
            active: Set(input.active),
            resource: Set(input.resource),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| DomainError::from_db_unique(e, "a user with this userName already exists"))?;
        let raw = scim_user_resource(&model, &self.scim_base_url(ctx.connection_id));
        let data = user_event_data(&model, raw);
        events::append(&txn, ctx, "user.created", data, None).await?;
        txn.commit().await?;
        self.events_committed();
        Ok(model)
    }

    pub async fn get_user(&self, ctx: &ConnectionCtx, id: UserId) -> Result<scim_user::Model> {
        scim_user::Entity::find_by_id(id.0)
            .filter(scim_user::Column::ConnectionId.eq(ctx.connection_id.0))
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("user"))
    }
}
