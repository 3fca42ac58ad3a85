//! The preview server for editors: builds the site in memory, watches the project,
//! rebuilds on every change, and serves the last good build on 127.0.0.1
//! with a small script that reloads open pages after each good rebuild and shows the
//! errors over the page after a failed one. The script is added to pages as they are
//! served, never to the files a build writes. The search index is made after the
//! pages are served, by `index`. Uses `pipeline` and `config` to build, `page` for
//! the files it serves, `watch` to see changes, `error` for its own, and axum for HTTP.

mod index;
pub mod watch;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use percent_encoding::percent_decode_str;
use tokio::sync::{broadcast, watch as latest};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::config::{BaseUrl, BuildOptions};
use crate::model::page::OutputFile;
use crate::pipeline;
use crate::pipeline::INDEX_FOLDER;
use crate::serve::watch::{ProjectWatcher, WatchError};
use crate::support::error::{Diagnostic, Severity, plain_io_error};

/// Where the server's own files live; no page of a site can have this address,
/// because page addresses never start with an underscore.
const OWN_PREFIX: &str = "/__tellyou/";
const LIVE_SCRIPT: &str = include_str!("live.js");
const OVERLAY_STYLE: &str = include_str!("overlay.css");

/// How the preview announces where it is, before its address.
pub const LISTENING: &str = "Previewing the site at ";

/// What the preview is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub address: SocketAddr,
    pub drafts: bool,
    /// Preview the site of this council.
    pub council: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {reason}; choose another port with --port")]
    Bind { address: SocketAddr, reason: String },
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error("the preview server stopped: {0}")]
    Server(std::io::Error),
}

/// What happened, for the terminal.
#[derive(Debug)]
pub enum ServeEvent {
    /// The server is listening at `url`.
    Listening { url: String },
    /// A build succeeded. `changed` is empty for the first build.
    Built {
        changed: Vec<PathBuf>,
        pages: usize,
        took: Duration,
        warnings: Vec<Diagnostic>,
    },
    /// A build failed; the last good build is still served.
    Failed {
        changed: Vec<PathBuf>,
        diagnostics: Vec<Diagnostic>,
    },
}

/// A message to every open page.
#[derive(Debug, Clone)]
enum LiveMessage {
    Reload,
    Errors(Arc<Vec<Finding>>),
}

/// One finding as the error dialog shows it.
#[derive(Debug, Clone, serde::Serialize)]
struct Finding {
    /// False for a warning, which does not stop the build.
    error: bool,
    /// The finding as the terminal shows it: file, line, message, source and hint.
    text: String,
}

/// The files of a built site, sorted by their path in it (`crying/index.html`), as
/// the pipeline gives them, so that nothing is rearranged after each rebuild; its
/// search index, if that was made after it; and which good build of this preview
/// made them, counting from 1.
#[derive(Default)]
struct SiteFiles {
    files: Arc<Vec<OutputFile>>,
    index: IndexFiles,
    build: u64,
}

/// The files of a build's search index, when they are not among its other files.
#[derive(Default)]
enum IndexFiles {
    /// In the build's files, or the site has no index.
    #[default]
    WithTheSite,
    /// Still to be made.
    Pending,
    /// Made after the build, sorted by path.
    Made(Arc<Vec<OutputFile>>),
}

impl SiteFiles {
    /// The file at `path`, whole: a page's shared parts are put in as it is served.
    fn get(&self, path: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        found_in(&self.files, path).or_else(|| match &self.index {
            IndexFiles::Made(index) => found_in(index, path),
            _ => None,
        })
    }

    /// Whether a request for `path` waits for the index.
    fn waits_for_index(&self, path: &str) -> bool {
        matches!(self.index, IndexFiles::Pending) && path.starts_with(INDEX_FOLDER)
    }
}

/// The file at `path` among `files`, sorted by path.
fn found_in<'f>(files: &'f [OutputFile], path: &str) -> Option<std::borrow::Cow<'f, [u8]>> {
    let found = files.binary_search_by(|file| file.path.as_str().cmp(path));
    found.ok().map(|index| files[index].contents())
}

/// How the preview tells the terminal what happened.
type Report = Arc<dyn Fn(ServeEvent) + Send + Sync>;

struct Shared {
    /// The last good build; an empty site until the first build succeeds.
    site: RwLock<Arc<SiteFiles>>,
    /// The errors of the latest build, if it failed: pages opened later show them too.
    errors: Mutex<Option<Arc<Vec<Finding>>>>,
    live: broadcast::Sender<LiveMessage>,
    /// Told each time the site served changes, for requests that wait for its index.
    site_changed: latest::Sender<()>,
}

impl Shared {
    /// Shows `diagnostics` on every open page, and on pages opened until the next
    /// good build.
    fn show_errors(&self, diagnostics: &[Diagnostic]) {
        let shown: Arc<Vec<Finding>> = Arc::new(
            (diagnostics.iter())
                .map(|diagnostic| Finding {
                    error: diagnostic.severity == Severity::Error,
                    text: diagnostic.to_string(),
                })
                .collect(),
        );
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&shown));
        let _ = self.live.send(LiveMessage::Errors(shown));
    }
}

/// Runs the preview until the process is stopped.
pub fn run(
    options: ServeOptions,
    report: impl Fn(ServeEvent) + Send + Sync + 'static,
) -> Result<(), ServeError> {
    let report: Report = Arc::new(report);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Server)?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(options.address))
        .map_err(|error| ServeError::Bind {
            address: options.address,
            reason: plain_io_error(&error),
        })?;
    let address = listener.local_addr().map_err(ServeError::Server)?;
    let url = format!("http://{address}/");

    let (live, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        site: RwLock::new(Arc::default()),
        errors: Mutex::new(None),
        live,
        site_changed: latest::Sender::new(()),
    });

    let mut builder = Builder {
        memos: pipeline::Memos::for_rebuilds(),
        options: BuildOptions {
            root: options.root.clone(),
            out_dir: None,
            base_url: Some(BaseUrl {
                url: url.clone(),
                path: "/".to_owned(),
            }),
            drafts: options.drafts,
            today: None,
            council: options.council.clone(),
        },
        indexer: index::start(Arc::clone(&shared), Arc::clone(&report)),
        shared: Arc::clone(&shared),
    };
    // Watching starts before the first build, so that a file saved while it runs
    // is seen: later builds read again only what the watcher saw change.
    let mut watcher = ProjectWatcher::new(&options.root)?;
    report(builder.build(Vec::new()));
    report(ServeEvent::Listening { url });
    std::thread::spawn(move || {
        while let Ok(changed) = watcher.next_change() {
            report(builder.build(changed));
        }
    });

    let router = Router::new()
        .route("/__tellyou/live.js", get(live_script))
        .route("/__tellyou/overlay.css", get(overlay_style))
        .route("/__tellyou/events", get(events))
        .fallback(get(site_file))
        .with_state(shared);
    runtime
        .block_on(async {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
        })
        .map_err(ServeError::Server)
}

/// Builds the site for the preview and tells open pages the outcome. It keeps the
/// pipeline's memos between builds, so a rebuild redoes only what changed.
struct Builder {
    options: BuildOptions,
    shared: Arc<Shared>,
    memos: pipeline::Memos,
    indexer: index::Indexer,
}

impl Builder {
    fn build(&mut self, changed: Vec<PathBuf>) -> ServeEvent {
        let started = Instant::now();
        // The watcher names a change to the whole project as ".".
        let everything = changed.iter().any(|path| path == Path::new("."));
        let root = &self.options.root;
        self.memos
            .note_changes((!everything).then(|| changed.iter().map(|p| root.join(p)).collect()));
        for index in self.indexer.made() {
            self.memos.keep_index(index);
        }
        let outcome = pipeline::build_project_for_preview(&self.options, &mut self.memos)
            .map_err(|errors| errors.diagnostics);
        match outcome {
            Ok(report) => {
                let mut errors = self.shared.errors.lock().unwrap_or_else(|e| e.into_inner());
                let mut current = self.shared.site.write().unwrap_or_else(|e| e.into_inner());
                let build = current.build + 1;
                let site = Arc::new(SiteFiles {
                    files: Arc::new(report.files),
                    index: match report.pending_index {
                        Some(_) => IndexFiles::Pending,
                        None => IndexFiles::WithTheSite,
                    },
                    build,
                });
                let last = std::mem::replace(&mut *current, site);
                drop(current);
                *errors = None;
                drop(errors);
                self.shared.site_changed.send_replace(());
                self.indexer.make(build, report.pending_index);
                let _ = self.shared.live.send(LiveMessage::Reload);
                // The last build is let go only once open pages have been told.
                drop(last);
                ServeEvent::Built {
                    changed,
                    pages: report.pages,
                    took: started.elapsed(),
                    warnings: report.warnings,
                }
            }
            Err(diagnostics) => {
                // The page shows what `check` shows: errors first, then warnings.
                self.shared.show_errors(&diagnostics);
                ServeEvent::Failed {
                    changed,
                    diagnostics,
                }
            }
        }
    }
}

async fn live_script() -> Response {
    own_file("text/javascript; charset=utf-8", LIVE_SCRIPT)
}

async fn overlay_style() -> Response {
    own_file("text/css; charset=utf-8", OVERLAY_STYLE)
}

fn own_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Which build the page that asks for [`events`] was served from, if it says.
#[derive(serde::Deserialize)]
struct EventsQuery {
    build: Option<String>,
}

/// The stream of reload and error messages an open page listens to. A page served
/// from an older build than the latest good one, because a rebuild finished while it
/// loaded, is told to reload straight away; a page that opens while the build is
/// failing hears about the errors straight away.
async fn events(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<EventsQuery>,
) -> impl IntoResponse {
    // Listening starts first, so that a build that finishes while the state is read
    // is heard about, either way.
    let updates = BroadcastStream::new(shared.live.subscribe()).filter_map(Result::ok);
    let latest = shared.site.read().unwrap_or_else(|e| e.into_inner()).build;
    let served_from = query.build.and_then(|build| build.parse::<u64>().ok());
    let current = if served_from.is_some_and(|build| build != latest) {
        Some(LiveMessage::Reload)
    } else {
        shared
            .errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .map(LiveMessage::Errors)
    };
    let stream = tokio_stream::iter(current)
        .chain(updates)
        .map(|message| Ok::<Event, Infallible>(live_event(&message)));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn live_event(message: &LiveMessage) -> Event {
    match message {
        LiveMessage::Reload => Event::default().event("reload").data("reload"),
        LiveMessage::Errors(errors) => Event::default()
            .event("errors")
            .data(serde_json::to_string(errors.as_ref()).unwrap_or_else(|_| "[]".into())),
    }
}

/// A file of the latest good build, or the site's 404 page.
async fn site_file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let Some(relative) = safe_relative_path(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "Bad request\n").into_response();
    };
    let path = relative.to_string_lossy().replace('\\', "/");
    let site = served_site(&shared, &path).await;
    if let Some(bytes) = site.get(&path) {
        return file_response(&path, &bytes, site.build);
    }
    let index = if path.is_empty() {
        "index.html".to_owned()
    } else {
        format!("{path}/index.html")
    };
    match site.get(&index) {
        Some(_) if !uri.path().ends_with('/') => {
            let location = format!("{}/", uri.path());
            (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
        }
        Some(bytes) => html_response(StatusCode::OK, &bytes, site.build),
        None => match site.get("404.html") {
            Some(bytes) => html_response(StatusCode::NOT_FOUND, &bytes, site.build),
            // No good build yet: a page that can still show the errors.
            None => html_response(
                StatusCode::NOT_FOUND,
                b"<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Preview</title><h1>This page is not built yet</h1>",
                site.build,
            ),
        },
    }
}

/// The site served now; or, for a file of its search index while that is being
/// made, the site once it is made.
async fn served_site(shared: &Shared, path: &str) -> Arc<SiteFiles> {
    loop {
        // Listening starts first, so that an index made while the site is read is
        // heard about.
        let mut changed = shared.site_changed.subscribe();
        let site = Arc::clone(&shared.site.read().unwrap_or_else(|e| e.into_inner()));
        if !site.waits_for_index(path) {
            return site;
        }
        if (tokio::time::timeout(Duration::from_secs(60), changed.changed()).await)
            .map_or(true, |told| told.is_err())
        {
            return site;
        }
    }
}

fn file_response(path: &str, bytes: &[u8], build: u64) -> Response {
    if path.ends_with(".html") {
        return html_response(StatusCode::OK, bytes, build);
    }
    let content_type = mime_guess::from_path(path).first_or_octet_stream();
    let mut response = Vec::from(bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A page as the preview serves it: with the live script, which the page's own
/// Content-Security-Policy is loosened to allow from this server only. The script's
/// address names the build the page comes from.
fn html_response(status: StatusCode, bytes: &[u8], build: u64) -> Response {
    let page = String::from_utf8_lossy(bytes);
    // The search page allows the site's own scripts already.
    let mut page = page.replace("script-src 'none'", "script-src 'self'");
    page.push_str(&format!(
        "<script src=\"/__tellyou/live.js?build={build}\" defer></script>"
    ));
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

/// The path under the site folder that a request's path names, or `None` if the
/// request tries to leave the folder in any spelling: `..`, encoded or encoded twice,
/// backslashes, drive letters or NUL bytes.
pub fn safe_relative_path(request_path: &str) -> Option<PathBuf> {
    if request_path.starts_with(OWN_PREFIX) {
        return None;
    }
    let decoded = percent_decode_str(request_path).decode_utf8().ok()?;
    if decoded.contains(['\\', '\0', '%', ':']) {
        return None;
    }
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            _ => relative.push(segment),
        }
    }
    Some(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_map_into_the_site_folder() {
        assert_eq!(safe_relative_path("/"), Some(PathBuf::new()));
        assert_eq!(
            safe_relative_path("/crying/soothing/"),
            Some(PathBuf::from("crying/soothing"))
        );
        assert_eq!(
            safe_relative_path("/style.3f2a.css"),
            Some(PathBuf::from("style.3f2a.css"))
        );
        assert_eq!(safe_relative_path("/a%20b/"), Some(PathBuf::from("a b")));
    }

    #[test]
    fn every_spelling_of_leaving_the_folder_is_refused() {
        for path in [
            "/../Cargo.toml",
            "/crying/../../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E/Cargo.toml",
            "/%252e%252e/Cargo.toml",
            "/..%2fCargo.toml",
            "/..%5cCargo.toml",
            "/..\\Cargo.toml",
            "/%5c..%5cCargo.toml",
            "/C:/Windows/win.ini",
            "/index.html%00.css",
            "/__tellyou/../Cargo.toml",
        ] {
            assert_eq!(safe_relative_path(path), None, "{path}");
        }
    }
}
