//! Cursor pagination, the same for every list of the management API:
//! `?after=<next_cursor>&limit=<n>` in, `{ "data": [...], "next_cursor": "..." | null }` out.
//!
//! Cursors are opaque to clients: base64url (no padding) of a small JSON value that only the
//! endpoint that issued it interprets. A cursor that does not decode is a 400 problem.

use super::problem::Problem;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use uuid::Uuid;

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 1000;
/// Longest cursor accepted (they are a few dozen characters).
const MAX_CURSOR_LEN: usize = 512;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub data: Vec<T>,
    /// Pass as `after` to get the next page; `null` when the list is exhausted.
    pub next_cursor: Option<String>,
}

/// The page size asked for: default 100, between 1 and 1000.
pub fn limit(requested: Option<u64>) -> Result<u64, Problem> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(Problem::validation(format!(
            "limit must be between 1 and {MAX_LIMIT}, not {n}"
        ))),
    }
}

/// The cursor of lists ordered by id: the last id seen.
#[derive(Debug, Serialize, serde::Deserialize)]
struct IdCursor {
    after: Uuid,
}

/// The id a list ordered by id continues after, from its `after` parameter.
pub fn after_id(raw: Option<&str>) -> Result<Option<Uuid>, Problem> {
    raw.map(|raw| decode_cursor::<IdCursor>(raw, "after").map(|c| c.after))
        .transpose()
}

/// A page of a list ordered by id: a `next_cursor` when the page is full.
pub fn id_page<T>(data: Vec<T>, limit: u64, id: impl Fn(&T) -> Uuid) -> Paginated<T> {
    let next_cursor = match data.last() {
        Some(last) if data.len() as u64 == limit => {
            Some(encode_cursor(&IdCursor { after: id(last) }))
        }
        _ => None,
    };
    Paginated { data, next_cursor }
}

pub fn encode_cursor<T: Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

/// Decodes the cursor given in query parameter `param`.
pub fn decode_cursor<T: DeserializeOwned>(raw: &str, param: &str) -> Result<T, Problem> {
    let invalid = || {
        Problem::validation(format!(
            "`{param}` is not a cursor this endpoint issued; pass a `next_cursor` back unchanged"
        ))
    };
    if raw.len() > MAX_CURSOR_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Position {
        p: i64,
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_a_validation_problem() {
        let cursor = encode_cursor(&Position { p: 42 });
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        );
        assert_eq!(
            decode_cursor::<Position>(&cursor, "after").unwrap(),
            Position { p: 42 }
        );
        for bad in [
            "",
            "!!",
            "bm90IGpzb24",
            &encode_cursor(&"text"),
            &"A".repeat(600),
        ] {
            let err = decode_cursor::<Position>(bad, "after").unwrap_err();
            assert_eq!(err.kind.status(), 400, "{bad}");
            assert!(err.detail.contains("`after`"));
        }
    }

    #[test]
    fn id_pages_have_a_cursor_only_when_full() {
        let ids = [Uuid::now_v7(), Uuid::now_v7()];
        let full = id_page(ids.to_vec(), 2, |u| *u);
        let cursor = full.next_cursor.expect("a full page has a cursor");
        assert_eq!(after_id(Some(&cursor)).unwrap(), Some(ids[1]));
        assert!(id_page(ids.to_vec(), 3, |u| *u).next_cursor.is_none());
        assert!(id_page(Vec::<Uuid>::new(), 3, |u| *u).next_cursor.is_none());
        assert_eq!(after_id(None).unwrap(), None);
        assert!(after_id(Some("garbage")).is_err());
    }

    #[test]
    fn limits() {
        assert_eq!(limit(None).unwrap(), 100);
        assert_eq!(limit(Some(1)).unwrap(), 1);
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
    }
}
