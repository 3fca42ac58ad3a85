//! The preview: reload on save, errors over the page, the server answering only
//! with the site and staying up, and the preview and kept memos making what a clean
//! build makes after random edits.

use crate::helpers::*;

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

#[test]
fn memos_kept_across_random_edits_make_and_say_what_a_fresh_build_and_check_do() {
    for (fixture, seed) in [
        ("good-site", 0x2545_F491_4F6C_DD1D_u64),
        ("council-site", 0x9E37_79B9_7F4A_7C15),
        ("translations/_base", 0xD1B5_4A32_D192_ED03),
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
fn a_preview_build_leaves_its_search_index_for_later_and_the_next_build_finds_it() {
    let site = copy_fixture("a-z");
    let options = options(site.path());
    let index_of = |files: &[pipeline::OutputFile]| -> Vec<(String, Vec<u8>)> {
        (files.iter())
            .filter(|file| file.path.starts_with(pipeline::INDEX_FOLDER))
            .map(|file| (file.path.clone(), file.contents().into_owned()))
            .collect()
    };
    let clean =
        pipeline::build_project_in_memory(&options, &mut pipeline::Memos::for_one_build()).unwrap();
    assert!(!index_of(&clean.files).is_empty());

    let mut memos = pipeline::Memos::for_rebuilds();
    let first = pipeline::build_project_for_preview(&options, &mut memos).unwrap();
    assert_eq!(index_of(&first.files), [], "the pages are served first");
    let made = first.pending_index.expect("an index to make").make();
    assert_eq!(index_of(made.files().unwrap()), index_of(&clean.files));
    memos.keep_index(made);

    memos.note_changes(None);
    let again = pipeline::build_project_for_preview(&options, &mut memos).unwrap();
    // When verifying, every value is made again, so the index is left for later.
    if std::env::var("TELLYOU_VERIFY_MEMO").as_deref() != Ok("1") {
        assert!(again.pending_index.is_none(), "found in the memo");
        assert_eq!(index_of(&again.files), index_of(&clean.files));
    }

    let page = site.path().join("content/safe-sleep.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(&page, format!("{text}\nA new word: hiccups.\n")).unwrap();
    memos.note_changes(None);
    let edited = pipeline::build_project_for_preview(&options, &mut memos).unwrap();
    assert_eq!(
        index_of(&edited.files),
        [],
        "the edited pages are served first"
    );
    assert!(edited.pending_index.is_some());
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
        if [pipeline::MARKER, pipeline::MANIFEST, pipeline::RECORD].contains(&path.as_str()) {
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
                .replace("script-src 'self';", "script-src 'none';")
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
    match rng.below(10) {
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
        8 if root.join("messages").exists() => {
            toggle(
                &root.join("messages/pl.ftl"),
                "\nnext = Następna",
                "\nnext = Dalej",
            );
            "change a message in Polish".into()
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
fn serve_marks_a_translation_out_of_step_as_soon_as_its_english_page_changes() {
    let preview = Preview::start("translations/_base");
    let notice = "Angielska wersja tej strony zmieniła się";
    assert!(!preview.get("pl/crying/soothing/").contains(notice));
    let events = preview.events();
    let source = preview.root.join("content/crying/soothing.md");
    let original = fs::read_to_string(&source).unwrap();
    let changed = original.replace("speak softly", "sing softly");
    fs::write(&source, &changed).unwrap();
    expect_reload_showing(&preview, &events, "pl/crying/soothing/", notice);
    assert!(
        preview
            .get("ur/crying/soothing/")
            .contains("اس صفحے کا انگریزی ورژن")
    );
    fs::write(&source, &original).unwrap();
    assert_eq!(next_event(&events), "reload: reload");
    assert!(!preview.get("pl/crying/soothing/").contains(notice));
}
