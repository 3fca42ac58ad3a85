//! Where things are written in a YAML block that [`super::parse_mapping`] read: its
//! keys, their values and the items of its lists, each found by its path, as lines
//! and columns of the whole file. Front matter, `site.yaml` and council files all
//! point at their mistakes through here. Uses `error`.

use std::collections::BTreeMap;

use crate::support::error::{Position, line_text};

use super::locate::{found_in, locate_in};
use super::{in_file, value_position};

/// Where the keys, values and list items of one YAML block are written.
#[derive(Debug, Clone)]
pub struct Places<'a> {
    /// The block, without any fence around it.
    text: &'a str,
    /// The line of the file that the block's first line is.
    first_line: usize,
    /// Where each top-level key is written.
    keys: BTreeMap<String, Position>,
}

impl<'a> Places<'a> {
    pub(super) fn new(
        text: &'a str,
        first_line: usize,
        keys: BTreeMap<String, Position>,
    ) -> Places<'a> {
        Places {
            text,
            first_line,
            keys,
        }
    }

    /// The block's first line: where a problem with no better place is shown.
    pub fn top(&self) -> Position {
        Position {
            line: self.first_line,
            col: 1,
        }
    }

    /// Whether the top-level key `key` is written, whatever its value.
    pub fn has_key(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    /// Where the top-level key `key` is written, or else the block's first line.
    pub fn key(&self, key: &str) -> Position {
        self.keys.get(key).copied().unwrap_or_else(|| self.top())
    }

    /// Where each top-level key is written.
    pub fn keys(&self) -> &BTreeMap<String, Position> {
        &self.keys
    }

    /// Where the key at the end of `path` (`hubs[1].address.city`) is written; or,
    /// if it is not, the nearest part of the path that is; or else the first line.
    pub fn key_of(&self, path: &str) -> Position {
        self.to_file(locate_in(self.text, path, true))
    }

    /// Where the value at `path` is written. A value on the lines under its key is
    /// shown at its key, and an empty one just after its key's colon, where it
    /// belongs. A path that is not all written is shown as [`Places::key_of`] shows
    /// it.
    pub fn value(&self, path: &str) -> Position {
        let Some(found) = found_in(self.text, path, false) else {
            return self.top();
        };
        let line = line_text(self.text, found.position.line).unwrap_or("");
        let empty = found.whole_path
            && !found.lines_under
            && line
                .split_once(':')
                .is_some_and(|(_, value)| value.trim().is_empty());
        let position = if empty {
            value_position(self.text, found.position)
        } else {
            found.position
        };
        self.to_file(Some(position))
    }

    /// Where the list item `item` is written, looked for from line `from_line` of the
    /// file on: first a line that ends with it, as a list item does, then any line
    /// that has it. `None` if no line has it.
    pub fn list_item(&self, from_line: usize, item: &str) -> Option<Position> {
        let skip = from_line.saturating_sub(self.first_line);
        let lines = || self.text.split('\n').enumerate().skip(skip);
        let ends_with = |line: &str| {
            let line = line.trim_end().trim_end_matches(['"', '\'', ',', ']']);
            line.ends_with(item).then(|| line.len() - item.len())
        };
        let (index, line, byte) = lines()
            .find_map(|(i, line)| ends_with(line).map(|byte| (i, line, byte)))
            .or_else(|| {
                lines().find_map(|(i, line)| line.find(item).map(|byte| (i, line, byte)))
            })?;
        Some(Position {
            line: self.first_line + index,
            col: line[..byte].chars().count() + 1,
        })
    }

    /// A position in the block as a position in the file.
    fn to_file(&self, position: Option<Position>) -> Position {
        match position {
            Some(Position { line, col }) => in_file(self.first_line, line, col),
            None => self.top(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "title: Crying\nempty:\nbrand:\n  colour: \"#005eb8\"\nsources:\n  - url: https://www.nhs.uk/a\n  - url: https://www.nhs.uk/b\n";

    fn places(first_line: usize) -> Places<'static> {
        Places::new(TEXT, first_line, BTreeMap::new())
    }

    #[test]
    fn values_are_found_by_path_in_the_file() {
        let places = places(2);
        let at = |line, col| Position { line, col };
        assert_eq!(places.value("title"), at(2, 8));
        assert_eq!(places.key_of("title"), at(2, 1));
        assert_eq!(places.value("empty"), at(3, 7), "after the colon");
        assert_eq!(places.value("brand"), at(4, 1), "a value under its key");
        assert_eq!(places.value("brand.colour"), at(5, 11));
        assert_eq!(places.key_of("brand.colour"), at(5, 3));
        assert_eq!(places.value("sources[1].url"), at(8, 10));
        assert_eq!(places.value("brand.logo"), at(4, 1), "the nearest written");
        assert_eq!(places.value("sources[2]"), at(6, 1), "the list");
        assert_eq!(places.value("nothing"), at(2, 1), "the top");
    }

    #[test]
    fn list_items_are_found_from_a_line_on() {
        let places = places(2);
        let b = places.list_item(2, "https://www.nhs.uk/b");
        assert_eq!(b, Some(Position { line: 8, col: 10 }));
        assert_eq!(places.list_item(8, "https://www.nhs.uk/a"), None);
    }
}
