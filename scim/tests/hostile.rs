//! Hostile input for the parsers of untrusted text: filters, PATCH paths and PATCH bodies.
//!
//! Every file under `tests/corpus/{filter,path,patch}` is one input, used verbatim; its name
//! says what to expect (`accept-…` parses, `reject-…` is refused, see `corpus/README.md`).
//! Whatever the input, nothing panics, a refusal is a 400 carrying the scimType of the stage
//! that refused, and what parses prints (`Display`) to text that parses back to the same value.
//! Accepted filters are also evaluated, accepted paths and PATCH bodies applied to a user and a
//! group, the way the service does it. Path inputs also go through the `attributes` list parser.
//!
//! Inputs too big to commit are generated here, and proptest feeds random bytes and token soups
//! of a few KB. No assertion is about time: the work bounds are checked structurally (the size
//! limit is checked before lexing, nesting stops at `MAX_DEPTH`, an AST has at most one node per
//! two bytes of input, an operation list is counted before any operation is read, and lists as
//! long as a body allows go through every list operation). What one PATCH may cost when applied
//! (attributes counted as operations, objects merged, copies within the resource size limit) is
//! in `hostile/budget.rs`.

use proptest::prelude::*;
use roster_scim::attr::parse_attr_list;
use roster_scim::filter::{
    Filter, MAX_DEPTH, MAX_FILTER_LEN, PatchPath, matches, parse_date_time, parse_filter,
    parse_path,
};
use roster_scim::limits::check_values;
use roster_scim::patch::{
    MAX_OPERATIONS, MemberChange, OpKind, PatchOp, apply_ops, parse_patch, split_member_ops,
};
use roster_scim::schema::ResourceSchema;
use roster_scim::schemas::ENTERPRISE_USER as ENTERPRISE;
use roster_scim::{ScimError, ScimType, parse_group, parse_user, schemas};
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use strategies::{char_soup, patch_op, token_soup};

#[path = "hostile/strategies.rs"]
mod strategies;

#[path = "hostile/budget.rs"]
mod budget;

// ---- outcomes ----

/// The only scimType a filter refusal may carry.
const FILTER_ERRORS: &[ScimType] = &[ScimType::InvalidFilter];
/// The only scimType a path refusal may carry.
const PATH_ERRORS: &[ScimType] = &[ScimType::InvalidPath];
/// What reading a PATCH body may answer: a bad number, a bad document, a bad path, a remove
/// without a target, too many operations.
const PATCH_ERRORS: &[ScimType] = &[
    ScimType::InvalidValue,
    ScimType::InvalidSyntax,
    ScimType::InvalidPath,
    ScimType::NoTarget,
    ScimType::TooMany,
];
/// What applying parsed operations (and validating the result) may answer: `tooMany` when
/// values spread over attributes count past `MAX_OPERATIONS`, `invalidValue` for a resource
/// outgrowing `MAX_RESOURCE_BYTES` among others.
const APPLY_ERRORS: &[ScimType] = &[
    ScimType::TooMany,
    ScimType::InvalidValue,
    ScimType::InvalidSyntax,
    ScimType::InvalidPath,
    ScimType::InvalidFilter,
    ScimType::NoTarget,
    ScimType::Mutability,
];

/// Fails unless `err` is a 400 with a detail and one of the `allowed` scimTypes.
fn assert_refusal(err: &ScimError, allowed: &[ScimType], what: &str) {
    assert_eq!(err.status, 400, "{what}: {err:?}");
    assert!(
        err.scim_type.is_some_and(|t| allowed.contains(&t)),
        "{what}: scimType {:?} is not one of {allowed:?} ({})",
        err.scim_type,
        err.detail
    );
    assert!(!err.detail.is_empty(), "{what}: empty detail");
}

/// Passes an accepted value through, or checks a refusal and gives `None`.
fn outcome<T>(result: Result<T, ScimError>, allowed: &[ScimType], what: &str) -> Option<T> {
    result.map_err(|e| assert_refusal(&e, allowed, what)).ok()
}

// ---- resources the accepted input is evaluated against or applied to ----

fn user() -> Value {
    json!({
        "schemas": [schemas::USER, ENTERPRISE],
        "userName": "bjensen",
        "active": true,
        "displayName": "Babs \u{1F600}",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@home.example", "type": "home"}
        ],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
        "meta": {
            "created": "2011-08-01T18:29:49.793Z",
            "lastModified": "2011-08-01T18:29:49.793Z"
        },
        ENTERPRISE: {"employeeNumber": "701984", "manager": {"value": "26118915"}}
    })
}

fn group() -> Value {
    json!({"schemas": [schemas::GROUP], "displayName": "Admins", "externalId": "adm"})
}

// ---- the checks, shared by the corpus, the generated inputs and the property tests ----

/// Node count and height of a filter's AST, and the most `not`s on one branch.
struct Shape {
    nodes: usize,
    height: usize,
    nots: usize,
}

/// Walks the AST without recursion (an `and`/`or` chain is as tall as it is long).
fn shape(filter: &Filter) -> Shape {
    let mut out = Shape {
        nodes: 0,
        height: 0,
        nots: 0,
    };
    let mut stack = vec![(filter, 1, 0)];
    while let Some((f, height, nots)) = stack.pop() {
        out.nodes += 1;
        out.height = out.height.max(height);
        out.nots = out.nots.max(nots);
        match f {
            Filter::And(a, b) | Filter::Or(a, b) => {
                stack.push((a, height + 1, nots));
                stack.push((b, height + 1, nots));
            }
            Filter::Not(inner) => stack.push((inner, height + 1, nots + 1)),
            Filter::ValuePath(_, inner) => stack.push((inner, height + 1, nots)),
            Filter::Present(_) | Filter::Compare(..) => {}
        }
    }
    out
}

/// Parses `input` as a filter and checks the outcome; the filter when accepted.
fn check_filter(input: &str, what: &str) -> Option<Filter> {
    let filter = outcome(parse_filter(input), FILTER_ERRORS, what)?;
    let s = shape(&filter);
    assert!(
        2 * s.nodes <= input.len(),
        "{what}: {} nodes from {} bytes",
        s.nodes,
        input.len()
    );
    assert!(s.nots <= MAX_DEPTH, "{what}: {} nested `not`s", s.nots);
    let text = filter.to_string();
    // The canonical form may be longer than the input (`1e1` prints as `10.0`); past the size
    // limit it cannot be parsed again.
    if text.len() <= MAX_FILTER_LEN {
        assert_eq!(
            parse_filter(&text).as_ref(),
            Ok(&filter),
            "{what}: canonical form {text:?} does not parse back"
        );
    }
    for resource in [user(), group(), Value::Null, json!([user()])] {
        matches(&filter, &resource, ResourceSchema::user());
        matches(&filter, &resource, ResourceSchema::group());
    }
    Some(filter)
}

/// Parses `input` as a PATCH path and checks the outcome; the path when accepted (then also
/// removed from, replaced in and added to a user and a group).
fn check_path(input: &str, what: &str) -> Option<PatchPath> {
    let path = outcome(parse_path(input), PATH_ERRORS, what)?;
    if let Some(filter) = &path.filter {
        assert!(shape(filter).nots <= MAX_DEPTH, "{what}: too deep");
    }
    let text = path.to_string();
    if text.len() <= MAX_FILTER_LEN {
        assert_eq!(
            parse_path(&text).as_ref(),
            Ok(&path),
            "{what}: canonical form {text:?} does not parse back"
        );
    }
    let ops: Vec<PatchOp> = [
        (OpKind::Remove, None),
        (OpKind::Replace, Some(json!("x"))),
        (
            OpKind::Add,
            Some(json!([{"value": "x", "primary": "True"}])),
        ),
    ]
    .into_iter()
    .map(|(op, value)| PatchOp {
        op,
        path: Some(path.clone()),
        value,
    })
    .collect();
    for op in ops {
        apply_as_service(vec![op], what);
    }
    Some(path)
}

/// Parses `input` as an `attributes` list and checks the outcome; whether it was accepted.
fn check_attr_list(input: &str, what: &str) -> bool {
    let Some(list) = outcome(parse_attr_list(input), PATH_ERRORS, what) else {
        return false;
    };
    let text = list.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        parse_attr_list(&text.join(",")).as_ref(),
        Ok(&list),
        "{what}"
    );
    true
}

/// Which resources a PATCH body patched (the request would be answered 200).
#[derive(Debug, Default)]
struct Patched {
    user: bool,
    group: bool,
}

/// Reads a PATCH body as the service does (numbers bounded, then parsed), then applies it to a
/// user and to a group, checking every refusal.
fn check_patch(body: &Value, what: &str) -> Patched {
    let Some(()) = outcome(check_values(body), PATCH_ERRORS, what) else {
        return Patched::default();
    };
    let Some(ops) = outcome(parse_patch(body), PATCH_ERRORS, what) else {
        return Patched::default();
    };
    assert!(!ops.is_empty() && ops.len() <= MAX_OPERATIONS, "{what}");
    for path in ops.iter().filter_map(|op| op.path.as_ref()) {
        let text = path.to_string();
        if text.len() <= MAX_FILTER_LEN {
            assert_eq!(parse_path(&text).as_ref(), Ok(path), "{what}: {text:?}");
        }
    }
    apply_as_service(ops, what)
}

/// Applies `ops` to a user and to a group the way the service does (group members become row
/// changes; the result must still be a valid resource), checking any refusal.
fn apply_as_service(ops: Vec<PatchOp>, what: &str) -> Patched {
    let user_result = apply_ops(&user(), &ops, ResourceSchema::user()).and_then(|u| parse_user(&u));
    let group_result = split_member_ops(ops).and_then(|(_, rest)| {
        let patched = apply_ops(&group(), &rest, ResourceSchema::group())?;
        parse_group(&patched)
    });
    Patched {
        user: outcome(user_result, APPLY_ERRORS, &format!("{what} (user)")).is_some(),
        group: outcome(group_result, APPLY_ERRORS, &format!("{what} (group)")).is_some(),
    }
}

// ---- the corpus ----

/// One corpus file.
struct Case {
    name: String,
    input: String,
    accept: bool,
}

/// The files of `corpus/{kind}`, sorted; every one must end in `.{ext}` and be named
/// `accept-…` or `reject-…`.
fn corpus(kind: &str, ext: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(kind);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut cases: Vec<Case> = entries
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.ends_with(&format!(".{ext}")),
                "{kind}/{name}: not .{ext}"
            );
            let accept = match name.split_once('-') {
                Some(("accept", _)) => true,
                Some(("reject", _)) => false,
                _ => panic!("{kind}/{name}: the name must start with accept- or reject-"),
            };
            let input = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{kind}/{name}: {e} (corpus files are UTF-8)"));
            Case {
                name: format!("{kind}/{name}"),
                input,
                accept,
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() >= 30, "{kind}: only {} files", cases.len());
    assert!(cases.iter().any(|c| c.accept) && cases.iter().any(|c| !c.accept));
    cases
}

/// Runs `check` on every file of `corpus/{kind}`, then fails listing every file that panicked
/// or whose outcome is not the one its name promises.
fn run_corpus(kind: &str, ext: &str, check: impl Fn(&Case) -> bool) {
    let failures: Vec<String> = corpus(kind, ext)
        .iter()
        .filter_map(
            |case| match catch_unwind(AssertUnwindSafe(|| check(case))) {
                Ok(accepted) if accepted == case.accept => None,
                Ok(accepted) => Some(format!("{}: accepted = {accepted}", case.name)),
                Err(_) => Some(format!("{}: panicked (see above)", case.name)),
            },
        )
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn filter_corpus() {
    run_corpus("filter", "txt", |case| {
        check_filter(&case.input, &case.name).is_some()
    });
}

#[test]
fn path_corpus() {
    run_corpus("path", "txt", |case| {
        check_attr_list(&case.input, &case.name);
        check_path(&case.input, &case.name).is_some()
    });
}

#[test]
fn patch_corpus() {
    run_corpus("patch", "json", |case| {
        // The JSON grammar is serde_json's business (the service answers invalidSyntax);
        // the corpus holds documents, hostile in what they say.
        let body: Value = serde_json::from_str(&case.input)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", case.name));
        let patched = check_patch(&body, &case.name);
        // `accept-group-…` / `reject-group-…` are about the group, the others about the user.
        match case.name.split_once('-') {
            Some((_, rest)) if rest.starts_with("group-") => patched.group,
            _ => patched.user,
        }
    });
}

/// Filter corpus entries, also as the filter of a value path (`emails[…]`) and as the path of a
/// PATCH operation: the same text meets the other parsers' error handling.
#[test]
fn filter_corpus_inside_paths_and_patches() {
    run_corpus("filter", "txt", |case| {
        let path = format!("emails[{}]", case.input);
        check_path(&path, &case.name);
        let body = json!({"Operations": [{"op": "remove", "path": case.input}]});
        check_patch(&body, &case.name);
        parse_filter(&case.input).is_ok()
    });
}

// ---- generated inputs: size ----

/// A filter of exactly `len` bytes that parses: one string comparison, padded.
fn filter_of_len(len: usize) -> String {
    let head = "userName eq \"";
    format!("{head}{}\"", "x".repeat(len - head.len() - 1))
}

/// Refusals of over-long input do not depend on what the input holds: the length is checked
/// before the lexer reads a byte.
#[test]
fn over_long_input_is_refused_before_lexing() {
    let at_limit = filter_of_len(MAX_FILTER_LEN);
    assert_eq!(at_limit.len(), MAX_FILTER_LEN);
    check_filter(&at_limit, "filter at the limit").expect("accepted");
    check_path(
        &format!("emails[{}]", filter_of_len(MAX_FILTER_LEN - 8)),
        "path at the limit",
    )
    .expect("accepted");

    let over = MAX_FILTER_LEN + 1;
    let emoji_string = format!("x eq \"{}\"", "\u{1F600}".repeat(MAX_FILTER_LEN / 4));
    assert!(emoji_string.chars().count() < MAX_FILTER_LEN && emoji_string.len() > MAX_FILTER_LEN);
    let inputs = [
        filter_of_len(over),
        format!("{at_limit} "),
        format!("\"{}", "x".repeat(MAX_FILTER_LEN)),
        format!("\"\\ud800\"{}", " ".repeat(MAX_FILTER_LEN)),
        "\0".repeat(over),
        "(".repeat(over),
        "[".repeat(10_000),
        "a pr or ".repeat(10_000),
        "not (".repeat(10_000),
        emoji_string,
        "x".repeat(1 << 20),
    ];
    for (parse, what) in [
        (parse_filter_err as fn(&str) -> ScimError, "filter"),
        (parse_path_err, "path"),
    ] {
        let first = parse(&inputs[0]);
        for input in &inputs {
            assert_eq!(parse(input), first, "{what} of {} bytes", input.len());
        }
    }
}

fn parse_filter_err(input: &str) -> ScimError {
    let err = parse_filter(input).expect_err("refused");
    assert_refusal(&err, FILTER_ERRORS, "filter");
    err
}

fn parse_path_err(input: &str) -> ScimError {
    let err = parse_path(input).expect_err("refused");
    assert_refusal(&err, PATH_ERRORS, "path");
    err
}

/// The longest `and` / `or` chains that fit: accepted, as tall as they are long, and still
/// printed, compared, evaluated, applied and dropped without exhausting the stack.
#[test]
fn longest_chains_are_accepted_and_linear() {
    // (a unit, how many comparisons it holds, what joins units)
    for (unit, leaves, joiner) in [
        ("a pr", 1, " or "),
        ("a pr", 1, " and "),
        ("a eq\"x\"", 1, "or "),
        ("a pr and b pr", 2, " or "),
    ] {
        let count = (MAX_FILTER_LEN - unit.len()) / (unit.len() + joiner.len()) + 1;
        let input = vec![unit; count].join(joiner);
        assert!(input.len() <= MAX_FILTER_LEN);
        let filter = check_filter(&input, &format!("{count} × {unit:?}")).expect("accepted");
        let s = shape(&filter);
        assert_eq!(s.nodes, 2 * leaves * count - 1, "{unit:?}");
        assert!(s.height >= count, "{unit:?}: a chain, not a balanced tree");
    }

    // A value path holding the longest chain, as a PATCH path: the engine walks it per element.
    let ids = |n: usize| {
        (0..n)
            .map(|i| format!("value eq \"{i}\""))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let n = (MAX_FILTER_LEN - "members[]".len()) / "value eq \"0000\" or ".len();
    for attr in ["members", "emails"] {
        let path = format!("{attr}[{}]", ids(n));
        assert!(path.len() <= MAX_FILTER_LEN, "{}", path.len());
        check_path(&path, &format!("{attr} with {n} alternatives")).expect("accepted");
        let body = json!({"Operations": [{"op": "remove", "path": path}]});
        assert!(check_patch(&body, "remove by a long or").user);
    }
    let and_chain = vec!["type eq \"work\""; 400].join(" and ");
    let path = format!("emails[{and_chain}].value");
    check_path(&path, "emails seeded from a long and").expect("accepted");
}

/// Literals, names, URNs and numbers that fill the size limit are accepted or refused like
/// short ones.
#[test]
fn long_strings_words_and_escapes() {
    let room = MAX_FILTER_LEN - 16;
    let inputs = [
        format!("x eq \"{}\"", "\\u0000".repeat(room / 6)),
        format!("x eq \"{}\"", "\\ud83d\\ude00".repeat(room / 12)),
        format!("x eq \"{}\"", "\\\"".repeat(room / 2)),
        format!("x eq \"{}\"", "\u{0301}".repeat(room / 2)),
        format!("x eq \"{}\"", "\u{202e}\u{200b}".repeat(room / 6)),
        format!("{} pr", "a".repeat(room)),
        format!("urn:{}x pr", "a:".repeat(room / 2)),
        format!("x eq {}", "9".repeat(room)),
        format!("x eq 0.{}1", "0".repeat(room)),
        format!("x eq 1e{}", "9".repeat(room)),
        format!("x eq -{}", "1".repeat(room)),
    ];
    for (i, input) in inputs.iter().enumerate() {
        check_filter(input, &format!("long input {i}"));
        check_path(input, &format!("long path {i}"));
    }
    // 8000 digits overflow an f64 and are refused; 8000 zeros after the point underflow to 0.
    assert!(parse_filter(&inputs[7]).is_err());
    assert!(parse_filter(&inputs[8]).is_ok());
}

// ---- generated inputs: depth ----

/// Nesting up to `MAX_DEPTH` parses; one more level is refused, and the refusal does not depend
/// on what follows the level that crossed the limit: the parser stops there.
#[test]
fn nesting_beyond_max_depth_is_refused() {
    for open in ["(", "not (", "NOT("] {
        let nested = |n: usize, inner: &str, close: &str| {
            format!("{}{inner}{}", open.repeat(n), close.repeat(n))
        };
        check_filter(&nested(MAX_DEPTH, "a pr", ")"), open).expect("at the limit");
        let deepest = (MAX_FILTER_LEN - 32) / open.len();
        for n in [MAX_DEPTH + 1, 2 * MAX_DEPTH, 1000, deepest] {
            let garbage = format!("{}]] 1 \"x\" ) ( [", open.repeat(n));
            let err = parse_filter_err(&garbage);
            let well_formed = nested(n, "a pr", ")");
            if well_formed.len() <= MAX_FILTER_LEN {
                assert_eq!(parse_filter_err(&well_formed), err, "{open:?} × {n}");
            }
            parse_path_err(&format!("emails[{garbage}"));
        }
    }
    // A value path is one level: inside its brackets, one fewer.
    let inside = |n: usize| format!("emails[{}value pr{}]", "(".repeat(n), ")".repeat(n));
    check_path(&inside(MAX_DEPTH - 1), "path at the limit").expect("accepted");
    check_filter(&inside(MAX_DEPTH - 1), "filter at the limit").expect("accepted");
    parse_path_err(&inside(MAX_DEPTH));
    parse_filter_err(&inside(MAX_DEPTH));
}

/// Brackets by the thousand: unbalanced, empty, nested value paths, value paths in a row.
#[test]
fn many_brackets_are_refused() {
    for input in [
        "[".repeat(MAX_FILTER_LEN),
        "]".repeat(MAX_FILTER_LEN),
        "[]".repeat(MAX_FILTER_LEN / 2),
        "emails[".repeat(MAX_FILTER_LEN / 7),
        format!("{}a pr{}", "a[".repeat(2000), "]".repeat(2000)),
        format!("emails[type eq \"w\"]{}", "[value pr]".repeat(800)),
        format!("emails{}", "[value pr].".repeat(700)),
    ] {
        parse_filter_err(&input);
        parse_path_err(&input);
    }
}

// ---- generated inputs: PATCH ----

/// The operation count is checked before any operation is read: past the limit, even
/// operations that are each invalid answer tooMany.
#[test]
fn operation_count_is_bounded_before_operations_are_read() {
    let replace = json!({"op": "replace", "path": "title", "value": "x"});
    let at_limit = json!({"Operations": vec![replace.clone(); MAX_OPERATIONS]});
    assert!(check_patch(&at_limit, "operations at the limit").user);
    for (count, op) in [
        (MAX_OPERATIONS + 1, replace),
        (MAX_OPERATIONS + 1, json!({"op": 1})),
        (100_000, json!(null)),
        (
            MAX_OPERATIONS + 1,
            json!({"op": "remove", "path": "(".repeat(MAX_FILTER_LEN + 1)}),
        ),
    ] {
        let body = json!({"Operations": vec![op; count]});
        let err = parse_patch(&body).expect_err("refused");
        assert_refusal(&err, &[ScimType::TooMany], "too many operations");
    }
}

/// Values nested as deep as a JSON body can be (serde_json stops at 128 levels, which bounds the
/// recursion of every walk over a body) go through the whole PATCH pipeline.
#[test]
fn deeply_nested_values() {
    let nested =
        |depth: usize, leaf: &str| format!("{}{leaf}{}", "[".repeat(depth), "]".repeat(depth));
    for (path, leaf) in [
        ("\"nickName\"", "\"x\""),
        ("\"emails\"", "{\"value\": \"a@b.c\", \"primary\": true}"),
        ("\"members\"", "{\"value\": \"u1\"}"),
        ("null", "{}"),
    ] {
        for op in ["add", "replace", "remove"] {
            let text = format!(
                "{{\"Operations\": [{{\"op\": \"{op}\", \"path\": {path}, \"value\": {}}}]}}",
                nested(120, leaf)
            );
            let body: Value = serde_json::from_str(&text).expect("within the JSON depth limit");
            check_patch(&body, &format!("{op} {path}"));
        }
    }
    let too_deep = format!("{{\"Operations\": {}}}", nested(200, "1"));
    assert!(serde_json::from_str::<Value>(&too_deep).is_err());
}

/// Many operations, each with a filtered path, applied together.
#[test]
fn many_filtered_operations() {
    let ops: Vec<Value> = (0..MAX_OPERATIONS)
        .map(|i| match i % 4 {
            0 => json!({"op": "add", "path": format!("emails[type eq \"t{i}\"].value"), "value": format!("{i}@x")}),
            1 => json!({"op": "replace", "path": format!("emails[value ew \"{}@x\"].primary", i - 1), "value": "True"}),
            2 => json!({"op": "remove", "path": format!("members[value eq \"{i}\" or value eq \"x\"]")}),
            _ => json!({"op": "add", "path": "members", "value": [{"value": format!("{i}")}]}),
        })
        .collect();
    let patched = check_patch(&json!({"Operations": ops}), "many filtered operations");
    assert!(patched.user && patched.group, "{patched:?}");
}

/// Lists as long as a 1 MiB body allows, through every list operation: add (with duplicates),
/// remove by a list, remove by a filter, group members (with duplicates). These once compared
/// every value with every other (minutes of work at this size); nothing here measures time, but
/// a return to quadratic work shows as a test that does not finish.
#[test]
fn lists_as_long_as_a_body_allows() {
    let n = 25_000;
    let emails: Vec<Value> = (0..n)
        .map(|i| json!({"value": format!("{i}@x.test")}))
        .collect();
    let twice: Vec<Value> = emails.iter().chain(&emails).cloned().collect();
    let apply = |resource: &Value, op: Value| {
        let ops = parse_patch(&json!({"Operations": [op]})).expect("read");
        let out = apply_ops(resource, &ops, ResourceSchema::user()).expect("applied");
        out["emails"].as_array().map_or(0, Vec::len)
    };
    let stored = json!({"userName": "u", "emails": emails});
    let added = json!({"op": "add", "path": "emails", "value": twice});
    assert_eq!(apply(&json!({"userName": "u"}), added), n);
    let listed = json!({"op": "remove", "path": "emails", "value": &emails[..n / 2]});
    assert_eq!(apply(&stored, listed), n - n / 2);
    let filtered = json!({"op": "remove", "path": "emails[value ew \"5@x.test\"]"});
    assert_eq!(apply(&stored, filtered), n - n / 10);

    let members: Vec<Value> = (0..2 * n)
        .map(|i| json!({"value": format!("{}", i % n)}))
        .collect();
    let ops =
        parse_patch(&json!({"Operations": [{"op": "add", "path": "members", "value": members}]}));
    let (changes, _) = split_member_ops(ops.expect("read")).expect("split");
    assert!(matches!(&changes[..], [MemberChange::Add(list)] if list.len() == n));
}

// ---- dates ----

#[test]
fn garbage_dates_are_not_instants() {
    for bad in [
        "",
        "-",
        "9999",
        "0000-00-00",
        "2011-13-45T99:99:99Z",
        "-001-01-01",
        "+2011-05-13",
        "2011-05-13T04:42:34.",
        "2011-05-13T04:42:34.\u{0661}",
        "2011-05-13T04:42:34+99:99",
        "2011-05-13T04:42:34+",
        "2011-05-13T04:42:34-00:6\u{1F600}",
        "2011-05-13T\u{1F600}",
        "2011-05-13\u{0}04:42:34Z",
        "\u{FF12}\u{FF10}\u{FF11}\u{FF11}-05-13",
    ] {
        assert_eq!(parse_date_time(bad), None, "{bad:?}");
    }
    let fraction = format!("2011-05-13T04:42:34.{}Z", "9".repeat(100_000));
    assert_eq!(parse_date_time(&fraction).map(|t| t.1), Some(999_999_999));
    assert!(parse_date_time("9999-12-31T24:00:00Z").is_some());
    assert!(parse_date_time("0000-01-01T00:00:00+23:59").is_some());
}

// ---- property tests ----

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let text = String::from_utf8_lossy(&bytes);
        check_filter(&text, "random bytes");
        check_path(&text, "random bytes");
        check_attr_list(&text, "random bytes");
        parse_date_time(&text);
    }

    #[test]
    fn char_soup_never_panics(text in char_soup()) {
        check_filter(&text, "char soup");
        check_path(&text, "char soup");
        check_attr_list(&text, "char soup");
    }

    #[test]
    fn token_soup_never_panics(text in token_soup(1500)) {
        check_filter(&text, "token soup");
        check_path(&text, "token soup");
        check_attr_list(&text.replace(' ', ","), "token soup");
        check_filter(&format!("meta.lastModified gt {text}"), "date soup");
    }

    #[test]
    fn patch_soup_never_panics(
        ops in prop::collection::vec(patch_op(), 0..8),
        schemas in prop::sample::select(vec![json!(null), json!([schemas::PATCH_OP]), json!("x")]),
    ) {
        let mut body = json!({"Operations": ops});
        if !schemas.is_null() {
            body["schemas"] = schemas;
        }
        check_patch(&body, "patch soup");
    }
}
