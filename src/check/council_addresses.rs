//! The council's own addresses: a web address in a council file that is on the
//! site's own address (its base URL, with or without `www.`, over http or https) is
//! a page or file of the site, or it must be served by the same web server. One the
//! site does not have is a warning at its line, naming its key: the address may
//! work only if the server has it. Uses `config`, `domains`, `page` and `error`.

use std::collections::HashSet;

use crate::config::{BaseUrl, CouncilFile};
use crate::model::page::OutputFile;
use crate::support::domains;
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// An address in a council file that the site does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{key}' is {address}, on this site's own address, but the site has no page or file there")]
pub struct NotOnTheSite {
    key: String,
    address: String,
    /// The site's address, when the site is at the root of its domain.
    root_of: Option<String>,
    position: Position,
}

impl StageError for NotOnTheSite {
    fn position(&self) -> Option<Position> {
        Some(self.position)
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn hint(&self) -> Option<String> {
        Some(match &self.root_of {
            Some(site) => format!(
                "the site is published at {site}, so that address works only if the same web server serves it: check that it does, or give '{}' the page's real address",
                self.key
            ),
            None => format!(
                "that address is inside the site's own folder: make it a page of the site, or give '{}' the page's real address",
                self.key
            ),
        })
    }
}

/// Checks every web address in the council's file against the built site's files.
pub fn check(file: &CouncilFile, base_url: &BaseUrl, files: &[OutputFile]) -> Vec<Diagnostic> {
    let paths: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let has = |inside: &str| {
        let path = inside.split('#').next().unwrap_or("").trim_end_matches('/');
        let page = if path.is_empty() {
            "index.html".to_owned()
        } else {
            format!("{path}/index.html")
        };
        paths.contains(path) || paths.contains(page.as_str())
    };
    let root_of = (base_url.path == "/").then(|| base_url.url.clone());
    let mut found = Vec::new();
    for (index, line) in file.text.lines().enumerate() {
        for (at, address) in addresses_in(line) {
            let Some(inside) = domains::path_within(&base_url.url, address) else {
                continue;
            };
            if has(&inside) {
                continue;
            }
            let key = line
                .split_once(':')
                .map(|(key, _)| key.trim().trim_start_matches("- ").trim())
                .unwrap_or("")
                .to_owned();
            found.push(NotOnTheSite {
                key,
                address: address.to_owned(),
                root_of: root_of.clone(),
                position: Position {
                    line: index + 1,
                    col: line[..at].chars().count() + 1,
                },
            });
        }
    }
    found
        .iter()
        .map(|error| error.to_diagnostic(&file.display_path, Some(&file.text)))
        .collect()
}

/// The web addresses written on a line, each with its byte offset.
fn addresses_in(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let rest = &line[from..];
        let start = from
            + ["https://", "http://"]
                .iter()
                .filter_map(|scheme| rest.find(scheme))
                .min()?;
        let end = line[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ']' | '}'))
            .map_or(line.len(), |length| start + length);
        from = end;
        Some((start, &line[start..end]))
    })
}

#[cfg(test)]
mod tests {
    use super::addresses_in;

    #[test]
    fn addresses_are_found_with_their_place_and_without_quotes() {
        let found: Vec<_> =
            addresses_in("url: \"https://a.example/x\" # or http://b.example/").collect();
        assert_eq!(
            found,
            [(6, "https://a.example/x"), (32, "http://b.example/")]
        );
    }
}
