//! The site stage: puts pages into their sections and orders them (by `order`, then
//! title), making the [`Site`] that navigation asks its questions of. A translation
//! goes into the nearest section above its page that is translated into its
//! language too, under its language's home page. It also finds structural problems:
//! no home page, a folder without `_index.md`, two files that would share one
//! address, a translation of a page that does not exist, and a language with pages
//! but no home page. Uses `page`, `paths` and `error`.

use std::collections::{BTreeMap, HashMap};

use crate::model::page::Page;
use crate::model::site::Site;
use crate::support::error::{Diagnostic, StageError};
use crate::support::paths;

/// What can be wrong with the shape of the site.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("the site has no home page")]
    NoHomePage,
    #[error("the folder {folder:?} has pages but no _index.md")]
    NoSectionPage { folder: String },
    #[error("this page and {other} would both be at /{url_path}")]
    SameAddress { other: String, url_path: String },
    #[error("the alias {alias:?} is the address of {other}")]
    AliasTaken { alias: String, other: String },
    #[error("this is a translation of {original}, which does not exist")]
    NothingTranslated { original: String, code: String },
    #[error("the pages in {code} have no home page")]
    NoLanguageHome { code: String },
}

impl StageError for SiteError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            SiteError::NoHomePage => "add content/_index.md with a title and description".into(),
            SiteError::NoSectionPage { folder } => format!(
                "add content/{folder}_index.md with a title and description: it is the page that introduces the folder"
            ),
            SiteError::SameAddress { .. } => "rename or remove one of them".into(),
            SiteError::AliasTaken { .. } => "remove the alias, or move the other page".into(),
            SiteError::NothingTranslated { original, code } => format!(
                "a translation has the name of the page it translates, with .{code} before .md: check the name against the pages in content/, or write {original} first"
            ),
            SiteError::NoLanguageHome { code } => format!(
                "translate the home page too, as content/_index.{code}.md: it is where the pages in {code} start"
            ),
        })
    }
}

/// Arranges pages into sections and reports any structural problem.
pub fn build(pages: Vec<Page>) -> (Site, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let pages = one_page_per_address(pages, &mut diagnostics);
    let pages = translations_of_pages(pages, &mut diagnostics);
    let by_url: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.url_path.clone(), i))
        .collect();
    let by_content_path = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.content_path.clone(), i))
        .collect();

    if !pages.is_empty() && !by_url.contains_key("") {
        diagnostics.push(SiteError::NoHomePage.to_diagnostic("content".as_ref(), None));
    }
    let mut missing_sections: BTreeMap<String, &Page> = BTreeMap::new();
    let mut parents = vec![None; pages.len()];
    let mut children = vec![Vec::new(); pages.len()];
    let mut homeless_languages: BTreeMap<&str, &Page> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        if let Some(translates) = &page.source.translates {
            match translated_parent(page, &pages, &by_url) {
                Ok(Some(parent)) => {
                    parents[i] = Some(parent);
                    children[parent].push(i);
                }
                Ok(None) => {}
                Err(()) => {
                    homeless_languages
                        .entry(&translates.language)
                        .or_insert(page);
                }
            }
            continue;
        }
        let Some(parent_path) = paths::parent_url_path(&page.source.url_path) else {
            continue;
        };
        match by_url.get(&parent_path) {
            Some(&parent) if pages[parent].source.is_section => {
                parents[i] = Some(parent);
                children[parent].push(i);
            }
            _ if parent_path.is_empty() => {}
            _ => {
                missing_sections.entry(parent_path).or_insert(page);
            }
        }
    }
    for (folder, page) in missing_sections {
        let error = SiteError::NoSectionPage { folder };
        diagnostics.push(error.to_diagnostic(&page.source.display_path, None));
    }
    for (code, page) in homeless_languages {
        let error = SiteError::NoLanguageHome {
            code: code.to_owned(),
        };
        diagnostics.push(error.to_diagnostic(&page.source.display_path, None));
    }
    for list in &mut children {
        list.sort_by_cached_key(|&page| order_key(&pages[page]));
    }

    diagnostics.extend(taken_aliases(&pages, &by_url));

    let site = Site {
        pages,
        by_url,
        by_content_path,
        parents,
        children,
    };
    (site, diagnostics)
}

/// The pages sorted by address, a section's page first; of two pages at one
/// address, the second is reported and left out.
fn one_page_per_address(mut pages: Vec<Page>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Page> {
    pages.sort_by(|a, b| {
        (&a.source.url_path, !a.source.is_section).cmp(&(&b.source.url_path, !b.source.is_section))
    });
    let mut kept: Vec<Page> = Vec::with_capacity(pages.len());
    for page in pages {
        match kept.last() {
            Some(previous) if previous.source.url_path == page.source.url_path => {
                let error = SiteError::SameAddress {
                    other: previous.source.display_path.to_string_lossy().into_owned(),
                    url_path: page.source.url_path.clone(),
                };
                diagnostics.push(error.to_diagnostic(&page.source.display_path, None));
            }
            _ => kept.push(page),
        }
    }
    kept
}

/// The pages, without the translations of pages that are not there, each reported.
fn translations_of_pages(pages: Vec<Page>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Page> {
    let originals: std::collections::HashSet<&str> = (pages.iter())
        .filter(|page| page.source.translates.is_none())
        .map(|page| page.source.content_path.as_str())
        .collect();
    let missing: Vec<bool> = (pages.iter())
        .map(|page| {
            page.source
                .translates
                .as_ref()
                .is_some_and(|t| !originals.contains(t.original.as_str()))
        })
        .collect();
    drop(originals);
    let mut kept = Vec::with_capacity(pages.len());
    for (page, missing) in pages.into_iter().zip(missing) {
        match &page.source.translates {
            Some(translates) if missing => {
                let error = SiteError::NothingTranslated {
                    original: format!("content/{}", translates.original),
                    code: translates.language.clone(),
                };
                diagnostics.push(error.to_diagnostic(&page.source.display_path, None));
            }
            _ => kept.push(page),
        }
    }
    kept
}

/// The section a translation belongs in: the nearest section above its page that
/// is translated into its language, up to the language's home page, which has
/// none. An error if the language has no home page.
fn translated_parent(
    page: &Page,
    pages: &[Page],
    by_url: &HashMap<String, usize>,
) -> Result<Option<usize>, ()> {
    let Some(translates) = &page.source.translates else {
        return Ok(None);
    };
    let home = format!("{}/", translates.language);
    if page.source.url_path == home {
        return Ok(None);
    }
    let mut path = page.source.url_path.clone();
    while let Some(parent) = paths::parent_url_path(&path) {
        if let Some(&index) = by_url.get(&parent) {
            let same_language = pages[index].source.translates.as_ref().map(|t| &t.language)
                == Some(&translates.language);
            if same_language && pages[index].source.is_section {
                return Ok(Some(index));
            }
        }
        if parent == home {
            return Err(());
        }
        path = parent;
    }
    Err(())
}

/// Each alias that is another page's address.
fn taken_aliases(pages: &[Page], by_url: &HashMap<String, usize>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for page in pages {
        for alias in &page.front.aliases {
            let alias_path = alias.trim_start_matches('/');
            let alias_path = if alias_path.is_empty() || alias_path.ends_with('/') {
                alias_path.to_owned()
            } else {
                format!("{alias_path}/")
            };
            if let Some(&other) = by_url.get(&alias_path) {
                let error = SiteError::AliasTaken {
                    alias: alias.clone(),
                    other: pages[other]
                        .source
                        .display_path
                        .to_string_lossy()
                        .into_owned(),
                };
                let position = page.front.key_positions.get("aliases").copied();
                let mut diagnostic = error.to_diagnostic(&page.source.display_path, None);
                if let Some(position) = position {
                    diagnostic = diagnostic.at(&page.source.text, position);
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics
}

fn order_key(page: &Page) -> (bool, i64, String, &str) {
    (
        page.front.order.is_none(),
        page.front.order.unwrap_or(0),
        page.front.title.to_lowercase(),
        &page.source.url_path,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::page::FrontMatter;

    fn page(content_path: &str, title: &str, order: Option<i64>) -> Page {
        Page {
            source: crate::stages::load::page_source(content_path, ""),
            front: std::sync::Arc::new(FrontMatter {
                title: title.into(),
                order,
                ..FrontMatter::default()
            }),
        }
    }

    fn titles(site: &Site, list: &[usize]) -> Vec<String> {
        list.iter()
            .map(|&i| site.pages[i].front.title.clone())
            .collect()
    }

    #[test]
    fn pages_are_ordered_by_order_then_title() {
        let (site, diagnostics) = build(vec![
            page("_index.md", "Home", None),
            page("crying/_index.md", "Crying", None),
            page("crying/zebra.md", "Zebra", None),
            page("crying/apple.md", "Apple", None),
            page("crying/last.md", "Last", Some(9)),
            page("crying/first.md", "First", Some(1)),
        ]);
        assert!(diagnostics.is_empty());
        let crying = site.by_url["crying/"];
        assert_eq!(
            titles(&site, site.children(crying)),
            ["First", "Last", "Apple", "Zebra"]
        );
        let first = site.by_url["crying/first/"];
        let (previous, next) = site.previous_and_next(first);
        assert_eq!(previous, Some(crying));
        assert_eq!(next, Some(site.by_url["crying/last/"]));
        assert_eq!(titles(&site, &site.ancestors(first)), ["Home", "Crying"]);
    }

    #[test]
    fn a_folder_needs_its_own_page() {
        let (_, diagnostics) = build(vec![
            page("_index.md", "Home", None),
            page("crying/soothing.md", "Soothing", None),
        ]);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("crying/"));
    }

    #[test]
    fn two_files_cannot_share_an_address() {
        let (site, diagnostics) = build(vec![
            page("_index.md", "Home", None),
            page("play.md", "Play", None),
            page("play/_index.md", "Play section", None),
        ]);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(site.pages.len(), 2);
    }
}
