//! `tellyou check` and the messages of every fixture: the exact diagnostics of each
//! error fixture, the findings fixtures and the catalogue of everyday mistakes, the
//! JSON report, and the shipped content meeting its reading targets.

use crate::helpers::*;

#[test]
fn every_error_fixture_gives_its_exact_diagnostics() {
    snapshot_each_fixture("errors", "diagnostics", diagnostics_of);
}

#[test]
fn every_findings_fixture_gives_its_exact_report() {
    snapshot_each_fixture("findings", "findings", check_report_of);
}

#[test]
fn each_everyday_mistake_gives_one_message_in_plain_words_where_it_is_and_none_elsewhere() {
    snapshot_each_fixture("mistakes", "mistakes", mistakes_report_of);
}

#[test]
fn no_message_uses_the_words_of_the_parser() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/build/snapshots");
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
    let site = copy_fixture("findings/review-dates");
    let output = tellyou(site.path(), &["check", "--format", "json"]);
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
    let site = copy_fixture("findings/sentence-too-long");
    let warnings_only = site.path();
    let output = tellyou(warnings_only, &["check"]);
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
        tellyou(warnings_only, &["check", "--strict"]).status.code(),
        Some(1)
    );
    let site = copy_fixture("findings/link-text-unclear");
    let external = tellyou(site.path(), &["check", "--external"]);
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
fn past_200_findings_the_rest_are_counted_by_kind_and_all_findings_lists_each() {
    let site = tempfile::tempdir().unwrap();
    fs::create_dir(site.path().join("content")).unwrap();
    fs::write(
        site.path().join("site.yaml"),
        "title: Many\nbase_url: https://example.gov.uk/\ncheck:\n  missing_review: off\n",
    )
    .unwrap();
    let mut page =
        String::from("---\ntitle: Home\ndescription: The home page.\n---\n\n## Sleep\n\n");
    for n in 0..230 {
        page.push_str(&format!(
            "This sentence about your baby and the night and the day is far too long for a tired parent to read, number {n}.\n\n"
        ));
    }
    for _ in 0..20 {
        page.push_str("You should rest.\n\n");
    }
    fs::write(site.path().join("content/_index.md"), page).unwrap();

    let checked = tellyou(site.path(), &["check"]);
    let stdout = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(stdout.matches(": warning: ").count(), 200, "{stdout}");
    let rest = stdout.split_once("…and").expect("a count of the rest").1;
    let rest = rest.split("\n\n").next().unwrap();
    insta::assert_snapshot!(format!("…and{rest}"), @r"
    …and 50 more findings, by kind (`--all-findings` lists each one):
      30 warnings: this sentence has … words; keep sentences to … words or fewer
      20 warnings: avoid the word …
    ");
    assert!(
        stdout.contains("0 errors and 250 warnings in 1 file."),
        "{stdout}"
    );

    let every = tellyou(site.path(), &["check", "--all-findings"]);
    let stdout = String::from_utf8_lossy(&every.stdout);
    assert_eq!(stdout.matches(": warning: ").count(), 250);
    assert!(!stdout.contains("…and"));
    let json = tellyou(site.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 250);
    let built = tellyou(site.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert_eq!(stderr.matches(": warning: ").count(), 200);
    assert!(stderr.contains("…and 50 more findings"), "{stderr}");
}

#[test]
fn check_writes_nothing_but_its_cache() {
    let site = copy_fixture("good-site");
    let before = read_tree(site.path());
    tellyou(site.path(), &["check"]);
    let mut after = read_tree(site.path());
    after.retain(|path, _| !path.starts_with(".public.cache/"));
    assert_eq!(after, before);
    assert!(site.path().join(".public.cache").is_dir());
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
    let expected = tellyou::report::readability_table(&report);
    assert!(
        table == expected,
        "the readability table in docs/guidance.md is out of date; replace it with:\n{expected}"
    );
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
    let reviewed = |text: String| {
        let line = text
            .lines()
            .find_map(|line| line.strip_prefix("reviewed:"))?;
        line.trim().trim_matches(['"', '\'']).parse::<Date>().ok()
    };
    walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "md"))
        .filter_map(|entry| reviewed(fs::read_to_string(entry.path()).ok()?))
        .max()
        .expect("the shipped pages carry review dates")
}
