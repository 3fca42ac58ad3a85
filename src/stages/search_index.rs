//! The search index: what the search page needs to search the site in the browser,
//! made with Pagefind at build time, one index for each language. Each page is
//! indexed from its title, its body as markdown made it and the other words its
//! front matter gives for it, never from its navigation, footer or the words that
//! say a care card's urgency to screen readers. Only the files the search page
//! loads are published, under `pagefind/`: Pagefind's script, its worker, its
//! WebAssembly for each language, and the index. Uses pagefind, tokio, rayon and lol_html, and
//! `site`, `page`, `config`, `cache_key`, `memo`, `escape` and `error`.

use std::collections::HashMap;
use std::sync::Arc;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::config::SiteConfig;
use crate::memo::MemoKey;
use crate::model::page::{OutputFile, RenderedPage};
use crate::model::site::Site;
use crate::support::error::{Diagnostic, StageError};
use crate::support::escape::escape_html;

/// Where the index is published, under the site's address.
pub const INDEX_FOLDER: &str = "pagefind/";

/// The most files of page excerpts an index has in each language. Pagefind writes
/// one a page, which a large site pays for in files to write and host; past this,
/// it puts several pages in each, and a search loads a few more bytes.
const MOST_FRAGMENT_FILES: u32 = 200;

/// What the index is made from: every page of the site and its markdown.
pub struct IndexInput<'a> {
    pub config: &'a SiteConfig,
    pub site: &'a Site,
    pub markdown: &'a [Arc<RenderedPage>],
}

impl MemoKey for IndexInput<'_> {
    /// The index reads each page's address, language, front matter and markdown.
    /// What the markdown was made from covers the page's whole file, front matter
    /// and all; the language tags come from the settings.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        key.field(self.config.language.as_bytes());
        for language in &self.config.languages {
            key.field(language.code.as_bytes());
        }
        for (page, markdown) in self.site.pages.iter().zip(self.markdown) {
            key.field(page.source.url_path.as_bytes())
                .field(markdown.made_from.as_bytes());
        }
        key.finish()
    }
}

/// What can go wrong in making the index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum SearchIndexError {
    #[error("the search index could not be made: {0}")]
    Pagefind(String),
}

impl StageError for SearchIndexError {
    fn hint(&self) -> Option<String> {
        Some("set `search: false` in site.yaml to publish the A to Z without a search index".into())
    }
}

impl SearchIndexError {
    pub fn to_site_diagnostic(&self) -> Diagnostic {
        self.to_diagnostic(std::path::Path::new("site.yaml"), None)
    }
}

/// The files of the search index, sorted by path.
pub fn search_index(input: &IndexInput) -> Result<Arc<Vec<OutputFile>>, SearchIndexError> {
    let records: Vec<(String, String)> = (0..input.site.pages.len())
        .map(|index| record(input, index))
        .collect();
    let failed = |e: &dyn std::fmt::Display| SearchIndexError::Pagefind(e.to_string());
    // One index at a time: a thread of the pool waiting inside one index's
    // runtime could be handed another index's work, and start a runtime inside a
    // runtime, which tokio refuses.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let made = indexing_pool().map_err(|e| failed(&e))?.install(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| failed(&e))?;
        runtime.block_on(index_records(records))
    })?;
    let mut files: Vec<OutputFile> = (made.into_iter())
        .filter_map(|file| {
            let name = file.filename.to_string_lossy().replace('\\', "/");
            is_published(&name)
                .then(|| OutputFile::from_bytes(&format!("{INDEX_FOLDER}{name}"), file.contents))
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Arc::new(files))
}

/// The threads the index is made on, kept for the life of the process. Pagefind's
/// interface is asynchronous, and it sorts its index on rayon's threads. It runs
/// on a pool of its own: on the preview server's runtime a second runtime cannot
/// start, and on a thread of the global pool, busy with other councils' builds,
/// its work would wait for threads that wait for it.
fn indexing_pool() -> Result<&'static rayon::ThreadPool, &'static rayon::ThreadPoolBuildError> {
    static POOL: std::sync::OnceLock<Result<rayon::ThreadPool, rayon::ThreadPoolBuildError>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|n| format!("search-index-{n}"))
            .build()
    })
    .as_ref()
}

async fn index_records(
    records: Vec<(String, String)>,
) -> Result<Vec<pagefind::api::SyntheticFile>, SearchIndexError> {
    let failed = |e: anyhow::Error| SearchIndexError::Pagefind(e.to_string());
    let options = PagefindServiceConfig::builder()
        .exclude_selectors(vec![".visually-hidden".to_owned()])
        .max_fragments(MOST_FRAGMENT_FILES)
        .build();
    let mut index = PagefindIndex::new(Some(options)).map_err(failed)?;
    for (url, html) in records {
        index
            .add_html_file(None, Some(url), html)
            .await
            .map_err(failed)?;
    }
    index.get_files().await.map_err(failed)
}

/// Whether the search page loads the Pagefind file `name`: its own interfaces, and
/// the script that highlights words on a page, are not published.
fn is_published(name: &str) -> bool {
    let interface = name.starts_with("pagefind-ui")
        || name.starts_with("pagefind-modular-ui")
        || name.starts_with("pagefind-component-ui")
        || name.starts_with("pagefind-highlight")
        || name.starts_with("playground/");
    !interface
}

/// Page `index` as Pagefind reads it: its address under the site's, and a
/// document of its language with its title, its body and its other words. A word
/// for one of its headings follows that heading, so that the search leads to it.
fn record(input: &IndexInput, index: usize) -> (String, String) {
    let (site, config) = (input.site, input.config);
    let page = &site.pages[index];
    let language = site.language(index).unwrap_or(&config.language);
    let mut for_page: Vec<&str> = page.front.keywords.iter().map(String::as_str).collect();
    let mut for_headings: HashMap<&str, Vec<&str>> = HashMap::new();
    for word in &page.front.also_known_as {
        match word.heading.as_deref() {
            Some(id) => for_headings.entry(id).or_default().push(&word.term),
            None => for_page.push(&word.term),
        }
    }
    let words = |words: &[&str]| {
        format!(
            "\n<p data-pagefind-weight=\"5\">{}</p>\n",
            escape_html(&words.join(", "))
        )
    };
    let body = &input.markdown[index].html;
    let body = match for_headings.is_empty() {
        true => body.clone(),
        false => after_headings(body, &for_headings, words),
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{language}\"><head><title>{title}</title></head>\
         <body><h1>{title}</h1>{page_words}{body}</body></html>",
        title = escape_html(&page.front.title),
        page_words = if for_page.is_empty() {
            String::new()
        } else {
            words(&for_page)
        },
    );
    (page.source.url_path.clone(), html)
}

/// `body` with the words for each heading after the heading, made by `shown`.
fn after_headings(
    body: &str,
    for_headings: &HashMap<&str, Vec<&str>>,
    shown: impl Fn(&[&str]) -> String,
) -> String {
    let heading = lol_html::element!("h2[id], h3[id], h4[id], h5[id], h6[id]", |el| {
        if let Some(words) = el
            .get_attribute("id")
            .and_then(|id| for_headings.get(id.as_str()))
        {
            el.after(&shown(words), lol_html::html_content::ContentType::Html);
        }
        Ok(())
    });
    let settings = lol_html::Settings::new().append_element_content_handler(heading);
    lol_html::rewrite_str(body, settings).unwrap_or_else(|_| body.to_owned())
}
