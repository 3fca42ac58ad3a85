//! Council sites: a council's pages, brand and local services, urgent help on every
//! page, `build --all`, and checking every council's file.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

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
    for (path, html) in shown_pages(&rendered) {
        assert!(
            html.contains(
                "Urgent help: call <a dir=\"ltr\" href=\"tel:999\">999</a> or <a dir=\"ltr\" href=\"tel:111\">111</a>"
            ),
            "{path}: {html}"
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

/// Runs `tellyou build --all` in `dir` with one of rayon's threads, and fails if it
/// does not end within a minute: a council's build, on one of those threads, once
/// waited for a thread of its own that needed them.
fn build_all_on_one_thread(dir: &Path) {
    let mut child = as_tests_run(Command::new(env!("CARGO_BIN_EXE_tellyou")), dir)
        .args(["build", "--all"])
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "build --all failed in {}", dir.display());
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("build --all did not end within a minute");
}

#[test]
fn build_all_after_changes_ends_and_writes_what_a_first_build_writes_even_on_one_thread() {
    let site = copy_fixture("council-site");
    let page = site.path().join("content/support.md");
    build_all_on_one_thread(site.path());
    // The second change's build writes over the site before last of each council.
    for run in 1..=2 {
        let text = fs::read_to_string(&page).unwrap();
        fs::write(&page, format!("{text}\nOne more line, for run {run}.\n")).unwrap();
        build_all_on_one_thread(site.path());
    }
    assert!(site.path().join("public/.eastmere.previous").is_dir());
    let fresh = copy_fixture("council-site");
    fs::copy(&page, fresh.path().join("content/support.md")).unwrap();
    build_all_on_one_thread(fresh.path());
    for council in ["eastmere", "northdale"] {
        assert_eq!(
            read_tree(&site.path().join("public").join(council)),
            read_tree(&fresh.path().join("public").join(council)),
            "{council}"
        );
    }
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
        format!("name: Northdale District Council\nbase_url: https://www.northdale.example/\nlast_checked: 2025-01-05\nhubs:\n  - name: Hub\n    address:\n      address_1: 1 Road\n      city: Town\n      postal_code: ZZ1\n{STATEMENTS}"),
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
        format!("name: Northdale District Council\nbase_url: https://www.northdale.example/\nlast_checked: 2025-01-05\n{STATEMENTS}"),
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

fn render_council(root: &Path, council: &str) -> tellyou::pipeline::RenderedSite {
    let config = load_config(&council_options(root, council));
    pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn every_council_site_has_an_accessibility_statement_and_a_privacy_page_linked_from_every_page() {
    let site = copy_fixture("council-site");
    let rendered = render_council(site.path(), "eastmere");
    let statement = page_of(&rendered, "accessibility/index.html");
    insta::assert_snapshot!("council_site_accessibility_statement", statement);
    for words in [
        "Eastmere Borough Council runs it.",
        "This website is partially compliant with the",
        "Equality Advisory and Support Service",
        "This website was last tested on <time datetime=\"2026-11-01\">1 November 2026</time>.",
        "href=\"mailto:accessibility@test.example\"",
    ] {
        assert!(statement.contains(words), "{words}");
    }
    assert!(!statement.contains("fully compliant"));
    let privacy = page_of(&rendered, "privacy/index.html");
    insta::assert_snapshot!("council_site_privacy_page", privacy);
    assert!(privacy.contains("This website does not set cookies"));
    assert!(privacy.contains("href=\"mailto:dpo@test.example\""));
    for (path, html) in shown_pages(&rendered) {
        let footer = &html[html.find("<footer").expect("a footer")..];
        assert!(
            footer.contains("accessibility/\">Accessibility statement</a>"),
            "{path}"
        );
        assert!(
            footer.contains("privacy/\">Privacy and cookies</a>"),
            "{path}"
        );
    }
    let sitemap = page_of(&rendered, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://www.eastmere.example/accessibility/</loc>"));
    assert!(sitemap.contains("<loc>https://www.eastmere.example/privacy/</loc>"));

    // A council that says it is fully compliant is shown so, and a page of the
    // site's own at the statement's address replaces the made one.
    let file = site.path().join("councils/eastmere.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("  tested_on:", "  compliance: fully\n  tested_on:"),
    )
    .unwrap();
    fs::write(
        site.path().join("content/privacy.md"),
        "---\ntitle: Our privacy notice\ndescription: What we do with your data.\n---\n\nWe keep nothing.\n",
    )
    .unwrap();
    let rendered = render_council(site.path(), "eastmere");
    assert!(
        page_of(&rendered, "accessibility/index.html")
            .contains("This website is fully compliant with the")
    );
    assert!(page_of(&rendered, "privacy/index.html").contains("We keep nothing."));
}

#[test]
fn a_build_shows_the_services_picked_from_the_feed_and_warns_about_their_bad_values() {
    let site = copy_fixture("findings/council-feed-warnings");
    let config = load_config(&options(site.path()));
    let report = pipeline::build(&config).unwrap_or_else(|e| panic!("{e:?}"));
    let warnings: Vec<&str> = report.warnings.iter().map(|d| d.message.as_str()).collect();
    for words in [
        "the service svc-messy (Messy service) has a bad phone number: \"01632 96\" is not a UK phone number; it is shown without it",
        "the service svc-gone (Gone group) is \"inactive\", not active",
        "the services were pulled from the feed on 10 January 2025; they were due to be pulled again by 10 April 2025",
    ] {
        assert!(warnings.contains(&words), "{words}: {warnings:#?}");
    }
    // The council's own email replaces the feed's bad one, so that is not said.
    assert!(
        !warnings.iter().any(|w| w.contains("bad email address")),
        "{warnings:#?}"
    );
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    let support = page_of(&rendered, "support/index.html");
    for words in [
        "<h4>Song group</h4>\n<p>Songs</p>",
        "<h4>Messy service</h4>",
        "href=\"mailto:help@test.example\"",
    ] {
        assert!(support.contains(words), "{words}\n{support}");
    }
    for gone in ["Gone group", "01632 96<", "messy.example", "Mon-Fri"] {
        assert!(!support.contains(gone), "{gone}");
    }
}
