//! What the pages are: every page rendered, drafts, links between pages, escaping,
//! guide lists, shared parts, the security headers in each page and the weight of a
//! page.

use crate::helpers::*;

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
            insta::assert_snapshot!(name, String::from_utf8_lossy(&file.contents()));
        }
    }
    assert_eq!(rendered.pages, 7, "the draft page is left out");
}

#[test]
fn drafts_are_built_only_when_asked() {
    let site = copy_fixture("good-site");
    let with_drafts = rendered(site.path(), true);
    assert!(has_file(&with_drafts, "crying/draft-page/index.html"));
    let without = rendered(site.path(), false);
    assert!(!without.files.iter().any(|f| f.path.contains("draft-page")));
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
    assert!(String::from_utf8_lossy(&html.contents()).contains("<h1>When to get help</h1>"));
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
        String::from_utf8_lossy(&file.contents()).into_owned()
    };
    let site = copy_fixture("good-site");
    let with_macro = html_of(site.path());
    assert!(
        with_macro.contains(r#"<a href="../../crying/when-to-get-help/">When to get help</a>"#)
    );
    assert!(with_macro.contains(r#"aria-current="page">Soothing your baby</span>"#));
    // No mark that making the page used is left in it.
    let noncharacters = '\u{FDD0}'..='\u{FDEF}';
    assert!(!with_macro.chars().any(|c| noncharacters.contains(&c)));

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
            pages.insert(
                format!("readable {}", file.path),
                file.contents().into_owned(),
            );
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
    assert_eq!(theme_base.matches("{% filter shared -%}\n").count(), 6);
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
fn every_page_but_the_search_page_forbids_scripts_and_links_that_leave_the_site_have_no_access_to_it()
 {
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
            rewriter.write(&file.contents()).unwrap();
            rewriter.end().unwrap();
            assert!(without.is_empty(), "{}: {without:?}", file.path);
            // The search page runs the site's own script, and Pagefind's WebAssembly.
            let scripts = match file.path.ends_with("search/index.html") {
                true => "script-src 'self' 'wasm-unsafe-eval';",
                false => "script-src 'none';",
            };
            assert!(
                matches!(&policies[..], [policy] if policy.contains(scripts)
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
        let html = String::from_utf8_lossy(&file.contents()).into_owned();
        // The search page's one script is the theme's own file.
        let own = |tag: &&str| {
            let src = tag.strip_prefix(" type=\"module\" src=\"");
            src.is_some_and(|src| {
                src.split('"')
                    .next()
                    .is_some_and(|src| src.contains("/search."))
            })
        };
        assert!(
            html.split("<script").skip(1).all(|tag| own(&tag)),
            "{}",
            file.path
        );
        assert!(!html.contains("<b onmouseover"), "{}", file.path);
        shown += html.matches("Songs &lt;script").count();
    }
    assert!(
        shown >= 4,
        "the title, description and source on the page, and links to it: {shown}"
    );
}

#[test]
fn every_page_with_its_stylesheet_fits_in_14_kb_gzipped() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"));
    for root in [shipped.to_path_buf(), fixtures().join("good-site")] {
        let (_out, tree) = published(&root);
        // The print stylesheet is fetched apart, for paper, and never holds up a
        // page on a screen. The pages about the whole guide load one more.
        let stylesheet = |name: &str| {
            let (_, bytes) = (tree.iter())
                .find(|(path, _)| path.starts_with(name) && path.ends_with(".css"))
                .unwrap_or_else(|| panic!("a stylesheet {name}"));
            gzipped_size(bytes)
        };
        let (css, whole_guide_css) = (stylesheet("style."), stylesheet("whole-guide."));
        // The guide to print is every page at once, by its nature.
        let pages = (tree.iter())
            .filter(|(path, _)| path.ends_with(".html") && *path != "print/index.html");
        for (path, bytes) in pages {
            let extra = match String::from_utf8_lossy(bytes).contains("/whole-guide.") {
                true => whole_guide_css,
                false => 0,
            };
            let weight = gzipped_size(bytes) + css + extra;
            assert!(
                weight <= PAGE_WEIGHT_LIMIT,
                "{path} weighs {weight} bytes gzipped with its CSS"
            );
        }
    }
}

#[test]
fn the_theme_stylesheets_are_at_most_10_kb_for_screens_and_5_kb_for_paper_minified() {
    let (_out, tree) = published(&fixtures().join("good-site"));
    for (name, limit) in [("style.", STYLESHEET_LIMIT), ("print.", 5 * 1024)] {
        let (path, css) = tree
            .iter()
            .find(|(path, _)| path.starts_with(name) && path.ends_with(".css"))
            .unwrap();
        assert!(css.len() <= limit, "{path} is {} bytes", css.len());
    }
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

fn gzipped_size(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

/// One round trip on a slow mobile connection carries about 14 KB.
const PAGE_WEIGHT_LIMIT: usize = 14 * 1024;

const STYLESHEET_LIMIT: usize = 10 * 1024;
