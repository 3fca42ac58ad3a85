//! Writing the site: byte-identical builds, a failed, killed or refused build
//! leaving the old site as it was, and folders tellyou must not write to.

use crate::helpers::*;

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
    // from the whole length of a build, from before it reads to after it swaps and
    // writes its cache.
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
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{said}");
        // A build killed while it wrote the cache left no part of a file there.
        assert!(!said.contains("cache"), "{said}");
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
    assert!(html.starts_with("<!doctype html><html dir=ltr lang=en-GB>"));
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

/// Asserts that no build left a staging folder, or anything else hidden but the
/// site before last and the cache, beside `public/` in the project `root`.
fn assert_nothing_left_beside(root: &Path) {
    let leftovers: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .filter(|name| name != ".public.previous" && name != ".public.cache")
        .collect();
    assert!(leftovers.is_empty(), "left beside public/: {leftovers:?}");
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
