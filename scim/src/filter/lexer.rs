//! Splits a filter or PATCH path into tokens: punctuation, JSON strings and "words" (attribute
//! paths, operators, keywords and number/boolean/null literals, told apart by the parser).

use crate::error::{ScimError, ScimType};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// A run of characters other than whitespace, parentheses, brackets and `"`.
    Word(&'a str),
    /// A decoded JSON string literal.
    Str(String),
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token<'a> {
    pub tok: Tok<'a>,
    pub pos: usize,
}

impl Tok<'_> {
    /// How the token is named in error messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(s) => format!("string {}", super::CompValue::String(s.clone())),
        }
    }
}

/// Whether `b` ends a word.
fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b')' | b'[' | b']' | b'"')
}

/// Tokenizes `input`; errors carry `kind` (invalidFilter or invalidPath).
pub(super) fn lex(input: &str, kind: ScimType) -> Result<Vec<Token<'_>>, ScimError> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let tok = match b {
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b'"' => {
                let end = string_end(bytes, i).ok_or_else(|| {
                    ScimError::bad_request(kind, format!("unterminated string at offset {i}"))
                })?;
                tokens.push(Token {
                    tok: Tok::Str(decode_string(&input[i..end], i, kind)?),
                    pos: i,
                });
                i = end;
                continue;
            }
            _ => {
                let end = (i..bytes.len())
                    .find(|&j| is_delimiter(bytes[j]))
                    .unwrap_or(bytes.len());
                tokens.push(Token {
                    tok: Tok::Word(&input[i..end]),
                    pos: i,
                });
                i = end;
                continue;
            }
        };
        tokens.push(Token { tok, pos: i });
        i += 1;
    }
    Ok(tokens)
}

/// The offset just past the closing quote of the string opening at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// Decodes a JSON string literal (quotes included), escapes and all.
fn decode_string(raw: &str, pos: usize, kind: ScimType) -> Result<String, ScimError> {
    serde_json::from_str::<String>(raw).map_err(|e| {
        ScimError::bad_request(kind, format!("invalid string literal at offset {pos}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(input: &str) -> Vec<Tok<'_>> {
        lex(input, ScimType::InvalidFilter)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn splits_words_punctuation_and_strings() {
        assert_eq!(
            toks(r#"  emails[type eq "w\"k"]and(x  pr)"#),
            vec![
                Tok::Word("emails"),
                Tok::LBracket,
                Tok::Word("type"),
                Tok::Word("eq"),
                Tok::Str("w\"k".into()),
                Tok::RBracket,
                Tok::Word("and"),
                Tok::LParen,
                Tok::Word("x"),
                Tok::Word("pr"),
                Tok::RParen,
            ]
        );
        assert!(toks(" \t\n ").is_empty());
    }

    #[test]
    fn rejects_bad_strings() {
        for bad in [r#""abc"#, r#""a\"#, r#""\x""#, r#""\ud800""#, "\"a\u{1}\""] {
            let err = lex(bad, ScimType::InvalidPath).unwrap_err();
            assert_eq!(err.scim_type, Some(ScimType::InvalidPath), "{bad}");
        }
    }
}
