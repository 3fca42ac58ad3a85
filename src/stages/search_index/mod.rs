//! The search index: what the search page needs to search the site in the browser,
//! one index for each language, in the files Pagefind's search reads. Each page is
//! indexed on its own, from its title, its body as markdown made it and the other
//! words its front matter gives for it, never from its navigation, footer or the
//! words that say a care card's urgency to screen readers; the site's index is put
//! together from its pages, so that a page that did not change costs nothing to
//! index again. A page's words are those the markdown stage read as it made the
//! page, or, for a page it did not read or one found in the cache, read here from
//! its HTML; with `TELLYOU_VERIFY_MEMO=1` both are read and must agree. Only the
//! files the search page loads are published, under `pagefind/`: Pagefind's
//! script, its worker, its WebAssembly for each language, taken from the Pagefind
//! crate, and the index. Its reading of a page's HTML, its word rules, its runs
//! of pages with their words gathered, its files and its writing of CBOR are
//! modules of their own. Uses pagefind, tokio, rayon, lol_html, serde_json and
//! blake3, and `site`, `page`, `config`, `cache_key`, `memo`, `escape`,
//! `search_reading` and `error`.

mod cbor;
mod indexed_page;
mod page_text;
mod pagefind_files;
mod word_runs;
mod words;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use pagefind::api::PagefindIndex;

use crate::config::SiteConfig;
use crate::memo::MemoKey;
use crate::model::page::{OutputFile, Page, RenderedPage};
use crate::model::site::Site;
use crate::support::error::{Diagnostic, StageError};
use crate::support::escape::escape_html;
use crate::support::search_reading::PageText;

pub use indexed_page::IndexedPage;
pub use pagefind_files::{Compress, Gather, Making, compressed};
pub use word_runs::WordRun;

/// Where the index is published, under the site's address.
pub const INDEX_FOLDER: &str = "pagefind/";

/// One page, to be indexed.
pub struct PageInput<'a> {
    pub config: &'a SiteConfig,
    pub site: &'a Site,
    pub markdown: &'a [Arc<RenderedPage>],
    pub index: usize,
}

impl MemoKey for PageInput<'_> {
    /// A page is indexed from its address, its language, its front matter and its
    /// markdown. What the markdown was made from covers the page's whole file,
    /// front matter and all.
    fn memo_key(&self) -> blake3::Hash {
        let page = &self.site.pages[self.index];
        crate::support::cache_key::Key::new()
            .field(page.source.url_path.as_bytes())
            .field(self.language().as_bytes())
            .field(self.markdown[self.index].made_from.as_bytes())
            .finish()
    }
}

impl PageInput<'_> {
    /// Every page of a site, to be indexed.
    pub fn each<'a>(
        config: &'a SiteConfig,
        site: &'a Site,
        markdown: &'a [Arc<RenderedPage>],
    ) -> Vec<PageInput<'a>> {
        (0..site.pages.len())
            .map(|index| PageInput {
                config,
                site,
                markdown,
                index,
            })
            .collect()
    }

    fn language(&self) -> &str {
        (self.site.language(self.index)).unwrap_or(&self.config.language)
    }
}

/// What a site's index is put together from: each page indexed, by the key of
/// what it was indexed from, and Pagefind's scripts for the pages' languages.
#[derive(Debug, Clone)]
pub struct IndexInput {
    pub pages: Vec<(blake3::Hash, Arc<IndexedPage>)>,
    pub scripts: Arc<Scripts>,
}

impl MemoKey for IndexInput {
    /// The pages' keys say all that the pages were made from, their languages
    /// among it, which decide the scripts.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        for (page, _) in &self.pages {
            key.field(page.as_bytes());
        }
        key.finish()
    }
}

/// A file of the index before it is compressed, found again by a hash that says
/// all of its bytes.
pub struct Uncompressed<'a> {
    pub hash: &'a blake3::Hash,
}

impl MemoKey for Uncompressed<'_> {
    fn memo_key(&self) -> blake3::Hash {
        *self.hash
    }
}

/// The languages of a site's pages, for the scripts its index needs.
pub struct Languages(pub Vec<String>);

impl MemoKey for Languages {
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        for language in &self.0 {
            key.field(language.as_bytes());
        }
        key.finish()
    }
}

impl Languages {
    /// The languages of the pages that have words to index, each once.
    pub fn of(pages: &[Arc<IndexedPage>]) -> Languages {
        let mut languages: Vec<&str> = (pages.iter())
            .filter(|page| page.has_words)
            .map(|page| page.language.as_str())
            .collect();
        languages.sort_unstable();
        languages.dedup();
        Languages(languages.into_iter().map(str::to_owned).collect())
    }
}

/// Pagefind's own files for searching in the browser, for some languages: its
/// script and worker, and its WebAssembly for each language, with the version
/// and word characters its script expects of an index.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scripts {
    pub files: Vec<OutputFile>,
    version: String,
    word_characters: Vec<char>,
}

impl Scripts {
    /// Whether `language` has WebAssembly of its own, which knows its word stems.
    fn has_stemmer_for(&self, language: &str) -> bool {
        let name = format!("wasm.{language}.pagefind");
        self.files.iter().any(|file| file.path == name)
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

/// One page of the site, indexed.
pub fn index_page(input: &PageInput) -> Arc<IndexedPage> {
    let page = &input.site.pages[input.index];
    let read_from_html =
        || words_from_html(page, input.language(), &input.markdown[input.index].html);
    let text = match input.markdown[input.index].words.take() {
        Some(words) if crate::memo::verifying() => {
            let read = read_from_html();
            assert!(
                words == read,
                "TELLYOU_VERIFY_MEMO: the words read as {} was made differ from those read from its HTML",
                page.source.display_path.display()
            );
            words
        }
        Some(words) => words,
        None => read_from_html(),
    };
    Arc::new(IndexedPage::new(
        &page.source.url_path,
        input.language(),
        &text,
    ))
}

/// The files of the search index, sorted by path, their parts made as `making`
/// says.
pub fn search_index(
    input: &IndexInput,
    making: &Making<'_>,
) -> Result<Arc<Vec<OutputFile>>, SearchIndexError> {
    let scripts = &input.scripts;
    let indexes =
        on_own_threads(|| pagefind_files::language_indexes(&input.pages, &scripts.version, making));
    let mut languages = BTreeMap::new();
    let mut files: Vec<OutputFile> = Vec::new();
    for index in indexes {
        let entry = serde_json::json!({
            "hash": index.meta,
            "wasm": scripts.has_stemmer_for(&index.language).then_some(&index.language),
            "page_count": index.pages,
        });
        languages.insert(index.language, entry);
        files.extend(index.files);
    }
    let entry = serde_json::json!({
        "version": scripts.version,
        "languages": languages,
        "include_characters": scripts.word_characters,
    });
    files.push(OutputFile::from_bytes(
        "pagefind-entry.json",
        entry.to_string(),
    ));
    files.extend(scripts.files.iter().cloned());
    for file in &mut files {
        file.path.insert_str(0, INDEX_FOLDER);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Arc::new(files))
}

/// Pagefind's scripts for `languages`, taken from what it makes of a page of one
/// word in each. They are the same for the life of the process, so each set is
/// made once: the 153 councils of `build --all` share them.
pub fn scripts(languages: &Languages) -> Result<Arc<Scripts>, SearchIndexError> {
    type Made = HashMap<Vec<String>, Arc<Scripts>>;
    static MADE: std::sync::LazyLock<std::sync::Mutex<Made>> =
        std::sync::LazyLock::new(Default::default);
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(scripts) = made.get(&languages.0) {
        return Ok(Arc::clone(scripts));
    }
    let scripts = scripts_from_pagefind(languages)?;
    made.insert(languages.0.clone(), Arc::clone(&scripts));
    Ok(scripts)
}

fn scripts_from_pagefind(languages: &Languages) -> Result<Arc<Scripts>, SearchIndexError> {
    let failed = |e: &dyn std::fmt::Display| SearchIndexError::Pagefind(e.to_string());
    let pages: Vec<(String, String)> = (languages.0.iter())
        .map(|language| {
            let page =
                format!("<!DOCTYPE html><html lang=\"{language}\"><body><p>a</p></body></html>");
            (format!("/{language}/"), page)
        })
        .collect();
    // One at a time, as the caller holds the lock of what was made: a thread of
    // the pool waiting inside one runtime could otherwise be handed another's
    // work, and start a runtime inside a runtime, which tokio refuses.
    let made = indexing_pool().map_err(|e| failed(&e))?.install(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| failed(&e))?;
        runtime.block_on(index_records(pages))
    })?;
    let mut scripts = Scripts {
        files: Vec::new(),
        version: String::new(),
        word_characters: Vec::new(),
    };
    for file in made {
        let name = file.filename.to_string_lossy().replace('\\', "/");
        if name == "pagefind-entry.json" {
            let entry: serde_json::Value =
                serde_json::from_slice(&file.contents).map_err(|e| failed(&e))?;
            read_entry(&entry, &mut scripts);
        } else if is_script(&name) {
            scripts
                .files
                .push(OutputFile::from_bytes(&name, file.contents));
        }
    }
    scripts.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Arc::new(scripts))
}

fn read_entry(entry: &serde_json::Value, scripts: &mut Scripts) {
    scripts.version = entry["version"].as_str().unwrap_or_default().to_owned();
    let characters = entry["include_characters"].as_array().into_iter().flatten();
    scripts.word_characters = (characters.filter_map(serde_json::Value::as_str))
        .flat_map(str::chars)
        .collect();
}

/// Runs `work`, and the parallel work it starts, on threads kept for indexing, so
/// that it never waits for the threads of the build it runs beside. A council's
/// build in `build --all` runs on those, and waits for its index.
pub fn on_own_threads<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Result<rayon::ThreadPool, rayon::ThreadPoolBuildError>> =
        std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|n| format!("search-pages-{n}"))
            .build()
    });
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// The thread Pagefind runs on, kept for the life of the process. Pagefind's
/// interface is asynchronous, and it works on rayon's threads. It runs on a pool of
/// its own: on the preview server's runtime a second runtime cannot start, and on
/// a thread of the global pool, busy with other councils' builds, its work would
/// wait for threads that wait for it.
fn indexing_pool() -> Result<&'static rayon::ThreadPool, &'static rayon::ThreadPoolBuildError> {
    static POOL: std::sync::OnceLock<Result<rayon::ThreadPool, rayon::ThreadPoolBuildError>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|n| format!("search-index-{n}"))
            .build()
    })
    .as_ref()
}

async fn index_records(
    records: Vec<(String, String)>,
) -> Result<Vec<pagefind::api::SyntheticFile>, SearchIndexError> {
    let failed = |e: anyhow::Error| SearchIndexError::Pagefind(e.to_string());
    let mut index = PagefindIndex::new(None).map_err(failed)?;
    for (url, html) in records {
        index
            .add_html_file(None, Some(url), html)
            .await
            .map_err(failed)?;
    }
    index.get_files().await.map_err(failed)
}

/// Whether `name` is one of Pagefind's files that the search page loads: its
/// script, its worker and its WebAssembly. Its own interfaces, and the script that
/// highlights words on a page, are not published.
fn is_script(name: &str) -> bool {
    name == "pagefind.js" || name == "pagefind-worker.js" || name.starts_with("wasm.")
}

/// The words of `page`, whose markdown became `body`, read from the document
/// Pagefind reads, which [`record`] makes.
pub fn words_from_html(page: &Page, language: &str, body: &str) -> PageText {
    page_text::read(&record(page, language, body))
}

/// A page as Pagefind reads it: a document of its language with its title, its
/// body and its other words. A word for one of its headings follows that heading,
/// so that the search leads to it.
fn record(page: &Page, language: &str, body: &str) -> String {
    let (for_page, for_headings) = page.front.search_words();
    let words = |words: &[&str]| {
        format!(
            "\n<p data-pagefind-weight=\"5\">{}</p>\n",
            escape_html(&words.join(", "))
        )
    };
    let body = match for_headings.is_empty() {
        true => std::borrow::Cow::Borrowed(body),
        false => std::borrow::Cow::Owned(after_headings(body, &for_headings, words)),
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
    html
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
