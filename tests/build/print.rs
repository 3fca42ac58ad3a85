//! Print: the guide to print at `/print/`, for the site and for each council, and
//! the crying plan. How they look on paper is checked in Chromium by
//! `tests/browser/print.test.mjs`.

use std::collections::HashSet;

use crate::helpers::*;

/// Every value of `attribute` in `html`, as the templates and the minifier write it.
fn values_of<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let marker = format!(" {attribute}=\"");
    html.split(&marker)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn the_guide_to_print_holds_every_page_in_order_with_ids_and_links_of_its_own() {
    let site = copy_fixture("good-site");
    let config = load_config(&options(site.path()));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    let booklet = page_of(&rendered, "print/index.html");
    let titles = [
        "Good Site home",
        "Crying",
        "Soothing your baby",
        "When to get help",
        "Playing together",
        "Songs to sing",
        "Lullabies",
    ];
    let body = &booklet[booklet.find("<section class=\"booklet__page").unwrap()..];
    let mut from = 0;
    for title in titles {
        let at = body[from..]
            .find(&format!(">{title}</h"))
            .unwrap_or_else(|| panic!("{title} is in the booklet after the one before it"));
        from += at;
    }
    let ids = values_of(&booklet, "id");
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "every id is used once: {ids:?}");
    for href in values_of(&booklet, "href") {
        if let Some(id) = href.strip_prefix('#') {
            assert!(
                ids.contains(&id),
                "the link {href} leads to an id of the booklet"
            );
        }
    }
    assert!(booklet.contains("<h1><span class=\"booklet__site\">Good Site</span>"));
    assert!(booklet.contains("This copy was made on <time datetime=\"2026-01-15\">"));
    assert!(booklet.contains(
        "<span class=\"qr__address\" dir=\"ltr\">https://example.gov.uk/start-for-life/</span>"
    ));
    assert_eq!(
        booklet.matches("<svg class=\"qr-code\"").count(),
        2,
        "on the cover and the back"
    );
    // Every page links to it.
    for file in rendered.files.iter().filter(|f| f.path.ends_with(".html")) {
        let html = String::from_utf8_lossy(&file.contents()).into_owned();
        if !html.contains("http-equiv=\"refresh\"") {
            assert!(
                html.contains("print/\">The whole guide to print</a>"),
                "{}",
                file.path
            );
        }
    }
}

#[test]
fn a_council_s_guide_to_print_has_its_lines_and_services_and_a_qr_code_it_can_point_elsewhere() {
    let site = copy_fixture("council-site");
    let config = load_config(&council_options(site.path(), "eastmere"));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    let booklet = page_of(&rendered, "print/index.html");
    let cover = &booklet[..booklet.find("booklet__contents").unwrap()];
    for words in [
        "Eastmere crisis line",
        "+44 1632 960 299",
        "Eastmere health visitors",
        "01632 960 201",
    ] {
        assert!(cover.contains(words), "the cover has {words}");
    }
    let services = &booklet[booklet
        .find("<h2 id=\"local-services\">")
        .expect("local services")..];
    assert!(services.contains("Local services from Eastmere Borough Council"));
    assert!(services.contains("Riverside Children"));
    assert!(
        booklet.contains(
            "<span class=\"qr__address\" dir=\"ltr\">https://www.eastmere.example/</span>"
        )
    );

    let file = site.path().join("councils/eastmere.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let elsewhere = "https://www.eastmere.example/families/leaflet";
    fs::write(&file, format!("{text}qr_code_url: {elsewhere}\n")).unwrap();
    let config = load_config(&council_options(site.path(), "eastmere"));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    let booklet = page_of(&rendered, "print/index.html");
    assert!(booklet.contains(&format!(
        "<span class=\"qr__address\" dir=\"ltr\">{elsewhere}</span>"
    )));
    // Another council of the same project keeps its own address.
    let config = load_config(&council_options(site.path(), "northdale"));
    let rendered = pipeline::render(&config).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(page_of(&rendered, "print/index.html").contains(
        "<span class=\"qr__address\" dir=\"ltr\">https://www.northdale.example/start-for-life/</span>"
    ));
}

/// The crying plan of the shipped project, built with `options`, and its table.
fn crying_plan(options: &BuildOptions) -> (String, String) {
    let rendered = pipeline::render(&load_config(options)).unwrap_or_else(|e| panic!("{e:?}"));
    let plan = page_of(&rendered, "crying/plan/index.html");
    let table = plan[plan.find("<table class=\"plan-table\">").expect("a table")..].to_owned();
    (plan, table)
}

#[test]
fn the_shipped_crying_plan_has_room_for_names_and_a_council_s_lines_filled_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shipped pages are reviewed on the days they say, not the fixtures' day.
    let shipped = BuildOptions {
        today: None,
        council: None,
        ..options(root)
    };
    let (plan, table) = crying_plan(&shipped);
    let empty_rows = table.matches("<td></td><td></td>").count();
    assert_eq!(empty_rows, 5, "5 rows to fill in");
    for words in [
        "Never shake a baby",
        "Call 999 or go to A&amp;E now if:",
        "Call 111 if:",
    ] {
        assert!(plan.contains(words), "{words}");
    }

    let council = Some("saltmarsh-vale".into());
    let (_, table) = crying_plan(&BuildOptions { council, ..shipped });
    let empty_rows = table.matches("<td></td><td></td>").count();
    assert_eq!(empty_rows, 4, "the health visitor is filled in");
    for number in ["01632 960 410", "01632 960 499"] {
        assert!(table.contains(number), "{number}");
    }
}

#[test]
fn a_guide_too_long_to_print_as_one_lists_its_pages_to_print_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("content/long")).unwrap();
    let site = "title: Long\nbase_url: https://example.gov.uk/\ncheck:\n  missing_review: off\n";
    fs::write(root.join("site.yaml"), site).unwrap();
    let page = |title: &str| format!("---\ntitle: {title}\ndescription: A page.\n---\n\nText.\n");
    fs::write(root.join("content/_index.md"), page("Home")).unwrap();
    fs::write(root.join("content/long/_index.md"), page("Long")).unwrap();
    // With the home page and the section's own, 151 pages: one more than the
    // booklet holds.
    for i in 1..=149 {
        let path = root.join(format!("content/long/page-{i:03}.md"));
        fs::write(path, page(&format!("Page {i}"))).unwrap();
    }
    let rendered = pipeline::render(&load_config(&options(root))).unwrap();
    let booklet = page_of(&rendered, "print/index.html");
    assert!(booklet.contains("too many pages to print as one"));
    assert!(!booklet.contains("booklet__page--"), "no page is held");
    assert!(booklet.contains("<li><a href=\"/long/page-149/\">Page 149</a></li>"));

    // One page fewer, and it holds them all.
    fs::remove_file(root.join("content/long/page-149.md")).unwrap();
    let rendered = pipeline::render(&load_config(&options(root))).unwrap();
    let booklet = page_of(&rendered, "print/index.html");
    assert_eq!(
        booklet.matches("<section class=\"booklet__page").count(),
        150
    );
    assert!(booklet.contains("<li><a href=\"#guide-long-page-148\">Page 148</a></li>"));
}
