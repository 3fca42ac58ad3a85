//! What the integration tests share: fixtures copied into a temporary folder, the
//! options and day they are built with, running the `tellyou` program, and the
//! preview started for a test. Every test module uses all of it.

pub(crate) use std::collections::BTreeMap;
pub(crate) use std::fs;
pub(crate) use std::path::{Path, PathBuf};
pub(crate) use std::process::Command;

pub(crate) use tellyou::config::{self, BuildOptions, Config};
pub(crate) use tellyou::pipeline;
pub(crate) use tellyou::{Date, Diagnostic};

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies a fixture site into a fresh temporary folder, so builds never write into
/// the repository.
pub(crate) fn copy_fixture(relative: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(relative), dir.path());
    dir
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The day the fixtures are checked on, so review dates give the same findings
/// whenever the tests run.
pub(crate) const TODAY: Date = Date {
    year: 2026,
    month: 1,
    day: 15,
};

/// A fixture with a `councils/` folder is built for its first council.
/// The accessibility and privacy statements' lines that every council file needs.
pub(crate) const STATEMENTS: &str = "accessibility:\n  contact:\n    email: accessibility@test.example\n  tested_on: 2026-11-01\n  prepared_on: 2026-11-01\nprivacy:\n  contact:\n    email: dpo@test.example\n";

pub(crate) fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        today: Some(TODAY),
        council: config::council_slugs(root).into_iter().next(),
        ..BuildOptions::default()
    }
}

pub(crate) fn load_config(options: &BuildOptions) -> Config {
    config::load(options).unwrap_or_else(|d| panic!("{}", render_diagnostics(&d)))
}

pub(crate) fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{d}\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every diagnostic a site gives, from reading its config to writing its output.
pub(crate) fn diagnostics_of(root: &Path) -> String {
    let mut config = match config::load(&options(root)) {
        Ok(config) => config,
        Err(diagnostics) => return render_diagnostics(&diagnostics),
    };
    // Each fixture shows one mistake; review dates have fixtures of their own.
    config.site.check.missing_review = None;
    config.site.check.not_in_a_z = None;
    match pipeline::build(&config) {
        Ok(report) => format!(
            "built without errors\n{}",
            render_diagnostics(&report.warnings)
        ),
        Err(errors) => render_diagnostics(&errors.diagnostics),
    }
}

/// Every file under a folder and its bytes, by path relative to the folder.
pub(crate) fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(root).unwrap();
            files.insert(
                relative.to_string_lossy().replace('\\', "/"),
                fs::read(entry.path()).unwrap(),
            );
        }
    }
    files
}

pub(crate) fn tellyou(dir: &Path, args: &[&str]) -> std::process::Output {
    // 2026-01-15, the tests' TODAY.
    tellyou_on(dir, args, "1768435200")
}

/// Runs tellyou as if on the day of `source_date_epoch` (seconds since 1970).
pub(crate) fn tellyou_on(
    dir: &Path,
    args: &[&str],
    source_date_epoch: &str,
) -> std::process::Output {
    let mut command = as_tests_run(Command::new(env!("CARGO_BIN_EXE_tellyou")), dir);
    command
        .args(args)
        .env("SOURCE_DATE_EPOCH", source_date_epoch)
        .output()
        .unwrap()
}

/// `command`, which runs tellyou, set to run in `dir` as the tests run it: without
/// colour, on the tests' day (2026-01-15).
pub(crate) fn as_tests_run(mut command: Command, dir: &Path) -> Command {
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1768435200");
    command
}

/// What `tellyou check` reports for a site: every finding and the summary.
pub(crate) fn check_report_of(root: &Path) -> String {
    let report = pipeline::check_project(&options(root));
    format!(
        "{}\n{}",
        render_diagnostics(&report.diagnostics),
        tellyou::report::summary(&report)
    )
}

/// A running `tellyou serve` on a free loopback port, stopped when dropped.
pub(crate) struct Preview {
    pub(crate) child: std::process::Child,
    pub(crate) url: String,
    pub(crate) _site: tempfile::TempDir,
    pub(crate) root: PathBuf,
}

impl Preview {
    pub(crate) fn start(fixture: &str) -> Preview {
        Preview::start_with(fixture, &[])
    }

    /// Starts the preview with more options, such as `--council`.
    pub(crate) fn start_with(fixture: &str, options: &[&str]) -> Preview {
        use std::io::BufRead;
        let site = copy_fixture(fixture);
        let root = site.path().to_path_buf();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tellyou"))
            .args(["serve", "--port", "0"])
            .args(options)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1768435200")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix(tellyou::serve::LISTENING)
                    .map(str::to_owned)
            })
            .expect("serve prints its address");
        // Keep reading, so the preview never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Preview {
            child,
            url,
            _site: site,
            root,
        }
    }

    pub(crate) fn get(&self, path: &str) -> String {
        ureq::get(format!("{}{}", self.url, path.trim_start_matches('/')))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap()
    }

    pub(crate) fn get_bytes(&self, path: &str) -> Vec<u8> {
        ureq::get(format!("{}{}", self.url, path.trim_start_matches('/')))
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap()
    }

    /// The status line the server answers a raw request line with, so that paths
    /// reach it exactly as written.
    pub(crate) fn status_of_raw(&self, path: &str) -> String {
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.lines().next().unwrap_or_default().to_owned()
    }

    /// The status line the server answers `request`, written as it is, with; empty
    /// if it closes the connection without one.
    pub(crate) fn status_of_request(&self, request: &[u8]) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.address()).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        // The server may answer and close before it has read all of a huge request.
        let _ = stream.write_all(request);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn address(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    /// Opens the live event stream; each event's name arrives on the channel.
    pub(crate) fn events(&self) -> std::sync::mpsc::Receiver<String> {
        self.events_at("__tellyou/events")
    }

    /// Opens the live event stream at `address`, which may say which build a page
    /// comes from.
    pub(crate) fn events_at(&self, address: &str) -> std::sync::mpsc::Receiver<String> {
        use std::io::BufRead;
        let (sender, receiver) = std::sync::mpsc::channel();
        let mut response = ureq::get(format!("{}{address}", self.url)).call().unwrap();
        std::thread::spawn(move || {
            let reader = std::io::BufReader::new(response.body_mut().as_reader());
            let mut name = String::new();
            for line in reader.lines().map_while(Result::ok) {
                if let Some(event) = line.strip_prefix("event: ") {
                    name = event.to_owned();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    if sender.send(format!("{name}: {data}")).is_err() {
                        break;
                    }
                }
            }
        });
        receiver
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn next_event(events: &std::sync::mpsc::Receiver<String>) -> String {
    events
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the preview sends an event after the change")
}

/// Waits for the reload after a change, then checks that the page shows `text`.
pub(crate) fn expect_reload_showing(
    preview: &Preview,
    events: &std::sync::mpsc::Receiver<String>,
    page: &str,
    text: &str,
) {
    assert_eq!(next_event(events), "reload: reload");
    let html = preview.get(page);
    assert!(html.contains(text), "{page} does not show {text:?}");
}

pub(crate) fn council_options(root: &Path, council: &str) -> BuildOptions {
    BuildOptions {
        council: Some(council.to_owned()),
        ..options(root)
    }
}

pub(crate) fn page_of(site: &tellyou::pipeline::RenderedSite, path: &str) -> String {
    let file = site
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8_lossy(&file.contents()).into_owned()
}

/// Snapshots what `report` says of each fixture in `tests/fixtures/<folder>/`, as
/// `<snapshot>@<fixture>`, and fails naming every fixture whose text changed or whose
/// report panicked. Each fixture is copied first, so nothing is ever written into the
/// repository. A folder with a `_base` site holds cases that are each only the files
/// that differ from it: each is laid over a copy of the base.
pub(crate) fn snapshot_each_fixture(folder: &str, snapshot: &str, report: fn(&Path) -> String) {
    let mut failures = Vec::new();
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| !path.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    let base = fixtures().join(folder).join("_base");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let site = tempfile::tempdir().unwrap();
        if base.is_dir() {
            copy_dir(&base, site.path());
        }
        copy_dir(&case, site.path());
        let result = std::panic::catch_unwind(|| {
            let text = report(site.path());
            insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(snapshot, text);
            });
        });
        if result.is_err() {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "snapshots differ for: {failures:?}");
}

/// The site in `root` rendered as the tests build it, with drafts or without.
pub(crate) fn rendered(root: &Path, drafts: bool) -> tellyou::pipeline::RenderedSite {
    let options = BuildOptions {
        drafts,
        ..options(root)
    };
    pipeline::render(&load_config(&options))
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)))
}

/// Whether `site` has a file at `path`.
pub(crate) fn has_file(site: &tellyou::pipeline::RenderedSite, path: &str) -> bool {
    site.files.iter().any(|file| file.path == path)
}

/// Builds the site at `root`, minified as published, into a fresh folder, and every
/// file it wrote by path.
pub(crate) fn published(root: &Path) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let mut options = options(root);
    options.out_dir = Some(out.path().join("public"));
    pipeline::build(&load_config(&options))
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    let tree = read_tree(&out.path().join("public"));
    (out, tree)
}

/// Every page of a rendered site that a reader sees, by its path, with its HTML:
/// not the redirects of old addresses.
pub(crate) fn shown_pages(site: &tellyou::pipeline::RenderedSite) -> Vec<(String, String)> {
    (site.files.iter())
        .filter(|file| file.path.ends_with(".html"))
        .map(|file| {
            (
                file.path.clone(),
                String::from_utf8_lossy(&file.contents()).into_owned(),
            )
        })
        .filter(|(_, html)| !html.contains("http-equiv=\"refresh\""))
        .collect()
}
