//! The site: every page, arranged into sections, and the questions navigation asks
//! of it: a page's parent, its children, its breadcrumbs, its guide and the
//! previous and next page in it. The site stage makes it. Uses `page`.

use std::collections::HashMap;

use crate::model::page::Page;

/// The pages of a site, arranged into sections.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Every page, sorted by URL path; indexes into this list name pages.
    pub pages: Vec<Page>,
    /// The index of the page at each URL path.
    pub by_url: HashMap<String, usize>,
    /// The index of the page from each content path.
    pub by_content_path: HashMap<String, usize>,
    /// Each page's section, or `None` for the home page.
    pub(crate) parents: Vec<Option<usize>>,
    /// Each section's pages and sub-sections, in order.
    pub(crate) children: Vec<Vec<usize>>,
}

impl Site {
    pub fn home(&self) -> Option<usize> {
        self.by_url.get("").copied()
    }

    /// A section's pages and sub-sections, in order.
    pub fn children(&self, page: usize) -> &[usize] {
        &self.children[page]
    }

    /// The sections above a page, from the home page down, not including the page.
    pub fn ancestors(&self, page: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut current = self.parents[page];
        while let Some(parent) = current {
            chain.push(parent);
            current = self.parents[parent];
        }
        chain.reverse();
        chain
    }

    /// Each page's content path and address, in the site's order.
    pub fn addresses(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pages.iter().map(|page| {
            (
                page.source.content_path.as_str(),
                page.source.url_path.as_str(),
            )
        })
    }

    /// The pages of the guide a page belongs to: a section's own page, then its pages
    /// in order. The home page's top-level sections are not a guide.
    pub fn guide(&self, page: usize) -> Option<(usize, Vec<usize>)> {
        let section = self.guide_section(page)?;
        let mut sequence = vec![section];
        sequence.extend(self.children[section].iter().copied());
        Some((section, sequence))
    }

    /// The section page of the guide a page belongs to, without listing the guide.
    pub fn guide_section(&self, page: usize) -> Option<usize> {
        let section = if self.pages[page].source.is_section {
            page
        } else {
            self.parents[page]?
        };
        let is_guide = Some(section) != self.home() && !self.children[section].is_empty();
        is_guide.then_some(section)
    }

    /// The pages before and after this one in its guide.
    pub fn previous_and_next(&self, page: usize) -> (Option<usize>, Option<usize>) {
        let Some((_, sequence)) = self.guide(page) else {
            return (None, None);
        };
        let Some(at) = sequence.iter().position(|&p| p == page) else {
            return (None, None);
        };
        let previous = at.checked_sub(1).map(|i| sequence[i]);
        (previous, sequence.get(at + 1).copied())
    }
}
