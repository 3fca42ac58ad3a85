//! The preview server for editors: builds the site into a private folder, watches the
//! project, rebuilds on every change, and serves the last good build on 127.0.0.1
//! with a small script that reloads open pages after each good rebuild and shows the
//! errors over the page after a failed one. The script is added to pages as they are
//! served, never to the files a build writes. Uses `pipeline` and `config` to build,
//! `watch` to see changes, and axum for HTTP.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use percent_encoding::percent_decode_str;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::config::{self, BuildOptions};
use crate::error::{Diagnostic, Severity};
use crate::pipeline;
use crate::watch::{ProjectWatcher, WatchError};

/// Where the server's own files live; no page of a site can have this address,
/// because page addresses never start with an underscore.
const OWN_PREFIX: &str = "/__tellyou/";
const LIVE_SCRIPT: &str = include_str!("serve/live.js");
const OVERLAY_STYLE: &str = include_str!("serve/overlay.css");
const SCRIPT_TAG: &str = "<script src=\"/__tellyou/live.js\" defer></script>";

/// What the preview is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub address: SocketAddr,
    pub drafts: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot make a folder for the preview at {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
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
    Errors(Arc<Vec<String>>),
}

struct Shared {
    out_dir: PathBuf,
    /// The errors of the latest build, if it failed: pages opened later show them too.
    errors: Mutex<Option<Arc<Vec<String>>>>,
    live: broadcast::Sender<LiveMessage>,
}

/// Runs the preview until the process is stopped.
pub fn run(
    options: ServeOptions,
    report: impl Fn(ServeEvent) + Send + 'static,
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Server)?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(options.address))
        .map_err(|source| ServeError::Bind {
            address: options.address,
            source,
        })?;
    let address = listener.local_addr().map_err(ServeError::Server)?;
    let url = format!("http://{address}/");

    let out_dir = std::env::temp_dir().join(format!("tellyou-serve-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).map_err(|source| ServeError::Folder {
        path: out_dir.clone(),
        source,
    })?;
    let site_dir = out_dir.join("site");
    let (live, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        out_dir: site_dir.clone(),
        errors: Mutex::new(None),
        live,
    });

    let builder = Builder {
        options: BuildOptions {
            root: options.root.clone(),
            out_dir: Some(site_dir),
            base_url: Some(url.clone()),
            drafts: options.drafts,
            today: None,
        },
        shared: Arc::clone(&shared),
    };
    report(builder.build(Vec::new()));
    let mut watcher = ProjectWatcher::new(&options.root, std::slice::from_ref(&out_dir))?;
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
    let result = runtime.block_on(async {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    });
    let _ = std::fs::remove_dir_all(&out_dir);
    result.map_err(ServeError::Server)
}

/// Builds the site for the preview and tells open pages the outcome.
struct Builder {
    options: BuildOptions,
    shared: Arc<Shared>,
}

impl Builder {
    fn build(&self, changed: Vec<PathBuf>) -> ServeEvent {
        let started = Instant::now();
        let outcome = config::load(&self.options)
            .and_then(|config| pipeline::build(&config).map_err(|errors| errors.diagnostics));
        let mut errors = self.shared.errors.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(report) => {
                *errors = None;
                let _ = self.shared.live.send(LiveMessage::Reload);
                ServeEvent::Built {
                    changed,
                    pages: report.pages,
                    took: started.elapsed(),
                    warnings: report.warnings,
                }
            }
            Err(diagnostics) => {
                // The page shows what stops the build; warnings stay in the terminal.
                let shown = Arc::new(
                    diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(ToString::to_string)
                        .collect(),
                );
                *errors = Some(Arc::clone(&shown));
                let _ = self.shared.live.send(LiveMessage::Errors(shown));
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

/// The stream of reload and error messages an open page listens to. A page that
/// opens while the build is failing hears about the errors straight away.
async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let current = shared
        .errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .map(LiveMessage::Errors);
    let updates = BroadcastStream::new(shared.live.subscribe()).filter_map(Result::ok);
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
    let path = shared.out_dir.join(&relative);
    if path.is_dir() {
        if !uri.path().ends_with('/') {
            let location = format!("{}/", uri.path());
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        return serve_file(&path.join("index.html"), StatusCode::OK)
            .await
            .unwrap_or_else(|| not_found(&shared.out_dir));
    }
    serve_file(&path, StatusCode::OK)
        .await
        .unwrap_or_else(|| not_found(&shared.out_dir))
}

fn not_found(out_dir: &Path) -> Response {
    match std::fs::read(out_dir.join("404.html")) {
        Ok(bytes) => html_response(StatusCode::NOT_FOUND, &bytes),
        // No good build yet: a page that can still show the errors.
        Err(_) => html_response(
            StatusCode::NOT_FOUND,
            b"<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Preview</title><h1>This page is not built yet</h1>",
        ),
    }
}

async fn serve_file(path: &Path, status: StatusCode) -> Option<Response> {
    let bytes = tokio::fs::read(path).await.ok()?;
    if path.extension().is_some_and(|e| e == "html") {
        return Some(html_response(status, &bytes));
    }
    let content_type = mime_guess::from_path(path).first_or_octet_stream();
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Some(response)
}

/// A page as the preview serves it: with the live script, which the page's own
/// Content-Security-Policy is loosened to allow from this server only.
fn html_response(status: StatusCode, bytes: &[u8]) -> Response {
    let page = String::from_utf8_lossy(bytes);
    let mut page = page.replace("script-src 'none'", "script-src 'self'");
    page.push_str(SCRIPT_TAG);
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
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(relative)
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
