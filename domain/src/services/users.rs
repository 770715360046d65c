//! SCIM Users of a connection.
//!
//! Event rules: a create emits `user.created`; a replace emits `user.deactivated` or
//! `user.reactivated` when `active` flips, and `user.updated` (with `previous_attributes`) when
//! anything else changed; a delete emits `group.user_removed` per group, then `user.deleted`. A
//! write that changes nothing emits nothing and keeps the version.

use crate::entities::{scim_group, scim_group_member, scim_user};
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, UserId};
use crate::services::Services;
use crate::services::groups::CHUNK;
use chrono::{SecondsFormat, Utc};
use roster_scim::UserInput;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// A group a user belongs to (the computed, read-only `groups` attribute).
#[derive(Debug, Clone, PartialEq)]
pub struct UserGroupRef {
    pub id: Uuid,
    pub display_name: String,
}

/// A user with the groups it belongs to.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: scim_user::Model,
    pub groups: Vec<UserGroupRef>,
}

/// The SCIM representation of a stored user: the stored resource plus `id`, `meta` and the
/// computed `groups`.
pub fn scim_user_resource(record: &UserRecord, scim_base_url: &str) -> Value {
    let model = &record.user;
    let mut resource = model.resource.clone();
    if let Value::Object(map) = &mut resource {
        map.insert("id".into(), Value::from(model.id.to_string()));
        let groups: Vec<Value> = record
            .groups
            .iter()
            .map(|g| {
                json!({
                    "value": g.id.to_string(),
                    "$ref": format!("{scim_base_url}/Groups/{}", g.id),
                    "display": g.display_name,
                    "type": "direct",
                })
            })
            .collect();
        map.insert("groups".into(), Value::from(groups));
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

/// The normalized user, the same shape whatever the IdP; `raw` is the SCIM resource as stored.
pub(crate) fn user_event_data(model: &scim_user::Model, groups: &[UserGroupRef]) -> Value {
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
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| json!({"id": g.id, "display_name": g.display_name}))
        .collect();
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
        "groups": groups,
        "raw": events::raw_resource(&model.resource, model.id),
    })
}

/// Rejects a write whose `If-Match` version is not the current one.
/// `expected` holds the versions an `If-Match` header named (`None`: no condition).
pub(crate) fn check_version(expected: Option<&[i64]>, current: i64) -> Result<()> {
    match expected {
        Some(list) if !list.contains(&current) => Err(DomainError::PreconditionFailed(format!(
            "the resource is at version W/\"{current}\", not the one If-Match names"
        ))),
        _ => Ok(()),
    }
}

fn apply_input(model: &mut scim_user::Model, input: UserInput) {
    model.user_name_lower = input.user_name.to_lowercase();
    model.user_name = input.user_name;
    model.external_id = input.external_id;
    model.display_name = input.display_name;
    model.given_name = input.given_name;
    model.family_name = input.family_name;
    model.email_lower = input.primary_email.map(|e| e.to_lowercase());
    model.active = input.active;
    model.resource = input.resource;
}

async fn find_user<C: ConnectionTrait>(
    conn: &C,
    ctx: &ConnectionCtx,
    id: UserId,
) -> Result<scim_user::Model> {
    scim_user::Entity::find_by_id(id.0)
        .filter(scim_user::Column::ConnectionId.eq(ctx.connection_id.0))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("user"))
}

/// The groups `user_id` is a direct member of.
pub(crate) async fn groups_of<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
) -> Result<Vec<UserGroupRef>> {
    Ok(groups_of_users(conn, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default())
}

/// The groups each of `user_ids` is a direct member of (users in no group are absent), in
/// one query (memberships joined to their groups) per chunk of ids rather than one per user.
pub(crate) async fn groups_of_users<C: ConnectionTrait>(
    conn: &C,
    user_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<UserGroupRef>>> {
    #[derive(FromQueryResult)]
    struct Membership {
        member_id: Uuid,
        group_id: Uuid,
        display_name: String,
    }
    let (m, g) = (scim_group_member::Entity, scim_group::Entity);
    let mut by_user: HashMap<Uuid, Vec<UserGroupRef>> = HashMap::new();
    for chunk in user_ids.chunks(CHUNK) {
        let query = Query::select()
            .column((m, scim_group_member::Column::MemberId))
            .column((m, scim_group_member::Column::GroupId))
            .column((g, scim_group::Column::DisplayName))
            .from(m)
            .inner_join(
                g,
                Expr::col((g, scim_group::Column::Id))
                    .equals((m, scim_group_member::Column::GroupId)),
            )
            .and_where(
                Expr::col((m, scim_group_member::Column::MemberId)).is_in(chunk.iter().copied()),
            )
            .to_owned();
        let rows = Membership::find_by_statement(conn.get_database_backend().build(&query))
            .all(conn)
            .await?;
        for row in rows {
            by_user
                .entry(row.member_id)
                .or_default()
                .push(UserGroupRef {
                    id: row.group_id,
                    display_name: row.display_name,
                });
        }
    }
    for groups in by_user.values_mut() {
        groups.sort_by_key(|g| g.id);
    }
    Ok(by_user)
}

impl Services {
    /// Creates a user and its `user.created` event in one transaction. A `userName` already used
    /// in the connection (compared case-insensitively) is a `Conflict` and writes nothing.
    pub async fn create_user(&self, ctx: &ConnectionCtx, input: UserInput) -> Result<UserRecord> {
        let now = Utc::now();
        let mut model = scim_user::Model {
            id: UserId::new().0,
            connection_id: ctx.connection_id.0,
            user_name: String::new(),
            user_name_lower: String::new(),
            external_id: None,
            display_name: None,
            given_name: None,
            family_name: None,
            email_lower: None,
            active: true,
            resource: Value::Null,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        apply_input(&mut model, input);
        let conflict =
            |e| DomainError::from_db_unique(e, "a user with this userName already exists");
        let data = user_event_data(&model, &[]);
        let active = scim_user::ActiveModel::from(model).reset_all();
        let user = if self.db.get_database_backend() == DbBackend::Postgres {
            // The hot path of every initial sync: one round trip writes and commits the user
            // and its event.
            events::insert_with_event_pg(&self.db, ctx, active, "user.created", data)
                .await
                .map_err(|e| e.map_db(conflict))?
        } else {
            let txn = self.begin_write().await?;
            let user = active.insert(&txn).await.map_err(conflict)?;
            events::append(&txn, ctx, "user.created", data, None).await?;
            txn.commit().await?;
            user
        };
        self.events_committed();
        Ok(UserRecord {
            user,
            groups: Vec::new(),
        })
    }

    pub async fn get_user(&self, ctx: &ConnectionCtx, id: UserId) -> Result<UserRecord> {
        let user = find_user(&self.db, ctx, id).await?;
        let groups = groups_of(&self.db, user.id).await?;
        Ok(UserRecord { user, groups })
    }

    /// Replaces a user (PUT). `expected_version` comes from `If-Match`.
    pub async fn replace_user(
        &self,
        ctx: &ConnectionCtx,
        id: UserId,
        input: UserInput,
        expected_version: Option<&[i64]>,
    ) -> Result<UserRecord> {
        let txn = self.begin_write().await?;
        let old = find_user(&txn, ctx, id).await?;
        check_version(expected_version, old.version)?;
        let mut new = old.clone();
        apply_input(&mut new, input);
        let user = self.save_user_change(&txn, ctx, &old, new).await?;
        let groups = groups_of(&txn, user.id).await?;
        txn.commit().await?;
        self.events_committed();
        Ok(UserRecord { user, groups })
    }

    /// Patches a user (PATCH): the operations apply to the stored resource all-or-nothing and
    /// the result must still be a valid user; then the same event rules as a replace.
    pub async fn patch_user(
        &self,
        ctx: &ConnectionCtx,
        id: UserId,
        ops: &[roster_scim::patch::PatchOp],
        expected_version: Option<&[i64]>,
    ) -> Result<UserRecord> {
        let txn = self.begin_write().await?;
        let old = find_user(&txn, ctx, id).await?;
        check_version(expected_version, old.version)?;
        let schema = roster_scim::schema::ResourceSchema::user();
        let patched = roster_scim::patch::apply_ops(&old.resource, ops, schema)?;
        let mut new = old.clone();
        apply_input(&mut new, roster_scim::parse_user(&patched)?);
        let user = self.save_user_change(&txn, ctx, &old, new).await?;
        let groups = groups_of(&txn, user.id).await?;
        txn.commit().await?;
        self.events_committed();
        Ok(UserRecord { user, groups })
    }

    /// Writes `new` over `old` (when they differ) with the events the change calls for.
    pub(crate) async fn save_user_change<C: ConnectionTrait>(
        &self,
        txn: &C,
        ctx: &ConnectionCtx,
        old: &scim_user::Model,
        mut new: scim_user::Model,
    ) -> Result<scim_user::Model> {
        let groups = groups_of(txn, old.id).await?;
        let (before, after) = (
            user_event_data(old, &groups),
            user_event_data(&new, &groups),
        );
        let Some(mut previous) = events::previous_attributes(&before, &after) else {
            return Ok(old.clone());
        };
        new.version = old.version + 1;
        new.updated_at = Utc::now();
        let active: scim_user::ActiveModel = new.into();
        let new = active.reset_all().update(txn).await.map_err(|e| {
            DomainError::from_db_unique(e, "a user with this userName already exists")
        })?;
        let data = user_event_data(&new, &groups);
        if old.active != new.active {
            let kind = if new.active {
                "user.reactivated"
            } else {
                "user.deactivated"
            };
            events::append(txn, ctx, kind, data.clone(), None).await?;
        }
        strip_active(&mut previous);
        if previous.as_object().is_some_and(|m| !m.is_empty()) {
            events::append(txn, ctx, "user.updated", data, Some(previous)).await?;
        }
        Ok(new)
    }

    /// Deletes a user: its memberships go (each announced as `group.user_removed`), then
    /// `user.deleted` carries the last state.
    pub async fn delete_user(
        &self,
        ctx: &ConnectionCtx,
        id: UserId,
        expected_version: Option<&[i64]>,
    ) -> Result<()> {
        let txn = self.begin_write().await?;
        let user = find_user(&txn, ctx, id).await?;
        check_version(expected_version, user.version)?;
        let groups = groups_of(&txn, user.id).await?;
        for group in &groups {
            let group_model = scim_group::Entity::find_by_id(group.id)
                .one(&txn)
                .await?
                .ok_or(DomainError::NotFound("group"))?;
            self.remove_members(&txn, ctx, &group_model, &[user.id])
                .await?;
        }
        scim_user::Entity::delete_by_id(user.id).exec(&txn).await?;
        events::append(&txn, ctx, "user.deleted", user_event_data(&user, &[]), None).await?;
        txn.commit().await?;
        self.events_committed();
        Ok(())
    }
}

/// `active` changes are announced by `user.deactivated` / `user.reactivated`, not as updates.
fn strip_active(previous: &mut Value) {
    if let Value::Object(map) = previous {
        map.remove("active");
        if let Some(Value::Object(raw)) = map.get_mut("raw") {
            raw.retain(|k, _| !k.eq_ignore_ascii_case("active"));
            if raw.is_empty() {
                map.remove("raw");
            }
        }
    }
}

/// The user summary carried inside membership events.
pub(crate) fn member_event_data(model: &scim_user::Model) -> Value {
    let mut data = user_event_data(model, &[]);
    if let Value::Object(map) = &mut data {
        map.remove("groups");
    }
    data
}
