//! `tellyou services pull` against a feed served on 127.0.0.1: both Open Referral
//! UK shapes, pages that lie about their total, a page that times out, a page that
//! is not JSON, details that fail, and what changed since the last snapshot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tellyou::services_pull::{self, PullOptions};

use crate::helpers::*;

/// What the test feed answers: the list's pages by number, and each service's
/// details by id; a page or id missing from them is a 404. `slow` pages answer
/// after the client has stopped waiting, and `not_json` ones with HTML.
#[derive(Default)]
struct Feed {
    pages: HashMap<u32, Value>,
    details: HashMap<String, Value>,
    slow: Vec<u32>,
    not_json: Vec<u32>,
}

type Shared = Arc<Mutex<Feed>>;

/// A feed served on 127.0.0.1 until it is dropped.
struct FeedServer {
    url: String,
    feed: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FeedServer {
    fn start(feed: Feed) -> FeedServer {
        let feed: Shared = Arc::new(Mutex::new(feed));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, address) = std::sync::mpsc::channel();
        let shared = feed.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new()
                    .route("/api/services", axum::routing::get(list))
                    .route("/api/services/{id}", axum::routing::get(detail))
                    .with_state(shared);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let address = address.recv().unwrap();
        FeedServer {
            url: format!("http://{address}/api/"),
            feed,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        let _ = self.stop.take().map(|stop| stop.send(()));
        let _ = self.thread.take().map(|thread| thread.join());
    }
}

async fn list(
    State(feed): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let page: u32 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let (answer, slow, not_json) = {
        let feed = feed.lock().unwrap();
        (
            feed.pages.get(&page).cloned(),
            feed.slow.contains(&page),
            feed.not_json.contains(&page),
        )
    };
    if slow {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    if not_json {
        return (
            [("content-type", "text/html")],
            "<h1>Service unavailable</h1>",
        )
            .into_response();
    }
    match answer {
        Some(value) => ([("content-type", "application/json")], value.to_string()).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

async fn detail(State(feed): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let answer = feed.lock().unwrap().details.get(&id).cloned();
    match answer {
        Some(value) => ([("content-type", "application/json")], value.to_string()).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

fn service(id: &str, name: &str, phone: &str) -> Value {
    json!({ "id": id, "name": name, "description": "<p>A group.</p>", "status": "active",
            "contacts": [{ "phones": [{ "number": phone }] }] })
}

fn options(root: &std::path::Path, from: &str) -> PullOptions {
    PullOptions {
        root: root.to_path_buf(),
        council: "eastmere".into(),
        from: Some(from.to_owned()),
        timeout: Duration::from_millis(700),
        retries: 1,
    }
}

fn snapshot_ids(root: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("councils/eastmere/services.json")).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    (value["services"].as_array().unwrap().iter())
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn pull_follows_the_uk_profile_s_pages_and_takes_each_service_s_details() {
    let site = copy_fixture("council-site");
    let mut feed = Feed::default();
    feed.pages.insert(1, json!({ "totalPages": 2, "number": 1, "content": [service("b", "Rhyme time", "01632 960 201"), service("a", "Baby massage", "01632 960 202")] }));
    feed.pages.insert(2, json!({ "totalPages": 2, "number": 2, "content": [service("c", "Dads group", "01632 960 203")] }));
    let mut detailed = service("a", "Baby massage", "01632 960 202");
    detailed["regular_schedules"] =
        json!([{ "weekday": "Monday", "opens_at": "10:00", "closes_at": "11:00" }]);
    feed.details.insert("a".into(), detailed);
    feed.details
        .insert("b".into(), service("b", "Rhyme time", "01632 960 201"));
    // The details of c cannot be had: its record from the list is kept.
    let server = FeedServer::start(feed);
    let pulled = services_pull::pull(&options(site.path(), &server.url), None).unwrap();
    assert_eq!(pulled.services, 3);
    assert_eq!(snapshot_ids(site.path()), ["a", "b", "c"]);
    let text =
        std::fs::read_to_string(site.path().join("councils/eastmere/services.json")).unwrap();
    assert!(
        text.contains("\"weekday\": \"Monday\""),
        "the details were taken"
    );
    assert!(text.contains(&format!("\"source\": \"{}\"", server.url)));
    let said: Vec<String> = (pulled.problems.iter())
        .map(|d| format!("{}: {}", d.path.display(), d.message))
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    let start = format!("{}services/c: the feed cannot be read: ", server.url);
    assert!(said[0].starts_with(&start), "{said:?}");
    assert!(
        said[0].ends_with("; the list's details are used instead"),
        "{said:?}"
    );

    // Pulled again after the directory changed, it says what changed.
    {
        let mut feed = server.feed.lock().unwrap();
        feed.pages.insert(1, json!({ "totalPages": 1, "content": [service("a", "Baby massage class", "01632 960 209"), service("d", "Feeding café", "01632 960 204")] }));
        feed.details.clear();
    }
    let pulled = services_pull::pull(&options(site.path(), &server.url), None).unwrap();
    let summary = services_pull::summary(&pulled).replace(&server.url, "http://127.0.0.1/api/");
    insta::assert_snapshot!("pull_summary_after_changes", summary);
}

#[test]
fn pull_reads_hsds_3_pages_and_stops_when_the_total_lies_or_pages_repeat() {
    let site = copy_fixture("council-site");
    let mut feed = Feed::default();
    // It says 5 pages, but the third is empty.
    for page in 1..=2 {
        let id = format!("s{page}");
        feed.pages.insert(page, json!({ "total_pages": 5, "page_number": page, "contents": [service(&id, "Group", "01632 960 201")] }));
    }
    feed.pages
        .insert(3, json!({ "total_pages": 5, "contents": [] }));
    let server = FeedServer::start(feed);
    services_pull::pull(&options(site.path(), &server.url), None).unwrap();
    assert_eq!(snapshot_ids(site.path()), ["s1", "s2"]);

    // A feed that ignores `page` gives the same page again: the pull stops there.
    {
        let mut feed = server.feed.lock().unwrap();
        let same =
            json!({ "total_pages": 100, "contents": [service("s1", "Group", "01632 960 201")] });
        for page in 1..=100 {
            feed.pages.insert(page, same.clone());
        }
    }
    let pulled = services_pull::pull(&options(site.path(), &server.url), None).unwrap();
    assert_eq!(pulled.services, 1);

    // A bare list is the whole feed.
    server
        .feed
        .lock()
        .unwrap()
        .pages
        .insert(1, json!([service("x", "Group", "01632 960 201")]));
    services_pull::pull(&options(site.path(), &server.url), None).unwrap();
    assert_eq!(snapshot_ids(site.path()), ["x"]);
}

#[test]
fn a_page_that_times_out_or_is_not_json_leaves_the_last_snapshot_as_it_was() {
    let site = copy_fixture("council-site");
    let mut feed = Feed::default();
    feed.pages.insert(
        1,
        json!({ "totalPages": 2, "content": [service("a", "Group", "01632 960 201")] }),
    );
    feed.pages.insert(
        2,
        json!({ "totalPages": 2, "content": [service("b", "Group", "01632 960 202")] }),
    );
    let server = FeedServer::start(feed);
    services_pull::pull(&options(site.path(), &server.url), None).unwrap();
    let snapshot = site.path().join("councils/eastmere/services.json");
    let before = std::fs::read(&snapshot).unwrap();

    server.feed.lock().unwrap().slow.push(2);
    let error = services_pull::pull(&options(site.path(), &server.url), None).unwrap_err();
    let about = error.about(std::path::Path::new(""));
    assert_eq!(
        about.display().to_string(),
        format!("{}services?page=2", server.url)
    );
    assert!(
        error.to_string().starts_with("the feed cannot be read: "),
        "{error}"
    );
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);

    {
        let mut feed = server.feed.lock().unwrap();
        feed.slow.clear();
        feed.not_json.push(1);
    }
    let error = services_pull::pull(&options(site.path(), &server.url), None).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is not a feed of services: its answer is not JSON"),
        "{error}"
    );
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);
    assert!(
        !site
            .path()
            .join("councils/eastmere/services.json.partial")
            .exists()
    );
}

#[test]
fn pull_from_a_saved_feed_reports_every_record_s_problems() {
    let site = copy_fixture("council-site");
    let feed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds/saltmarsh-vale.json");
    let mut saved = serde_json::from_str::<Value>(&std::fs::read_to_string(feed).unwrap()).unwrap();
    // A second record with an id another has.
    let copy = saved["contents"][0].clone();
    saved["contents"].as_array_mut().unwrap().push(copy);
    std::fs::write(site.path().join("feed.json"), saved.to_string()).unwrap();
    let pulled = services_pull::pull(&options(site.path(), "feed.json"), None).unwrap();
    insta::assert_snapshot!(
        "pull_problems_of_a_messy_feed",
        render_diagnostics(&pulled.problems)
    );
    assert!(pulled.changes.is_none(), "there was no snapshot before");
}

#[test]
fn a_pull_that_cannot_be_made_says_why_and_writes_nothing() {
    let site = copy_fixture("council-site");
    let root = site.path();
    fs_write(root, "saved.json", "{ \"services\": 3 }");
    fs_write(root, "feed.json", "[]");
    let mut said = Vec::new();
    let mut pull = |from: &[&str]| {
        let mut command = vec!["services", "pull", "--council", "eastmere"];
        command.extend(from);
        said.push(crate::cli::transcript(
            &tellyou(root, &command),
            &command,
            &[],
        ));
    };
    // Eastmere's file names no feed.
    pull(&[]);
    pull(&["--from", "saved.json"]);
    // Nothing listens on the discard port of this machine.
    pull(&["--from", "http://127.0.0.1:9/api/", "--retries", "0"]);
    pull(&["--from", "missing.json"]);
    assert!(!root.join("councils/eastmere/services.json").exists());
    // Something that is not a file is in the snapshot's place.
    std::fs::create_dir_all(root.join("councils/eastmere/services.json")).unwrap();
    pull(&["--from", "feed.json"]);
    assert!(
        !root
            .join("councils/eastmere/services.json.partial")
            .exists()
    );
    insta::assert_snapshot!("pulls_that_cannot_be_made", said.join("\n"));
}

fn fs_write(root: &std::path::Path, name: &str, text: &str) {
    std::fs::write(root.join(name), text).unwrap();
}
