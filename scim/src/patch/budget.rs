//! What one PATCH request may cost, checked before the work it counts is done: how many
//! attributes it sets ([`MAX_OPERATIONS`], a value spread over attributes counting one per
//! attribute), and how large it may make the resource ([`MAX_RESOURCE_BYTES`]).

use super::parse::MAX_OPERATIONS;
use crate::error::{ScimError, ScimType};
use crate::limits::{MAX_RESOURCE_BYTES, json_len};
use serde_json::{Map, Value};

/// The bytes of a member `"key":value,` of an object.
fn member_len(key: &str, value: &Value) -> usize {
    json_len(key) + json_len(value) + 2
}

/// The bytes of an element `value,` of a list.
fn element_len(value: &Value) -> usize {
    json_len(value) + 1
}

/// The cost of the operations applied so far. Every change to the resource goes through it, or
/// tells it the bytes it adds and frees.
pub(super) struct Budget {
    /// Operations counted so far.
    operations: usize,
    /// The size of the resource as JSON text, kept up to date by every change (to within a
    /// separator per object or list changed, and a byte per `primary` flag turned off);
    /// measured exactly at the start and the end.
    bytes: usize,
    /// The most `bytes` may reach: [`MAX_RESOURCE_BYTES`], or the size of a resource that was
    /// already larger (it may be patched, not grow).
    limit: usize,
}

impl Budget {
    pub fn new(doc: &Map<String, Value>) -> Self {
        let bytes = json_len(doc);
        Self {
            operations: 0,
            bytes,
            limit: bytes.max(MAX_RESOURCE_BYTES),
        }
    }

    /// Counts one operation.
    pub fn operation(&mut self) -> Result<(), ScimError> {
        self.count(1)
    }

    /// Counts a value spread over `attributes` attributes (a path-less value, an extension's
    /// object) as that many operations instead of one, before any of them is applied: each is
    /// looked up in the object it grows, so their number must be bounded.
    pub fn spread(&mut self, attributes: usize) -> Result<(), ScimError> {
        self.count(attributes.saturating_sub(1))
    }

    fn count(&mut self, operations: usize) -> Result<(), ScimError> {
        self.operations = self.operations.saturating_add(operations);
        if self.operations > MAX_OPERATIONS {
            return Err(ScimError::bad_request(
                ScimType::TooMany,
                format!(
                    "at most {MAX_OPERATIONS} operations per PATCH, each attribute of a \
                     path-less value or of an extension's value counting as one"
                ),
            ));
        }
        Ok(())
    }

    /// Makes room for `new` bytes replacing `old` ones, or refuses before anything is written.
    pub fn resize(&mut self, old: usize, new: usize) -> Result<(), ScimError> {
        let bytes = self.bytes.saturating_sub(old).saturating_add(new);
        if bytes > self.limit {
            return Err(self.too_large());
        }
        self.bytes = bytes;
        Ok(())
    }

    /// `bytes` of the resource are gone.
    fn free(&mut self, bytes: usize) {
        self.bytes = self.bytes.saturating_sub(bytes);
    }

    /// `map[key] = value`.
    pub fn insert(
        &mut self,
        map: &mut Map<String, Value>,
        key: String,
        value: Value,
    ) -> Result<(), ScimError> {
        self.make_room(map, &key, &value)?;
        map.insert(key, value);
        Ok(())
    }

    /// `map[key] = value.clone()`, the copy made once there is room for it.
    pub fn insert_copy(
        &mut self,
        map: &mut Map<String, Value>,
        key: String,
        value: &Value,
    ) -> Result<(), ScimError> {
        self.make_room(map, &key, value)?;
        map.insert(key, value.clone());
        Ok(())
    }

    fn make_room(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        value: &Value,
    ) -> Result<(), ScimError> {
        let old = map.get(key).map_or(0, |old| member_len(key, old));
        self.resize(old, member_len(key, value))
    }

    /// `*slot = value.clone()`, the copy made once there is room for it.
    pub fn set_copy(&mut self, slot: &mut Value, value: &Value) -> Result<(), ScimError> {
        self.resize(json_len(slot), json_len(value))?;
        *slot = value.clone();
        Ok(())
    }

    /// Removes `map[key]`.
    pub fn remove(&mut self, map: &mut Map<String, Value>, key: &str) {
        if let Some(old) = map.remove(key) {
            self.free(member_len(key, &old));
        }
    }

    /// Appends `value` to `list`.
    pub fn push(&mut self, list: &mut Vec<Value>, value: Value) -> Result<(), ScimError> {
        self.resize(0, element_len(&value))?;
        list.push(value);
        Ok(())
    }

    /// Keeps the elements of `list` that `keep` accepts.
    pub fn retain(&mut self, list: &mut Vec<Value>, mut keep: impl FnMut(&Value) -> bool) {
        let mut freed = 0;
        list.retain(|v| {
            keep(v) || {
                freed += element_len(v);
                false
            }
        });
        self.free(freed);
    }

    /// The resource as it will be stored, measured exactly: within the limit.
    pub fn check(&self, doc: &Map<String, Value>) -> Result<(), ScimError> {
        if json_len(doc) > self.limit {
            return Err(self.too_large());
        }
        Ok(())
    }

    fn too_large(&self) -> ScimError {
        let detail = if self.limit > MAX_RESOURCE_BYTES {
            format!(
                "the patched resource would be larger than it is ({} bytes of JSON): a \
                 resource over {MAX_RESOURCE_BYTES} bytes may not grow",
                self.limit
            )
        } else {
            format!(
                "the patched resource would be larger than {MAX_RESOURCE_BYTES} bytes of JSON, \
                 the most a PATCH may make a resource"
            )
        };
        ScimError::bad_request(ScimType::InvalidValue, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Changes inside objects and lists that stay non-empty are counted to the byte.
    #[test]
    fn the_running_count_follows_the_text() {
        let mut doc = json!({"a": [1, "two"], "b": {"c": true}})
            .as_object()
            .cloned()
            .unwrap();
        let mut budget = Budget::new(&doc);
        let Some(Value::Object(b)) = doc.get_mut("b") else {
            unreachable!()
        };
        budget
            .insert(b, "d\"".into(), json!([{"e": null}]))
            .unwrap();
        budget
            .insert_copy(b, "c".into(), &json!("caf\u{e9}"))
            .unwrap();
        budget.remove(b, "d\"");
        let Some(Value::Array(a)) = doc.get_mut("a") else {
            unreachable!()
        };
        budget.push(a, json!({"f": 1.5})).unwrap();
        budget.retain(a, |v| !v.is_number());
        budget.set_copy(&mut a[0], &json!([1, 2, 3])).unwrap();
        assert_eq!(budget.bytes, json_len(&doc));
        assert!(budget.check(&doc).is_ok());
    }

    #[test]
    fn growth_past_the_limit_is_refused_before_it_is_written() {
        let mut doc = Map::new();
        doc.insert(
            "x".into(),
            Value::from("y".repeat(MAX_RESOURCE_BYTES - 100)),
        );
        let mut budget = Budget::new(&doc);
        let big = Value::from("z".repeat(200));
        let err = budget.insert_copy(&mut doc, "w".into(), &big).unwrap_err();
        assert_eq!(err.scim_type, Some(ScimType::InvalidValue));
        assert!(err.detail.contains(&MAX_RESOURCE_BYTES.to_string()));
        assert!(!doc.contains_key("w"), "nothing written");
        // Replacing frees what it replaces.
        budget.insert_copy(&mut doc, "x".into(), &big).unwrap();
        budget.insert_copy(&mut doc, "w".into(), &big).unwrap();
        assert!(budget.check(&doc).is_ok());
    }

    #[test]
    fn operations_are_counted_with_spread_values_one_per_attribute() {
        let mut budget = Budget::new(&Map::new());
        budget.operation().unwrap();
        budget.spread(MAX_OPERATIONS).unwrap();
        budget.spread(0).unwrap();
        budget.spread(1).unwrap();
        let err = budget.operation().unwrap_err();
        assert_eq!((err.status, err.scim_type), (400, Some(ScimType::TooMany)));
    }
}
