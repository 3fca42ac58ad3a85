//! Rendering, the second half of the templates stage: every page of the site made
//! by its template from the site and its rendered markdown, and the pages that are
//! not made from one page's content (the 404 page, the statements, the guide to
//! print, the A to Z and search pages, and the redirects of aliases). Pages come
//! out readable, with their shared parts marked and their guide's contents list
//! left to a mark with the items beside it, for the minify stage to finish. A
//! mistake in a template that shows on many pages is said once. Uses the compiled
//! `templates` and their `context`, `site`, `page`, `config`, `paths`, `messages`,
//! `cache_key`, `memo` and `error`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::memo::MemoKey;
use crate::model::page::{Page, RenderedPage};
use crate::model::site::Site;
use crate::stages::templates::Templates;
use crate::stages::templates::context;
use crate::support::error::{Diagnostic, StageError};
use crate::support::messages::Catalogue;
use crate::support::paths;

/// The templates every site needs, from the theme or the project.
const REQUIRED_TEMPLATES: [&str; 5] = [
    "index.html",
    "section.html",
    "page.html",
    "404.html",
    "alias.html",
];

/// Each template the site needs that is missing, if any is: then no page can be
/// made. With no templates at all, the theme is missing and loading has said so.
pub fn missing_templates(templates: &Templates) -> Option<Vec<Diagnostic>> {
    if templates.is_empty() {
        return Some(Vec::new());
    }
    let missing: Vec<Diagnostic> = REQUIRED_TEMPLATES
        .iter()
        .filter(|name| !templates.has(name))
        .map(|name| {
            let path = Path::new("templates").join(name);
            templates.missing(name).to_diagnostic(&path, None)
        })
        .collect();
    (!missing.is_empty()).then_some(missing)
}

/// Everything a page's HTML can depend on besides its own text: the settings, the
/// templates and assets, and every page's address and front matter (titles,
/// descriptions and order make the navigation).
pub struct SiteShape<'a> {
    pub config: &'a Config,
    pub site: &'a Site,
    pub templates: &'a Templates,
    /// The interface messages, in each language.
    pub messages: context::Messages<'a>,
    key: blake3::Hash,
}

impl<'a> SiteShape<'a> {
    /// The shape of `site`, made with `templates` and the interface messages of
    /// `catalogue`.
    pub fn new(
        config: &'a Config,
        site: &'a Site,
        (templates, catalogue): (&'a Templates, &'a Catalogue),
    ) -> SiteShape<'a> {
        let mut key = crate::support::cache_key::Key::new();
        key.field(config.memo_key().as_bytes())
            .field(templates.memo_key().as_bytes())
            .field(catalogue.key().as_bytes());
        for (index, page) in site.pages.iter().enumerate() {
            key.field(&page.source.content_path)
                .field(&page.source.url_path)
                .field(page.front_matter_written());
            // A translation's notice says whether its page has changed since.
            if let Some(state) = site.translation_state(index) {
                key.field([u8::from(state.in_step)]);
            }
        }
        SiteShape {
            config,
            site,
            templates,
            messages: context::Messages::new(catalogue, &config.site),
            key: key.finish(),
        }
    }
}

impl MemoKey for SiteShape<'_> {
    fn memo_key(&self) -> blake3::Hash {
        self.key
    }
}

/// The items of one guide's contents list, for pages with one root, or the first
/// mistake in making them.
type GuideList = Result<((usize, String), Vec<Arc<str>>), Box<Diagnostic>>;

/// The items of every guide's contents list, each rendered once by the theme's
/// `guide_item` macro for each root the guide's pages have, and shared by all the
/// pages that list it. A page's own item, marked as current, is rendered for that
/// page.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GuideItems {
    /// Every item, by its id.
    pub items: Vec<Arc<str>>,
    /// By guide (its section page) and root: the id of the item of each page of the
    /// guide, in the guide's order.
    lists: HashMap<(usize, String), Vec<usize>>,
}

/// One item of a page's contents list.
#[derive(Debug, PartialEq)]
pub enum ListItem {
    /// The item with this id in [`GuideItems::items`], shared by the pages that list it.
    Shared(usize),
    /// The page's own item, marked as current.
    Own(String),
}

/// The items of every guide's contents list, if the theme has a `guide_item`
/// macro; the items of a site made with the same shape are the same.
pub fn guide_items(shape: &SiteShape) -> Result<Option<Arc<GuideItems>>, Vec<Diagnostic>> {
    let (site, templates) = (shape.site, shape.templates);
    if !templates.has_guide_item() {
        return Ok(None);
    }
    let lists: BTreeSet<(usize, String)> = (0..site.pages.len())
        .filter_map(|index| {
            let section = site.guide_section(index)?;
            let root = paths::root_prefix(&site.pages[index].source.url_path);
            Some((section, root))
        })
        .collect();
    let rendered: Vec<GuideList> = lists
        .into_par_iter()
        .map(|(section, root)| {
            let (_, sequence) = site.guide(section).unwrap_or_default();
            let items = sequence
                .iter()
                .map(|&page| {
                    let item = templates.render_guide_item(site, page, false, &root)?;
                    Ok(Arc::from(item))
                })
                .collect::<Result<Vec<Arc<str>>, Box<Diagnostic>>>()?;
            Ok(((section, root), items))
        })
        .collect();
    let mut guide = GuideItems {
        items: Vec::new(),
        lists: HashMap::new(),
    };
    let mut diagnostics = Vec::new();
    for result in rendered {
        match result {
            Ok((key, list)) => {
                let first = guide.items.len();
                guide
                    .lists
                    .insert(key, (first..first + list.len()).collect());
                guide.items.extend(list);
            }
            Err(diagnostic) if !diagnostics.contains(&*diagnostic) => diagnostics.push(*diagnostic),
            Err(_) => {}
        }
    }
    if diagnostics.is_empty() {
        Ok(Some(Arc::new(guide)))
    } else {
        Err(diagnostics)
    }
}

impl GuideItems {
    /// The contents list of page `index`: the items of the pages of its guide that it
    /// lists (see [`context::guide_window`]), its own marked as current.
    fn list_for(
        &self,
        site: &Site,
        templates: &Templates,
        index: usize,
    ) -> Result<Vec<ListItem>, Box<Diagnostic>> {
        let Some((section, sequence)) = site.guide(index) else {
            return Ok(Vec::new());
        };
        let root = paths::root_prefix(&site.pages[index].source.url_path);
        let Some(ids) = self.lists.get(&(section, root.clone())) else {
            return Ok(Vec::new());
        };
        let mut list = Vec::new();
        for position in context::guide_window(index, section, &sequence) {
            if sequence[position] == index {
                let current = templates.render_guide_item(site, index, true, &root)?;
                list.push(ListItem::Own(current));
            } else {
                list.push(ListItem::Shared(ids[position]));
            }
        }
        Ok(list)
    }
}

/// One page of the site to render.
pub struct PageInput<'a> {
    pub shape: &'a SiteShape<'a>,
    /// The page, as the site's page `index`.
    pub index: usize,
    pub markdown: &'a RenderedPage,
    pub guide_items: Option<&'a GuideItems>,
}

impl MemoKey for PageInput<'_> {
    /// The page's markdown is made from its own text and the site's addresses, which
    /// the shape holds, and its guide's items from the shape.
    fn memo_key(&self) -> blake3::Hash {
        let page = &self.shape.site.pages[self.index];
        crate::support::cache_key::of([
            self.shape.key.as_bytes(),
            page.source.memo_key().as_bytes(),
        ])
    }
}

impl PageInput<'_> {
    fn page(&self) -> &Page {
        &self.shape.site.pages[self.index]
    }

    /// Where the page is written.
    pub fn output_path(&self) -> String {
        format!("{}index.html", self.page().source.url_path)
    }
}

/// A page as its template made it, with its guide's contents list, if it has one,
/// to go where [`context::GUIDE_LIST_MARK`] is.
#[derive(Debug, PartialEq)]
pub struct PageHtml {
    pub html: String,
    pub guide_list: Option<Vec<ListItem>>,
}

/// Renders one page with its template: the one its front matter names, or the
/// default for its place in the site.
pub fn page(input: &PageInput) -> Result<PageHtml, Box<Diagnostic>> {
    let (shape, index, page) = (input.shape, input.index, input.page());
    let (site, templates) = (shape.site, shape.templates);
    // A translation is made with its page's template, unless it names its own.
    let original = site.original(index).map(|original| &site.pages[original]);
    let name = (page.front.template.as_deref())
        .or_else(|| original.and_then(|page| page.front.template.as_deref()))
        .unwrap_or_else(|| context::default_template(site, index));
    if !templates.has(name) {
        let diagnostic = templates
            .missing(name)
            .to_diagnostic(&page.source.display_path, None);
        return Err(Box::new(match page.front.key_positions.get("template") {
            Some(&position) => diagnostic.at(&page.source.text, position),
            None => diagnostic,
        }));
    }
    let context = context::page_context(
        (&shape.config.site, &shape.messages),
        site,
        input.markdown,
        index,
        input.guide_items.is_some(),
    );
    let guide_list = match input.guide_items {
        Some(items) => Some(items.list_for(site, templates, index)?),
        None => None,
    };
    let shown = page.source.display_path.to_string_lossy();
    let html = templates.render(name, &context, &shown)?;
    Ok(PageHtml { html, guide_list })
}

/// The diagnostics of the pages that could not be made, each mistake said once: one
/// mistake in a template shows up on every page.
pub fn once_each(errors: impl IntoIterator<Item = Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    errors
        .into_iter()
        .filter(|diagnostic| {
            seen.insert((
                diagnostic.path.clone(),
                diagnostic.position,
                template_message(diagnostic),
            ))
        })
        .collect()
}

/// A render error's message without the page it happened on, to spot repeats.
fn template_message(diagnostic: &Diagnostic) -> String {
    match diagnostic.message.split_once(": ") {
        Some((_, rest)) => rest.to_owned(),
        None => diagnostic.message.clone(),
    }
}

/// A page that is not made from content: where it is written, and its HTML.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StandalonePage {
    pub path: String,
    pub html: String,
}

impl MemoKey for StandalonePage {
    /// The page is finished from its HTML alone.
    fn memo_key(&self) -> blake3::Hash {
        crate::support::cache_key::of([self.path.as_bytes(), self.html.as_bytes()])
    }
}

/// The site's shape and the markdown of its pages, to make the pages not made from
/// content.
pub struct StandaloneInput<'a> {
    pub shape: &'a SiteShape<'a>,
    pub markdown: &'a [Arc<RenderedPage>],
    /// The pages the guide to print holds whole, found once for the key and the
    /// choice of whether to keep the pages.
    held_whole: Vec<usize>,
}

impl<'a> StandaloneInput<'a> {
    pub fn new(shape: &'a SiteShape<'a>, markdown: &'a [Arc<RenderedPage>]) -> Self {
        let held_whole = super::booklet::pages_held_whole(shape);
        StandaloneInput {
            shape,
            markdown,
            held_whole,
        }
    }

    /// Whether the guide to print holds its pages whole, and so reads their
    /// markdown: for a site of at most [`super::booklet::MOST_PAGES`].
    pub fn holds_pages_whole(&self) -> bool {
        !self.held_whole.is_empty()
    }
}

impl MemoKey for StandaloneInput<'_> {
    /// The pages are made from the shape, but for the file an alias's page is read
    /// from, which a mistake in its redirect names, and the markdown of the pages
    /// the guide to print holds whole, if it does.
    fn memo_key(&self) -> blake3::Hash {
        let site = self.shape.site;
        let mut key = crate::support::cache_key::Key::new();
        key.field(self.shape.memo_key().as_bytes());
        for (index, page) in site.pages.iter().enumerate() {
            if !page.front.aliases.is_empty() {
                key.field(index.to_le_bytes())
                    .field(page.source.display_path.as_os_str().as_encoded_bytes());
            }
        }
        key.field("held whole");
        for &page in &self.held_whole {
            key.field(page.to_le_bytes())
                .field(self.markdown[page].made_from.as_bytes());
        }
        key.finish()
    }
}

/// The pages not made from content but from the A to Z, rendered, with the
/// mistakes in their templates.
pub type Standalone = Arc<(Vec<StandalonePage>, Vec<Diagnostic>)>;

/// The 404 page, the accessibility and privacy statements, the guide to print
/// made from the `markdown` of every page, and a redirect for each alias of each
/// page, with any mistake in their templates. The A to Z and the search page are
/// made apart, by [`super::a_z::pages`].
pub fn standalone_pages(input: &StandaloneInput) -> Standalone {
    let (shape, markdown) = (input.shape, input.markdown);
    let (config, site, templates) = (&shape.config.site, shape.site, shape.templates);
    let config = (config, &shape.messages);
    let mut pages = Vec::new();
    let mut diagnostics = Vec::new();
    // A 404 page in each language that has a home page, each at its code: a host
    // can show it for a missing address under that code.
    let homes = std::iter::once(("404.html".to_owned(), site.home())).chain(
        (config.0.languages.iter()).filter_map(|language| {
            let home = site.by_url.get(&format!("{}/", language.code))?;
            Some((format!("{}/404.html", language.code), Some(*home)))
        }),
    );
    for (path, home) in homes {
        let code = home.and_then(|home| site.language(home));
        let title = shape.messages.text(code, "not-found", &[]);
        let not_found = context::standalone_context(config, (site, home), &title, None);
        match templates.render("404.html", &not_found, "the 404 page") {
            Ok(html) => pages.push(StandalonePage { path, html }),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    // A page of the site's own at a statement's address replaces the statement.
    let statements = config.0.statements.pages();
    for statement in statements
        .iter()
        .filter(|s| !site.by_url.contains_key(s.url_path))
    {
        let title = (shape.messages).text(None, &statement.title.replace('_', "-"), &[]);
        let context = context::standalone_context(config, (site, site.home()), &title, None);
        match templates.render(statement.template, &context, statement.template) {
            Ok(html) => pages.push(StandalonePage {
                path: format!("{}index.html", statement.url_path),
                html,
            }),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    match super::booklet::booklet(shape, markdown) {
        Some(Ok(page)) => pages.push(page),
        Some(Err(diagnostic)) => diagnostics.push(*diagnostic),
        None => {}
    }
    for (index, page) in site.pages.iter().enumerate() {
        // An alias that is another page's address has been reported already.
        let free = |alias: &&String| {
            let url = format!("{}/", alias.trim_matches('/'));
            !site.by_url.contains_key(&url) && !site.by_url.contains_key(alias.trim_matches('/'))
        };
        for alias in page.front.aliases.iter().filter(free) {
            // A redirect is in the language of the page it leads to.
            let context = context::standalone_context(
                config,
                (site, site.home_of(index)),
                &page.front.title,
                Some(&page.source.url_path),
            );
            let shown = page.source.display_path.to_string_lossy();
            match templates.render("alias.html", &context, &shown) {
                Ok(html) => pages.push(StandalonePage {
                    path: paths::alias_file(alias),
                    html,
                }),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
    }
    Arc::new((pages, diagnostics))
}
