//! Integration tests: build the fixture sites under `tests/fixtures/` and check what
//! comes out, the HTML, the list of files and the exact text of every diagnostic.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tellyou::config::{self, BuildOptions, Config};
use tellyou::pipeline;
use tellyou::support::calendar::Date;
use tellyou::support::error::Diagnostic;

#[path = "build/docs.rs"]
mod docs;
#[path = "build/every_diagnostic.rs"]
mod every_diagnostic;
#[path = "build/layering.rs"]
mod layering;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies a fixture site into a fresh temporary folder, so builds never write into
/// the repository.
fn copy_fixture(relative: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(relative), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
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
const TODAY: Date = Date {
    year: 2026,
    month: 1,
    day: 15,
};

/// A fixture with a `councils/` folder is built for its first council.
fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        today: Some(TODAY),
        council: config::council_slugs(root).into_iter().next(),
        ..BuildOptions::default()
    }
}

fn load_config(options: &BuildOptions) -> Config {
    config::load(options).unwrap_or_else(|d| panic!("{}", render_diagnostics(&d)))
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{d}\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every diagnostic a site gives, from reading its config to writing its output.
fn diagnostics_of(root: &Path) -> String {
    let mut config = match config::load(&options(root)) {
        Ok(config) => config,
        Err(diagnostics) => return render_diagnostics(&diagnostics),
    };
    // Each fixture shows one mistake; review dates have fixtures of their own.
    config.site.check.missing_review = None;
    match pipeline::build(&config) {
        Ok(report) => format!(
            "built without errors\n{}",
            render_diagnostics(&report.warnings)
        ),
        Err(errors) => render_diagnostics(&errors.diagnostics),
    }
}

/// Every file under a folder and its bytes, by path relative to the folder.
fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
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

#[test]
fn good_site_renders_every_page() {
    let site = copy_fixture("good-site");
    let config = load_config(&options(site.path()));
    let rendered = pipeline::render(&config)
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    let listing: Vec<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
    insta::assert_snapshot!("good_site_files", listing.join("\n"));
    for file in &rendered.files {
        let is_text = [".html", ".xml", ".txt"]
            .iter()
            .any(|ext| file.path.ends_with(ext));
        if is_text {
            let name = format!("good_site__{}", file.path.replace('/', "__"));
            insta::assert_snapshot!(name, String::from_utf8_lossy(&file.bytes));
        }
    }
    assert_eq!(rendered.pages, 7, "the draft page is left out");
}

#[test]
fn drafts_are_built_only_when_asked() {
    let site = copy_fixture("good-site");
    let mut with_drafts = options(site.path());
    with_drafts.drafts = true;
    let rendered = pipeline::render(&load_config(&with_drafts)).unwrap();
    assert!(
        rendered
            .files
            .iter()
            .any(|f| f.path == "crying/draft-page/index.html")
    );
    let without = pipeline::render(&load_config(&options(site.path()))).unwrap();
    assert!(!without.files.iter().any(|f| f.path.contains("draft-page")));
}

/// Snapshots what `report` says of each fixture in `tests/fixtures/<folder>/`, as
/// `<snapshot>@<fixture>`, and fails naming every fixture whose text changed or whose
/// report panicked. Each fixture is copied first, so nothing is ever written into the
/// repository. A folder with a `_base` site holds cases that are each only the files
/// that differ from it: each is laid over a copy of the base.
fn snapshot_each_fixture(folder: &str, snapshot: &str, report: fn(&Path) -> String) {
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

#[test]
fn every_error_fixture_gives_its_exact_diagnostics() {
    snapshot_each_fixture("errors", "diagnostics", diagnostics_of);
}

#[test]
fn every_internal_link_in_the_output_finds_a_file() {
    for base_url in [
        "https://example.gov.uk/",
        "https://example.gov.uk/start-for-life/",
    ] {
        let site = copy_fixture("good-site");
        let mut options = options(site.path());
        options.base_url = Some(config::parse_base_url(base_url, None).unwrap());
        let config = load_config(&options);
        pipeline::build(&config).unwrap();
        let base_path = config.site.base_url.path.clone();
        let out = site.path().join("public");
        let tree = read_tree(&out);
        for (path, bytes) in &tree {
            if !path.ends_with(".html") {
                continue;
            }
            let html = String::from_utf8_lossy(bytes);
            let page_dir = Path::new(path).parent().unwrap().to_path_buf();
            for link in internal_links(&html) {
                let target = match link.strip_prefix(&base_path) {
                    Some(from_root) if link.starts_with('/') => PathBuf::from(from_root),
                    _ => page_dir.join(&link),
                };
                let mut resolved = normalise(&target);
                if link.ends_with('/')
                    || resolved.as_os_str().is_empty()
                    || out.join(&resolved).is_dir()
                {
                    resolved = resolved.join("index.html");
                }
                let key = resolved.to_string_lossy().replace('\\', "/");
                assert!(
                    tree.contains_key(&key),
                    "{path} links to {link} ({key}) under {base_url}"
                );
            }
        }
    }
}

/// The `href` and `src` values of a minified page that point inside the site.
fn internal_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attribute in ["href=", "src="] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            let value = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or(""),
                _ => rest.split([' ', '>']).next().unwrap_or(""),
            };
            let value = value.split('#').next().unwrap_or("");
            let external = value.contains(':') || value.starts_with("//");
            if !value.is_empty() && !external {
                links.push(value.to_owned());
            }
        }
    }
    links
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                assert!(out.pop(), "{} climbs out of the site", path.display());
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let first = copy_fixture("good-site");
    let second = copy_fixture("good-site");
    pipeline::build(&load_config(&options(first.path()))).unwrap();
    pipeline::build(&load_config(&options(second.path()))).unwrap();
    pipeline::build(&load_config(&options(second.path()))).unwrap();
    let a = read_tree(&first.path().join("public"));
    let b = read_tree(&second.path().join("public"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a == b, "the two builds differ");
}

/// Asserts that no build left a staging folder, or anything else hidden but the
/// site before last, beside `public/` in the project `root`.
fn assert_nothing_left_beside(root: &Path) {
    let leftovers: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.') && name != ".public.previous")
        .collect();
    assert!(leftovers.is_empty(), "left beside public/: {leftovers:?}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = copy_fixture("good-site");
    let config = load_config(&options(site.path()));
    pipeline::build(&config).unwrap();
    let before = read_tree(&config.out_dir);

    let page = site.path().join("content/crying/soothing.md");
    let text = fs::read_to_string(&page)
        .unwrap()
        .replace("title: Soothing", "titel: Soothing");
    fs::write(&page, text).unwrap();
    fs::write(
        site.path().join("content/new-page.md"),
        "---\ntitle: New\ndescription: New.\n---\n",
    )
    .unwrap();
    assert!(pipeline::build(&config).is_err());

    assert!(before == read_tree(&config.out_dir), "the output changed");
    assert_nothing_left_beside(site.path());
}

/// Writes a site of `pages` pages in one guide, each saying `version`, so that two
/// versions make two sites that differ in every page.
fn write_site_of(root: &Path, pages: usize, version: &str) {
    let content = root.join("content");
    fs::create_dir_all(content.join("guide")).unwrap();
    fs::write(
        root.join("site.yaml"),
        "title: Killed builds\nbase_url: https://www.example.gov.uk/\n",
    )
    .unwrap();
    let page = |title: &str, text: &str| {
        format!("---\ntitle: {title}\ndescription: A page of the guide.\n---\n\n{text}\n")
    };
    fs::write(
        content.join("_index.md"),
        page("Home", "Read [the guide](guide/_index.md)."),
    )
    .unwrap();
    fs::write(
        content.join("guide/_index.md"),
        page("The guide", "All the pages."),
    )
    .unwrap();
    for n in 0..pages {
        let text = format!("Page {n} of version {version}. Hold your baby close and talk softly.");
        fs::write(
            content.join(format!("guide/page-{n}.md")),
            page(&format!("Page {n}"), &text),
        )
        .unwrap();
    }
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one() {
    const PAGES: usize = 300;
    const KILLS: usize = 24;
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    let out = root.join("public");
    // The two complete sites, each as a build with nothing in the way writes it.
    let mut sites = Vec::new();
    let mut build_time = std::time::Duration::ZERO;
    for version in ["one", "two"] {
        write_site_of(root, PAGES, version);
        let _ = fs::remove_dir_all(&out);
        let started = std::time::Instant::now();
        let output = tellyou(root, &["build"]);
        build_time = build_time.max(started.elapsed());
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        sites.push(read_tree(&out));
    }
    assert_ne!(sites[0], sites[1]);
    // Each build turns one site into the other; each is killed at a moment drawn
    // from the whole length of a build, from before it reads to after it swaps.
    let mut seed: u64 = 0x5eed_0f7e_110a;
    let mut random_below = |limit: u128| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        u128::from(seed >> 33) % limit.max(1)
    };
    let mut finished = 0;
    for kill in 0..KILLS {
        let before = read_tree(&out);
        let version = if before == sites[0] { "two" } else { "one" };
        write_site_of(root, PAGES, version);
        let wait = random_below(build_time.as_micros() * 12 / 10);
        let mut child = as_tests_run(Command::new(env!("CARGO_BIN_EXE_tellyou")), root)
            .arg("build")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(wait as u64));
        let _ = child.kill();
        if child.wait().unwrap().success() {
            finished += 1;
        }
        let after = read_tree(&out);
        assert!(
            after == sites[0] || after == sites[1],
            "kill {kill}, {wait} µs into a build: public/ holds neither site whole ({} files)",
            after.len()
        );
    }
    assert!(
        finished < KILLS,
        "every build finished before it could be killed"
    );
    // The next build clears what killed builds left beside public/, both when it
    // has nothing to write and when it writes.
    fs::create_dir_all(root.join(".public.staging-4000000/guide")).unwrap();
    for version in [
        if read_tree(&out) == sites[0] {
            "one"
        } else {
            "two"
        },
        "one",
        "two",
    ] {
        write_site_of(root, PAGES, version);
        let output = tellyou(root, &["build"]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(read_tree(&out) == sites[usize::from(version == "two")]);
        assert_nothing_left_beside(root);
    }
}

#[test]
fn links_that_go_round_leave_the_project_or_lead_nowhere_are_each_named() {
    let site = tempfile::tempdir().unwrap();
    write_site_of(site.path(), 1, "one");
    let content = site.path().join("content");
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("private.md"),
        "---\ntitle: Private\n---\n",
    )
    .unwrap();
    fs::create_dir_all(content.join("crying")).unwrap();
    std::os::unix::fs::symlink("..", content.join("crying/again")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("private.md"), content.join("notes.md"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), content.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("missing.md", content.join("gone.md")).unwrap();
    let shown = diagnostics_of(site.path()).replace(
        &fs::canonicalize(outside.path())
            .unwrap()
            .display()
            .to_string(),
        "/home/editor",
    );
    insta::assert_snapshot!("links_that_go_round_leave_or_lead_nowhere", shown);
}

/// A write that fails part way, as on a full disk: the shell sets a file size limit
/// and ignores the signal for passing it, so that each write past the limit fails
/// with an error, as a write to a full disk does.
#[test]
fn a_write_that_fails_part_way_leaves_the_old_site_and_says_why() {
    let site = copy_fixture("good-site");
    let root = site.path();
    let output = tellyou(root, &["build"]);
    assert!(output.status.success());
    let before = read_tree(&root.join("public"));
    let page = root.join("content/crying/soothing.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(&page, format!("{text}\nA line added.\n")).unwrap();
    let mut limited = Command::new("sh");
    limited.arg("-c").arg(format!(
        "trap '' XFSZ; ulimit -f 8; exec {} \"$@\"",
        env!("CARGO_BIN_EXE_tellyou")
    ));
    let output = as_tests_run(limited, root)
        .args(["sh", "build"])
        .output()
        .unwrap();
    assert_failed_to_write(&output, "cannot write ", "file too large");
    assert!(before == read_tree(&root.join("public")), "public/ changed");
    assert_nothing_left_beside(root);
}

/// Asserts that a build failed to `action` a file for `reason`, and said that the
/// previous site was left as it was.
fn assert_failed_to_write(output: &std::process::Output, action: &str, reason: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!(": error: {action}")), "{stderr}");
    assert!(stderr.contains(&format!(": {reason}")), "{stderr}");
    assert!(
        stderr.contains("the previous site was left as it was"),
        "{stderr}"
    );
}

/// Runs tellyou in `root` as a user who owns none of its files: as root, who may
/// read and write anything, it runs as `nobody` through util-linux's setpriv.
fn tellyou_as_another_user(root: &Path, args: &[&str]) -> std::process::Output {
    let uid = Command::new("id").arg("-u").output().unwrap().stdout;
    let command = if String::from_utf8_lossy(&uid).trim() == "0" {
        let mut setpriv = Command::new("setpriv");
        setpriv
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_tellyou"));
        setpriv
    } else {
        Command::new(env!("CARGO_BIN_EXE_tellyou"))
    };
    as_tests_run(command, root).args(args).output().unwrap()
}

#[test]
fn no_permission_to_write_or_read_is_said_plainly_and_leaves_the_old_site() {
    use std::os::unix::fs::PermissionsExt;
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    write_site_of(root, 3, "one");
    assert!(tellyou(root, &["build"]).status.success());
    let before = read_tree(&root.join("public"));
    // Everyone may read the project, and only its owner may write to it.
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        let mode = if entry.file_type().is_dir() {
            0o755
        } else {
            0o644
        };
        fs::set_permissions(entry.path(), fs::Permissions::from_mode(mode)).unwrap();
    }
    write_site_of(root, 3, "two");
    let output = tellyou_as_another_user(root, &["build"]);
    assert_failed_to_write(&output, "cannot create ", "permission denied");
    assert!(before == read_tree(&root.join("public")), "public/ changed");
    assert_nothing_left_beside(root);

    let page = root.join("content/guide/page-1.md");
    fs::set_permissions(&page, fs::Permissions::from_mode(0o000)).unwrap();
    let output = tellyou_as_another_user(root, &["check"]);
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    let unreadable: Vec<&str> = report
        .split("\n\n")
        .filter(|said| said.starts_with("content/guide/page-1.md"))
        .collect();
    insta::assert_snapshot!("an_unreadable_page", unreadable.join("\n\n"));
    fs::set_permissions(&page, fs::Permissions::from_mode(0o644)).unwrap();
}

/// A page of 20 MB builds, with no error. A debug build takes minutes over it, so
/// `cargo test` leaves it out and `.ci/run` runs it with the release binary:
/// `TELLYOU_BIN=target/release/tellyou cargo test --test build -- --ignored`.
#[test]
#[ignore = "slow in a debug build; .ci/run runs it with the release binary"]
fn a_page_of_20_mb_builds() {
    let site = tempfile::tempdir().unwrap();
    write_site_of(site.path(), 1, "one");
    let line = "Hold your baby close and talk to them softly every day. ";
    let paragraph = format!("{line}\n\n");
    let body = paragraph.repeat((20 << 20) / paragraph.len() + 1);
    let page = format!("---\ntitle: A long page\ndescription: A page of 20 MB.\n---\n\n{body}");
    assert!(page.len() >= 20 << 20);
    fs::write(site.path().join("content/guide/long.md"), page).unwrap();
    let binary = std::env::var("TELLYOU_BIN").unwrap_or(env!("CARGO_BIN_EXE_tellyou").into());
    let output = as_tests_run(Command::new(binary), site.path())
        .arg("build")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = fs::read_to_string(site.path().join("public/guide/long/index.html")).unwrap();
    assert!(html.matches("Hold your baby close").count() >= 300_000);
}

#[test]
fn minified_pages_keep_their_content() {
    let site = copy_fixture("good-site");
    pipeline::build(&load_config(&options(site.path()))).unwrap();
    let html = fs::read_to_string(site.path().join("public/crying/soothing/index.html")).unwrap();
    assert!(html.starts_with("<!doctype html><html lang=en-GB>"));
    assert!(!html.contains("\n\n"));
    assert!(html.contains("<span class=visually-hidden>Immediate action required: </span>Call 999 or go to A&E now if:"));
}

#[test]
fn output_inside_content_is_refused() {
    let site = copy_fixture("good-site");
    let mut options = options(site.path());
    options.out_dir = Some(site.path().join("content/public"));
    let error = pipeline::build(&load_config(&options)).unwrap_err();
    assert_eq!(error.diagnostics.len(), 1);
    assert!(
        error.diagnostics[0].message.ends_with("is inside content/"),
        "{}",
        error.diagnostics[0]
    );
    assert!(!site.path().join("content/public").exists());
}

#[test]
fn a_folder_of_someone_elses_files_is_never_replaced() {
    let site = copy_fixture("good-site");
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("minutes.docx"), "keep me").unwrap();
    let mut options = options(site.path());
    options.out_dir = Some(elsewhere.path().to_path_buf());
    let error = pipeline::build(&load_config(&options)).unwrap_err();
    assert!(
        error.diagnostics[0]
            .message
            .contains("already holds files that tellyou did not write")
    );
    assert_eq!(
        fs::read_to_string(elsewhere.path().join("minutes.docx")).unwrap(),
        "keep me"
    );
}

#[test]
fn byte_order_marks_and_crlf_line_endings_build_cleanly() {
    let site = copy_fixture("good-site");
    let page = site.path().join("content/crying/when-to-get-help.md");
    let text = fs::read_to_string(&page).unwrap().replace('\n', "\r\n");
    fs::write(&page, format!("\u{feff}{text}")).unwrap();
    let rendered = pipeline::render(&load_config(&options(site.path()))).unwrap();
    let html = rendered
        .files
        .iter()
        .find(|f| f.path == "crying/when-to-get-help/index.html")
        .unwrap();
    assert!(String::from_utf8_lossy(&html.bytes).contains("<h1>When to get help</h1>"));
}

/// A guide's contents list comes out the same whether the theme's `guide_item` macro
/// makes its items once for the site, or a theme without it loops over
/// `guide.pages` on every page; and a build writes it whole.
#[test]
fn guide_lists_are_the_same_with_or_without_the_guide_item_macro() {
    let page = "crying/soothing/index.html";
    let html_of = |site: &Path| {
        let rendered = pipeline::render(&load_config(&options(site))).unwrap();
        let file = rendered.files.iter().find(|f| f.path == page).unwrap();
        String::from_utf8_lossy(&file.bytes).into_owned()
    };
    let site = copy_fixture("good-site");
    let with_macro = html_of(site.path());
    assert!(
        with_macro.contains(r#"<a href="../../crying/when-to-get-help/">When to get help</a>"#)
    );
    assert!(with_macro.contains(r#"aria-current="page">Soothing your baby</span>"#));
    assert!(!with_macro.contains(tellyou::stages::templates::GUIDE_LIST_MARK));

    let theme_macros = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/macros.html"),
    )
    .unwrap();
    let item_start = theme_macros.find("{% macro guide_item").unwrap();
    let item_end = theme_macros.find("{% endmacro guide_item %}").unwrap();
    let item = &theme_macros[item_start..item_end];
    let body = &item[item.find("%}").unwrap() + 2..];
    let looped = format!("{{% for item in guide.pages %}}{body}{{% endfor %}}");
    let without_macro = theme_macros[..item_start].replace("{{ guide.list | safe }}", &looped)
        + &theme_macros[item_end + "{% endmacro guide_item %}".len()..];
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(site.path().join("templates/macros.html"), without_macro).unwrap();
    assert_eq!(html_of(site.path()), with_macro);

    fs::remove_file(site.path().join("templates/macros.html")).unwrap();
    pipeline::build(&load_config(&options(site.path()))).unwrap();
    let written = fs::read_to_string(site.path().join("public").join(page)).unwrap();
    assert!(written.contains("<a href=../../crying/when-to-get-help/>When to get help</a>"));
    assert!(written.contains(
        "<span aria-current=page class=contents-list__current>Soothing your baby</span>"
    ));
}

#[test]
fn shared_parts_make_the_same_pages_as_a_template_without_them() {
    let pages_of = |site: &Path| -> BTreeMap<String, Vec<u8>> {
        let _ = fs::remove_dir_all(site.join("public"));
        pipeline::build(&load_config(&options(site))).unwrap();
        let rendered = pipeline::render(&load_config(&options(site))).unwrap();
        let mut pages = BTreeMap::new();
        for file in &rendered.files {
            pages.insert(format!("readable {}", file.path), file.bytes.to_vec());
        }
        for entry in walkdir::WalkDir::new(site.join("public")) {
            let entry = entry.unwrap();
            let name = entry.path().strip_prefix(site).unwrap();
            if entry.file_type().is_file() && !name.to_string_lossy().contains(".tellyou-") {
                pages.insert(name.display().to_string(), fs::read(entry.path()).unwrap());
            }
        }
        pages
    };
    let site = copy_fixture("good-site");
    let shared = pages_of(site.path());
    let theme_base = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .unwrap();
    assert_eq!(theme_base.matches("{% filter shared -%}\n").count(), 5);
    let unshared = theme_base
        .replace("{% filter shared -%}\n", "")
        .replace("\n{%- endfilter %}", "");
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(site.path().join("templates/base.html"), unshared).unwrap();
    let whole = pages_of(site.path());
    assert_eq!(
        shared.keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &shared {
        assert!(
            bytes == &whole[path],
            "{path} differs:\n{}\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&whole[path])
        );
    }
}

#[test]
fn every_page_forbids_scripts_and_opens_links_that_leave_the_site_without_access_to_it() {
    let good = copy_fixture("good-site");
    let council = copy_fixture("council-site");
    let sites = [
        load_config(&options(good.path())),
        load_config(&council_options(council.path(), "eastmere")),
    ];
    let mut leaving = 0;
    for config in &sites {
        let rendered = pipeline::render(config).unwrap_or_else(|e| panic!("{e:?}"));
        for file in rendered.files.iter().filter(|f| f.path.ends_with(".html")) {
            let mut without = Vec::new();
            let mut policies = Vec::new();
            let mut rewriter = lol_html::HtmlRewriter::new(
                lol_html::Settings::new()
                    .append_element_content_handler(lol_html::element!(
                        "a[href^='http:'], a[href^='https:'], a[href^='//']",
                        |el| {
                            leaving += 1;
                            let rel = el.get_attribute("rel").unwrap_or_default();
                            let words: Vec<&str> = rel.split_whitespace().collect();
                            if !(words.contains(&"noopener") && words.contains(&"noreferrer")) {
                                without.push(el.get_attribute("href").unwrap_or_default());
                            }
                            Ok(())
                        }
                    ))
                    .append_element_content_handler(lol_html::element!(
                        "head > meta[http-equiv='Content-Security-Policy']",
                        |el| {
                            policies.push(el.get_attribute("content").unwrap_or_default());
                            Ok(())
                        }
                    )),
                |_: &[u8]| {},
            );
            rewriter.write(&file.bytes).unwrap();
            rewriter.end().unwrap();
            assert!(without.is_empty(), "{}: {without:?}", file.path);
            assert!(
                matches!(&policies[..], [policy] if policy.contains("script-src 'none'")
                    && policy.contains("object-src 'none'")
                    && policy.contains("base-uri 'none'")),
                "{}: {policies:?}",
                file.path
            );
        }
    }
    assert!(
        leaving >= 5,
        "the fixtures link out from content, sources and services"
    );
}

#[test]
fn what_a_page_says_about_itself_is_escaped_in_every_template() {
    let site = copy_fixture("good-site");
    let page = site.path().join("content/play/songs/lullabies.md");
    let text = fs::read_to_string(&page).unwrap();
    let body = &text[text[3..].find("---").unwrap() + 6..];
    let attack = r#"Songs <script>alert(1)</script> "quoted" & <b onmouseover=alert(2)>"#;
    fs::write(
        &page,
        format!(
            "---\ntitle: '{attack}'\ndescription: '{attack}'\nreviewed: 2026-01-10\nnext_review: 2026-07-10\nsources:\n  - title: '{attack}'\n    url: https://www.nhs.uk/\n---\n{body}"
        ),
    )
    .unwrap();
    let rendered = pipeline::render(&load_config(&options(site.path()))).unwrap();
    let mut shown = 0;
    for file in rendered.files.iter().filter(|f| f.path.ends_with(".html")) {
        let html = String::from_utf8_lossy(&file.bytes);
        assert!(!html.contains("<script"), "{}", file.path);
        assert!(!html.contains("<b onmouseover"), "{}", file.path);
        shown += html.matches("Songs &lt;script").count();
    }
    assert!(
        shown >= 4,
        "the title, description and source on the page, and links to it: {shown}"
    );
}

fn tellyou(dir: &Path, args: &[&str]) -> std::process::Output {
    // 2026-01-15, the tests' TODAY.
    tellyou_on(dir, args, "1768435200")
}

/// Runs tellyou as if on the day of `source_date_epoch` (seconds since 1970).
fn tellyou_on(dir: &Path, args: &[&str], source_date_epoch: &str) -> std::process::Output {
    let mut command = as_tests_run(Command::new(env!("CARGO_BIN_EXE_tellyou")), dir);
    command
        .args(args)
        .env("SOURCE_DATE_EPOCH", source_date_epoch)
        .output()
        .unwrap()
}

/// `command`, which runs tellyou, set to run in `dir` as the tests run it: without
/// colour, on the tests' day (2026-01-15).
fn as_tests_run(mut command: Command, dir: &Path) -> Command {
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1768435200");
    command
}

#[test]
fn the_command_line_builds_and_reports() {
    let site = copy_fixture("good-site");
    let output = tellyou(
        site.path(),
        &["build", "--base-url", "https://example.gov.uk/sfl"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("Built 7 pages (15 files) into public/ in "),
        "{stdout}"
    );
    let sitemap = fs::read_to_string(site.path().join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://example.gov.uk/sfl/crying/soothing/</loc>"));
}

/// A build whose inputs are all as at the last build leaves the output alone and
/// gives that build's warnings again; any change to an input, the options, the date
/// or the output itself means a real build.
#[test]
fn a_build_with_nothing_changed_leaves_the_output_and_repeats_its_warnings() {
    let site = copy_fixture("findings/sentence-too-long");
    let build = |args: &[&str]| {
        let output = tellyou(site.path(), args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let built = |stdout: &str| stdout.starts_with("Built 2 pages (");
    let unchanged = |stdout: &str| {
        stdout.starts_with(
            "Nothing has changed since the last build, so public/ was left as it is: 2 pages (",
        )
    };

    let (first, warnings) = build(&["build"]);
    assert!(built(&first), "{first}");
    assert!(
        warnings.contains("this sentence has 28 words"),
        "{warnings}"
    );
    let (second, again) = build(&["build"]);
    assert!(unchanged(&second), "{second}");
    assert_eq!(again, warnings, "the same warnings, in the same words");

    let page = site.path().join("content/crying.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(&page, format!("{text}\nOne more short line.\n")).unwrap();
    assert!(built(&build(&["build"]).0));
    assert!(unchanged(&build(&["build"]).0));
    assert!(built(
        &build(&["build", "--base-url", "https://example.gov.uk/sfl"]).0
    ));

    let index = site.path().join("public/index.html");
    fs::write(&index, "changed by hand, at the same size or not").unwrap();
    assert!(built(
        &build(&["build", "--base-url", "https://example.gov.uk/sfl"]).0
    ));
    assert!(
        fs::read_to_string(&index)
            .unwrap()
            .starts_with("<!doctype html>")
    );

    let next_day = tellyou_on(
        site.path(),
        &["build", "--base-url", "https://example.gov.uk/sfl"],
        "1768521600",
    );
    assert!(String::from_utf8_lossy(&next_day.stdout).starts_with("Built 2 pages ("));
}

#[test]
fn site_errors_exit_with_status_one_and_every_message() {
    let site = copy_fixture("errors/front-matter-every-problem-at-once");
    let output = tellyou(site.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("content/soothing.md:2:1: error: unknown key 'titel'\n"),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with(
            "The build failed with 6 errors and 4 warnings; public/ was left as it was."
        ),
        "{stderr}"
    );
}

#[test]
fn bad_usage_exits_with_status_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        tellyou(dir.path(), &["build", "--colour"]).status.code(),
        Some(2)
    );
    assert_eq!(tellyou(dir.path(), &["publish"]).status.code(), Some(2));
    let bad_url = tellyou(dir.path(), &["build", "--base-url", "example.gov.uk"]);
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("does not start with https://"));
    // No project here: every command that reads one says so, with status 2.
    for command in [
        &["build"][..],
        &["check"],
        &["build", "--all"],
        &["serve", "--port", "0"],
    ] {
        let output = tellyou(dir.path(), command);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(
                "error: there is no site.yaml here, so this folder is not a tellyou project"
            ),
            "{command:?}"
        );
    }
}

#[test]
fn help_explains_every_option_and_version_prints() {
    let dir = tempfile::tempdir().unwrap();
    let help = tellyou(dir.path(), &["build", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    for option in ["--out <DIR>", "--base-url <URL>", "--drafts"] {
        assert!(text.contains(option), "{option} missing from\n{text}");
    }
    let version = tellyou(dir.path(), &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("tellyou {}", env!("CARGO_PKG_VERSION"))
    );
}

/// Builds a site, minified as published, into a temporary folder.
fn published(root: &Path) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let mut options = options(root);
    options.out_dir = Some(out.path().join("public"));
    pipeline::build(&load_config(&options))
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    let tree = read_tree(&out.path().join("public"));
    (out, tree)
}

fn gzipped_size(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

/// One round trip on a slow mobile connection carries about 14 KB.
const PAGE_WEIGHT_LIMIT: usize = 14 * 1024;
const STYLESHEET_LIMIT: usize = 10 * 1024;

#[test]
fn every_page_with_its_stylesheet_fits_in_14_kb_gzipped() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"));
    for root in [shipped.to_path_buf(), fixtures().join("good-site")] {
        let (_out, tree) = published(&root);
        let stylesheets: Vec<&Vec<u8>> = tree
            .iter()
            .filter(|(path, _)| path.ends_with(".css"))
            .map(|(_, bytes)| bytes)
            .collect();
        assert_eq!(stylesheets.len(), 1, "one stylesheet");
        let css = gzipped_size(stylesheets[0]);
        for (path, bytes) in tree.iter().filter(|(path, _)| path.ends_with(".html")) {
            let weight = gzipped_size(bytes) + css;
            assert!(
                weight <= PAGE_WEIGHT_LIMIT,
                "{path} weighs {weight} bytes gzipped with its CSS"
            );
        }
    }
}

#[test]
fn the_theme_stylesheet_is_at_most_10_kb_minified() {
    let (_out, tree) = published(&fixtures().join("good-site"));
    let (path, css) = tree
        .iter()
        .find(|(path, _)| path.ends_with(".css"))
        .unwrap();
    assert!(
        css.len() <= STYLESHEET_LIMIT,
        "{path} is {} bytes",
        css.len()
    );
}

/// What `tellyou check` reports for a site: every finding and the summary.
fn check_report_of(root: &Path) -> String {
    let report = pipeline::check_project(&options(root));
    format!(
        "{}\n{}",
        render_diagnostics(&report.diagnostics),
        tellyou::check::report::summary(&report)
    )
}

#[test]
fn every_findings_fixture_gives_its_exact_report() {
    snapshot_each_fixture("findings", "findings", check_report_of);
}

/// Words of the YAML parser and of Rust that mean nothing to an editor.
const PARSER_WORDS: [&str; 9] = [
    "scalar",
    "mapping",
    "sequence",
    "token",
    "while scanning",
    "while parsing",
    "invalid type",
    "[0]",
    "struct ",
];

/// What `check` reports for a case of `tests/fixtures/mistakes/`, after making sure
/// it reports exactly the diagnostics the case's `MISTAKES` file lists, each as
/// `path:line` (or a path alone), and nothing in any other file or place, in plain
/// words; and that every page, mistakes and all, is counted and measured.
fn mistakes_report_of(root: &Path) -> String {
    let report = pipeline::check_project(&options(root));
    let pages = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter(|entry| entry.as_ref().unwrap().path().extension() == Some("md".as_ref()))
        .count();
    assert_eq!(report.pages, pages, "every page is counted");
    assert_eq!(report.readability.len(), pages, "every page is measured");
    let mut found: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| {
            let path = d.path.to_string_lossy().replace('\\', "/");
            match d.position {
                Some(position) => format!("{path}:{}", position.line),
                None => path,
            }
        })
        .collect();
    let mut expected: Vec<String> = fs::read_to_string(root.join("MISTAKES"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    found.sort();
    expected.sort();
    let text = check_report_of(root);
    assert_eq!(found, expected, "{text}");
    for word in PARSER_WORDS {
        assert!(!text.contains(word), "{word:?} in\n{text}");
    }
    text
}

#[test]
fn each_everyday_mistake_gives_one_message_in_plain_words_where_it_is_and_none_elsewhere() {
    snapshot_each_fixture("mistakes", "mistakes", mistakes_report_of);
}

#[test]
fn no_message_uses_the_words_of_the_parser() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in fs::read_dir(snapshots).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|line| {
            line.contains(": error: ") || line.contains(": warning: ") || line.contains("= hint: ")
        }) {
            for word in PARSER_WORDS {
                assert!(
                    !line.contains(word),
                    "{word:?} in {}:\n{line}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn build_warns_of_copied_or_insecure_sources_and_cards_out_of_order_as_check_does() {
    for name in [
        "source-on-a-document-sharing-site",
        "source-domains-from-site-yaml",
        "source-not-secure",
        "care-cards-out-of-order",
    ] {
        let site = copy_fixture(&format!("findings/{name}"));
        let checked = pipeline::check_project(&options(site.path())).diagnostics;
        let built = pipeline::build(&load_config(&options(site.path())))
            .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
        assert!(!checked.is_empty(), "{name}: the fixture shows a finding");
        assert_eq!(
            render_diagnostics(&built.warnings),
            render_diagnostics(&checked),
            "{name}: a build warns of what check finds, and still builds"
        );
        assert!(site.path().join("public/crying/index.html").is_file());
    }
}

#[test]
fn check_reports_json_in_its_documented_shape() {
    let output = tellyou(
        &fixtures().join("findings/review-dates"),
        &["check", "--format", "json"],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "an overdue review is an error"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(
        json["summary"],
        serde_json::json!({ "errors": 1, "warnings": 3, "files_with_findings": 3, "pages": 3 })
    );
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings[0]["severity"], "error", "errors come first");
    let first = findings
        .iter()
        .find(|finding| finding["severity"] == "warning")
        .unwrap();
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "column",
            "file",
            "hint",
            "line",
            "message",
            "severity",
            "source_line"
        ]
    );
    assert_eq!(first["file"], "content/_index.md");
    assert_eq!(first["line"], 5);
    assert_eq!(first["column"], 1);
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["source_line"], "next_review: 2026-02-01");
    let page = &json["readability"][0];
    for key in [
        "file",
        "words",
        "sentences",
        "average_sentence_words",
        "longest_sentence_words",
        "polysyllables",
        "syllables",
        "smog_grade",
        "flesch_reading_ease",
    ] {
        assert!(page.get(key).is_some(), "readability has {key}");
    }
    let link = &json["external_links"][0];
    assert_eq!(link["url"], "https://www.nhs.uk/");
    assert!(link["line"].is_number() && link["file"].is_string());
}

#[test]
fn check_exits_by_what_it_found_and_strict_counts_warnings() {
    let warnings_only = fixtures().join("findings/sentence-too-long");
    let output = tellyou(&warnings_only, &["check"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout
            .trim_end()
            .ends_with("0 errors and 2 warnings in 1 file."),
        "{stdout}"
    );
    assert!(stdout.contains("Page "), "the readability table is shown");
    assert_eq!(
        tellyou(&warnings_only, &["check", "--strict"])
            .status
            .code(),
        Some(1)
    );
    let external = tellyou(
        &fixtures().join("findings/link-text-unclear"),
        &["check", "--external"],
    );
    let stdout = String::from_utf8_lossy(&external.stdout);
    assert!(
        stdout.contains("content/crying.md:10:7: https://111.nhs.uk\n"),
        "{stdout}"
    );
    let clean = tellyou(Path::new(env!("CARGO_MANIFEST_DIR")), &["check"]);
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert!(stdout.contains("No problems found in"), "{stdout}");
}

#[test]
fn check_writes_nothing() {
    let site = copy_fixture("good-site");
    let before = read_tree(site.path());
    tellyou(site.path(), &["check"]);
    assert_eq!(read_tree(site.path()), before);
}

#[test]
fn new_writes_a_page_that_builds_and_never_overwrites() {
    let site = copy_fixture("good-site");
    let output = tellyou(site.path(), &["new", "content/crying/colic-and-wind.md"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = fs::read_to_string(site.path().join("content/crying/colic-and-wind.md")).unwrap();
    assert_eq!(
        text,
        "---\ntitle: Colic and wind\n\
         # One sentence of up to 160 characters, shown in search results.\n\
         description: \"\"\n\
         reviewed: 2026-01-15\n\
         next_review: 2027-01-15\n\
         # The documents this page's facts come from, each with a title and a url.\n\
         sources: []\n---\n\n"
    );
    let again = tellyou(site.path(), &["new", "content/crying/colic-and-wind.md"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    let bad = tellyou(site.path(), &["new", "content/Colic Wind.md"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("\"colic-wind\""));
    let outside = tellyou(site.path(), &["new", "../elsewhere.md"]);
    assert_eq!(outside.status.code(), Some(1));

    let report = check_report_of(site.path());
    assert!(
        report.contains("content/crying/colic-and-wind.md:4:14: error: "),
        "the empty description is the one thing left to write: {report}"
    );
}

/// What a run of tellyou said, for a snapshot: the command, its exit status and
/// what it printed to standard error, with `replace`'s text shown as its name.
fn transcript(output: &std::process::Output, command: &[&str], replace: &[(&str, &str)]) -> String {
    let mut said = format!(
        "$ tellyou {}\nexit {}\n{}",
        command.join(" "),
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr)
    );
    for (text, name) in replace {
        said = said.replace(text, name);
    }
    said
}

#[test]
fn mistakes_in_how_tellyou_is_run_each_give_their_exact_message() {
    let mut said = Vec::new();
    let empty = tempfile::tempdir().unwrap();
    let command = ["build"];
    said.push(transcript(&tellyou(empty.path(), &command), &command, &[]));

    let site = copy_fixture("good-site");
    let root = site.path();
    let shown_root = root.to_string_lossy().into_owned();
    fs::write(root.join("content/notes"), "").unwrap();
    for path in [
        "notes/colic.md",
        "content/crying/colic.txt",
        "content/crying/Colic and Wind!.md",
        "content/crying/soothing.md",
        "content/notes/colic.md",
    ] {
        let command = ["new", path];
        said.push(transcript(&tellyou(root, &command), &command, &[]));
    }
    fs::remove_file(root.join("content/notes")).unwrap();

    let inside = ["build", "--out", "content/public"];
    let as_site = [(shown_root.as_str(), "SITE")];
    said.push(transcript(&tellyou(root, &inside), &inside, &as_site));
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("minutes.docx"), "keep me").unwrap();
    let out = elsewhere.path().to_string_lossy().into_owned();
    let not_ours = ["build", "--out", &out];
    said.push(transcript(
        &tellyou(root, &not_ours),
        &not_ours,
        &[(&out, "DIR")],
    ));

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let serve = ["serve", "--port", &port];
    said.push(transcript(
        &tellyou(root, &serve),
        &serve,
        &[(&port, "PORT")],
    ));
    insta::assert_snapshot!("mistakes_in_how_tellyou_is_run", said.join("\n"));
}

/// The targets every shipped page meets, as docs/guidance.md states them.
const MAX_LONGEST_SENTENCE: usize = 20;
const MAX_AVERAGE_SENTENCE: f64 = 15.0;
const MIN_READING_EASE: f64 = 70.0;
const MAX_SMOG_GRADE: f64 = 8.0;

/// Where the table of the shipped pages' readability in docs/guidance.md starts and
/// ends.
const GUIDANCE_TABLE_START: &str = "<!-- readability table: start -->\n";
const GUIDANCE_TABLE_END: &str = "<!-- readability table: end -->";

/// The latest `reviewed` date among the shipped pages: the shipped content is checked
/// as on the day it was last reviewed, so the test does not fail with the calendar.
/// Pages that fall due are caught by `tellyou build` and `tellyou check` on the day.
fn latest_review(root: &Path) -> Date {
    let config = load_config(&BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    });
    let (loaded, _) = tellyou::stages::load::load(&config, &mut Default::default());
    loaded
        .pages
        .iter()
        .filter_map(|source| tellyou::stages::front_matter::parse(source).ok()?.reviewed)
        .max()
        .expect("the shipped pages carry review dates")
}

#[test]
fn shipped_content_has_no_findings_and_meets_its_reading_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = BuildOptions {
        root: root.to_path_buf(),
        today: Some(latest_review(root)),
        ..BuildOptions::default()
    };
    let report = pipeline::check_project(&options);
    assert!(
        report.diagnostics.is_empty(),
        "the shipped content has findings:\n{}",
        render_diagnostics(&report.diagnostics)
    );
    assert!(report.pages >= 10, "the guide has all its pages");
    let councils = config::council_slugs(root);
    assert!(councils.len() >= 2, "the example councils are shipped");
    for council in councils {
        let options = BuildOptions {
            council: Some(council.clone()),
            ..options.clone()
        };
        let report = pipeline::check_project(&options);
        assert!(
            report.diagnostics.is_empty(),
            "the example council {council} has findings:\n{}",
            render_diagnostics(&report.diagnostics)
        );
    }
    for page in &report.readability {
        let f = &page.figures;
        let path = page.path.display();
        assert!(
            f.longest_sentence_words <= MAX_LONGEST_SENTENCE,
            "{path}: longest sentence {}",
            f.longest_sentence_words
        );
        assert!(
            f.average_sentence_words <= MAX_AVERAGE_SENTENCE,
            "{path}: average sentence {}",
            f.average_sentence_words
        );
        assert!(
            f.flesch_reading_ease >= MIN_READING_EASE,
            "{path}: Flesch reading ease {}",
            f.flesch_reading_ease
        );
        assert!(
            f.smog_grade <= MAX_SMOG_GRADE,
            "{path}: SMOG grade {}",
            f.smog_grade
        );
    }

    let guidance = fs::read_to_string(root.join("docs/guidance.md")).unwrap();
    let table = guidance
        .split_once(GUIDANCE_TABLE_START)
        .and_then(|(_, rest)| rest.split_once(GUIDANCE_TABLE_END))
        .map(|(table, _)| table)
        .expect("docs/guidance.md has the readability table between its markers");
    let expected = tellyou::check::report::readability_table(&report);
    assert!(
        table == expected,
        "the readability table in docs/guidance.md is out of date; replace it with:\n{expected}"
    );
}

/// A running `tellyou serve` on a free loopback port, stopped when dropped.
struct Preview {
    child: std::process::Child,
    url: String,
    _site: tempfile::TempDir,
    root: PathBuf,
}

impl Preview {
    fn start(fixture: &str) -> Preview {
        Preview::start_with(fixture, &[])
    }

    /// Starts the preview with more options, such as `--council`.
    fn start_with(fixture: &str, options: &[&str]) -> Preview {
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

    fn get(&self, path: &str) -> String {
        ureq::get(format!("{}{}", self.url, path.trim_start_matches('/')))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap()
    }

    fn get_bytes(&self, path: &str) -> Vec<u8> {
        ureq::get(format!("{}{}", self.url, path.trim_start_matches('/')))
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap()
    }

    /// The status line the server answers a raw request line with, so that paths
    /// reach it exactly as written.
    fn status_of_raw(&self, path: &str) -> String {
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
    fn status_of_request(&self, request: &[u8]) -> String {
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

    fn address(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    /// Opens the live event stream; each event's name arrives on the channel.
    fn events(&self) -> std::sync::mpsc::Receiver<String> {
        self.events_at("__tellyou/events")
    }

    /// Opens the live event stream at `address`, which may say which build a page
    /// comes from.
    fn events_at(&self, address: &str) -> std::sync::mpsc::Receiver<String> {
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

fn next_event(events: &std::sync::mpsc::Receiver<String>) -> String {
    events
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the preview sends an event after the change")
}

/// Waits for the reload after a change, then checks that the page shows `text`.
fn expect_reload_showing(
    preview: &Preview,
    events: &std::sync::mpsc::Receiver<String>,
    page: &str,
    text: &str,
) {
    assert_eq!(next_event(events), "reload: reload");
    let html = preview.get(page);
    assert!(html.contains(text), "{page} does not show {text:?}");
}

#[test]
fn serve_rebuilds_on_save_reloads_open_pages_and_keeps_the_last_good_build() {
    let preview = Preview::start("good-site");
    let page = preview.get("crying/soothing/");
    assert!(page.contains("/__tellyou/live.js"), "{page}");
    assert!(page.contains("script-src 'self'"));

    let events = preview.events();
    let source = preview.root.join("content/crying/soothing.md");
    let original = fs::read_to_string(&source).unwrap();
    fs::write(
        &source,
        format!("{original}\nA line added while previewing.\n"),
    )
    .unwrap();
    expect_reload_showing(
        &preview,
        &events,
        "crying/soothing/",
        "A line added while previewing.",
    );

    fs::write(&source, original.replacen("title:", "titel:", 1)).unwrap();
    let errors = next_event(&events);
    assert!(errors.starts_with("errors: "), "{errors}");
    assert!(errors.contains("content/crying/soothing.md:2:1: error: unknown key 'titel'"));
    assert!(
        preview
            .get("crying/soothing/")
            .contains("A line added while previewing."),
        "the last good build is still served"
    );
    // A page opened while the build is failing hears about the errors at once.
    assert!(next_event(&preview.events()).starts_with("errors: "));

    fs::write(&source, &original).unwrap();
    assert_eq!(next_event(&events), "reload: reload");
    assert!(
        !preview
            .get("crying/soothing/")
            .contains("A line added while previewing.")
    );

    // A save as many editors make it: a temporary file, renamed over the page.
    let temporary = preview.root.join("content/crying/.soothing.md.tmp");
    fs::write(&temporary, format!("{original}\nSaved by renaming.\n")).unwrap();
    fs::rename(&temporary, &source).unwrap();
    expect_reload_showing(&preview, &events, "crying/soothing/", "Saved by renaming.");

    // A new page, then the same page renamed: its old address is gone.
    let new_page = preview.root.join("content/crying/colic.md");
    fs::write(
        &new_page,
        "---\ntitle: Colic\ndescription: About colic.\n---\n\nSome babies cry a lot.\n",
    )
    .unwrap();
    expect_reload_showing(&preview, &events, "crying/colic/", "Some babies cry a lot.");
    let renamed = preview.root.join("content/crying/colic-and-crying.md");
    fs::rename(&new_page, &renamed).unwrap();
    expect_reload_showing(
        &preview,
        &events,
        "crying/colic-and-crying/",
        "Some babies cry a lot.",
    );
    assert_eq!(
        preview.status_of_raw("/crying/colic/"),
        "HTTP/1.1 404 Not Found"
    );
}

/// A page that loads while a rebuild finishes can start listening after the reload
/// was sent: it learns from the build its script names that it is out of date.
#[test]
fn serve_tells_a_page_from_an_older_build_to_reload_as_it_listens() {
    let preview = Preview::start("good-site");
    let page = preview.get("crying/soothing/");
    assert!(
        page.ends_with("<script src=\"/__tellyou/live.js?build=1\" defer></script>"),
        "{page}"
    );
    let events = preview.events();
    let source = preview.root.join("content/crying/soothing.md");
    let original = fs::read_to_string(&source).unwrap();
    fs::write(&source, format!("{original}\nA newer build.\n")).unwrap();
    expect_reload_showing(&preview, &events, "crying/soothing/", "A newer build.");
    assert!(preview.get("crying/soothing/").contains("live.js?build=2"));

    let late = preview.events_at("__tellyou/events?build=1");
    assert_eq!(next_event(&late), "reload: reload");
    // A page of the latest build, or one that does not say, is not told to reload.
    let current = preview.events_at("__tellyou/events?build=2");
    let unsaid = preview.events_at("__tellyou/events?build=");
    fs::write(&source, original.replacen("title:", "titel:", 1)).unwrap();
    assert!(next_event(&current).starts_with("errors: "));
    assert!(next_event(&unsaid).starts_with("errors: "));
}

/// A save that empties the page and writes it a moment later, as a busy machine can
/// make of any save in place: the preview waits for the page to be closed, and never
/// builds it half written.
#[test]
fn serve_waits_for_a_page_being_written_to_be_closed() {
    use std::io::Write;
    let preview = Preview::start("good-site");
    let events = preview.events();
    let source = preview.root.join("content/crying/soothing.md");
    let original = fs::read_to_string(&source).unwrap();
    let mut file = fs::File::create(&source).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    file.write_all(format!("{original}\nWritten in two steps.\n").as_bytes())
        .unwrap();
    drop(file);
    expect_reload_showing(
        &preview,
        &events,
        "crying/soothing/",
        "Written in two steps.",
    );
}

#[test]
fn serve_says_plainly_when_its_port_is_taken() {
    let preview = Preview::start("good-site");
    let port = preview
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap();
    let output = tellyou(&preview.root, &["serve", "--port", port]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: cannot listen on 127.0.0.1:{port}: another program is using that port; choose another port with --port\n"
        )
    );
}

#[test]
fn serve_answers_only_with_the_site() {
    let preview = Preview::start("good-site");
    assert_eq!(preview.status_of_raw("/"), "HTTP/1.1 200 OK");
    assert_eq!(
        preview.status_of_raw("/crying"),
        "HTTP/1.1 308 Permanent Redirect"
    );
    assert_eq!(
        preview.status_of_raw("/no-such-page/"),
        "HTTP/1.1 404 Not Found"
    );
    for path in [
        "/../site.yaml",
        "/crying/../../site.yaml",
        "/%2e%2e/site.yaml",
        "/%252e%252e/site.yaml",
        "/..%2fsite.yaml",
        "/..%5csite.yaml",
        "/..\\site.yaml",
        "/index.html%00",
    ] {
        let status = preview.status_of_raw(path);
        assert!(
            status == "HTTP/1.1 400 Bad Request" || status == "HTTP/1.1 404 Not Found",
            "{path}: {status}"
        );
    }
}

#[test]
fn serve_stays_up_for_huge_requests_and_slow_clients() {
    use std::io::Write;
    let preview = Preview::start("good-site");
    let host = preview.address().to_owned();
    let huge_path = format!("/{}", "a".repeat(1 << 20));
    let huge_header = format!("X-Filler: {}\r\n", "b".repeat(1 << 20));
    let many_headers: String = (0..5000).map(|n| format!("X-{n}: {n}\r\n")).collect();
    for request in [
        format!("GET {huge_path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        format!("GET / HTTP/1.1\r\nHost: {host}\r\n{huge_header}Connection: close\r\n\r\n"),
        format!("GET / HTTP/1.1\r\nHost: {host}\r\n{many_headers}Connection: close\r\n\r\n"),
        "NONSENSE\r\n\r\n".to_owned(),
        "\x00\x01\x02\r\n\r\n".to_owned(),
    ] {
        let status = preview.status_of_request(request.as_bytes());
        assert!(
            status.is_empty()
                || ["400", "404", "414", "431"]
                    .iter()
                    .any(|code| status.contains(code)),
            "{}…: {status}",
            &request[..40.min(request.len())]
        );
        assert_eq!(preview.status_of_raw("/"), "HTTP/1.1 200 OK", "still up");
    }
    // Clients that open a request and never finish it do not stop others.
    let slow: Vec<std::net::TcpStream> = (0..200)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(&host).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            stream
        })
        .collect();
    let started = std::time::Instant::now();
    assert_eq!(preview.status_of_raw("/crying/"), "HTTP/1.1 200 OK");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // A client that sends its request a byte at a time is answered all the same.
    let mut trickle = std::net::TcpStream::connect(&host).unwrap();
    trickle
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    for byte in
        format!("GET /crying/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").bytes()
    {
        trickle.write_all(&[byte]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut trickle, &mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 200 OK"),
        "{}",
        &answer[..answer.len().min(80)]
    );
    drop(slow);
}

#[test]
fn the_live_reload_script_is_never_in_build_output() {
    let site = copy_fixture("good-site");
    let config = load_config(&options(site.path()));
    let report = pipeline::build(&config).unwrap();
    for (path, bytes) in read_tree(&report.out_dir) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__tellyou"),
            "{path}"
        );
    }
}

/// The watcher cannot see a file outside the project that a page links to, so its
/// stamp is looked at on every rebuild, whatever the watcher says changed.
#[cfg(unix)]
#[test]
fn serve_sees_a_linked_page_change_at_the_next_rebuild() {
    let preview = Preview::start("good-site");
    let events = preview.events();
    let shared = preview.root.join("shared");
    fs::create_dir_all(&shared).unwrap();
    let target = shared.join("shared.md");
    let page = |line: &str| {
        format!(
            "---\ntitle: A shared page\ndescription: Kept outside the content folder.\n---\n\n{line}\n"
        )
    };
    fs::write(&target, page("The first version.")).unwrap();
    // Only a file left alone for two seconds is kept between rebuilds.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    std::os::unix::fs::symlink(&target, preview.root.join("content/crying/shared.md")).unwrap();
    expect_reload_showing(&preview, &events, "crying/shared/", "The first version.");

    fs::write(&target, page("The second version.")).unwrap();
    // Another save makes the rebuild that picks the linked change up.
    let other = preview.root.join("content/crying/soothing.md");
    let text = fs::read_to_string(&other).unwrap();
    fs::write(&other, format!("{text}\nAnother save.\n")).unwrap();
    expect_reload_showing(&preview, &events, "crying/shared/", "The second version.");
}

#[test]
fn a_burst_of_500_saves_ends_with_the_same_site_as_a_clean_build() {
    let preview = Preview::start("good-site");
    let events = preview.events();
    let source = preview.root.join("content/crying/soothing.md");
    let original = fs::read_to_string(&source).unwrap();
    for save in 1..=500 {
        fs::write(&source, format!("{original}\nSave number {save}.\n")).unwrap();
    }
    // A save caught half-written can fail to build for a moment; what matters is
    // that the preview ends on the last save. The burst is over when the preview has
    // been quiet for a while.
    let mut last = next_event(&events);
    while let Ok(event) = events.recv_timeout(std::time::Duration::from_secs(3)) {
        last = event;
    }
    assert_eq!(last, "reload: reload");
    assert!(preview.get("crying/soothing/").contains("Save number 500."));

    assert_serves_a_clean_build(&preview);
}

/// Every file a clean build of the preview's project writes is served byte for byte,
/// apart from what the preview adds to pages.
fn assert_serves_a_clean_build(preview: &Preview) {
    let fresh = preview.root.join(".fresh");
    let output = tellyou(
        &preview.root,
        &["build", "--base-url", &preview.url, "--out", ".fresh"],
    );
    assert!(output.status.success(), "{output:?}");
    let built = read_tree(&fresh);
    fs::remove_dir_all(&fresh).unwrap();
    for (path, bytes) in built {
        if [
            tellyou::stages::output::MARKER,
            tellyou::stages::output::MANIFEST,
            tellyou::stages::output::RECORD,
        ]
        .contains(&path.as_str())
        {
            continue;
        }
        let served = preview.get_bytes(&path);
        let served = match String::from_utf8(served.clone()) {
            Ok(page) if path.ends_with(".html") => page
                .strip_suffix(PREVIEW_SCRIPT_END)
                .and_then(|page| page.rsplit_once(PREVIEW_SCRIPT_START))
                .map(|(page, build)| {
                    assert!(build.parse::<u64>().is_ok(), "{path}: build {build:?}");
                    page.to_owned()
                })
                .unwrap_or_else(|| panic!("{path} has the live script"))
                .replace("script-src 'self'", "script-src 'none'")
                .into_bytes(),
            _ => served,
        };
        assert!(
            served == bytes,
            "{path} is served as a clean build writes it:\n{}\n{}",
            String::from_utf8_lossy(&served),
            String::from_utf8_lossy(&bytes)
        );
    }
}

/// What the preview adds to the end of every page, around the number of the build
/// the page comes from.
const PREVIEW_SCRIPT_START: &str = "<script src=\"/__tellyou/live.js?build=";
const PREVIEW_SCRIPT_END: &str = "\" defer></script>";

/// A small, seeded random number generator, so a failing sequence can be replayed.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One random change an editor could make that leaves the site buildable.
fn random_change(rng: &mut Xorshift, root: &Path, step: usize, made: &mut Vec<PathBuf>) -> String {
    let content = root.join("content");
    match rng.below(8) {
        0 | 1 => {
            let page = [
                "crying/soothing.md",
                "crying/_index.md",
                "play/songs/lullabies.md",
                "_index.md",
            ][rng.below(4)];
            let path = content.join(page);
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, format!("{text}\nA sentence added at step {step}.\n")).unwrap();
            format!("edit {page}")
        }
        2 => {
            let path = content.join("crying/soothing.md");
            let text = fs::read_to_string(&path).unwrap();
            let (before, after) = text.split_once("title: ").unwrap();
            let (_, rest) = after.split_once('\n').unwrap();
            fs::write(
                &path,
                format!("{before}title: Soothing, version {step}\n{rest}"),
            )
            .unwrap();
            "retitle crying/soothing.md".into()
        }
        3 => {
            let section = ["crying", "play", "play/songs"][rng.below(3)];
            let path = content.join(format!("{section}/new-{step}.md"));
            fs::write(
                &path,
                format!("---\ntitle: New page {step}\ndescription: Made at step {step}.\n---\n\n## Part {step}\n\nSome words.\n"),
            )
            .unwrap();
            made.push(path);
            format!("new {section}/new-{step}.md")
        }
        4 if !made.is_empty() => {
            let path = made.remove(rng.below(made.len()));
            fs::remove_file(&path).unwrap();
            format!("delete {}", path.display())
        }
        5 if !made.is_empty() => {
            let at = rng.below(made.len());
            let renamed = made[at].with_file_name(format!("renamed-{step}.md"));
            fs::rename(&made[at], &renamed).unwrap();
            made[at] = renamed;
            "rename a new page".into()
        }
        6 => {
            let folder = content.join(format!("topic-{step}"));
            fs::create_dir(&folder).unwrap();
            fs::write(
                folder.join("_index.md"),
                format!("---\ntitle: Topic {step}\ndescription: A section made at step {step}.\n---\n\nAbout the topic.\n"),
            )
            .unwrap();
            fs::write(
                folder.join("detail.md"),
                "---\ntitle: Detail\ndescription: A page in a new section.\n---\n\nThe detail.\n",
            )
            .unwrap();
            format!("new folder topic-{step}")
        }
        _ => {
            let templates = root.join("templates");
            if templates.exists() {
                fs::remove_dir_all(&templates).unwrap();
                "remove templates/".into()
            } else {
                fs::create_dir(&templates).unwrap();
                let theme = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("themes/default/templates/page.html");
                let page = fs::read_to_string(theme).unwrap();
                fs::write(
                    templates.join("page.html"),
                    page.replace(
                        "{% block main %}",
                        &format!("{{% block main %}}<p>Override {step}</p>"),
                    ),
                )
                .unwrap();
                "override page.html".into()
            }
        }
    }
}

#[test]
fn serve_matches_a_clean_build_after_random_edits_new_files_deletes_and_renames() {
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 0xD1B5_4A32_D192_ED03] {
        let preview = Preview::start("good-site");
        let events = preview.events();
        let mut rng = Xorshift(seed);
        let mut made = Vec::new();
        let mut done = Vec::new();
        for step in 0..12 {
            done.push(random_change(&mut rng, &preview.root, step, &mut made));
            let first = events.recv_timeout(std::time::Duration::from_secs(30));
            assert!(first.is_ok(), "seed {seed:#x}: no rebuild after {done:?}");
            let mut last = first.unwrap();
            while let Ok(event) = events.recv_timeout(std::time::Duration::from_millis(400)) {
                last = event;
            }
            assert_eq!(last, "reload: reload", "seed {seed:#x} after {done:?}");
            assert_serves_a_clean_build(&preview);
        }
    }
}

/// One random change an editor could make, mistakes and settings included: to a
/// page's text, its front matter, a link, the pages there are, the site's settings,
/// the council's file or a template.
fn random_edit(rng: &mut Xorshift, root: &Path, step: usize, made: &mut Vec<PathBuf>) -> String {
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    let page = pages[rng.below(pages.len())].clone();
    let shown = page.strip_prefix(root).unwrap().display().to_string();
    let text = fs::read_to_string(&page).unwrap();
    let toggle = |path: &Path, from: &str, to: &str| {
        let text = fs::read_to_string(path).unwrap();
        let changed = if text.contains(from) {
            text.replacen(from, to, 1)
        } else {
            text.replacen(to, from, 1)
        };
        fs::write(path, changed).unwrap();
    };
    match rng.below(9) {
        0 => {
            fs::write(&page, format!("{text}\nA sentence added at step {step}.\n")).unwrap();
            format!("edit {shown}")
        }
        1 => {
            let long = "and then the baby cried a little more ".repeat(5);
            fs::write(
                &page,
                format!("{text}\nA long sentence {long}at step {step}.\n"),
            )
            .unwrap();
            format!("a long sentence in {shown}")
        }
        2 => {
            let link = "\n[A page that is gone](gone.md)\n";
            match text.strip_suffix(link) {
                Some(fixed) => fs::write(&page, fixed).unwrap(),
                None => fs::write(&page, format!("{text}{link}")).unwrap(),
            }
            format!("a broken link in {shown}, or its fix")
        }
        3 => {
            let folder = page.parent().unwrap();
            let path = folder.join(format!("new-{step}.md"));
            fs::write(
                &path,
                format!("---\ntitle: New page {step}\ndescription: Made at step {step}.\n---\n\n## Part {step}\n\nSome words.\n"),
            )
            .unwrap();
            made.push(path);
            format!("new page beside {shown}")
        }
        4 if !made.is_empty() => {
            let path = made.remove(rng.below(made.len()));
            fs::remove_file(&path).unwrap();
            format!("delete {}", path.display())
        }
        5 => {
            toggle(
                &root.join("site.yaml"),
                "\ndescription: ",
                "\ndescription: Changed. ",
            );
            "change the site's description".into()
        }
        6 if root.join("councils").exists() => {
            let council = fs::read_dir(root.join("councils"))
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .find(|path| path.extension().is_some_and(|e| e == "yaml"))
                .unwrap();
            toggle(&council, "phone: 01632 960", "phone: 01632 961");
            "change a council's phone number".into()
        }
        7 => {
            toggle(&page, "\ntitle:", "\ntitel:");
            format!("misspell the title in {shown}, or fix it")
        }
        _ => {
            let templates = root.join("templates");
            if templates.exists() {
                fs::remove_dir_all(&templates).unwrap();
                "remove templates/".into()
            } else {
                fs::create_dir(&templates).unwrap();
                let theme = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("themes/default/templates/page.html");
                let page = fs::read_to_string(theme).unwrap();
                let main = format!(
                    "{{% block main %}}<p>Override {step}</p><a href=\"#gone-{step}\">x</a>"
                );
                fs::write(
                    templates.join("page.html"),
                    page.replace("{% block main %}", &main),
                )
                .unwrap();
                "override page.html".into()
            }
        }
    }
}

/// A site built in memory: each file's path and bytes, and the warnings; or the
/// errors and warnings.
type BuiltInMemory = Result<(Vec<(String, Vec<u8>)>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// A site built in memory, or why not, as plain values to compare.
fn built_in_memory(options: &BuildOptions, memos: &mut pipeline::Memos) -> BuiltInMemory {
    pipeline::build_project_in_memory(options, memos)
        .map(|site| {
            let files = site
                .files
                .iter()
                .map(|file| (file.path.clone(), file.contents().into_owned()))
                .collect();
            (files, site.warnings)
        })
        .map_err(|errors| errors.diagnostics)
}

#[test]
fn memos_kept_across_random_edits_make_and_say_what_a_fresh_build_and_check_do() {
    for (fixture, seed) in [
        ("good-site", 0x2545_F491_4F6C_DD1D_u64),
        ("council-site", 0x9E37_79B9_7F4A_7C15),
    ] {
        let site = copy_fixture(fixture);
        let options = options(site.path());
        let whole_project = BuildOptions {
            council: None,
            ..options.clone()
        };
        let mut build_memos = pipeline::Memos::for_rebuilds();
        let mut check_memos = [
            pipeline::Memos::for_rebuilds(),
            pipeline::Memos::for_rebuilds(),
        ];
        let mut rng = Xorshift(seed);
        let mut made = Vec::new();
        let mut done = Vec::new();
        for step in 0..16 {
            done.push(random_edit(&mut rng, site.path(), step, &mut made));
            build_memos.note_changes(None);
            let kept = built_in_memory(&options, &mut build_memos);
            let fresh = built_in_memory(&options, &mut pipeline::Memos::for_one_build());
            assert!(
                kept == fresh,
                "{fixture} built after {done:?}:\n{kept:?}\n{fresh:?}"
            );
            for (options, memos) in [&options, &whole_project].into_iter().zip(&mut check_memos) {
                memos.note_changes(None);
                let kept = pipeline::check_project_with(options, memos);
                let fresh = pipeline::check_project(options);
                assert_eq!(
                    kept.diagnostics, fresh.diagnostics,
                    "{fixture} checked after {done:?}"
                );
                assert_eq!(kept.pages, fresh.pages);
                assert_eq!(kept.readability, fresh.readability);
                assert_eq!(kept.external_links, fresh.external_links);
            }
        }
    }
}

#[test]
fn serve_answers_a_bounded_concurrent_load_correctly() {
    let preview = Preview::start("good-site");
    let expected = preview.get_bytes("crying/soothing/");
    // 32 clients at once, 25 requests each: bounded in count, so it ends by itself.
    let clients: Vec<_> = (0..32)
        .map(|_| {
            let url = format!("{}crying/soothing/", preview.url);
            let expected = expected.clone();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    let body = ureq::get(&url)
                        .call()
                        .unwrap()
                        .body_mut()
                        .read_to_vec()
                        .unwrap();
                    assert!(body == expected, "every answer is the page");
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    assert_eq!(
        preview.status_of_raw("/"),
        "HTTP/1.1 200 OK",
        "it is still up"
    );
}

fn council_options(root: &Path, council: &str) -> BuildOptions {
    BuildOptions {
        council: Some(council.to_owned()),
        ..options(root)
    }
}

fn render_council(root: &Path, council: &str) -> tellyou::pipeline::RenderedSite {
    let config = load_config(&council_options(root, council));
    pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"))
}

fn page_of(site: &tellyou::pipeline::RenderedSite, path: &str) -> String {
    let file = site
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8_lossy(&file.bytes).into_owned()
}

#[test]
fn a_council_site_shows_its_local_services_pages_templates_and_brand() {
    let site = copy_fixture("council-site");
    let rendered = render_council(site.path(), "eastmere");
    insta::assert_snapshot!(
        "council_site_support_page",
        page_of(&rendered, "support/index.html")
    );
    let about = page_of(&rendered, "about/index.html");
    assert!(about.contains("Eastmere\u{2019}s own text"), "{about}");
    assert!(!about.contains("The shared text"));
    assert!(page_of(&rendered, "groups/index.html").contains("There are baby groups"));
    let not_found = page_of(&rendered, "404.html");
    assert!(
        not_found.contains("We cannot find that page"),
        "{not_found}"
    );
    assert!(not_found.contains("01632 960 201"));
    assert!(page_of(&rendered, "index.html").contains("alt=\"Eastmere Borough Council\""));
    assert!(
        page_of(&rendered, "sitemap.xml")
            .contains("<loc>https://www.eastmere.example/about/</loc>")
    );

    // The same content for another council has the shared pages only.
    let rendered = render_council(site.path(), "northdale");
    assert!(page_of(&rendered, "about/index.html").contains("The shared text"));
    assert!(!rendered.files.iter().any(|f| f.path.starts_with("groups/")));
    let support = page_of(&rendered, "support/index.html");
    assert!(support.contains("Local services from Northdale District Council"));
    assert!(
        page_of(&rendered, "sitemap.xml")
            .contains("<loc>https://www.northdale.example/start-for-life/</loc>")
    );
}

#[test]
fn every_page_leads_to_urgent_help_and_a_council_puts_its_own_lines_there() {
    let site = copy_fixture("council-site");
    let rendered = render_council(site.path(), "eastmere");
    insta::assert_snapshot!(
        "council_site_urgent_page",
        page_of(&rendered, "urgent/index.html")
    );
    for (page, link) in [
        ("index.html", "href=\"./urgent/\""),
        ("about/index.html", "href=\"../urgent/\""),
        ("urgent/index.html", "href=\"../urgent/\""),
        ("404.html", "href=\"/urgent/\""),
    ] {
        let html = page_of(&rendered, page);
        let header = &html[..html.find("</header>").expect("a header")];
        assert!(
            header.contains(&format!("class=\"urgent-bar__link\" {link}")),
            "{page}: {header}"
        );
    }

    // A site without an urgent help page still shows the numbers to call.
    let site = copy_fixture("good-site");
    let config = load_config(&options(site.path()));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    for file in rendered.files.iter().filter(|f| f.path.ends_with(".html")) {
        let html = String::from_utf8_lossy(&file.bytes);
        if html.contains("http-equiv=\"refresh\"") {
            continue;
        }
        assert!(
            html.contains(
                "Urgent help: call <a href=\"tel:999\">999</a> or <a href=\"tel:111\">111</a>"
            ),
            "{}: {html}",
            file.path
        );
    }
}

#[test]
fn build_all_writes_every_council_into_its_own_folder() {
    let site = copy_fixture("council-site");
    let output = tellyou(site.path(), &["build", "--all"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines: Vec<&str> = stdout.lines().collect();
    let summary = lines.pop().unwrap();
    lines.sort();
    assert_eq!(
        lines,
        [
            "Built eastmere: 5 pages into public/eastmere/",
            "Built northdale: 4 pages into public/northdale/"
        ]
    );
    assert!(
        summary.starts_with("Built 2 of 2 council sites into public/ in "),
        "{summary}"
    );
    for (council, canonical) in [
        ("eastmere", "https://www.eastmere.example/"),
        ("northdale", "https://www.northdale.example/start-for-life/"),
    ] {
        let home = fs::read_to_string(site.path().join("public").join(council).join("index.html"))
            .unwrap();
        assert!(home.contains(canonical), "{council}: {home}");
    }

    // A council whose file has a mistake fails on its own; the others are built.
    let northdale = fs::read_to_string(site.path().join("councils/northdale.yaml")).unwrap();
    fs::write(
        site.path().join("councils/northdale.yaml"),
        "name: Northdale District Council\nbase_url: https://www.northdale.example/\nlast_checked: 2026-13-01\n",
    )
    .unwrap();
    let output = tellyou(site.path(), &["build", "--all"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("councils/northdale.yaml:3:15: error: \"2026-13-01\" is not a date"),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("These failed, and their folders were left as they were: northdale."),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Built 1 of 2 council sites"), "{stdout}");

    // A council whose file is gone loses its site, with the site before last; a
    // folder tellyou did not write is left alone.
    let public = site.path().join("public");
    let renamed = northdale.replace(
        "name: Northdale District Council",
        "name: Northdale Council",
    );
    assert_ne!(renamed, northdale);
    fs::write(site.path().join("councils/northdale.yaml"), renamed).unwrap();
    assert!(
        tellyou(
            site.path(),
            &[
                "build",
                "--council",
                "northdale",
                "--out",
                "public/northdale"
            ]
        )
        .status
        .success()
    );
    assert!(public.join(".northdale.previous").is_dir());
    fs::remove_file(site.path().join("councils/northdale.yaml")).unwrap();
    fs::create_dir(public.join("notes")).unwrap();
    fs::write(public.join("notes/deploying.txt"), "Copy each folder.").unwrap();
    let output = tellyou(site.path(), &["build", "--all"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains(
            "\nRemoved public/northdale/: there is no councils/northdale.yaml any more\n"
        ),
        "{stdout}"
    );
    let mut left: Vec<String> = fs::read_dir(&public)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".tellyou-output", "eastmere", "notes"]);
}

#[test]
fn an_unknown_council_is_named_with_the_ones_there_are() {
    let site = copy_fixture("council-site");
    let output = tellyou(site.path(), &["build", "--council", "eastmeer"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a council that is not there is a usage mistake"
    );
    insta::assert_snapshot!("unknown_council", String::from_utf8_lossy(&output.stderr));
    let without = copy_fixture("good-site");
    let output = tellyou(without.path(), &["build", "--all"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("no_councils", String::from_utf8_lossy(&output.stderr));
    let output = tellyou(
        site.path(),
        &["serve", "--council", "nowhere", "--port", "0"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("= hint: the councils are: eastmere, northdale"),
    );
}

#[test]
fn serve_previews_a_council_and_rebuilds_when_its_file_or_pages_change() {
    let preview = Preview::start_with("council-site", &["--council", "eastmere"]);
    assert!(preview.get("support/").contains("01632 960 201"));
    assert!(preview.get("groups/").contains("There are baby groups"));
    let events = preview.events();

    let file = preview.root.join("councils/eastmere.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("01632 960 201", "01632 960 222")).unwrap();
    expect_reload_showing(&preview, &events, "support/", "01632 960 222");

    fs::write(
        preview.root.join("councils/eastmere/content/groups.md"),
        "---\ntitle: Baby groups in Eastmere\ndescription: Groups.\n---\n\nNew groups start in May.\n",
    )
    .unwrap();
    expect_reload_showing(&preview, &events, "groups/", "New groups start in May.");
}

#[test]
fn check_without_a_council_checks_every_council_file() {
    let site = copy_fixture("council-site");
    fs::write(
        site.path().join("councils/northdale.yaml"),
        "name: Northdale District Council\nbase_url: https://www.northdale.example/\nlast_checked: 2025-01-05\nhubs:\n  - name: Hub\n    address:\n      address_1: 1 Road\n      city: Town\n      postal_code: ZZ1\n",
    )
    .unwrap();
    let whole_project = BuildOptions {
        root: site.path().to_path_buf(),
        today: Some(TODAY),
        ..BuildOptions::default()
    };
    let report = pipeline::check_project(&whole_project);
    let found: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}: {}", d.path.display(), d.severity, d.message))
        .collect();
    assert_eq!(
        found,
        [
            "councils/northdale.yaml: error: \"ZZ1\" is not a UK postcode",
            "councils/northdale.yaml: warning: the local services were last checked on 5 January 2025; they were due to be checked again by 5 July 2025",
        ],
        "a council file's errors do not hide its reminder"
    );
    fs::write(
        site.path().join("councils/northdale.yaml"),
        "name: Northdale District Council\nbase_url: https://www.northdale.example/\nlast_checked: 2025-01-05\n",
    )
    .unwrap();
    let report = pipeline::check_project(&whole_project);
    assert_eq!(report.warnings(), 1, "{:?}", report.diagnostics);
    assert!(
        report.diagnostics[0]
            .message
            .starts_with("the local services were last checked on 5 January 2025")
    );
}

#[test]
fn a_long_guide_lists_the_nearest_pages_and_links_to_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("content/long")).unwrap();
    fs::write(
        root.join("site.yaml"),
        "title: Long\nbase_url: https://example.gov.uk/\ncheck:\n  missing_review: off\n",
    )
    .unwrap();
    fs::write(
        root.join("content/_index.md"),
        "---\ntitle: Home\ndescription: Home.\n---\n\nHello.\n",
    )
    .unwrap();
    fs::write(
        root.join("content/long/_index.md"),
        "---\ntitle: A long guide\ndescription: Long.\n---\n\nMany pages.\n",
    )
    .unwrap();
    for i in 1..=150 {
        fs::write(
            root.join(format!("content/long/page-{i:03}.md")),
            format!("---\ntitle: Page {i}\ndescription: Page {i}.\norder: {i}\n---\n\nText.\n"),
        )
        .unwrap();
    }
    let rendered = pipeline::render(&load_config(&options(root))).unwrap();
    let items = |html: &str| html.matches("class=\"contents-list__item\"").count();
    let middle = page_of(&rendered, "long/page-075/index.html");
    assert_eq!(items(&middle), 100);
    assert!(middle.contains("aria-current=\"page\">Page 75</span>"));
    assert!(
        middle.contains(">All 151 pages in A long guide</a>"),
        "{middle}"
    );
    assert!(middle.contains(">Page 25</a>") && !middle.contains(">Page 24</a>"));
    assert!(middle.contains(">Page 124</a>") && !middle.contains(">Page 125</a>"));
    let section = page_of(&rendered, "long/index.html");
    assert_eq!(
        items(&section),
        151,
        "the guide's own page lists every page"
    );
    assert!(!section.contains(">All 151 pages"));
}
