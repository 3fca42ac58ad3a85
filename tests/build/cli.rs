//! The command line: what each command prints, its exit status, help, and the exact
//! message of each mistake in how tellyou is run.

use crate::helpers::*;

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
        stdout.starts_with("Built 7 pages (35 files) into public/ in "),
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
        "content/crying/colic.pl.md",
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

/// What a run of tellyou said, for a snapshot: the command, its exit status and
/// what it printed to standard error, with `replace`'s text shown as its name.
pub(crate) fn transcript(
    output: &std::process::Output,
    command: &[&str],
    replace: &[(&str, &str)],
) -> String {
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
