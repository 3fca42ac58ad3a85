//! The cache beside the output: a second run finds what the first made, and writes
//! the same site a build from nothing writes, whatever changed between them; and
//! nothing the cache holds makes a build wrong or stops it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::helpers::*;

/// Runs tellyou with `args` in `root`, which must succeed, and gives what it said
/// on its standard error.
fn run(root: &Path, args: &[&str]) -> String {
    let output = tellyou(root, args);
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{args:?} failed: {said}");
    said
}

/// The files of the site or sites in `out`, without the sites before last that a
/// folder of sites keeps.
fn sites_in(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = read_tree(out);
    files.retain(|path, _| !path.split('/').next().unwrap_or("").ends_with(".previous"));
    files
}

/// Asserts that `out` holds what the same run writes with no cache and no output
/// before it, and leaves it so.
fn assert_as_from_nothing(root: &Path, args: &[&str], out: &Path) {
    let with_cache = sites_in(out);
    for folder in [".public.cache", "public", ".public.previous"] {
        let _ = fs::remove_dir_all(root.join(folder));
    }
    run(root, args);
    let from_nothing = sites_in(out);
    let differing: Vec<&String> = (with_cache.keys().chain(from_nothing.keys()))
        .filter(|path| with_cache.get(*path) != from_nothing.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "{args:?} with the cache wrote other files than from nothing: {differing:?}"
    );
}

/// The memo files of the stage whose files are named `stem`.
fn memo_files(root: &Path, stem: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(root.join(".public.cache"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with(&format!("{stem}.")) && name.ends_with(".memo")
        })
        .collect();
    files.sort();
    files
}

fn all_memo_files(root: &Path) -> Vec<PathBuf> {
    (fs::read_dir(root.join(".public.cache")).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|x| x == "memo"))
        .collect()
}

fn append(path: &Path, text: &str) {
    let mut written = fs::read_to_string(path).unwrap();
    written.push_str(text);
    fs::write(path, written).unwrap();
}

/// Writes `to` in place of each `from` in the file at `path`.
fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} is not in {path:?}");
    fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn a_second_build_after_an_edit_finds_the_rest_and_writes_what_a_build_from_nothing_does() {
    let site = copy_fixture("council-site");
    let root = site.path();
    let out = root.join("public");
    run(root, &["build"]);
    assert_eq!(memo_files(root, "markdown").len(), 1);

    // A page: only that page's markdown is made again, and kept in a file of its own.
    append(
        &root.join("content/about.md"),
        "\nAsk your health visitor about this.\n",
    );
    let said = run(root, &["build"]);
    assert!(!said.contains("cache"), "{said}");
    assert_eq!(memo_files(root, "markdown").len(), 2);
    assert_as_from_nothing(root, &["build"], &out);

    // Another version of tellyou wrote the cache: it is passed over without a word.
    append(&root.join("content/about.md"), "\nYou can call them.\n");
    for file in all_memo_files(root) {
        let mut bytes = fs::read(&file).unwrap();
        bytes[13 + 4] ^= 0xff;
        fs::write(&file, bytes).unwrap();
    }
    let said = run(root, &["build"]);
    assert!(!said.contains("cache"), "{said}");
    assert_as_from_nothing(root, &["build"], &out);

    // The shared parts were lost, as if a run were killed after writing the pages
    // that name them, and then the guides' lists, which name parts and which pages
    // name: those pages are made again, without a word.
    append(&root.join("content/about.md"), "\nOr a friend.\n");
    run(root, &["build"]);
    for (stem, line) in [
        ("shared-parts", "Or a neighbour."),
        ("finish-guide-items", "Or your GP."),
    ] {
        for file in memo_files(root, stem) {
            fs::remove_file(file).unwrap();
        }
        append(&root.join("content/about.md"), &format!("\n{line}\n"));
        let said = run(root, &["build"]);
        assert!(!said.contains("cache"), "{said}");
        assert_as_from_nothing(root, &["build"], &out);
        assert!(!memo_files(root, stem).is_empty(), "{stem}");
    }

    // The cache was deleted.
    append(
        &root.join("content/support.md"),
        "\nThey are there to help.\n",
    );
    fs::remove_dir_all(root.join(".public.cache")).unwrap();
    run(root, &["build"]);
    assert_as_from_nothing(root, &["build"], &out);

    // `check` finds what the builds made, and what it says is what it says from
    // nothing.
    let checked = check_report_of(root);
    fs::remove_dir_all(root.join(".public.cache")).unwrap();
    assert_eq!(check_report_of(root), checked);
}

#[test]
fn a_site_too_long_to_print_whole_finds_its_pages_not_made_from_content_till_its_shape_changes() {
    let site = copy_fixture("council-site");
    let root = site.path();
    let out = root.join("public");
    let more = root.join("content/more");
    fs::create_dir_all(&more).unwrap();
    let page = |title: &str| format!("---\ntitle: {title}\ndescription: {title}.\n---\n\nText.\n");
    fs::write(more.join("_index.md"), page("More")).unwrap();
    for number in 0..150 {
        fs::write(
            more.join(format!("page-{number}.md")),
            page(&format!("Page {number}")),
        )
        .unwrap();
    }
    run(root, &["build"]);
    let made = memo_files(root, "render-standalone-pages");
    assert_eq!(made.len(), 1);

    // A page's text: the pages not made from content are found as they were, and
    // nothing is written.
    append(&more.join("page-7.md"), "\nMore text.\n");
    run(root, &["build"]);
    assert_eq!(memo_files(root, "render-standalone-pages"), made);
    assert_as_from_nothing(root, &["build"], &out);
    let made = memo_files(root, "render-standalone-pages");

    // An alias: they are made again, with its redirect.
    let aliased = more.join("page-8.md");
    let text = fs::read_to_string(&aliased).unwrap();
    let text = text.replacen(
        "description:",
        "aliases:\n  - /old-page-8/\ndescription:",
        1,
    );
    fs::write(&aliased, text).unwrap();
    run(root, &["build"]);
    assert_ne!(memo_files(root, "render-standalone-pages"), made);
    let redirect = fs::read_to_string(out.join("old-page-8/index.html")).unwrap();
    assert!(redirect.contains("/more/page-8/"), "{redirect}");
    assert_as_from_nothing(root, &["build"], &out);
}

#[test]
fn a_source_file_left_alone_is_found_in_the_cache_and_one_changed_is_read_again() {
    let site = copy_fixture("council-site");
    let root = site.path();
    let out = root.join("public");
    run(root, &["build"]);
    // Left alone for longer than a clock's tick could hide a change in: files
    // changed just before a run are read again by the next, not kept.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    append(&root.join("content/support.md"), "\nThey are kind.\n");
    run(root, &["build"]);
    assert_eq!(memo_files(root, "source-files").len(), 1);

    // The same size, with the time it was modified set back: read again all the
    // same, as the time its entry changed moved.
    let about = root.join("content/about.md");
    let modified = fs::metadata(&about).unwrap().modified().unwrap();
    replace_in(&about, "shared text", "common text");
    fs::File::options()
        .write(true)
        .open(&about)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let said = run(root, &["build"]);
    assert!(!said.contains("cache"), "{said}");
    let page = fs::read_to_string(out.join("about/index.html")).unwrap();
    assert!(page.contains("common text"), "{page}");
    assert_as_from_nothing(root, &["build"], &out);
}

#[test]
fn council_sites_built_again_after_a_template_or_council_edit_are_as_from_nothing() {
    let site = copy_fixture("council-site");
    let root = site.path();
    let out = root.join("public");
    let all = ["build", "--all"];
    run(root, &all);
    let first = memo_files(root, "front-matter");
    // The shared pages are read once for both councils: an edit of one council's
    // file leaves every page's front matter as it was.
    let northdale = root.join("councils/northdale.yaml");
    replace_in(&northdale, "Northdale District", "Northdale Borough");
    run(root, &all);
    assert_eq!(memo_files(root, "front-matter"), first);
    assert_as_from_nothing(root, &all, &out);

    let template = root.join("councils/eastmere/templates/404.html");
    replace_in(&template, "We cannot find", "We could not find");
    run(root, &all);
    let not_found = fs::read_to_string(out.join("eastmere/404.html")).unwrap();
    assert!(not_found.contains("We could not find"), "{not_found}");
    assert_as_from_nothing(root, &all, &out);
}

#[test]
fn the_a_to_z_check_is_found_again_till_a_heading_or_front_matter_changes() {
    let site = copy_fixture("a-z");
    let root = site.path();
    let colic = root.join("content/colic.md");
    fs::write(
        &colic,
        "---\ntitle: Colic\ndescription: Long crying.\nalso_known_as:\n  - never on a sofa\n---\n\nSome babies cry for hours.\n",
    )
    .unwrap();
    let said = run(root, &["build"]);
    assert!(said.contains("is already a heading"), "{said}");
    let first = memo_files(root, "a-to-z-check");
    assert_eq!(first.len(), 1);

    // A body edited but for its headings: what the check found is found again.
    append(&colic, "\nIt can help to hold them close.\n");
    let again = run(root, &["build"]);
    assert_eq!(again, said);
    assert_eq!(memo_files(root, "a-to-z-check"), first);

    // A heading, then the front matter: the check is run again, and says what a
    // build from nothing says.
    let safe_sleep = root.join("content/safe-sleep.md");
    replace_in(&safe_sleep, "## Never on a sofa", "## Not on a sofa");
    let said = run(root, &["build"]);
    assert!(!said.contains("is already a heading"), "{said}");
    assert_ne!(memo_files(root, "a-to-z-check"), first);
    replace_in(&colic, "never on a sofa", "not on a sofa");
    let said = run(root, &["build"]);
    assert!(said.contains("is already a heading"), "{said}");
    fs::remove_dir_all(root.join(".public.cache")).unwrap();
    assert_eq!(run(root, &["build"]), said);
}

/// What a run said of the cache, with each cache file's name made the same from
/// run to run.
fn cache_warnings(said: &str) -> String {
    let mut kept = Vec::new();
    let mut in_warning = false;
    for line in said.lines() {
        if line.starts_with(".public.cache") {
            in_warning = true;
        } else if !line.starts_with(' ') && !line.is_empty() {
            in_warning = false;
        }
        if in_warning {
            kept.push(line);
        }
    }
    kept.join("\n")
}

#[test]
fn what_the_cache_holds_never_makes_a_build_fail_or_wrong() {
    let site = copy_fixture("good-site");
    let root = site.path();
    let out = root.join("public");
    let cache = root.join(".public.cache");
    run(root, &["build"]);

    // A file that is not a memo, one damaged and one cut short: each is reported,
    // and what they held is made again.
    append(
        &root.join("content/crying/_index.md"),
        "\nIt can help to take turns.\n",
    );
    let pages = memo_files(root, "render-and-minify-pages").remove(0);
    let mut damaged = fs::read(&pages).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;
    fs::write(cache.join("render-and-minify-pages.damaged.memo"), damaged).unwrap();
    let markdown = memo_files(root, "markdown").remove(0);
    let cut = fs::read(&markdown).unwrap();
    fs::write(cache.join("markdown.cut.memo"), &cut[..cut.len() - 40]).unwrap();
    fs::remove_file(pages).unwrap();
    fs::remove_file(markdown).unwrap();
    fs::write(
        cache.join("front-matter.garbage.memo"),
        "not a memo at all\n".repeat(9),
    )
    .unwrap();
    let said = run(root, &["build"]);
    insta::assert_snapshot!("cache_damaged_files", cache_warnings(&said));
    assert_as_from_nothing(root, &["build"], &out);

    // Each such file was replaced: the next run has nothing to say.
    append(
        &root.join("content/crying/_index.md"),
        "\nOr ask a friend.\n",
    );
    fs::write(
        cache.join("markdown.garbage.memo"),
        "not a memo at all\n".repeat(9),
    )
    .unwrap();
    run(root, &["build"]);
    append(
        &root.join("content/crying/_index.md"),
        "\nOr a neighbour.\n",
    );
    let said = run(root, &["build"]);
    assert_eq!(cache_warnings(&said), "");

    // A file that cannot be read, and a cache folder that cannot be written.
    append(
        &root.join("content/crying/_index.md"),
        "\nRest when you can.\n",
    );
    fs::create_dir(cache.join("content-checks.unreadable.memo")).unwrap();
    let said = run(root, &["build"]);
    insta::assert_snapshot!("cache_unreadable_file", cache_warnings(&said));
    fs::remove_dir_all(&cache).unwrap();
    fs::write(&cache, "in the way").unwrap();
    append(
        &root.join("content/crying/_index.md"),
        "\nSleep when the baby sleeps.\n",
    );
    let said = run(root, &["build"]);
    insta::assert_snapshot!("cache_unwritable_folder", cache_warnings(&said));
    fs::remove_file(&cache).unwrap();
    assert_as_from_nothing(root, &["build"], &out);
}

#[test]
fn what_a_run_killed_while_writing_the_cache_left_is_cleared() {
    let site = copy_fixture("good-site");
    let root = site.path();
    run(root, &["build"]);
    let cache = root.join(".public.cache");
    let name = memo_files(root, "markdown")[0]
        .file_name()
        .unwrap()
        .to_owned();
    // A half-written file of a run that is no longer running.
    let left = cache.join(format!(".{}.4000000.tmp", name.to_string_lossy()));
    fs::write(&left, "half a memo").unwrap();
    append(
        &root.join("content/crying/_index.md"),
        "\nIt can help to take turns.\n",
    );
    let said = run(root, &["build"]);
    assert_eq!(cache_warnings(&said), "");
    assert!(!left.exists());
    assert_as_from_nothing(root, &["build"], &root.join("public"));
}
