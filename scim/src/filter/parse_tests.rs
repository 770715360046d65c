//! Parser tests: every operator, precedence, grouping, value paths, literals, the RFC 7644
//! examples, real IdP filters and every error case.

use super::*;
use crate::attr::AttrPath;
use crate::error::ScimType;
use serde_json::Number;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn parse(input: &str) -> Filter {
    parse_filter(input).unwrap_or_else(|e| panic!("{input}: {e}"))
}

fn cmp(name: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare(AttrPath::new(name), op, value)
}

fn s(v: &str) -> CompValue {
    CompValue::String(v.into())
}

fn int(n: i64) -> CompValue {
    CompValue::Number(Number::from(n))
}

fn pr(name: &str) -> Filter {
    Filter::Present(AttrPath::new(name))
}

fn error(input: &str) -> String {
    let err = parse_filter(input).expect_err(input);
    assert_eq!(err.status, 400, "{input}");
    assert_eq!(err.scim_type, Some(ScimType::InvalidFilter), "{input}");
    err.detail
}

#[test]
fn every_operator_in_any_case() {
    for op in CompareOp::ALL {
        let upper = op.as_str().to_uppercase();
        for spelled in [op.as_str().to_string(), upper] {
            let f = parse(&format!("title {spelled} \"x\""));
            assert_eq!(f, cmp("title", op, s("x")));
        }
    }
    assert_eq!(parse("title PR"), pr("title"));
    assert_eq!(parse("title Pr"), pr("title"));
}

#[test]
fn precedence_not_and_or() {
    let a = cmp("a", CompareOp::Eq, int(1));
    let b = cmp("b", CompareOp::Eq, int(2));
    let c = cmp("c", CompareOp::Eq, int(3));
    assert_eq!(
        parse("a eq 1 or b eq 2 and c eq 3"),
        Filter::or(a.clone(), Filter::and(b.clone(), c.clone()))
    );
    assert_eq!(
        parse("a eq 1 and b eq 2 or c eq 3"),
        Filter::or(Filter::and(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        parse("(a eq 1 or b eq 2) and c eq 3"),
        Filter::and(Filter::or(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        parse("a eq 1 AND not (b eq 2) Or c eq 3"),
        Filter::or(Filter::and(a.clone(), Filter::negate(b.clone())), c.clone())
    );
}

#[test]
fn left_associative() {
    let (a, b, c) = (pr("a"), pr("b"), pr("c"));
    assert_eq!(
        parse("a pr and b pr and c pr"),
        Filter::and(Filter::and(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        parse("a pr or b pr or c pr"),
        Filter::or(Filter::or(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        parse("a pr or (b pr or c pr)"),
        Filter::or(a, Filter::or(b, c))
    );
}

#[test]
fn not_and_parentheses() {
    assert_eq!(parse("not (a pr)"), Filter::negate(pr("a")));
    assert_eq!(parse("NOT(a pr)"), Filter::negate(pr("a")));
    assert_eq!(
        parse("not ( not ( a pr ) )"),
        Filter::negate(Filter::negate(pr("a")))
    );
    assert_eq!(parse("((a pr))"), pr("a"));
    assert_eq!(parse("  (  a   pr )  "), pr("a"));
    assert_eq!(parse("\ta\n pr\r\n"), pr("a"));
    // `not`, `and`, `or` are ordinary attribute names where an attribute is expected.
    assert_eq!(parse("not pr"), pr("not"));
    assert_eq!(
        parse("and eq 1 or or pr"),
        Filter::or(cmp("and", CompareOp::Eq, int(1)), pr("or"))
    );
}

#[test]
fn value_paths() {
    let f = parse(r#"emails[type eq "work" and value co "@x"]"#);
    assert_eq!(
        f,
        Filter::ValuePath(
            AttrPath::new("emails"),
            Box::new(Filter::and(
                cmp("type", CompareOp::Eq, s("work")),
                cmp("value", CompareOp::Co, s("@x"))
            ))
        )
    );
    let f = parse(r#"emails[not (type eq "work") or (primary eq true)]"#);
    let Filter::ValuePath(_, inner) = f else {
        panic!("not a value path")
    };
    assert!(matches!(*inner, Filter::Or(..)));
    let f = parse(&format!(r#"{ENTERPRISE}:manager[value eq "m"]"#));
    let Filter::ValuePath(path, _) = f else {
        panic!("not a value path")
    };
    assert_eq!(path.urn.as_deref(), Some(ENTERPRISE));
    assert_eq!(path.name, "manager");
}

#[test]
fn sub_attributes_and_urns() {
    assert_eq!(
        parse(r#"name.familyName co "O'Malley""#),
        Filter::Compare(
            AttrPath::with_sub("name", "familyName"),
            CompareOp::Co,
            s("O'Malley")
        )
    );
    let Filter::Compare(path, _, _) = parse(&format!(r#"{ENTERPRISE}:manager.value eq "x""#))
    else {
        panic!("not a comparison")
    };
    assert_eq!(path.urn.as_deref(), Some(ENTERPRISE));
    assert_eq!(
        (path.name.as_str(), path.sub.as_deref()),
        ("manager", Some("value"))
    );
    let Filter::Present(path) = parse("urn:ietf:params:scim:schemas:core:2.0:User:userName pr")
    else {
        panic!("not pr")
    };
    assert_eq!(
        path.urn.as_deref(),
        Some("urn:ietf:params:scim:schemas:core:2.0:User")
    );
    assert_eq!(
        parse("members.$ref pr"),
        Filter::Present(AttrPath::with_sub("members", "$ref"))
    );
    assert_eq!(parse("x-y_z9 pr"), pr("x-y_z9"));
}

#[test]
fn string_escapes() {
    let cases = [
        (r#""a\"b""#, "a\"b"),
        (r#""a\\b""#, "a\\b"),
        (r#""\/\b\f\n\r\t""#, "/\u{8}\u{c}\n\r\t"),
        (r#""\u00e9\u00C9""#, "éÉ"),
        (r#""\ud83d\ude00""#, "😀"),
        (r#""日本 語""#, "日本 語"),
        (r#""""#, ""),
        (r#"" ( ) [ ] and or ""#, " ( ) [ ] and or "),
    ];
    for (literal, decoded) in cases {
        assert_eq!(
            parse(&format!("a eq {literal}")),
            cmp("a", CompareOp::Eq, s(decoded))
        );
    }
}

#[test]
fn number_and_keyword_literals() {
    let num = |t: &str| CompValue::Number(serde_json::from_str(t).unwrap());
    for text in [
        "0",
        "42",
        "-7",
        "3.25",
        "-0.5",
        "1e3",
        "1E-3",
        "2.5e+10",
        "18446744073709551615",
    ] {
        assert_eq!(
            parse(&format!("n gt {text}")),
            cmp("n", CompareOp::Gt, num(text))
        );
    }
    for (text, value) in [
        ("true", CompValue::Bool(true)),
        ("TRUE", CompValue::Bool(true)),
        ("False", CompValue::Bool(false)),
        ("null", CompValue::Null),
        ("NULL", CompValue::Null),
    ] {
        assert_eq!(
            parse(&format!("x eq {text}")),
            cmp("x", CompareOp::Eq, value)
        );
    }
    assert_eq!(parse("x ne null"), cmp("x", CompareOp::Ne, CompValue::Null));
}

#[test]
fn rfc7644_examples() {
    let examples = [
        r#"userName Eq "john""#,
        r#"Username eq "john""#,
        r#"userName eq "bjensen""#,
        r#"name.familyName co "O'Malley""#,
        r#"userName sw "J""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        "title pr",
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        r#"title pr and userType eq "Employee""#,
        r#"title pr or userType eq "Intern""#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    ];
    for example in examples {
        let f = parse(example);
        assert_eq!(parse(&f.to_string()), f, "{example}");
    }
    assert_eq!(
        parse(r#"title pr and userType eq "Employee""#),
        Filter::and(pr("title"), cmp("userType", CompareOp::Eq, s("Employee")))
    );
}

#[test]
fn identity_provider_filters() {
    assert_eq!(
        parse(r#"userName eq "bjensen""#),
        cmp("userName", CompareOp::Eq, s("bjensen"))
    );
    assert_eq!(
        parse(r#"externalId eq "00u1abcd""#),
        cmp("externalId", CompareOp::Eq, s("00u1abcd"))
    );
    assert_eq!(
        parse(r#"displayName eq "Group""#),
        cmp("displayName", CompareOp::Eq, s("Group"))
    );
    assert_eq!(
        parse(r#"userName eq "d9a7f1e4-3c2b-4e8a-9f10-2b7c6d5e4f3a""#),
        cmp(
            "userName",
            CompareOp::Eq,
            s("d9a7f1e4-3c2b-4e8a-9f10-2b7c6d5e4f3a")
        )
    );
    assert_eq!(
        parse(r#"id eq "G" and members[value eq "U"]"#),
        Filter::and(
            cmp("id", CompareOp::Eq, s("G")),
            Filter::ValuePath(
                AttrPath::new("members"),
                Box::new(cmp("value", CompareOp::Eq, s("U")))
            )
        )
    );
}

#[test]
fn canonical_display() {
    let cases = [
        ("A  EQ  1  OR  b Pr", "A eq 1 or b pr"),
        ("(a pr or b pr) and c pr", "(a pr or b pr) and c pr"),
        ("a pr and (b pr and c pr)", "a pr and (b pr and c pr)"),
        ("a pr or (b pr and c pr)", "a pr or b pr and c pr"),
        ("NOT((a pr))", "not (a pr)"),
        (r#"x eq "q\"\\\u0001""#, r#"x eq "q\"\\\u0001""#),
        (r#"e[ t eq "w" ]"#, r#"e[t eq "w"]"#),
        ("n lt -1.5E3", "n lt -1500.0"),
    ];
    for (input, canonical) in cases {
        assert_eq!(parse(input).to_string(), canonical, "{input}");
    }
}

#[test]
fn syntax_errors() {
    let cases = [
        ("", "empty"),
        ("   ", "empty"),
        ("title pr \"x\"", "`pr` takes no value"),
        ("title pr 5", "`pr` takes no value"),
        ("title pr true", "`pr` takes no value"),
        ("userName eq", "expected a value"),
        ("userName eq and x pr", "expected a value"),
        ("userName eq bjensen", "expected a value"),
        ("userName", "expected an operator"),
        ("userName xx \"a\"", "expected an operator"),
        ("userName \"a\"", "expected an operator"),
        ("\"a\" eq \"a\"", "expected an attribute path"),
        ("userName eq \"abc", "unterminated string"),
        ("userName eq \"a\\q\"", "invalid string literal"),
        ("userName eq \"a\" extra", "expected `and`, `or`"),
        ("userName eq \"a\" )", "unmatched `)`"),
        ("(userName eq \"a\"", "expected `)`"),
        ("()", "expected an attribute path"),
        ("a pr and", "expected an attribute path"),
        ("a pr or or", "expected an operator"),
        ("and", "expected an operator"),
        ("not a pr", "expected `(` after `not`"),
        ("not (a pr", "expected `)`"),
        ("1abc pr", "not an attribute path"),
        ("a.b.c pr", "not an attribute path"),
        ("a..b pr", "not an attribute path"),
        ("x:y pr", "not an attribute path"),
        ("na%me pr", "not an attribute path"),
        ("émail pr", "not an attribute path"),
        ("emails[type eq \"work\"", "expected `]`"),
        ("emails[type eq \"work\")", "expected `]`"),
        ("emails[]", "expected an attribute path"),
        (
            "emails[type eq \"w\"].value eq \"x\"",
            "expected `and`, `or`",
        ),
        ("emails[a[b pr]]", "cannot be nested"),
        ("emails[type.x eq 1]", "sub-attribute names"),
        ("emails[urn:a:b:type eq 1]", "sub-attribute names"),
        ("name.givenName[a pr]", "not a sub-attribute"),
        ("[a pr]", "expected an attribute path"),
        ("a eq 01", "expected a value"),
        ("a eq 1.", "expected a value"),
        ("a eq +1", "expected a value"),
        ("a eq 1e999", "expected a value"),
        ("a eq tru", "expected a value"),
    ];
    for (input, expected) in cases {
        let detail = error(input);
        assert!(detail.contains(expected), "{input}: {detail}");
    }
}

#[test]
fn ordering_operators_reject_booleans_and_null() {
    for op in ["gt", "ge", "lt", "le"] {
        for value in ["true", "false", "null", "TRUE"] {
            let detail = error(&format!("a {op} {value}"));
            assert!(detail.contains("cannot compare"), "{detail}");
        }
        parse(&format!("a {op} 1"));
        parse(&format!("a {op} \"b\""));
    }
}

#[test]
fn errors_say_where() {
    assert!(error("userName eq \"a\" extra").contains("offset 16"));
    assert!(error("a pr and").contains("offset 8"));
}

#[test]
fn depth_limit() {
    let nested = |n: usize| format!("{}a pr{}", "(".repeat(n), ")".repeat(n));
    parse(&nested(MAX_DEPTH));
    assert!(error(&nested(MAX_DEPTH + 1)).contains("nested deeper"));
    let nots = |n: usize| format!("{}a pr{}", "not (".repeat(n), ")".repeat(n));
    parse(&nots(MAX_DEPTH));
    assert!(error(&nots(MAX_DEPTH + 1)).contains("nested deeper"));
    let in_value_path = format!("e[{}a pr{}]", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(error(&in_value_path).contains("nested deeper"));
    assert!(error(&"(".repeat(MAX_FILTER_LEN)).contains("nested deeper"));
    assert!(error(&"not (".repeat(1000)).contains("nested deeper"));
}

#[test]
fn length_limit_and_long_chains() {
    assert!(error(&"(".repeat(MAX_FILTER_LEN + 1)).contains("longer than"));
    let chain = vec!["a pr"; 900].join(" and ");
    assert!(chain.len() <= MAX_FILTER_LEN);
    let f = parse(&chain);
    assert_eq!(parse(&f.to_string()), f);
    let or_chain = vec!["a pr"; 1000].join(" or ");
    let f = parse(&or_chain);
    assert!(matches(
        &f,
        &serde_json::json!({"a": 1}),
        &super::eval_tests::TestInfo
    ));
}
