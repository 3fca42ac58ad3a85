//! Finding things: the A to Z of each language, the search page, the search index
//! and the `search:` setting. How the search works in a browser is checked in
//! Chromium by `tests/browser/search.test.mjs`.

use crate::helpers::*;

/// The part of a page between `<main` and `</main>`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("the end of main");
    &html[start..end]
}

#[test]
fn the_a_to_z_lists_headings_and_other_words_by_letter_with_every_place_they_lead() {
    let site = copy_fixture("a-z");
    let config = load_config(&options(site.path()));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    let a_z = page_of(&rendered, "a-z/index.html");
    insta::assert_snapshot!(main_of(&a_z));
    let search = page_of(&rendered, "search/index.html");
    assert!(
        main_of(&search)
            .contains(main_of(&a_z).split("<div class=\"a-z\">").nth(1).unwrap()[..200].trim()),
        "the search page shows the A to Z, for a browser without JavaScript"
    );
}

#[test]
fn every_page_has_a_search_form_and_a_link_to_the_a_to_z() {
    let site = copy_fixture("a-z");
    let config = load_config(&options(site.path()));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    for (path, html) in shown_pages(&rendered) {
        let on_search_page = path == "search/index.html";
        assert!(
            html.contains("action=\"/start/search/\"") || html.contains("search/\" method=\"get\""),
            "{path}: a search form"
        );
        assert_eq!(
            html.contains("id=\"search-site\""),
            !on_search_page,
            "{path}"
        );
        assert!(
            html.contains("a-z/\">A to Z</a>"),
            "{path}: a link to the A to Z"
        );
    }
}

#[test]
fn the_search_index_is_published_with_the_files_the_search_page_loads_and_no_others() {
    let (_out, tree) = published(&fixtures().join("a-z"));
    let index: Vec<&String> = tree.keys().filter(|p| p.starts_with("pagefind/")).collect();
    for wanted in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-worker.js",
        "pagefind/pagefind-entry.json",
    ] {
        assert!(index.iter().any(|p| *p == wanted), "{wanted} in {index:?}");
    }
    assert!(
        index.iter().any(|p| p.starts_with("pagefind/wasm.en")),
        "{index:?}"
    );
    assert!(
        index.iter().any(|p| p.starts_with("pagefind/index/")),
        "{index:?}"
    );
    assert!(
        index.iter().any(|p| p.starts_with("pagefind/fragment/")),
        "{index:?}"
    );
    assert!(
        !index
            .iter()
            .any(|p| p.contains("-ui") || p.contains("highlight") || p.contains("playground")),
        "Pagefind's own interfaces are not published: {index:?}"
    );
    let scripts: Vec<&String> = tree
        .keys()
        .filter(|p| p.ends_with(".js") && !p.starts_with("pagefind/"))
        .collect();
    assert_eq!(scripts.len(), 1, "the search page's script: {scripts:?}");
    let entry = String::from_utf8_lossy(&tree["pagefind/pagefind-entry.json"]).into_owned();
    assert!(
        entry.contains("\"en-gb\""),
        "one index for the site's language: {entry}"
    );
}

#[test]
fn a_translated_site_has_an_a_to_z_search_page_and_index_for_each_language() {
    let (_out, tree) = published(&fixtures().join("translations/_base"));
    for path in [
        "a-z/index.html",
        "pl/a-z/index.html",
        "search/index.html",
        "pl/search/index.html",
    ] {
        assert!(tree.contains_key(path), "{path}");
    }
    let entry = String::from_utf8_lossy(&tree["pagefind/pagefind-entry.json"]).into_owned();
    assert!(entry.contains("\"pl\""), "an index for Polish: {entry}");
    let polish = String::from_utf8_lossy(&tree["pl/index.html"]).into_owned();
    assert!(
        polish.contains("<form action=../pl/search/ "),
        "the Polish form searches in Polish"
    );
}

#[test]
fn with_search_off_the_form_leads_to_the_a_to_z_and_no_script_is_published() {
    let site = copy_fixture("a-z");
    let yaml = site.path().join("site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text}search: false\n")).unwrap();
    let (_out, tree) = published(site.path());
    assert!(tree.contains_key("a-z/index.html"));
    for path in tree.keys() {
        assert!(!path.starts_with("search/"), "no search page: {path}");
        assert!(!path.starts_with("pagefind/"), "no index: {path}");
        assert!(!path.ends_with(".js"), "no script: {path}");
    }
    let home = String::from_utf8_lossy(&tree["index.html"]).into_owned();
    assert!(
        home.contains("<form action=./a-z/ "),
        "the form leads to the A to Z"
    );
    assert!(!home.contains("<script"));
}

#[test]
fn a_council_file_turns_its_own_search_off_and_keeps_its_own_a_to_z() {
    let site = copy_fixture("council-site");
    let council = site.path().join("councils/eastmere.yaml");
    let text = std::fs::read_to_string(&council).unwrap();
    std::fs::write(&council, format!("{text}search: false\n")).unwrap();
    let config = load_config(&council_options(site.path(), "eastmere"));
    assert!(!config.site.search);
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(rendered.files.iter().any(|f| f.path == "a-z/index.html"));
    assert!(
        !rendered
            .files
            .iter()
            .any(|f| f.path.starts_with("pagefind/") || f.path.ends_with(".js"))
    );
    let other = load_config(&council_options(site.path(), "northdale"));
    assert!(other.site.search, "another council keeps the default");
}
