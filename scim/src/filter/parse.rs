//! Recursive-descent parser for filters (RFC 7644 §3.4.2.2, Figure 1), shared with the PATCH
//! path parser. Precedence: `not` > `and` > `or`, both binary operators left-associative.
//! Recursion only happens on `(`, `not (` and `[`, each bounded by [`MAX_DEPTH`].

use super::ast::{CompValue, CompareOp, Filter};
use super::lexer::{Tok, Token, lex};
use super::{MAX_DEPTH, MAX_FILTER_LEN};
use crate::attr::{AttrPath, parse_attr_path};
use crate::error::{ScimError, ScimType};

/// Parses a filter, e.g. `userName eq "bjensen" and emails[type eq "work"]`.
///
/// Errors are 400 `invalidFilter`, the detail saying what is wrong and at which byte offset.
pub fn parse_filter(input: &str) -> Result<Filter, ScimError> {
    let mut parser = Parser::new(input, ScimType::InvalidFilter, "filter")?;
    let filter = parser.or_expr()?;
    parser.expect_end()?;
    Ok(filter)
}

/// Parser state over the tokens of one input.
pub(super) struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    /// Length of the input, the offset reported for "end of input".
    len: usize,
    depth: usize,
    /// Whether the parser is inside a value path's brackets.
    in_value_path: bool,
    kind: ScimType,
}

impl<'a> Parser<'a> {
    /// Checks the input's size and tokenizes it; `what` names the input in errors.
    pub(super) fn new(input: &'a str, kind: ScimType, what: &str) -> Result<Self, ScimError> {
        if input.len() > MAX_FILTER_LEN {
            return Err(ScimError::bad_request(
                kind,
                format!("{what} is longer than {MAX_FILTER_LEN} bytes"),
            ));
        }
        let tokens = lex(input, kind)?;
        if tokens.is_empty() {
            return Err(ScimError::bad_request(kind, format!("empty {what}")));
        }
        Ok(Parser {
            tokens,
            pos: 0,
            len: input.len(),
            depth: 0,
            in_value_path: false,
            kind,
        })
    }

    /// An error of this parser's kind.
    pub(super) fn error(&self, detail: String) -> ScimError {
        ScimError::bad_request(self.kind, detail)
    }

    /// The current token.
    pub(super) fn peek(&self) -> Option<&Tok<'a>> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    /// The token `n` places after the current one.
    fn peek_at(&self, n: usize) -> Option<&Tok<'a>> {
        self.tokens.get(self.pos + n).map(|t| &t.tok)
    }

    /// The offset of the current token (the input's length at the end).
    pub(super) fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.len, |t| t.pos)
    }

    /// Moves past the current token.
    pub(super) fn advance(&mut self) {
        self.pos += 1;
    }

    /// "found X at offset N" for the current token.
    pub(super) fn found(&self) -> String {
        match self.peek() {
            Some(tok) => format!("found {} at offset {}", tok.describe(), self.offset()),
            None => format!("found end of input at offset {}", self.len),
        }
    }

    /// Fails unless every token was consumed.
    pub(super) fn expect_end(&self) -> Result<(), ScimError> {
        match self.peek() {
            None => Ok(()),
            Some(Tok::RParen) => {
                Err(self.error(format!("unmatched `)` at offset {}", self.offset())))
            }
            Some(_) => Err(self.error(format!(
                "expected `and`, `or` or the end of the input, {}",
                self.found()
            ))),
        }
    }

    /// Consumes `tok` or fails, `context` saying what it closes.
    fn expect(&mut self, tok: Tok<'static>, context: &str) -> Result<(), ScimError> {
        if self.peek() == Some(&tok) {
            self.advance();
            Ok(())
        } else {
            Err(self.error(format!(
                "expected {} to close {context}, {}",
                tok.describe(),
                self.found()
            )))
        }
    }

    /// Consumes the keyword `kw` (any case) when it is the current token.
    fn eat_keyword(&mut self, kw: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw));
        if hit {
            self.advance();
        }
        hit
    }

    /// Enters one nesting level, failing past [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), ScimError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!(
                "nested deeper than {MAX_DEPTH} levels at offset {}",
                self.offset()
            )));
        }
        Ok(())
    }

    /// `or_expr = and_expr *("or" and_expr)`.
    pub(super) fn or_expr(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and_expr()?;
        while self.eat_keyword("or") {
            left = Filter::or(left, self.and_expr()?);
        }
        Ok(left)
    }

    /// `and_expr = unary *("and" unary)`.
    fn and_expr(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.unary()?;
        while self.eat_keyword("and") {
            left = Filter::and(left, self.unary()?);
        }
        Ok(left)
    }

    /// `unary = "(" or_expr ")" / "not" "(" or_expr ")" / attrExp / valuePath`.
    fn unary(&mut self) -> Result<Filter, ScimError> {
        match self.peek() {
            Some(Tok::LParen) => self.group(),
            Some(Tok::Word(w))
                if w.eq_ignore_ascii_case("not") && self.peek_at(1) == Some(&Tok::LParen) =>
            {
                self.advance();
                Ok(Filter::negate(self.group()?))
            }
            Some(Tok::Word(w)) => {
                let word = *w;
                self.attr_expr(word)
            }
            _ => Err(self.error(format!(
                "expected an attribute path, `(` or `not (`, {}",
                self.found()
            ))),
        }
    }

    /// `"(" or_expr ")"`, the current token being `(`.
    fn group(&mut self) -> Result<Filter, ScimError> {
        self.enter()?;
        self.advance();
        let inner = self.or_expr()?;
        self.expect(Tok::RParen, "`(`")?;
        self.depth -= 1;
        Ok(inner)
    }

    /// An attribute path word, checked; inside a value path only a bare sub-attribute name.
    pub(super) fn attr_path(&self, word: &str) -> Result<AttrPath, ScimError> {
        let at = self.offset();
        let path = parse_attr_path(word).ok_or_else(|| {
            self.error(format!("`{word}` at offset {at} is not an attribute path"))
        })?;
        if self.in_value_path && (path.urn.is_some() || path.sub.is_some()) {
            return Err(self.error(format!(
                "`{word}` at offset {at}: inside a value path's brackets, attributes are \
                 sub-attribute names"
            )));
        }
        Ok(path)
    }

    /// `attrPath ("pr" / compareOp compValue / "[" valFilter "]")`, at the path's word.
    fn attr_expr(&mut self, word: &'a str) -> Result<Filter, ScimError> {
        let path = self.attr_path(word)?;
        self.advance();
        match self.peek() {
            Some(Tok::LBracket) => Ok(Filter::ValuePath(
                path.clone(),
                Box::new(self.value_filter(&path)?),
            )),
            Some(Tok::Word(op)) if op.eq_ignore_ascii_case("pr") => {
                self.advance();
                self.reject_value_after_pr()?;
                Ok(Filter::Present(path))
            }
            Some(Tok::Word(op)) => match CompareOp::from_keyword(op) {
                Some(op) => {
                    self.advance();
                    Ok(Filter::Compare(path, op, self.comp_value(op)?))
                }
                None => Err(self.unknown_operator(word)),
            },
            _ => Err(self.unknown_operator(word)),
        }
    }

    /// The error for a missing or unknown operator after the attribute path `word`.
    fn unknown_operator(&self, word: &str) -> ScimError {
        if word.eq_ignore_ascii_case("not") {
            return self.error(format!("expected `(` after `not`, {}", self.found()));
        }
        self.error(format!(
            "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or `[` after `{word}`, {}",
            self.found()
        ))
    }

    /// `"[" valFilter "]"` after the attribute `path`, the current token being `[`.
    pub(super) fn value_filter(&mut self, path: &AttrPath) -> Result<Filter, ScimError> {
        if self.in_value_path {
            return Err(self.error(format!(
                "value paths cannot be nested (offset {})",
                self.offset()
            )));
        }
        if path.sub.is_some() {
            return Err(self.error(format!(
                "`[` at offset {} must follow an attribute, not a sub-attribute (`{path}`)",
                self.offset()
            )));
        }
        self.enter()?;
        self.advance();
        self.in_value_path = true;
        let inner = self.or_expr()?;
        self.expect(Tok::RBracket, &format!("`{path}[`"))?;
        self.in_value_path = false;
        self.depth -= 1;
        Ok(inner)
    }

    /// Fails when a literal follows `pr`.
    fn reject_value_after_pr(&self) -> Result<(), ScimError> {
        let literal = match self.peek() {
            Some(Tok::Str(_)) => true,
            Some(Tok::Word(w)) => literal_word(w).is_some(),
            _ => false,
        };
        if literal {
            return Err(self.error(format!("`pr` takes no value, {}", self.found())));
        }
        Ok(())
    }

    /// `compValue` after the operator `op`.
    fn comp_value(&mut self, op: CompareOp) -> Result<CompValue, ScimError> {
        let value = match self.peek() {
            Some(Tok::Str(s)) => Some(CompValue::String(s.clone())),
            Some(Tok::Word(w)) => literal_word(w),
            _ => None,
        };
        let Some(value) = value else {
            return Err(self.error(format!(
                "expected a value (string, number, true, false or null) after `{op}`, {}",
                self.found()
            )));
        };
        if op.is_ordering() && matches!(value, CompValue::Null | CompValue::Bool(_)) {
            return Err(self.error(format!(
                "`{op}` cannot compare with {value} (offset {})",
                self.offset()
            )));
        }
        self.advance();
        Ok(value)
    }
}

/// The literal a word spells: `true`, `false`, `null` (any case) or a JSON number.
fn literal_word(word: &str) -> Option<CompValue> {
    if word.eq_ignore_ascii_case("true") {
        Some(CompValue::Bool(true))
    } else if word.eq_ignore_ascii_case("false") {
        Some(CompValue::Bool(false))
    } else if word.eq_ignore_ascii_case("null") {
        Some(CompValue::Null)
    } else if word.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        serde_json::from_str::<serde_json::Number>(word)
            .ok()
            .map(CompValue::Number)
    } else {
        None
    }
}
