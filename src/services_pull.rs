//! `tellyou services pull`: reads a council's Open Referral UK feed, from its API or
//! a saved file, and writes the snapshot `councils/<slug>/services.json` that builds
//! read. It follows the feed's pages (the UK profile's `content` and `totalPages`,
//! HSDS 3's `contents` and `total_pages`, or one bare list), asks the API for each
//! service's details, and retries a request that fails or times out. It stops at
//! an empty page or one it has seen, whatever the feed says its total is. The
//! snapshot is written whole or not at all, and what changed since the last one
//! is reported. It never runs during a build. Uses `config` (the council file and
//! the feed's snapshot), `calendar` and `error`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::config::services::{self, Snapshot, changes, record};
use crate::support::error::{Diagnostic, StageError};

/// What was asked: which council, from where, and how patiently.
#[derive(Debug, Clone)]
pub struct PullOptions {
    pub root: PathBuf,
    pub council: String,
    /// A saved feed, or an API's address; the council file's `oruk: api:` if not
    /// given.
    pub from: Option<String>,
    /// How long to wait for one answer.
    pub timeout: Duration,
    /// How many times to try a request again after it fails.
    pub retries: u32,
}

/// What a pull did.
#[derive(Debug)]
pub struct Pulled {
    /// Where the snapshot was written, from the project folder.
    pub path: PathBuf,
    pub source: String,
    pub services: usize,
    /// What changed since the last snapshot; `None` when there was none.
    pub changes: Option<Vec<changes::Change>>,
    /// What is wrong with the feed's records, and the details that could not be
    /// fetched.
    pub problems: Vec<Diagnostic>,
}

/// Why a pull wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("the council file does not say where the council's feed is")]
    NoAddress { slug: String },
    #[error("the file cannot be read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("the feed cannot be read: {reason}")]
    Http { url: String, reason: String },
    #[error("this is not a feed of services: {detail}")]
    NotAFeed { source_name: String, detail: String },
    #[error("the snapshot cannot be written: {reason}")]
    Write { path: String, reason: String },
}

impl PullError {
    /// The file or address the error is about, for its diagnostic.
    pub fn about(&self, council_file: &Path) -> PathBuf {
        match self {
            PullError::NoAddress { .. } => council_file.to_path_buf(),
            PullError::Unreadable { path, .. } | PullError::Write { path, .. } => path.into(),
            PullError::NotAFeed { source_name, .. } => source_name.into(),
            PullError::Http { url, .. } => url.into(),
        }
    }
}

impl StageError for PullError {
    fn position(&self) -> Option<crate::support::error::Position> {
        None
    }

    fn hint(&self) -> Option<String> {
        match self {
            PullError::NoAddress { .. } => Some(
                "add `oruk:` with `api: https://...` to the council file, or give a saved feed with --from".into(),
            ),
            PullError::Http { .. } => Some(
                "check the address and your connection, then try again; the last snapshot is kept as it was".into(),
            ),
            PullError::NotAFeed { .. } => Some(
                "give the address of the API's list of services, such as https://directory.example.gov.uk/api/services".into(),
            ),
            _ => None,
        }
    }
}

/// The largest number of pages followed, for a feed whose pages never end.
const MOST_PAGES: u32 = 10_000;

/// Pulls the council's feed and writes its snapshot.
pub fn pull(options: &PullOptions, api: Option<&str>) -> Result<Pulled, Box<PullError>> {
    let source = (options.from.as_deref())
        .or(api)
        .ok_or_else(|| PullError::NoAddress {
            slug: options.council.clone(),
        })?
        .to_owned();
    let mut problems = Vec::new();
    let mut services = if is_web_address(&source) {
        let client = Client::new(options);
        let list = services_address(&source);
        let listed = client.pages(&list)?;
        client.details(&list, listed, &mut problems)
    } else {
        let text = std::fs::read_to_string(options.root.join(&source)).map_err(|e| {
            PullError::Unreadable {
                path: source.clone(),
                reason: crate::support::error::plain_io_error(&e),
            }
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| PullError::NotAFeed {
            source_name: source.clone(),
            detail: e.to_string(),
        })?;
        page_services(value)
            .ok_or_else(|| PullError::NotAFeed {
                source_name: source.clone(),
                detail: "it has no list of services".into(),
            })?
            .0
    };
    services.sort_by_cached_key(record::id_of);
    let relative = PathBuf::from(crate::config::COUNCILS_DIR)
        .join(&options.council)
        .join(services::FILE_NAME);
    let path = options.root.join(&relative);
    let before = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| Snapshot::read(&text).ok());
    let text = snapshot_text(&source, &services);
    let snapshot = Snapshot::read(&text).map_err(|e| PullError::NotAFeed {
        source_name: source.clone(),
        detail: e.to_string(),
    })?;
    let found = snapshot.problems();
    problems.extend(
        found
            .iter()
            .map(|p| p.to_diagnostic(&relative, Some(&text))),
    );
    write_whole(&path, &text).map_err(|reason| PullError::Write {
        path: relative.display().to_string(),
        reason,
    })?;
    Ok(Pulled {
        path: relative,
        source,
        services: snapshot.records.len(),
        changes: before.map(|before| changes::between(&before.records, &snapshot.records)),
        problems,
    })
}

fn is_web_address(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}

/// The address of the list of services: the API's address with `/services` added
/// when it does not end with it.
fn services_address(api: &str) -> String {
    let trimmed = api.trim_end_matches('/');
    if trimmed.ends_with("/services") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/services")
    }
}

/// The services of one page of a feed, and how many pages it says there are: a
/// bare list is the only page.
fn page_services(mut value: Value) -> Option<(Vec<Value>, Option<u64>, bool)> {
    if let Value::Array(items) = value {
        return Some((items, Some(1), true));
    }
    let total =
        (value.get("totalPages").or_else(|| value.get("total_pages"))).and_then(Value::as_u64);
    let last = (value.get("last").or_else(|| value.get("last_page"))).and_then(Value::as_bool);
    let key = ["content", "contents"]
        .into_iter()
        .find(|key| value.get(key).is_some())?;
    match value.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) => Some((items, total, last.unwrap_or(false))),
        _ => None,
    }
}

/// The snapshot's text: pretty JSON, services in the order of their ids, so that
/// a change to the feed is a small change to the file.
fn snapshot_text(source: &str, services: &[Value]) -> String {
    let snapshot = serde_json::json!({
        "format": services::FORMAT,
        "pulled_at": now(),
        "source": source,
        "services": services,
    });
    let mut text = serde_json::to_string_pretty(&snapshot).unwrap_or_default();
    text.push('\n');
    text
}

/// The time now in UTC, as `2026-12-04T15:20:00Z`.
fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = crate::support::calendar::from_days((seconds / 86_400) as i64);
    let time = seconds % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::support::calendar::format_date(date),
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

/// Writes `text` to `path` through a file beside it, so the old snapshot stays
/// whole until the new one is.
fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    let plain = |e: std::io::Error| crate::support::error::plain_io_error(&e);
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(plain)?;
    }
    let temporary = path.with_extension("json.partial");
    let written = std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(plain)
}

/// An HTTP client that waits `timeout` for each answer and tries again after a
/// failure.
struct Client {
    agent: ureq::Agent,
    retries: u32,
}

impl Client {
    fn new(options: &PullOptions) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .user_agent(concat!("tellyou/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
            retries: options.retries,
        }
    }

    /// The JSON at `url`, after as many tries as allowed.
    fn json(&self, url: &str) -> Result<Value, Box<PullError>> {
        let mut attempt = 0;
        loop {
            match self.fetch(url) {
                Ok(value) => return Ok(value),
                Err(error) if attempt >= self.retries => return Err(error),
                Err(_) => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(250 * u64::from(attempt)));
                }
            }
        }
    }

    fn fetch(&self, url: &str) -> Result<Value, Box<PullError>> {
        let http = |reason: String| {
            Box::new(PullError::Http {
                url: url.to_owned(),
                reason,
            })
        };
        let mut response = (self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .call())
        .map_err(|e| http(e.to_string()))?;
        let body = (response.body_mut().with_config().limit(64 * 1024 * 1024))
            .read_to_string()
            .map_err(|e| http(e.to_string()))?;
        serde_json::from_str(&body).map_err(|e| {
            Box::new(PullError::NotAFeed {
                source_name: url.to_owned(),
                detail: format!("its answer is not JSON ({e})"),
            })
        })
    }

    /// Every service the list at `list` gives, page by page.
    fn pages(&self, list: &str) -> Result<Vec<Value>, Box<PullError>> {
        let mut services = Vec::new();
        let mut seen_ids = std::collections::HashSet::new();
        for page in 1..=MOST_PAGES {
            let separator = if list.contains('?') { '&' } else { '?' };
            let url = format!("{list}{separator}page={page}");
            let value = self.json(&url)?;
            let bare = value.is_array();
            let (items, total, last) = page_services(value).ok_or_else(|| PullError::NotAFeed {
                source_name: url.clone(),
                detail: "it has no list of services".into(),
            })?;
            // A page of services already seen means the feed ignores `page`.
            let new: Vec<Value> = (items.into_iter())
                .filter(|item| {
                    let id = record::id_of(item);
                    id.is_empty() || seen_ids.insert(id)
                })
                .collect();
            let ended =
                new.is_empty() || bare || last || total.is_some_and(|t| u64::from(page) >= t);
            services.extend(new);
            if ended {
                break;
            }
        }
        Ok(services)
    }

    /// Each service with the details the API gives for it alone; the list's
    /// record when they cannot be had, with a warning.
    fn details(
        &self,
        list: &str,
        listed: Vec<Value>,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<Value> {
        let fetched: Vec<(Value, Option<Box<PullError>>)> = std::thread::scope(|scope| {
            let chunks: Vec<_> = listed
                .chunks(listed.len().div_ceil(4).max(1))
                .map(|chunk| {
                    scope.spawn(move || {
                        (chunk.iter())
                            .map(|item| {
                                let id = record::id_of(item);
                                if id.is_empty() {
                                    return (item.clone(), None);
                                }
                                let encoded = percent_encoding::utf8_percent_encode(
                                    &id,
                                    percent_encoding::NON_ALPHANUMERIC,
                                );
                                match self.json(&format!("{list}/{encoded}")) {
                                    Ok(detail) if detail.is_object() => (detail, None),
                                    Ok(_) => (item.clone(), None),
                                    Err(error) => (item.clone(), Some(error)),
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            chunks
                .into_iter()
                .flat_map(|c| c.join().unwrap_or_default())
                .collect()
        });
        let mut services = Vec::with_capacity(fetched.len());
        for (service, error) in fetched {
            if let Some(error) = error {
                let mut warning = error.to_diagnostic(&error.about(Path::new("")), None);
                warning.severity = crate::support::error::Severity::Warning;
                warning.message =
                    format!("{}; the list's details are used instead", warning.message);
                problems.push(warning);
            }
            services.push(service);
        }
        services
    }
}

/// What a pull did, in words: how many services from where, and each change.
pub fn summary(pulled: &Pulled) -> String {
    let mut text = String::new();
    match &pulled.changes {
        None => {}
        Some(changes) if changes.is_empty() => {
            text.push_str("Nothing changed since the last snapshot.\n")
        }
        Some(changes) => {
            text.push_str(&format!(
                "Since the last snapshot, {} change{}:\n",
                changes.len(),
                if changes.len() == 1 { "" } else { "s" }
            ));
            for change in changes {
                text.push_str(&format!("  {change}\n"));
            }
        }
    }
    let plural = if pulled.services == 1 { "" } else { "s" };
    text.push_str(&format!(
        "Pulled {} service{plural} from {} into {}.\n",
        pulled.services,
        pulled.source,
        pulled.path.display()
    ));
    text
}
