//! PATCH bodies: telling "absent" (keep) from `null` (clear).

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "nullable")]` on an `Option<Option<T>>`:
/// `Some(None)` for an explicit `null`, `None` when the field is absent.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "nullable")]
        field: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let parse = |s: &str| serde_json::from_str::<Patch>(s).unwrap().field;
        assert_eq!(parse("{}"), None);
        assert_eq!(parse(r#"{"field": null}"#), Some(None));
        assert_eq!(parse(r#"{"field": "x"}"#), Some(Some("x".into())));
    }
}
