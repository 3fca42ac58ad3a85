//! Saying what is wrong with YAML in an editor's words: the slip as they would see
//! it (a tab, a colon in a value, an unclosed quote, wrong indentation), and what a
//! value should have been, with a hint that shows the fix. Uses `error`.

use serde_yaml::Value;

use crate::support::error::{Position, did_you_mean};

use super::*;

/// A mistake that stops a piece of YAML being read, found by looking at its lines
/// as an editor would; lines and columns are 1-based, within the piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Mistake {
    Tab {
        line: usize,
        col: usize,
    },
    UnclosedQuote {
        line: usize,
        col: usize,
        fixed: String,
    },
    ColonInValue {
        line: usize,
        col: usize,
        fixed: String,
    },
    NeedsQuotes {
        line: usize,
        col: usize,
        first: char,
        fixed: String,
    },
    Indentation {
        line: usize,
        col: usize,
    },
    Unreadable {
        line: usize,
        col: usize,
    },
}

impl Mistake {
    pub(super) fn place(&mut self) -> (&mut usize, &mut usize) {
        match self {
            Mistake::Tab { line, col }
            | Mistake::UnclosedQuote { line, col, .. }
            | Mistake::ColonInValue { line, col, .. }
            | Mistake::NeedsQuotes { line, col, .. }
            | Mistake::Indentation { line, col }
            | Mistake::Unreadable { line, col } => (line, col),
        }
    }

    pub(super) fn shifted(mut self, lines: usize) -> Mistake {
        *self.place().0 += lines;
        self
    }

    pub(super) fn at(mut self, at_line: impl Fn(usize, usize) -> Position) -> YamlError {
        let (line, col) = self.place();
        let position = at_line(*line, *col);
        let (message, hint) = match self {
            Mistake::Tab { .. } => (
                "this line is indented with a tab: indent with spaces only".to_owned(),
                "delete the tab at the start of the line and type spaces instead".to_owned(),
            ),
            Mistake::UnclosedQuote { fixed, .. } => (
                "the quote that starts here is never closed".to_owned(),
                format!("end the text with the same quote mark: {fixed}"),
            ),
            Mistake::ColonInValue { fixed, .. } => (
                "a colon followed by a space starts a new key, so this text cannot be read"
                    .to_owned(),
                format!("put quotes around the whole text: {fixed}"),
            ),
            Mistake::NeedsQuotes { first, fixed, .. } => (
                format!("text that starts with {first} cannot be read without quotes"),
                format!("put quotes around the whole text: {fixed}"),
            ),
            Mistake::Indentation { .. } => (
                "this line is not lined up with the lines above it".to_owned(),
                "start the keys of one item in the same column, using spaces, such as `  - title: NHS` then `    url: https://www.nhs.uk/`".to_owned(),
            ),
            Mistake::Unreadable { .. } => (
                "this line cannot be read".to_owned(),
                "write each setting as `key: value` on its own line; check the indentation and that every quote is closed".to_owned(),
            ),
        };
        YamlError {
            position,
            message,
            hint: Some(hint),
        }
    }
}

/// The first mistake in `text`, a piece of YAML, that an editor would see, else
/// where YAML itself gave up (`error`), if it did.
pub(super) fn find_mistake(text: &str, error: Option<&serde_yaml::Error>) -> Option<Mistake> {
    text.split('\n')
        .enumerate()
        .find_map(|(index, line)| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            mistake_in_line(line, index + 1)
        })
        .or_else(|| error.map(mistake_from_error))
}

/// The mistake in `line`, line `number` of a block, that stops it being read, if
/// it has one that can be seen from the line alone.
fn mistake_in_line(line: &str, number: usize) -> Option<Mistake> {
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    if let Some(tab) = line[..indent].find('\t') {
        return Some(Mistake::Tab {
            line: number,
            col: tab + 1,
        });
    }
    let content = &line[indent..];
    if content.is_empty() || content.starts_with('#') {
        return None;
    }
    // The value after the item's dashes and its key, if any.
    let mut value_start = indent;
    let mut rest = content;
    while let Some(after) = rest.strip_prefix("- ") {
        rest = after.trim_start_matches(' ');
        value_start = line.len() - rest.len();
    }
    if let Some((_, colon)) = split_key(rest) {
        let after = &rest[colon..];
        let gap = after.len() - after.trim_start_matches(' ').len();
        value_start = line.len() - rest.len() + colon + gap;
    }
    let value = &line[value_start..];
    let col = line[..value_start].chars().count() + 1;
    let fixed = |value: &str| {
        let escaped = value.replace('"', "\\\"");
        format!("{}\"{}\"", &line[indent..value_start], escaped.trim_end())
    };
    if let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        if !closes(&value[1..], quote) {
            let inner = value[1..].trim_end();
            return Some(Mistake::UnclosedQuote {
                line: number,
                col,
                fixed: format!("{}{quote}{inner}{quote}", &line[indent..value_start]),
            });
        }
        return None;
    }
    if value.starts_with(['[', '{', '|', '>', '&', '*', '!']) {
        return None;
    }
    if let Some(colon) = value.find(": ").or_else(|| {
        value
            .trim_end()
            .ends_with(':')
            .then(|| value.trim_end().len() - 1)
    }) {
        return Some(Mistake::ColonInValue {
            line: number,
            col: col + value[..colon].chars().count(),
            fixed: fixed(value),
        });
    }
    if let Some(first) = value
        .chars()
        .next()
        .filter(|c| matches!(c, '@' | '`' | '%'))
    {
        return Some(Mistake::NeedsQuotes {
            line: number,
            col,
            first,
            fixed: fixed(value),
        });
    }
    None
}

/// The mistake YAML's own `error` points at, as an editor would name it.
fn mistake_from_error(error: &serde_yaml::Error) -> Mistake {
    let (line, col) = error
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let raw = error.to_string();
    let indentation = [
        "indicator",
        "expected key",
        "block",
        "mapping values are not allowed",
        "did not find expected",
    ];
    if indentation.iter().any(|words| raw.contains(words)) {
        Mistake::Indentation { line, col }
    } else {
        Mistake::Unreadable { line, col }
    }
}

/// Whether `rest`, the text after an opening quote, closes it.
pub(super) fn closes(rest: &str, quote: char) -> bool {
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            ('"', '\\') => {
                chars.next();
            }
            ('\'', '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (q, c) if q == c => return true,
            _ => {}
        }
    }
    false
}

/// serde_yaml's message without the "at line N column M" it adds.
pub(super) fn plain_message(error: &serde_yaml::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => text[..i].to_owned(),
        _ => text,
    }
}

/// A message about the value of `key`, in words an editor knows, and a hint.
pub(super) fn field_message(key: &str, error: &serde_yaml::Error) -> (String, Option<String>) {
    let raw = plain_message(error);
    // serde_yaml names the field it was reading before a colon: `sources[1].url: ...`.
    match raw.split_once(": ") {
        Some((path, detail))
            if path.starts_with(key)
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']')) =>
        {
            problem(path, detail)
        }
        _ => problem(key, &raw),
    }
}

/// serde's `detail` about the value at `path` (`hubs[1].phone`), in plain words,
/// with a hint that shows the fix where one can be given.
pub(super) fn problem(path: &str, detail: &str) -> (String, Option<String>) {
    let words = path_in_words(path);
    let key = path
        .rsplit(['.', '['])
        .find(|step| !step.ends_with(']'))
        .unwrap_or(path);
    let wrong_type = detail
        .strip_prefix("invalid type: ")
        .or_else(|| detail.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "));
    if let Some((found, expected)) = wrong_type {
        let expected = type_name(expected);
        let found_words = found_name(found);
        let literal = found_literal(found);
        let hint = match expected.as_str() {
            "text" if found.starts_with("sequence") => Some(format!(
                "write the text on the same line, after '{key}:', with no [ ] or - before it"
            )),
            "text" if found.starts_with("map") => Some(format!(
                "write the text on the same line, after '{key}:'; if it has a colon in it, put quotes around it"
            )),
            "a list" => Some(match literal {
                Some(item) => format!("write a list in square brackets, such as {key}: [{item}]"),
                None => format!("write a list in square brackets, such as {key}: [one, two]"),
            }),
            "a whole number" => Some(format!("write a whole number, such as {key}: 2")),
            "true or false" => Some(format!("write true or false, such as {key}: true")),
            "a set of `key: value` lines" => Some(format!(
                "write its keys on the lines under '{key}:', each indented with two spaces"
            )),
            _ => None,
        };
        return (
            format!("{words} must be {expected}, but it is {found_words}"),
            hint,
        );
    }
    if let Some(rest) = detail.strip_prefix("missing field `") {
        let field = rest.trim_end_matches('`');
        return (
            format!("{} has no '{field}'", path_in_words(path)),
            Some(format!(
                "add a line `{field}: ...` to it, lined up with the keys it has"
            )),
        );
    }
    if let Some(rest) = detail.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return (
            format!("unknown key '{field}' in {}", path_in_words(path)),
            field_hint(detail),
        );
    }
    (format!("{words} cannot be read: {detail}"), None)
}

/// A path such as `hubs[1].address.city` as an editor would say it: "'city' in
/// 'address' in the second hub". Keys stay as written, as the editor sees them in
/// the file; list items are counted in words: "the first source" for `sources[0]`.
pub fn path_in_words(path: &str) -> String {
    let steps = path_steps(path);
    // From the innermost step out.
    let mut parts = Vec::new();
    let mut index = steps.len();
    while index > 0 {
        index -= 1;
        match steps[index] {
            Step::Index(item) => match index.checked_sub(1).map(|before| &steps[before]) {
                Some(Step::Key(list)) => {
                    parts.push(format!("the {} {}", ordinal(item), singular(list)));
                    index -= 1;
                }
                _ => parts.push(format!("the {} item", ordinal(item))),
            },
            Step::Key(key) => parts.push(format!("'{key}'")),
        }
    }
    parts.join(" in ")
}

/// "first" for item 0 of a list.
pub(super) fn ordinal(index: usize) -> String {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    match WORDS.get(index) {
        Some(word) => (*word).to_owned(),
        None => {
            let number = index + 1;
            let suffix = match (number % 10, number % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{number}{suffix}")
        }
    }
}

/// One item of a list named `list`: "source" for "sources".
pub(super) fn singular(list: &str) -> String {
    let word = if list.ends_with("sses") || list == "aliases" {
        &list[..list.len() - 2]
    } else {
        list.strip_suffix('s').unwrap_or(list)
    };
    word.replace('_', " ")
}

pub(super) fn field_hint(raw: &str) -> Option<String> {
    let rest = raw.split("unknown field `").nth(1)?;
    let (field, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, candidates.iter().copied())
        .map(|s| format!("did you mean '{s}'?"))
        .or_else(|| {
            Some(format!(
                "the keys you can use here are: {}",
                candidates.join(", ")
            ))
        })
}

pub(super) fn type_name(expected: &str) -> String {
    let expected = expected.trim_start_matches("a ").trim_start_matches("an ");
    match expected {
        "string" => "text".into(),
        "i64" | "i32" | "u32" | "u64" | "integer" => "a whole number".into(),
        "boolean" | "bool" => "true or false".into(),
        "sequence" => "a list".into(),
        "map" => "a set of `key: value` lines".into(),
        other if other.starts_with("struct ") => "a set of `key: value` lines".into(),
        other => other.to_owned(),
    }
}

pub(super) fn found_name(found: &str) -> String {
    let (kind, literal) = found.split_once(' ').unwrap_or((found, ""));
    let kind = match kind {
        "string" => "text",
        "integer" => "a number",
        "floating" => "a number",
        "boolean" => "true or false",
        "sequence" => "a list",
        "map" => "a set of `key: value` lines",
        "unit" => "empty",
        other => other,
    };
    let literal = literal
        .trim_start_matches("point ")
        .trim_start_matches("value");
    if literal.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({})", literal.trim_matches('`'))
    }
}

/// The value serde found, as written, if it says: `/old/` for `string "/old/"`.
pub(super) fn found_literal(found: &str) -> Option<String> {
    let (kind, literal) = found.split_once(' ')?;
    (kind == "string").then(|| literal.trim_matches('"').to_owned())
}

pub(super) fn describe(value: &Value) -> String {
    serde_yaml::to_string(value)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}
