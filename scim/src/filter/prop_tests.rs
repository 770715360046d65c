//! Property tests: the parsers never panic, `Display` round-trips through the parsers, and the
//! evaluator obeys boolean algebra.

use super::eval_tests::TestInfo;
use super::*;
use crate::attr::AttrPath;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const URNS: [&str; 3] = [
    ENTERPRISE,
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:example:ext:1.0:Thing",
];

/// Attribute names, `$ref` and the keywords included.
fn name() -> BoxedStrategy<String> {
    prop_oneof![
        8 => "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        1 => prop::sample::select(vec!["$ref", "not", "and", "or", "pr", "eq", "true", "null"])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// `[urn:] name [.sub]`.
fn attr_path(sub: bool) -> BoxedStrategy<AttrPath> {
    let sub = if sub {
        proptest::option::of(name()).boxed()
    } else {
        Just(None).boxed()
    };
    (
        proptest::option::of(prop::sample::select(URNS.to_vec())),
        name(),
        sub,
    )
        .prop_map(|(urn, name, sub)| AttrPath {
            urn: urn.map(str::to_string),
            name,
            sub,
        })
        .boxed()
}

/// A sub-attribute name, as inside a value path.
fn relative_path() -> BoxedStrategy<AttrPath> {
    name().prop_map(|n| AttrPath::new(&n)).boxed()
}

/// Numbers whose decimal text serde_json parses exactly (so printing round-trips).
fn number() -> BoxedStrategy<Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,4})?([eE]-?[1-9])?"
            .prop_map(|t| serde_json::from_str::<Number>(&t).expect("valid number")),
    ]
    .boxed()
}

fn any_value() -> BoxedStrategy<CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        number().prop_map(CompValue::Number),
        any::<String>().prop_map(CompValue::String),
    ]
    .boxed()
}

/// `Present` or a comparison the parser accepts (no ordering of booleans or null).
fn leaf(path: BoxedStrategy<AttrPath>, value: BoxedStrategy<CompValue>) -> BoxedStrategy<Filter> {
    let op = prop::sample::select(CompareOp::ALL.to_vec());
    prop_oneof![
        path.clone().prop_map(Filter::Present),
        (path, op, value).prop_map(|(p, op, v)| {
            let op = match v {
                CompValue::Null | CompValue::Bool(_) if op.is_ordering() => CompareOp::Ne,
                _ => op,
            };
            Filter::Compare(p, op, v)
        }),
    ]
    .boxed()
}

/// `and` / `or` / `not` trees over `leaf`.
fn tree(leaf: BoxedStrategy<Filter>) -> BoxedStrategy<Filter> {
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::and(a, b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::or(a, b)),
            inner.prop_map(Filter::negate),
        ]
    })
    .boxed()
}

/// Filters with value paths whose inner filters use sub-attribute names.
fn filter(
    path: BoxedStrategy<AttrPath>,
    parent: BoxedStrategy<AttrPath>,
    rel: BoxedStrategy<AttrPath>,
    value: BoxedStrategy<CompValue>,
) -> BoxedStrategy<Filter> {
    let value_path = (parent, tree(leaf(rel, value.clone())))
        .prop_map(|(p, inner)| Filter::ValuePath(p, Box::new(inner)));
    tree(prop_oneof![3 => leaf(path, value), 1 => value_path].boxed())
}

fn any_filter() -> BoxedStrategy<Filter> {
    filter(
        attr_path(true),
        attr_path(false),
        relative_path(),
        any_value(),
    )
}

/// Token soup close to the grammar, to reach deep parser states.
fn token_soup() -> BoxedStrategy<String> {
    let token = prop::sample::select(vec![
        "(",
        ")",
        "[",
        "]",
        "not",
        "NOT",
        "and",
        "or",
        "pr",
        "eq",
        "gt",
        "co",
        "\"x\"",
        "\"",
        "\\",
        "1",
        "-2.5e3",
        "true",
        "null",
        "a",
        "a.b",
        ".b",
        "urn:x:y:a",
        "emails",
        "$ref",
        "é",
        "",
    ]);
    let sep = prop::sample::select(vec!["", " ", "  ", "\t"]);
    prop::collection::vec((token, sep), 0..40)
        .prop_map(|parts| parts.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
        .boxed()
}

// ---- evaluation over a small vocabulary, so that filters actually hit values ----

fn small_name() -> BoxedStrategy<String> {
    prop::sample::select(vec!["a", "B", "n", "d", "b", "cs", "emails", "missing"])
        .prop_map(str::to_string)
        .boxed()
}

fn small_path() -> BoxedStrategy<AttrPath> {
    let sub = proptest::option::of(prop::sample::select(vec!["value", "type"]));
    (
        proptest::option::weighted(0.2, Just(ENTERPRISE)),
        small_name(),
        sub,
    )
        .prop_map(|(urn, name, sub)| AttrPath {
            urn: urn.map(str::to_string),
            name,
            sub: sub.map(str::to_string),
        })
        .boxed()
}

fn small_parent() -> BoxedStrategy<AttrPath> {
    small_name().prop_map(|n| AttrPath::new(&n)).boxed()
}

fn small_rel() -> BoxedStrategy<AttrPath> {
    prop::sample::select(vec!["value", "type", "primary"])
        .prop_map(AttrPath::new)
        .boxed()
}

const STRINGS: [&str; 7] = [
    "x",
    "X",
    "xy",
    "",
    "True",
    "2011-05-13T04:42:34Z",
    "2011-05-13T06:42:34+02:00",
];

fn small_value() -> BoxedStrategy<CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        (-2i64..3).prop_map(|n| CompValue::Number(n.into())),
        prop::sample::select(STRINGS.to_vec()).prop_map(|s| CompValue::String(s.into())),
    ]
    .boxed()
}

fn small_json() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..3).prop_map(Value::from),
        Just(Value::from(2.5)),
        prop::sample::select(STRINGS.to_vec()).prop_map(Value::from),
    ]
    .boxed()
}

/// An attribute value: simple, multi-valued simple, complex or multi-valued complex.
fn attr_json() -> BoxedStrategy<Value> {
    let element = prop::collection::btree_map(
        prop::sample::select(vec!["value", "type", "primary", "Value"]),
        small_json(),
        0..3,
    )
    .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    prop_oneof![
        3 => small_json(),
        1 => prop::collection::vec(small_json(), 0..3).prop_map(Value::Array),
        1 => element.clone(),
        2 => prop::collection::vec(element, 0..3).prop_map(Value::Array),
    ]
    .boxed()
}

fn object(keys: Vec<&'static str>) -> BoxedStrategy<Map<String, Value>> {
    prop::collection::btree_map(prop::sample::select(keys), attr_json(), 0..6)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
        .boxed()
}

fn resource() -> BoxedStrategy<Value> {
    let keys = vec!["a", "b", "n", "d", "cs", "emails", "EMAILS"];
    (object(keys.clone()), object(keys))
        .prop_map(|(mut core, ext)| {
            core.insert(ENTERPRISE.into(), Value::Object(ext));
            Value::Object(core)
        })
        .boxed()
}

fn small_filter() -> BoxedStrategy<Filter> {
    filter(small_path(), small_parent(), small_rel(), small_value())
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_text(input in any::<String>()) {
        let _ = parse_filter(&input);
        let _ = parse_path(&input);
    }

    #[test]
    fn parsers_never_panic_on_token_soup(input in token_soup()) {
        let _ = parse_filter(&input);
        let _ = parse_path(&input);
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowed(n in 0usize..6000, not in any::<bool>()) {
        let open = if not { "not (" } else { "(" };
        let input = format!("{}a pr{}", open.repeat(n), ")".repeat(n));
        let result = parse_filter(&input);
        prop_assert_eq!(result.is_ok(), n <= MAX_DEPTH);
        let _ = parse_filter(&open.repeat(n));
        let _ = parse_path(&format!("e[{}", "(".repeat(n)));
    }

    #[test]
    fn display_round_trips_through_parse_filter(f in any_filter()) {
        let text = f.to_string();
        prop_assert_eq!(parse_filter(&text), Ok(f), "{}", text);
    }

    #[test]
    fn display_round_trips_through_parse_path(
        attr in attr_path(true),
        parent in attr_path(false),
        inner in tree(leaf(relative_path(), any_value())),
        sub in proptest::option::of(name()),
        with_filter in any::<bool>(),
    ) {
        let path = if with_filter {
            PatchPath { attr: parent, filter: Some(inner), sub_attr: sub }
        } else {
            PatchPath { attr, filter: None, sub_attr: None }
        };
        prop_assert_eq!(parse_path(&path.to_string()), Ok(path));
    }

    #[test]
    fn not_negates(f in small_filter(), r in resource()) {
        let negated = Filter::negate(f.clone());
        prop_assert_eq!(matches(&negated, &r, &TestInfo), !matches(&f, &r, &TestInfo));
    }

    #[test]
    fn boolean_algebra_holds(a in small_filter(), b in small_filter(), r in resource()) {
        let (ma, mb) = (matches(&a, &r, &TestInfo), matches(&b, &r, &TestInfo));
        prop_assert_eq!(matches(&Filter::and(a.clone(), b.clone()), &r, &TestInfo), ma && mb);
        prop_assert_eq!(matches(&Filter::or(a.clone(), b.clone()), &r, &TestInfo), ma || mb);
        let de_morgan = Filter::or(Filter::negate(a.clone()), Filter::negate(b.clone()));
        prop_assert_eq!(
            matches(&Filter::negate(Filter::and(a, b)), &r, &TestInfo),
            matches(&de_morgan, &r, &TestInfo)
        );
    }

    #[test]
    fn ne_is_not_eq(p in small_path(), v in small_value(), r in resource()) {
        let ne = Filter::Compare(p.clone(), CompareOp::Ne, v.clone());
        let eq = Filter::Compare(p, CompareOp::Eq, v);
        prop_assert_eq!(matches(&ne, &r, &TestInfo), !matches(&eq, &r, &TestInfo));
    }

    #[test]
    fn evaluation_survives_printing(f in small_filter(), r in resource()) {
        let reparsed = parse_filter(&f.to_string()).expect("canonical form parses");
        prop_assert_eq!(matches(&reparsed, &r, &TestInfo), matches(&f, &r, &TestInfo));
    }
}
