//! Values a SCIM body may carry, beyond the JSON grammar: numbers must survive a round trip
//! through every store (PostgreSQL's JSONB prints numbers as plain decimals; near the f64
//! limits those do not parse back as f64), so magnitudes are bounded. And how large a resource
//! may grow through PATCH.

use crate::{ScimError, ScimType};
use serde::Serialize;
use serde_json::Value;
use std::io;

/// The largest magnitude accepted for a number.
pub const MAX_NUMBER: f64 = 1e300;

/// The most bytes of JSON text ([`json_len`]) a resource may have after a PATCH: as large as
/// the largest body a PUT may store (`scim.max_body_bytes`, 1 MiB by default) plus a PATCH
/// body's worth of new attributes. Real users and groups are a few KB. A filtered `add` copies
/// its value into every value it selects, so without a bound a small body could make a resource
/// of gigabytes. A resource already larger (stored under a larger body limit) may be patched,
/// but not grow.
pub const MAX_RESOURCE_BYTES: usize = 2 * 1024 * 1024;

/// The length of `value` as compact JSON text, counted without building the text.
pub fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        // Not for a `Value` or a string (the writer never fails); "too large" is the safe side.
        Err(_) => usize::MAX,
    }
}

/// Refuses a body holding a number beyond ±[`MAX_NUMBER`], anywhere in it.
pub fn check_values(value: &Value) -> Result<(), ScimError> {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.abs() <= MAX_NUMBER => Ok(()),
            _ => Err(ScimError::bad_request(
                ScimType::InvalidValue,
                format!("numbers must be between -{MAX_NUMBER:e} and {MAX_NUMBER:e}, not {n}"),
            )),
        },
        Value::Array(items) => items.iter().try_for_each(check_values),
        Value::Object(map) => map.values().try_for_each(check_values),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_near_the_f64_limits_are_refused_anywhere() {
        assert!(check_values(&json!({"a": [1, -2.5, 1e300, {"b": 1e-300}]})).is_ok());
        for bad in [
            json!({"a": -1.7976931348623155e308}),
            json!({"a": [{"b": 1e301}]}),
            json!([2e305]),
        ] {
            let err = check_values(&bad).unwrap_err();
            assert_eq!(err.status, 400);
        }
    }

    #[test]
    fn json_len_is_the_length_of_the_compact_text() {
        for value in [
            json!(null),
            json!({"a": [1, -2.5, true, {"b\"": "\u{1F600}\n\u{0}"}], "": {}}),
            json!("caf\u{e9} \\ \u{7f}"),
            json!([[], {}, 1e300]),
        ] {
            assert_eq!(json_len(&value), value.to_string().len(), "{value}");
        }
        assert_eq!(json_len("a\"b"), 6);
    }
}
