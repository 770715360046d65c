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
    fn limits() {
        assert_eq!(limit(None).unwrap(), 100);
        assert_eq!(limit(Some(1)).unwrap(), 1);
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
    }
}
