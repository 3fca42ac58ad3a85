//! The site: every page, arranged into sections, and the questions navigation asks
//! of it: a page's parent, its children, its breadcrumbs, its guide and the
//! previous and next page in it; and of a translation, the page it translates and
//! whether it is still in step with it; and the page a link to a heading leads to. The site stage makes it. Uses `page` and
//! `paths`.

use std::collections::HashMap;

use crate::model::page::{FrontMatter, LinkTarget, Page};
use crate::support::paths;

/// How many hexadecimal digits of a page's hash its fingerprint has: enough that
/// two versions of one page do not share one by chance.
pub const FINGERPRINT_LENGTH: usize = 12;

/// The fingerprint of a page's words: its `title`, `description` and `body`, each
/// line without the spaces at its ends. See [`Site::fingerprint`].
pub fn fingerprint(title: &str, description: &str, body: &str) -> String {
    // Hashed at once: the same bytes, without a call to the hasher for each line.
    let mut words = Vec::with_capacity(title.len() + description.len() + body.len() + 2);
    for line in [title, description].into_iter().chain(body.trim().lines()) {
        words.extend_from_slice(line.trim().as_bytes());
        words.push(b'\n');
    }
    blake3::hash(&words).to_hex()[..FINGERPRINT_LENGTH].to_owned()
}

/// The fingerprint of the words of the page whose front matter is `front` and
/// whose file's text is `text`: as its front matter kept it, or else made.
pub fn fingerprint_of(front: &FrontMatter, text: &str) -> String {
    match &front.fingerprint {
        Some(fingerprint) => fingerprint.clone(),
        None => {
            let body = text.get(front.body_start..).unwrap_or("");
            fingerprint(&front.title, &front.description, body)
        }
    }
}

/// How a translation stands with the page it translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationState {
    /// The page it translates.
    pub original: usize,
    /// That page's fingerprint now.
    pub fingerprint: String,
    /// Whether the translation was made from the page as it is now.
    pub in_step: bool,
    /// Whether someone has checked the translation against the page and said so.
    pub assured: bool,
}

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

    /// The home page of the language `page` is in: the site's, or, for a
    /// translation, its language's.
    pub fn home_of(&self, page: usize) -> Option<usize> {
        match &self.pages[page].source.translates {
            Some(translates) => self
                .by_url
                .get(&format!("{}/", translates.language))
                .copied(),
            None => self.home(),
        }
    }

    /// Whether `page` is the home page of the site or of a language.
    pub fn is_home(&self, page: usize) -> bool {
        self.parents[page].is_none() && self.home_of(page) == Some(page)
    }

    /// The page a translation translates; `None` for a page in the site's own
    /// language.
    pub fn original(&self, page: usize) -> Option<usize> {
        let translates = self.pages[page].source.translates.as_ref()?;
        self.by_content_path.get(&translates.original).copied()
    }

    /// The translation into `code` of the page `original`, if there is one.
    pub fn translation(&self, original: usize, code: &str) -> Option<usize> {
        let path = &self.pages[original].source.content_path;
        (self
            .by_content_path
            .get(&paths::translation_path(path, code)))
        .copied()
    }

    /// The fingerprint of page `page`'s words: its title, description and body,
    /// each line without the spaces at its ends, so that only a change a reader can
    /// see changes it. A translation records the fingerprint of the page it was
    /// made from, and is out of step when the page's is different.
    pub fn fingerprint(&self, page: usize) -> String {
        let page = &self.pages[page];
        fingerprint_of(&page.front, &page.source.text)
    }

    /// Whether translation `page` is in step with the page it translates, and is
    /// assured; `None` for a page that is not a translation.
    pub fn translation_state(&self, page: usize) -> Option<TranslationState> {
        let original = self.original(page)?;
        let fingerprint = self.fingerprint(original);
        let record = self.pages[page].front.translation.as_ref();
        Some(TranslationState {
            original,
            in_step: record.and_then(|r| r.from.as_deref()) == Some(fingerprint.as_str()),
            assured: record.is_some_and(|r| r.assured_by.is_some()),
            fingerprint,
        })
    }

    /// Each version of page `index`, when it is in more than one language: the page
    /// in the site's own language (with `None`), then its translation into each of
    /// `codes` that it has, in their order.
    pub fn versions<'c>(
        &self,
        index: usize,
        codes: impl IntoIterator<Item = &'c str>,
    ) -> Vec<(Option<&'c str>, usize)> {
        let original = self.original(index).unwrap_or(index);
        let versions: Vec<(Option<&str>, usize)> = std::iter::once((None, original))
            .chain(
                codes
                    .into_iter()
                    .filter_map(|code| Some((Some(code), self.translation(original, code)?))),
            )
            .collect();
        if versions.len() < 2 {
            Vec::new()
        } else {
            versions
        }
    }

    /// The code of the language `page` is in, if it is a translation.
    pub fn language(&self, page: usize) -> Option<&str> {
        (self.pages[page].source.translates.as_ref()).map(|t| t.language.as_str())
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

    /// The page a link to one of its headings leads to, and the heading's id as
    /// written; `None` for a link to no heading, or to no page of the site.
    pub fn heading_link<'l>(&self, target: &'l LinkTarget) -> Option<(usize, &'l str)> {
        let LinkTarget::Page {
            content_path,
            fragment: Some(fragment),
        } = target
        else {
            return None;
        };
        Some((*self.by_content_path.get(content_path)?, fragment))
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
        let is_guide = !self.is_home(section) && !self.children[section].is_empty();
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
