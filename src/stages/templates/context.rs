//! What a template sees: the context each page is rendered with, the context of
//! the pages not made from content, and which of a guide's pages a page lists;
//! what it sees of languages and the interface messages is in `languages`. See
//! "Templates" in docs/reference.md for every name a template can use. Uses
//! `page`, `site`, `config`, `calendar`, `messages` and `paths`.

use serde::Serialize;

use crate::config::SiteConfig;
use crate::model::page::{Heading, RenderedPage, SourceRef};
use crate::model::site::Site;
use crate::support::calendar::ShownDate;
use crate::support::messages::Arg;
use crate::support::paths;

pub use super::languages::Messages;
use super::languages::{
    Alternate, LanguageContext, insert_languages, insert_messages, insert_shown, language_context,
    urgent_help_for,
};

/// A link to a page, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Site-relative URL path: write `{{ root }}{{ link.path }}` in a template.
    pub path: &'a str,
    pub current: bool,
}

#[derive(Debug, Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
    /// `ltr` or `rtl`, for the `dir` attribute.
    direction: &'static str,
    brand: BrandContext<'a>,
    /// Whether the search page searches in the browser.
    search: bool,
    /// Every language the site is published in, its own first.
    languages: Vec<LanguageContext<'a>>,
}

#[derive(Debug, Serialize)]
struct BrandContext<'a> {
    name: &'a str,
    /// The logo's path in `static/`: write `{{ root }}{{ asset(path=site.brand.logo) }}`.
    logo: Option<&'a str>,
    logo_alt: &'a str,
}

#[derive(Debug, Serialize)]
struct PageContext<'a> {
    title: &'a str,
    description: &'a str,
    path: &'a str,
    permalink: String,
    kind: &'static str,
    content: &'a str,
    toc: Vec<&'a Heading>,
    reviewed: Option<ShownDate>,
    next_review: Option<ShownDate>,
    sources: &'a [SourceRef],
    draft: bool,
}

#[derive(Debug, Serialize)]
struct GuideContext<'a> {
    title: &'a str,
    path: &'a str,
    /// The guide's pages, or, in a guide of more than [`MAX_GUIDE_LIST`] pages,
    /// that many nearest this one: as [`GUIDE_LIST_MARK`], which the pipeline replaces
    /// with the items the `guide_item` macro made for them.
    list: &'static str,
    /// The same pages as links, for a theme with no `guide_item` macro.
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<Vec<PageLink<'a>>>,
    /// How many pages `list` holds.
    shown: usize,
    /// How many pages the guide has.
    total: usize,
    /// The words of the link to the guide's first page, when not every page is
    /// listed: "All 12 pages in Crying", in the page's language.
    all_pages: String,
}

/// The most pages a page lists of its guide.
/// A longer list would make every page of a long guide heavy on a phone, and the
/// site's size would grow with the square of its pages.
pub const MAX_GUIDE_LIST: usize = 100;

/// The positions of up to `count` of `length` items around the one at `at`: as many
/// before it as after it where there are enough.
fn nearest_range(length: usize, at: usize, count: usize) -> std::ops::Range<usize> {
    if length <= count {
        return 0..length;
    }
    let start = at.saturating_sub(count / 2).min(length - count);
    start..start + count
}

/// The pages of its guide that page `index` lists, as positions in the guide's
/// sequence of pages: every page on the guide's own first page, the nearest
/// [`MAX_GUIDE_LIST`] on the others, so that a page's size does not grow with its
/// guide's.
pub fn guide_window(index: usize, section: usize, sequence: &[usize]) -> std::ops::Range<usize> {
    if index == section {
        return 0..sequence.len();
    }
    let at = sequence.iter().position(|&p| p == index).unwrap_or(0);
    nearest_range(sequence.len(), at, MAX_GUIDE_LIST)
}

/// Stands in a page's HTML for its guide's contents list until the pipeline puts
/// the list in, after minifying. U+FDD0 is a noncharacter: text has no use for it.
pub const GUIDE_LIST_MARK: &str = "\u{FDD0}guide-list\u{FDD0}";

#[derive(Debug, Serialize)]
struct NavItem<'a> {
    title: &'a str,
    path: &'a str,
    current: bool,
}

/// The template a page is rendered with when its front matter does not name one.
pub fn default_template(site: &Site, index: usize) -> &'static str {
    if site.is_home(index) {
        "index.html"
    } else if site.pages[index].source.is_section {
        "section.html"
    } else {
        "page.html"
    }
}

/// Everything a page's template can use. See "Templates" in docs/reference.md for
/// the full list.
/// The context page `index` is rendered with. With `with_guide_items`, its guide's
/// list is left to [`GUIDE_LIST_MARK`]; see [`Templates::render_guide_item`].
pub fn page_context(
    (config, messages): (&SiteConfig, &Messages),
    site: &Site,
    body: &RenderedPage,
    index: usize,
    with_guide_items: bool,
) -> tera::Context {
    let page = &site.pages[index];
    let here = page.source.url_path.as_str();
    let code = site.language(index);
    let link = |i: usize| page_link(site, i, Some(index));
    let kind = match default_template(site, index) {
        "index.html" => "index",
        "section.html" => "section",
        _ => "page",
    };
    let page_context = PageContext {
        title: &page.front.title,
        description: &page.front.description,
        path: here,
        permalink: format!("{}{here}", config.base_url.url),
        kind,
        content: &body.html,
        toc: body
            .headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .collect(),
        reviewed: page.front.reviewed.map(|date| messages.date(code, date)),
        next_review: page.front.next_review.map(|date| messages.date(code, date)),
        sources: &page.front.sources,
        draft: page.front.draft,
    };
    let guide = guide_context(site, index, with_guide_items, messages);
    let (previous, next) = site.previous_and_next(index);

    let mut context = tera::Context::new();
    context.insert("site", &site_context(config));
    insert_languages(&mut context, config, site, index);
    insert_messages(&mut context, (config, messages), site, index);
    context.insert("council", &config.council.as_deref());
    context.insert("statement_pages", &config.statements.pages());
    context.insert("page", &page_context);
    context.insert("root", &paths::root_prefix(here));
    context.insert(
        "breadcrumbs",
        &site
            .ancestors(index)
            .into_iter()
            .map(link)
            .collect::<Vec<_>>(),
    );
    context.insert(
        "children",
        &site
            .children(index)
            .iter()
            .map(|&c| link(c))
            .collect::<Vec<_>>(),
    );
    context.insert("guide", &guide);
    context.insert("nav", &nav_items(site, site.home_of(index), Some(index)));
    context.insert("urgent", &urgent_help(site, code));
    context.insert("previous", &previous.map(link));
    context.insert("next", &next.map(link));
    context
}

/// The guide page `index` is in, as its template sees it: with its list left to
/// [`GUIDE_LIST_MARK`] when `with_guide_items`, or else with its pages as links.
fn guide_context<'a>(
    site: &'a Site,
    index: usize,
    with_guide_items: bool,
    messages: &Messages,
) -> Option<GuideContext<'a>> {
    let (section, sequence) = site.guide(index)?;
    let window = guide_window(index, section, &sequence);
    let args = [
        ("count", Arg::Count(sequence.len())),
        ("guide", Arg::Text(&site.pages[section].front.title)),
    ];
    let all_pages = messages.text(site.language(index), "all-pages-in-guide", &args);
    Some(GuideContext {
        all_pages,
        title: &site.pages[section].front.title,
        path: &site.pages[section].source.url_path,
        list: if with_guide_items {
            GUIDE_LIST_MARK
        } else {
            ""
        },
        pages: (!with_guide_items).then(|| {
            sequence[window.clone()]
                .iter()
                .map(|&page| page_link(site, page, Some(index)))
                .collect()
        }),
        shown: window.len(),
        total: sequence.len(),
    })
}

/// The context of pages that are not made from content: the 404 page and alias
/// redirects. They can be served at any depth, so `root` is the base path.
/// `home` is the home page of the language the page is in (its site's own for
/// `None`, as for every redirect), whose `code` it is written in.
pub fn standalone_context(
    (config, messages): (&SiteConfig, &Messages),
    (site, home): (&Site, Option<usize>),
    title: &str,
    target: Option<&str>,
) -> tera::Context {
    let code = home.and_then(|home| site.language(home));
    let base = config.base_url.path.as_str();
    let home_path = home.map_or("", |home| site.pages[home].source.url_path.as_str());
    let mut context = tera::Context::new();
    context.insert("site", &site_context(config));
    context.insert("council", &config.council.as_deref());
    context.insert("statements", &*config.statements);
    context.insert("statement_pages", &config.statements.pages());
    context.insert("root", base);
    context.insert("title", title);
    let mut t = messages.shown(code);
    if let Some(target) = target {
        context.insert("target", &format!("{base}{target}"));
        context.insert("permalink", &format!("{}{target}", config.base_url.url));
        let go_to = messages.html(code, "moved-go-to", &[("title", Arg::Text(title))]);
        t.insert("moved_go_to".into(), go_to.into());
    }
    context.insert("nav", &nav_items(site, home, None));
    context.insert("urgent", &urgent_help(site, code));
    let urgent = urgent_help_for(site, code);
    let elsewhere = urgent.is_some_and(|(_, elsewhere)| elsewhere);
    context.insert("urgent_hreflang", &elsewhere.then_some(&config.language));
    context.insert("home", home_path);
    context.insert("language", &language_context(config, code));
    context.insert("alternates", &Vec::<Alternate>::new());
    if let Some((path, _)) = urgent {
        let hreflang = elsewhere.then_some(config.language.as_str());
        let line = messages.urgent_help_line(code, (base, path), hreflang);
        t.insert("help_urgent_page".into(), line.into());
    }
    let words = messages.html(code, "not-found-home-link", &[]);
    let link = format!("<a href=\"{base}{home_path}\">{words}</a>");
    let line = messages.html(code, "not-found-home", &[("link", Arg::Html(&link))]);
    t.insert("not_found_home".into(), line.into());
    insert_shown(&mut context, t);
    context
}

/// Where the site's urgent help page is: `content/urgent.md`, which every page's
/// header links to. A site without one gets `None`, and the theme then links
/// straight to the 999 and 111 phone numbers instead, so no page is ever without
/// a way to urgent help.
fn urgent_help<'a>(site: &'a Site, code: Option<&str>) -> Option<&'a str> {
    urgent_help_for(site, code).map(|(path, _)| path)
}

/// The top-level sections and pages under `home`, the home page of the site or of
/// a language, for the main navigation; `current` marks the one the page is in.
/// The pages of the open section are its guide's (see `guide`), so they are not
/// repeated here.
fn nav_items(site: &Site, home: Option<usize>, current: Option<usize>) -> Vec<NavItem<'_>> {
    let Some(home) = home else {
        return Vec::new();
    };
    let ancestors = current.map(|c| site.ancestors(c)).unwrap_or_default();
    site.children(home)
        .iter()
        .map(|&top| NavItem {
            title: &site.pages[top].front.title,
            path: &site.pages[top].source.url_path,
            current: Some(top) == current || ancestors.contains(&top),
        })
        .collect()
}

pub(super) fn page_link(site: &Site, index: usize, current: Option<usize>) -> PageLink<'_> {
    let page = &site.pages[index];
    PageLink {
        title: &page.front.title,
        description: &page.front.description,
        path: &page.source.url_path,
        current: Some(index) == current,
    }
}

fn site_context(config: &SiteConfig) -> SiteContext<'_> {
    SiteContext {
        title: &config.title,
        description: &config.description,
        base_url: &config.base_url.url,
        base_path: &config.base_url.path,
        language: &config.language,
        direction: config.direction.as_str(),
        search: config.search,
        brand: BrandContext {
            name: &config.brand.name,
            logo: config.brand.logo.as_deref(),
            logo_alt: &config.brand.logo_alt,
        },
        languages: std::iter::once(None)
            .chain(config.languages.iter().map(|l| Some(l.code.as_str())))
            .map(|code| language_context(config, code))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_keep_the_items_nearest_the_current_one() {
        assert_eq!(nearest_range(10, 0, 4), 0..4);
        assert_eq!(nearest_range(10, 5, 4), 3..7);
        assert_eq!(nearest_range(10, 9, 4), 6..10);
        assert_eq!(nearest_range(10, 3, 20), 0..10);
    }
}
