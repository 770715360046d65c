//! PATCH `path` parser (RFC 7644 §3.5.2): `attrPath / valuePath ["." subAttr]`.

use super::ast::PatchPath;
use super::lexer::Tok;
use super::parse::Parser;
use crate::attr::parse_attr_path;
use crate::error::{ScimError, ScimType};

/// Parses a PATCH path, e.g. `members[value eq "2819c223"]`, `emails[type eq "work"].value`,
/// `name.familyName` or `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
///
/// Every error, including one in the bracketed filter, is 400 `invalidPath`.
pub fn parse_path(input: &str) -> Result<PatchPath, ScimError> {
    let mut parser = Parser::new(input, ScimType::InvalidPath, "path")?;
    let attr = match parser.peek() {
        Some(Tok::Word(w)) => {
            let word = *w;
            parser.attr_path(word)?
        }
        _ => {
            return Err(parser.error(format!(
                "a path starts with an attribute name, {}",
                parser.found()
            )));
        }
    };
    parser.advance();
    let mut path = PatchPath {
        attr,
        filter: None,
        sub_attr: None,
    };
    if parser.peek() == Some(&Tok::LBracket) {
        path.filter = Some(parser.value_filter(&path.attr)?);
        path.sub_attr = sub_attr(&mut parser)?;
    }
    match parser.peek() {
        None => Ok(path),
        Some(_) => Err(parser.error(format!(
            "unexpected text after the path, {}",
            parser.found()
        ))),
    }
}

/// The optional `"." subAttr` after a value path's `]`.
fn sub_attr(parser: &mut Parser<'_>) -> Result<Option<String>, ScimError> {
    let Some(Tok::Word(word)) = parser.peek() else {
        return Ok(None);
    };
    let name = word
        .strip_prefix('.')
        .and_then(parse_attr_path)
        .filter(|p| p.urn.is_none() && p.sub.is_none())
        .map(|p| p.name);
    match name {
        Some(name) => {
            parser.advance();
            Ok(Some(name))
        }
        None => Err(parser.error(format!(
            "expected `.subAttribute` after `]`, {}",
            parser.found()
        ))),
    }
}
