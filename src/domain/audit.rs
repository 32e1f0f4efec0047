//! What an audited write changed: the fields whose values differ, each with
//! its value before and after. Pure.

use serde_json::{Map, Value};

/// `{field: {"before": …, "after": …}}` over the top-level fields of two
/// JSON objects; a creation has only `after`s, a deletion only `before`s.
/// Timestamps are left out: they change with every write and say nothing.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let fields = |v: Option<&Value>| -> Map<String, Value> {
        match v {
            Some(Value::Object(m)) => m.clone(),
            Some(other) => {
                let mut m = Map::new();
                m.insert("value".into(), other.clone());
                m
            }
            None => empty.clone(),
        }
    };
    let (b, a) = (fields(before), fields(after));
    let mut out = Map::new();
    let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    for key in keys {
        if matches!(key.as_str(), "created_at" | "updated_at") {
            continue;
        }
        let (old, new) = (b.get(key), a.get(key));
        if old == new {
            continue;
        }
        let mut change = Map::new();
        if before.is_some() {
            change.insert("before".into(), old.cloned().unwrap_or(Value::Null));
        }
        if after.is_some() {
            change.insert("after".into(), new.cloned().unwrap_or(Value::Null));
        }
        out.insert(key.clone(), Value::Object(change));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::changes;
    use serde_json::json;

    #[test]
    fn only_changed_fields_with_both_sides() {
        let before =
            json!({"title": "A", "expires_on": "2027-01-01", "updated_at": "x", "reports": []});
        let after = json!({"title": "A", "expires_on": "2028-01-01", "updated_at": "y", "reports": [{"year": 2026}]});
        assert_eq!(
            changes(Some(&before), Some(&after)),
            json!({
                "expires_on": {"before": "2027-01-01", "after": "2028-01-01"},
                "reports": {"before": [], "after": [{"year": 2026}]}
            })
        );
        assert_eq!(
            changes(None, Some(&json!({"name": "X"}))),
            json!({"name": {"after": "X"}})
        );
        assert_eq!(
            changes(Some(&json!({"name": "X"})), None),
            json!({"name": {"before": "X"}})
        );
        assert_eq!(changes(Some(&before), Some(&before)), json!({}));
    }
}
