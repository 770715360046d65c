//! The snapshot of a connection's directory: every user and group in the normalized shape the
//! events carry in `data`, page by page, for an app that bootstraps from it and then tails the
//! Events API.
//!
//! # Consistency under concurrent writes
//! Each page is read in one snapshot transaction ([`Services::begin_snapshot_read`]) together
//! with the connection's `event_seq`, `S`. Sequences are taken in commit order per connection
//! (the writer bumps `event_seq` under its row lock in `connection_sequences`), so every item of the page
//! reflects exactly the connection's events with `sequence ≤ S` and none after; each item
//! carries that `S` as its `sequence`. Pages are read one after another, so `S` may grow from
//! page to page.
//!
//! The first page also reads the feed head in the same snapshot: the events cursor `C`. An
//! event with a sequence above the first page's `S` committed after that snapshot, so the
//! sequencer positioned it after `C` (see `event_feed`). Later pages carry `C` in their cursor.
//!
//! # Bootstrap protocol
//! Read every page (keep each item with its `sequence`), then tail
//! `/events?after=C&connection_id=…` and apply an event only when its `sequence` is greater
//! than the `sequence` of the item it is about (a user for `user.*` and membership events, a
//! group for `group.created|updated|deleted`); an event about an object the snapshot did not
//! return is applied. Events at or below the item's sequence are already reflected in it.

use crate::entities::{connection, connection_sequence, scim_group, scim_user};
use crate::error::{DomainError, Result};
use crate::ids::{ConnectionId, TenantScope};
use crate::services::Services;
use crate::services::event_feed::FeedPosition;
use crate::services::groups::group_event_data;
use crate::services::users::{groups_of_users, user_event_data};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Users come first, then groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotPhase {
    Users,
    Groups,
}

/// Where the next page starts (the API hands it out opaquely).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotCursor {
    pub connection: ConnectionId,
    pub phase: SnapshotPhase,
    /// The last id returned in this phase.
    pub after: Option<Uuid>,
    /// The events cursor read with the first page.
    pub events_from: FeedPosition,
}

/// A user or group as of `sequence`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotItem {
    /// The connection's sequence this item reflects: every event up to it, none after.
    pub sequence: i64,
    /// The normalized object, as in an event's `data` (`object` says `user` or `group`).
    pub data: Value,
}

#[derive(Debug, Clone)]
pub struct SnapshotPage {
    pub items: Vec<SnapshotItem>,
    /// The connection's sequence when this page was read.
    pub connection_sequence: i64,
    /// Tail the Events API from here once every page is read.
    pub events_from: FeedPosition,
    /// `None` on the last page.
    pub next: Option<SnapshotCursor>,
}

impl Services {
    /// One page of at most `limit` items of `connection`'s snapshot, from `from` (the start
    /// when `None`). A connection `scope` may not see is `NotFound`.
    pub async fn connection_snapshot(
        &self,
        scope: TenantScope,
        connection: ConnectionId,
        from: Option<SnapshotCursor>,
        limit: u64,
    ) -> Result<SnapshotPage> {
        if from.as_ref().is_some_and(|c| c.connection != connection) {
            return Err(DomainError::Invalid(
                "the cursor belongs to another connection's snapshot".into(),
            ));
        }
        let txn = self.begin_snapshot_read().await?;
        let conn = connection::Entity::find_by_id(connection.0)
            .one(&txn)
            .await?
            .filter(|c| scope.allows(c.tenant_id.into()))
            .ok_or(DomainError::NotFound("connection"))?;
        let sequence = connection_sequence::Entity::find_by_id(conn.id)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound("connection"))?
            .event_seq;
        let events_from = match &from {
            Some(cursor) => cursor.events_from,
            None => self.feed_head(&txn).await?,
        };
        let cursor = |phase, after| SnapshotCursor {
            connection,
            phase,
            after,
            events_from,
        };
        let item = |data| SnapshotItem { sequence, data };
        let (mut phase, mut after) =
            from.map_or((SnapshotPhase::Users, None), |c| (c.phase, c.after));
        let mut items = Vec::new();
        let mut next = None;

        if phase == SnapshotPhase::Users {
            let mut query = scim_user::Entity::find()
                .filter(scim_user::Column::ConnectionId.eq(connection.0))
                .order_by_asc(scim_user::Column::Id)
                .limit(limit);
            if let Some(after) = after {
                query = query.filter(scim_user::Column::Id.gt(after));
            }
            let users = query.all(&txn).await?;
            let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
            let mut groups = groups_of_users(&txn, &ids).await?;
            for user in &users {
                let of_user = groups.remove(&user.id).unwrap_or_default();
                items.push(item(user_event_data(user, &of_user)));
            }
            match users.last() {
                Some(last) if users.len() as u64 == limit => {
                    next = Some(cursor(SnapshotPhase::Users, Some(last.id)));
                }
                _ => (phase, after) = (SnapshotPhase::Groups, None),
            }
        }
        if next.is_none() && phase == SnapshotPhase::Groups {
            let room = limit - items.len() as u64;
            let mut query = scim_group::Entity::find()
                .filter(scim_group::Column::ConnectionId.eq(connection.0))
                .order_by_asc(scim_group::Column::Id)
                .limit(room);
            if let Some(after) = after {
                query = query.filter(scim_group::Column::Id.gt(after));
            }
            let groups = query.all(&txn).await?;
            items.extend(groups.iter().map(|g| item(group_event_data(g))));
            if let Some(last) = groups.last().filter(|_| groups.len() as u64 == room) {
                next = Some(cursor(SnapshotPhase::Groups, Some(last.id)));
            }
        }
        txn.commit().await?;
        Ok(SnapshotPage {
            items,
            connection_sequence: sequence,
            events_from,
            next,
        })
    }
}
