//! Finding where a key or a list item is written in a YAML text, by its path, such as
//! `sources[1].url`, so that a problem is reported at its line and column. Uses
//! `error`.

use crate::support::error::Position;

/// Where the key at the end of `path` is written, as [`locate_in`] finds it.
pub(super) fn locate_key(text: &str, path: &str) -> Option<Position> {
    locate_in(text, path, true)
}

/// Where the value at `path` (`hubs[1].address.postal_code`) is written in a YAML
/// file in block style, or its key if `want_key`, found from the indentation of its
/// lines; or, if it cannot be found, the nearest part of the path that can. `None`
/// if not even the first key is there. Flow style (`{a: 1}`) is not looked into.
pub(super) fn locate_in(text: &str, path: &str, want_key: bool) -> Option<Position> {
    found_in(text, path, want_key).map(|found| found.position)
}

/// What [`found_in`] found.
pub(super) struct Found {
    pub(super) position: Position,
    /// Whether every step of the path was found, not only the first ones.
    pub(super) whole_path: bool,
    /// Whether lines under the place found belong to it.
    pub(super) lines_under: bool,
}

/// Where `path` is written in `text`, or the nearest part of it that is.
pub(super) fn found_in(text: &str, path: &str, want_key: bool) -> Option<Found> {
    let lines: Vec<LineTokens> = text.lines().map(LineTokens::of).collect();
    let mut range = 0..lines.len();
    let mut found = None;
    let steps = path_steps(path);
    let mut taken = 0;
    for step in &steps {
        let located = match *step {
            Step::Key(key) => find_key(&lines, range.clone(), key, want_key),
            Step::Index(index) => find_item(&lines, range.clone(), index),
        };
        let Some((position, inside)) = located else {
            break;
        };
        found = Some(position);
        taken += 1;
        range = inside;
    }
    Some(Found {
        position: found?,
        whole_path: taken == steps.len(),
        lines_under: range.clone().any(|i| lines[i].first.is_some()),
    })
}

pub(super) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

pub(super) fn path_steps(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        for index in indexes.split('[') {
            if let Ok(index) = index.trim_end_matches(']').parse() {
                steps.push(Step::Index(index));
            }
        }
    }
    steps
}

/// What starts a line of block YAML: the columns of its `- ` list markers, and the
/// key after them, if any, with the columns of the key and of its value.
#[derive(Debug, Default)]
pub(super) struct LineTokens {
    pub(super) dashes: Vec<usize>,
    pub(super) key: Option<(String, usize, Option<usize>)>,
    /// The column of the first thing on the line; `None` for a blank or comment line.
    pub(super) first: Option<usize>,
}

impl LineTokens {
    pub(super) fn of(line: &str) -> LineTokens {
        let mut tokens = LineTokens::default();
        let chars: Vec<char> = line.chars().collect();
        let mut col = chars.iter().take_while(|c| **c == ' ').count();
        if col >= chars.len() || chars[col] == '#' {
            return tokens;
        }
        tokens.first = Some(col);
        while chars.get(col) == Some(&'-') && matches!(chars.get(col + 1), None | Some(' ')) {
            tokens.dashes.push(col);
            col += 1;
            col += chars[col..].iter().take_while(|c| **c == ' ').count();
        }
        let rest: String = chars[col.min(chars.len())..].iter().collect();
        if let Some(key) = key_of(&rest) {
            let after_key = rest.find(':').map(|i| i + 1).unwrap_or(rest.len());
            let gap = rest[after_key..].chars().take_while(|c| *c == ' ').count();
            let value_col = (after_key + gap < rest.trim_end().len())
                .then(|| col + rest[..after_key + gap].chars().count());
            tokens.key = Some((key, col, value_col));
        }
        tokens
    }
}

pub(super) fn line_position(line: usize, col: usize) -> Position {
    Position {
        line: line + 1,
        col: col + 1,
    }
}

/// The key `key` at the indentation of the mapping in `range`: where it is written,
/// or its value (unless that is on later lines), and the lines under it.
pub(super) fn find_key(
    lines: &[LineTokens],
    range: std::ops::Range<usize>,
    key: &str,
    want_key: bool,
) -> Option<(Position, std::ops::Range<usize>)> {
    let column = range
        .clone()
        .find_map(|i| lines[i].key.as_ref().map(|(_, col, _)| *col))?;
    let at = range.clone().find(|&i| {
        lines[i]
            .key
            .as_ref()
            .is_some_and(|(name, col, _)| name == key && *col == column)
    })?;
    let (_, col, value_col) = lines[at].key.as_ref()?;
    let end = (at + 1..range.end)
        .find(|&i| match lines[i].first {
            None => false,
            // A list may start at the same indentation as its key.
            Some(first) if first == *col => lines[i].dashes.first() != Some(col),
            Some(first) => first < *col,
        })
        .unwrap_or(range.end);
    let shown_col = if want_key {
        *col
    } else {
        value_col.unwrap_or(*col)
    };
    Some((line_position(at, shown_col), at + 1..end))
}

/// Item `index` of the list in `range`: where its content starts, and its lines.
pub(super) fn find_item(
    lines: &[LineTokens],
    range: std::ops::Range<usize>,
    index: usize,
) -> Option<(Position, std::ops::Range<usize>)> {
    let column = range
        .clone()
        .find_map(|i| lines[i].dashes.first().copied())?;
    let starts: Vec<usize> = range
        .clone()
        .filter(|&i| lines[i].dashes.first() == Some(&column))
        .collect();
    let at = *starts.get(index)?;
    let end = (at + 1..range.end)
        .find(|&i| lines[i].first.is_some_and(|first| first <= column))
        .unwrap_or(range.end);
    let content_col = lines[at]
        .key
        .as_ref()
        .map(|(_, col, _)| *col)
        .unwrap_or(column + 2);
    // The item's own first line belongs to it, after its dash.
    Some((line_position(at, content_col), at..end))
}

/// A key written at the start of a line, outside any nesting.
pub(super) struct KeyLine {
    pub(super) key: String,
    /// 1-based line within the block.
    pub(super) line: usize,
    /// Byte offset of the line within the block.
    pub(super) offset: usize,
}

pub(super) fn top_level_key_lines(text: &str) -> Vec<KeyLine> {
    let mut keys = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        // A key after a tab is still a key; the tab is reported on its own.
        let untabbed = line.trim_start_matches('\t');
        let starts_key = untabbed
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '#' | '-' | '[' | '{' | '}' | ']'));
        if starts_key {
            if let Some(key) = key_of(untabbed) {
                keys.push(KeyLine {
                    key,
                    line: index + 1,
                    offset,
                });
            }
        }
        offset += line.len();
    }
    keys
}

pub(super) fn key_of(line: &str) -> Option<String> {
    split_key(line).map(|(key, _)| key)
}

/// The key at the start of `line`, and the byte offset just after its colon.
pub(super) fn split_key(line: &str) -> Option<(String, usize)> {
    let line = line.trim_end();
    for quote in ['"', '\''] {
        if let Some(rest) = line.strip_prefix(quote) {
            let (key, after) = rest.split_once(quote)?;
            let gap = after.len() - after.trim_start().len();
            return after
                .trim_start()
                .starts_with(':')
                .then(|| (key.to_owned(), 1 + key.len() + 1 + gap + 1));
        }
    }
    let colon = line
        .match_indices(':')
        .find(|&(i, _)| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))?
        .0;
    Some((line[..colon].trim_end().to_owned(), colon + 1))
}
