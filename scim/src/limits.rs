//! Values a SCIM body may carry, beyond the JSON grammar: numbers must survive a round trip
//! through every store (PostgreSQL's JSONB prints numbers as plain decimals; near the f64
//! limits those do not parse back as f64), so magnitudes are bounded.

use crate::{ScimError, ScimType};
use serde_json::Value;

/// The largest magnitude accepted for a number.
pub const MAX_NUMBER: f64 = 1e300;

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
}
