//! Command output: JSON for scripts (`--json`), aligned `key: value` lines for people.

use serde::Serialize;

pub fn print<T: Serialize>(json: bool, value: &T, note: Option<&str>) -> anyhow::Result<()> {
    let value = serde_json::to_value(value)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    match &value {
        serde_json::Value::Array(items) if items.is_empty() => println!("(none)"),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print_object(item);
            }
        }
        other => print_object(other),
    }
    if let Some(note) = note {
        println!("\n{note}");
    }
    Ok(())
}

fn print_object(value: &serde_json::Value) {
    let serde_json::Value::Object(map) = value else {
        return println!("{value}");
    };
    let width = map.keys().map(String::len).max().unwrap_or(0);
    for (key, v) in map {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "-".into(),
            other => other.to_string(),
        };
        println!("{key:>width$}: {text}");
    }
}

/// A list: a JSON array for scripts, or each item as `print` shows it, a blank line between.
pub fn print_list<T: Serialize>(json: bool, items: &[T]) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(items)?);
        return Ok(());
    }
    if items.is_empty() {
        println!("(none)");
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print(false, item, None)?;
    }
    Ok(())
}
