//! What a template sees of languages: a page's language, the versions of the page
//! in the others, how a translation stands with its page, and the interface
//! messages in the page's language, as `t`. Part of the context each page is
//! rendered with (see `context`). Uses `site`, `config`, `calendar`,
//! `language`, `messages`, `escape` and `paths`.

use std::collections::HashMap;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::config::council::Council;
use crate::model::site::Site;
use crate::support::calendar::{self, Date, ShownDate};
use crate::support::escape::escape_html;
use crate::support::messages::{Arg, Catalogue};
use crate::support::paths;

use super::context::{PageLink, page_link};

/// The interface messages of each language, as templates see them: `t` in a
/// template, with `-` in each message's id written `_`, each message as HTML.
pub struct Messages<'a> {
    catalogue: &'a Catalogue,
    /// The messages that read the same on every page, by language; `None` for the
    /// site's own. Kept as a template sees them, so that a page's copy is made in
    /// one step.
    shown: HashMap<Option<String>, tera::Map<String, tera::Value>>,
}

impl<'a> Messages<'a> {
    pub fn new(catalogue: &'a Catalogue, config: &SiteConfig) -> Messages<'a> {
        let call999 = "<a dir=\"ltr\" href=\"tel:999\">999</a>";
        let call111 = "<a dir=\"ltr\" href=\"tel:111\">111</a>";
        let council = config.council.as_ref().map_or("", |c| c.name.as_str());
        let args = [
            ("call999", Arg::Html(call999)),
            ("call111", Arg::Html(call111)),
            ("council", Arg::Text(council)),
        ];
        let codes =
            std::iter::once(None).chain(config.languages.iter().map(|l| Some(l.code.clone())));
        let shown = codes
            .map(|code| {
                let mut messages: tera::Map<String, tera::Value> = (catalogue.ids())
                    .filter(|id| !PER_PAGE.contains(id) && !COUNCIL_LINES.contains(id))
                    .map(|id| {
                        let message = catalogue.html(code.as_deref(), id, &args);
                        (id.replace('-', "_"), message.into())
                    })
                    .collect();
                if let Some(council) = &config.council {
                    let lines = council_lines(catalogue, code.as_deref(), council);
                    messages.extend(lines.into_iter().map(|(id, line)| (id, line.into())));
                }
                (code, messages)
            })
            .collect();
        Messages { catalogue, shown }
    }

    /// The messages of language `code` that read the same on every page, for a
    /// page to add its own to and hand to [`insert_shown`].
    pub(super) fn shown(&self, code: Option<&str>) -> tera::Map<String, tera::Value> {
        (self.shown.get(&code.map(str::to_owned)))
            .cloned()
            .unwrap_or_default()
    }

    /// The footer's line about the urgent help page at `root` and `path`, in language
    /// `code`; marked as in the language `hreflang` when that page is not in `code`.
    pub(super) fn urgent_help_line(
        &self,
        code: Option<&str>,
        (root, path): (&str, &str),
        hreflang: Option<&str>,
    ) -> String {
        let words = self.html(code, "urgent-help-page", &[]);
        let hreflang = hreflang.map(|tag| format!(" hreflang=\"{}\"", escape_html(tag)));
        let link = format!(
            "<a href=\"{}{}\"{}>{words}</a>",
            escape_html(root),
            escape_html(path),
            hreflang.unwrap_or_default()
        );
        self.html(code, "help-urgent-page", &[("link", Arg::Html(&link))])
    }

    pub(super) fn html(&self, code: Option<&str>, id: &str, args: &[(&str, Arg)]) -> String {
        self.catalogue.html(code, id, args)
    }

    pub(super) fn text(&self, code: Option<&str>, id: &str, args: &[(&str, Arg)]) -> String {
        self.catalogue.text(code, id, args)
    }

    /// `date` as a page in language `code` shows it, such as "5 stycznia 2026".
    pub(super) fn date(&self, code: Option<&str>, date: Date) -> ShownDate {
        date_in(self.catalogue, code, date)
    }
}

/// The messages that are made for each page, from what differs from page to page,
/// or else not shown.
const PER_PAGE: [&str; 7] = [
    "moved-go-to",
    "help-urgent-page",
    "not-found-home",
    "out-of-step",
    "pages-in-language",
    "all-pages-in-guide",
    "date",
];

/// The message of each tier of a council's services, such as `tier-getting-help`.
const TIER_WORDS: [(&str, &str); 3] = [
    ("getting_advice", "tier-getting-advice"),
    ("getting_help", "tier-getting-help"),
    ("getting_more_help", "tier-getting-more-help"),
];

/// The messages made from a council's own lines, which read the same on every page
/// of its site.
const COUNCIL_LINES: [&str; 7] = [
    "tier-near-you",
    "mental-health-call",
    "mental-health-call-named",
    "last-checked",
    "your-hubs",
    "offer-link",
    "offer-lists",
];

/// The messages about `council`'s urgent mental health line and when it last
/// checked its details, in language `code`, as `t` holds them.
fn council_lines(
    catalogue: &Catalogue,
    code: Option<&str>,
    council: &Council,
) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    if let Some(line) = &council.urgent_mental_health {
        let phone = line.phone.as_ref().map_or(String::new(), |phone| {
            format!(
                "<a dir=\"ltr\" href=\"tel:{}\">{}</a>",
                escape_html(&phone.tel),
                escape_html(&phone.display)
            )
        });
        let times = match line.opening_times.is_empty() {
            true => String::new(),
            false => format!(", {}", line.opening_times.join("; ")),
        };
        let mut args = vec![("phone", Arg::Html(&phone)), ("times", Arg::Text(&times))];
        let id = match &line.name {
            Some(name) => {
                args.push(("name", Arg::Text(name)));
                "mental-health-call-named"
            }
            None => "mental-health-call",
        };
        let call = catalogue.html(code, id, &args);
        lines.push(("mental_health_call".to_owned(), call));
    }
    let hubs = [("hubs", Arg::Text(&council.labels.hub_term_plural))];
    lines.push((
        "your_hubs".to_owned(),
        catalogue.html(code, "your-hubs", &hubs),
    ));
    for (tier, words) in TIER_WORDS {
        let name = catalogue.text(code, words, &[]);
        let near_you = catalogue.html(code, "tier-near-you", &[("tier", Arg::Text(&name))]);
        lines.push((format!("tier_near_you_{tier}"), near_you));
    }
    if let Some(url) = &council.offer_url {
        let args = [
            ("offer", Arg::Text(&council.labels.offer_name)),
            ("council", Arg::Text(&council.name)),
        ];
        let words = catalogue.html(code, "offer-link", &args);
        let link = format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{words}</a>",
            escape_html(url)
        );
        let lists = catalogue.html(code, "offer-lists", &[("link", Arg::Html(&link))]);
        lines.push(("offer_lists".to_owned(), lists));
        lines.push(("offer_link_to_page".to_owned(), link));
    }
    if let Some(checked) = &council.last_checked {
        let date = calendar::parse_date(&checked.iso).map_or_else(
            || checked.display.clone(),
            |date| date_in(catalogue, code, date).display,
        );
        let date = format!(
            "<time datetime=\"{}\">{}</time>",
            escape_html(&checked.iso),
            escape_html(&date)
        );
        let args = [
            ("council", Arg::Text(&council.name)),
            ("date", Arg::Html(&date)),
        ];
        let line = catalogue.html(code, "last-checked", &args);
        lines.push(("last_checked".to_owned(), line));
    }
    lines
}

/// `date` as a page in language `code` shows it, such as "5 stycznia 2026".
fn date_in(catalogue: &Catalogue, code: Option<&str>, date: Date) -> ShownDate {
    let month = catalogue.text(code, &format!("month-{}", date.month), &[]);
    let (day, year) = (date.day.to_string(), date.year.to_string());
    let args = [
        ("day", Arg::Text(&day)),
        ("month", Arg::Text(&month)),
        ("year", Arg::Text(&year)),
    ];
    ShownDate {
        display: catalogue.text(code, "date", &args),
        ..calendar::shown(date)
    }
}

/// A language, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageContext<'a> {
    /// The BCP 47 tag, for `lang` and `hreflang`.
    code: &'a str,
    /// Its name in itself.
    name: &'a str,
    /// `ltr` or `rtl`, for `dir`.
    direction: &'static str,
}

/// A version of the page in one language, for the language switcher and the
/// `hreflang` links.
#[derive(Debug, Serialize)]
pub(super) struct Alternate<'a> {
    language: LanguageContext<'a>,
    path: &'a str,
    permalink: String,
    current: bool,
}

/// How a translation stands, for its notices.
#[derive(Debug, Serialize)]
struct TranslationContext<'a> {
    /// The page it translates.
    original: PageLink<'a>,
    /// Whether it was made from the page as it is now.
    in_step: bool,
    /// Whether someone has checked it and said so.
    assured: bool,
}

/// What a page's template sees of languages: the page's own, the versions of the
/// page in each, how a translation stands, its language's home page and, on that
/// home page, every page in the language.
pub(super) fn insert_languages(
    context: &mut tera::Context,
    config: &SiteConfig,
    site: &Site,
    index: usize,
) {
    let code = site.language(index);
    context.insert("language", &language_context(config, code));
    context.insert("alternates", &alternates(config, site, index));
    context.insert("translation", &translation_context(site, index));
    // A translation's urgent help page is in the site's own language when it is
    // not translated: the link says so.
    let urgent_elsewhere = urgent_help_for(site, code).is_some_and(|(_, elsewhere)| elsewhere);
    context.insert(
        "urgent_hreflang",
        &urgent_elsewhere.then_some(&config.language),
    );
    let home = site
        .home_of(index)
        .map(|home| &site.pages[home].source.url_path);
    context.insert("home", &home.map_or("", String::as_str));
    let in_language = site.is_home(index) && code.is_some();
    let language_pages: Vec<PageLink> = match in_language {
        true => (pages_in_language(site, index))
            .map(|page| page_link(site, page, Some(index)))
            .collect(),
        false => Vec::new(),
    };
    context.insert("language_pages", &language_pages);
}

/// The interface messages of the page's language, as `t`, with those that differ
/// from page to page: the link to the urgent help page, the notice on a translation
/// out of step with its page, and how many pages a language's home page lists.
pub(super) fn insert_messages(
    context: &mut tera::Context,
    (config, messages): (&SiteConfig, &Messages),
    site: &Site,
    index: usize,
) {
    let code = site.language(index);
    let root = paths::root_prefix(&site.pages[index].source.url_path);
    let mut t = messages.shown(code);
    if let Some((path, other_language)) = urgent_help_for(site, code) {
        let hreflang = other_language.then_some(config.language.as_str());
        let line = messages.urgent_help_line(code, (&root, path), hreflang);
        t.insert("help_urgent_page".into(), line.into());
    }
    if let Some(state) = site.translation_state(index) {
        let original = &site.pages[state.original].source.url_path;
        let words = messages.html(code, "out-of-step-link", &[]);
        let link = format!(
            "<a href=\"{root}{}\" hreflang=\"{}\">{words}</a>",
            escape_html(original),
            escape_html(&config.language)
        );
        t.insert(
            "out_of_step".into(),
            messages
                .html(code, "out-of-step", &[("link", Arg::Html(&link))])
                .into(),
        );
    }
    if site.is_home(index) && code.is_some() {
        let count = pages_in_language(site, index).count();
        let name = language_context(config, code).name;
        let args = [("count", Arg::Count(count)), ("language", Arg::Text(name))];
        t.insert(
            "pages_in_language".into(),
            messages.html(code, "pages-in-language", &args).into(),
        );
    }
    insert_shown(context, t);
}

/// Puts a page's messages `t` in its context as they are: [`tera::Context::insert`]
/// would copy each one again.
pub(super) fn insert_shown(context: &mut tera::Context, t: tera::Map<String, tera::Value>) {
    let messages = tera::Map::from_iter([("t".to_owned(), tera::Value::Object(t))]);
    if let Ok(messages) = tera::Context::from_value(tera::Value::Object(messages)) {
        context.extend(messages);
    }
}

/// The pages of the language whose home page is `home`, in the order of the site,
/// without the home page.
fn pages_in_language(site: &Site, home: usize) -> impl Iterator<Item = usize> + '_ {
    let code = site.language(home);
    (0..site.pages.len())
        .filter(move |&i| i != home && site.language(i) == code && site.home_of(i) == Some(home))
}

/// The language `code` (the site's own for `None`), as templates see it.
pub(super) fn language_context<'a>(
    config: &'a SiteConfig,
    code: Option<&str>,
) -> LanguageContext<'a> {
    let own = LanguageContext {
        code: &config.language,
        name: own_language_name(config),
        direction: config.direction.as_str(),
    };
    let Some(code) = code else {
        return own;
    };
    match config.languages.iter().find(|l| l.code == code) {
        Some(language) => LanguageContext {
            code: &language.code,
            name: &language.name,
            direction: language.direction.as_str(),
        },
        None => own,
    }
}

/// The name of the site's own language in itself.
fn own_language_name(config: &SiteConfig) -> &'static str {
    crate::support::language::own_name(&config.language).unwrap_or("English")
}

/// The versions of page `index` in each language it is in, the site's own first,
/// then in the order of `languages:`; empty for a page in one language only.
fn alternates<'a>(config: &'a SiteConfig, site: &'a Site, index: usize) -> Vec<Alternate<'a>> {
    let codes = config.languages.iter().map(|l| l.code.as_str());
    (site.versions(index, codes).into_iter())
        .map(|(code, page)| {
            let path = site.pages[page].source.url_path.as_str();
            Alternate {
                language: language_context(config, code),
                path,
                permalink: format!("{}{path}", config.base_url.url),
                current: page == index,
            }
        })
        .collect()
}

/// How translation `index` stands with its page; `None` for a page that is not a
/// translation.
fn translation_context(site: &Site, index: usize) -> Option<TranslationContext<'_>> {
    let state = site.translation_state(index)?;
    Some(TranslationContext {
        original: page_link(site, state.original, None),
        in_step: state.in_step,
        assured: state.assured,
    })
}

/// Where the urgent help page in language `code` is, and whether it is in the
/// site's own language instead, since it is not translated into `code`.
pub(super) fn urgent_help_for<'a>(site: &'a Site, code: Option<&str>) -> Option<(&'a str, bool)> {
    let own = *site.by_url.get(URGENT_HELP_PATH)?;
    let translated = code.and_then(|code| site.translation(own, code));
    let page = translated.unwrap_or(own);
    Some((
        site.pages[page].source.url_path.as_str(),
        code.is_some() && translated.is_none(),
    ))
}

/// The address, below the site's root, of the urgent help page.
pub(super) const URGENT_HELP_PATH: &str = "urgent/";
