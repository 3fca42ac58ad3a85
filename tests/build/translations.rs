//! Translations: pages in each language with their direction and alternates, links
//! that fall back to the site's own language and say so, the clinical assurance
//! gate, translations out of step with their page, and the diagnostics of every
//! state a translation can be in.

use crate::helpers::*;

/// The base translated site with a case's files laid over it.
fn translated_site(case: Option<&str>) -> tempfile::TempDir {
    let site = copy_fixture("translations/_base");
    if let Some(case) = case {
        copy_dir(&fixtures().join("translations").join(case), site.path());
    }
    site
}

#[test]
fn every_state_of_a_translation_gives_its_exact_diagnostics() {
    snapshot_each_fixture("translations", "translation_diagnostics", diagnostics_of);
}

#[test]
fn a_translated_site_publishes_each_language_under_its_code() {
    let site = translated_site(None);
    let config = load_config(&options(site.path()));
    let rendered = pipeline::render(&config)
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    assert!(
        rendered.warnings.is_empty(),
        "{}",
        render_diagnostics(&rendered.warnings)
    );
    let listing: Vec<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
    insta::assert_snapshot!("translated_site_files", listing.join("\n"));
    for path in [
        "pl/index.html",
        "pl/crying/soothing/index.html",
        "pl/crying/when-to-get-help/index.html",
        "ur/index.html",
        "ur/crying/soothing/index.html",
        "crying/soothing/index.html",
        "sitemap.xml",
    ] {
        let name = format!("translated_site__{}", path.replace('/', "__"));
        insta::assert_snapshot!(name, page_of(&rendered, path));
    }
    // A translation's old address sends the reader on in the page's language.
    let moved = page_of(&rendered, "pl/uspokajanie/index.html");
    assert!(moved.contains("<html lang=\"pl\" dir=\"ltr\">"));
    assert!(moved.contains("Ta strona została przeniesiona. <a href=\"/start-for-life/pl/crying/soothing/\">Przejdź do strony Uspokajanie dziecka</a>."));
    // Each language has a 404 page of its own, in its language.
    let not_found = page_of(&rendered, "ur/404.html");
    assert!(not_found.contains("<html lang=\"ur\" dir=\"rtl\">"));
    assert!(not_found.contains("<h1>صفحہ نہیں ملا</h1>"));
    assert!(not_found.contains("<a href=\"/start-for-life/ur/\">مرکزی صفحے پر جا سکتے ہیں</a>"));
}

/// The value of each `attribute` in `html`, in order.
fn values_of<'h>(html: &'h str, attribute: &str) -> Vec<&'h str> {
    let marker = format!(" {attribute}=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn every_version_of_a_page_names_every_other_both_ways_with_english_as_the_default() {
    let site = translated_site(None);
    let rendered = pipeline::render(&load_config(&options(site.path()))).unwrap();
    let versions = [
        ("crying/soothing/index.html", "en-GB"),
        ("pl/crying/soothing/index.html", "pl"),
        ("ur/crying/soothing/index.html", "ur"),
    ];
    for (path, language) in versions {
        let html = page_of(&rendered, path);
        assert!(
            html.contains(&format!("<html lang=\"{language}\"")),
            "{path}"
        );
        let direction = if language == "ur" { "rtl" } else { "ltr" };
        assert!(html.contains(&format!("dir=\"{direction}\">")), "{path}");
        let head = &html[..html.find("</head>").unwrap()];
        for (other, other_language) in versions {
            let address = format!(
                "https://example.gov.uk/start-for-life/{}",
                other.trim_end_matches("index.html")
            );
            let link = format!(
                "<link rel=\"alternate\" hreflang=\"{other_language}\" href=\"{address}\">"
            );
            assert!(head.contains(&link), "{path} names {other}");
        }
        assert!(head.contains(
            "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://example.gov.uk/start-for-life/crying/soothing/\">"
        ));
        // The switcher lists every other version, each named in its own language.
        let switcher = &html[html.find("language-switcher").unwrap()..];
        let switcher = &switcher[..switcher.find("</nav>").unwrap()];
        let listed = values_of(switcher, "hreflang");
        let others: Vec<&str> = (versions.iter())
            .filter(|(other, _)| *other != path)
            .map(|(_, language)| *language)
            .collect();
        assert_eq!(listed, others, "{path}");
    }
    let colic = page_of(&rendered, "crying/colic/index.html");
    assert!(
        !colic.contains("language-switcher"),
        "a page in one language has no switcher"
    );
    assert!(!colic.contains("hreflang=\"x-default\""));
}

#[test]
fn a_link_to_a_page_not_translated_goes_to_english_and_says_so_in_the_reader_s_language() {
    let site = translated_site(None);
    let rendered = pipeline::render(&load_config(&options(site.path()))).unwrap();
    let polish = page_of(&rendered, "pl/crying/soothing/index.html");
    assert!(polish.contains(
        "<a href=\"../../../crying/colic/\" hreflang=\"en-GB\">kolce <span class=\"link-language\">(po angielsku)</span></a>"
    ));
    assert!(
        polish.contains("<a href=\"../../../pl/crying/when-to-get-help/\">kiedy szukać pomocy</a>")
    );
    let urdu = page_of(&rendered, "ur/crying/soothing/index.html");
    assert!(urdu.contains(
        "hreflang=\"en-GB\">مدد کب لینی ہے <span class=\"link-language\">(انگریزی میں)</span></a>"
    ));
    // The urgent help page is not translated: the header's link says so too.
    assert!(urdu.contains("hreflang=\"en-GB\">فوری مدد: 999 یا 111 <span class=\"link-language\">(انگریزی میں)</span></a>"));
    // A phone number keeps its digits in order inside text written right to left.
    assert!(urdu.contains("<a href=\"tel:999\" dir=\"ltr\">999</a>"));
}

#[test]
fn a_clinical_translation_no_one_has_assured_is_published_only_with_drafts_and_says_so() {
    let site = translated_site(Some("unassured-care-card"));
    let mut options = options(site.path());
    assert!(pipeline::build(&load_config(&options)).is_err());
    options.drafts = true;
    let rendered = pipeline::render(&load_config(&options))
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    let page = page_of(&rendered, "pl/crying/when-to-get-help/index.html");
    assert!(page.contains("Tego tłumaczenia jeszcze nie sprawdzono."));
    assert!(
        rendered
            .warnings
            .iter()
            .any(|d| d.message.contains("has care cards"))
    );
}

#[test]
fn a_translation_out_of_step_is_published_with_a_notice_linking_to_its_page() {
    let site = translated_site(Some("out-of-step-within-grace"));
    let rendered = pipeline::render(&load_config(&options(site.path())))
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    let page = page_of(&rendered, "pl/crying/soothing/index.html");
    assert!(page.contains(
        "Angielska wersja tej strony zmieniła się od czasu sprawdzenia tłumaczenia. <a href=\"../../../crying/soothing/\" hreflang=\"en-GB\">Otwórz stronę po angielsku</a>"
    ));
    let in_step = page_of(&rendered, "pl/crying/when-to-get-help/index.html");
    assert!(!in_step.contains("translation-notice"));
}

#[test]
fn a_council_publishes_only_the_languages_it_lists_and_can_change_the_theme_s_words() {
    let site = translated_site(None);
    fs::create_dir_all(site.path().join("councils")).unwrap();
    fs::write(
        site.path().join("councils/eastmere.yaml"),
        format!("name: Eastmere Council\nbase_url: https://www.eastmere.example/start-for-life/\nlast_checked: 2026-01-10\nlanguages: [pl]\n{STATEMENTS}"),
    )
    .unwrap();
    // The council changes one of the theme's words in Polish, for its site only.
    fs::create_dir_all(site.path().join("councils/eastmere/messages")).unwrap();
    fs::write(
        site.path().join("councils/eastmere/messages/pl.ftl"),
        "help-now = Pomoc od razu\n",
    )
    .unwrap();
    let rendered = pipeline::render(&load_config(&options(site.path())))
        .unwrap_or_else(|e| panic!("{}", render_diagnostics(&e.diagnostics)));
    assert!(rendered.files.iter().any(|f| f.path == "pl/index.html"));
    assert!(!rendered.files.iter().any(|f| f.path.starts_with("ur/")));
    let soothing = page_of(&rendered, "crying/soothing/index.html");
    assert!(!soothing.contains("hreflang=\"ur\""));
    let polish = page_of(&rendered, "pl/crying/soothing/index.html");
    assert!(polish.contains("<h2 class=\"footer__heading\">Pomoc od razu</h2>"));
    assert!(
        polish.contains("Zadzwoń pod"),
        "the other messages are the project's"
    );
    assert!(soothing.contains("<h2 class=\"footer__heading\">If you need help now</h2>"));
}

#[test]
fn tellyou_translations_lists_each_page_s_standing_and_fails_with_strict_when_any_needs_work() {
    let site = translated_site(None);
    let output = tellyou(site.path(), &["translations", "--strict"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "every translation is up to date"
    );
    for case in ["out-of-step-past-grace", "unassured-care-card"] {
        copy_dir(&fixtures().join("translations").join(case), site.path());
    }
    let human = tellyou(site.path(), &["translations"]);
    assert_eq!(
        human.status.code(),
        Some(0),
        "it reports, and fails only with --strict"
    );
    insta::assert_snapshot!("translations_human", String::from_utf8_lossy(&human.stdout));
    let json = tellyou(
        site.path(),
        &["translations", "--format", "json", "--strict"],
    );
    assert_eq!(json.status.code(), Some(1));
    insta::assert_snapshot!("translations_json", String::from_utf8_lossy(&json.stdout));
}

#[test]
fn tellyou_new_starts_a_translation_as_a_draft_of_its_page_s_words_in_step_with_it() {
    let site = translated_site(None);
    let output = tellyou(site.path(), &["new", "content/crying/colic.pl.md"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    insta::assert_snapshot!(
        "new_translation_output",
        String::from_utf8_lossy(&output.stdout)
    );
    let written = fs::read_to_string(site.path().join("content/crying/colic.pl.md")).unwrap();
    insta::assert_snapshot!("new_translation", written);
    // A draft is not published, so the site builds as before.
    assert!(!has_file(
        &rendered(site.path(), false),
        "pl/crying/colic/index.html"
    ));
    // With drafts, it is in step with its page, and only waits to be assured.
    let rendered = rendered(site.path(), true);
    assert!(has_file(&rendered, "pl/crying/colic/index.html"));
    let about_it: Vec<&str> = (rendered.warnings.iter())
        .filter(|d| d.path.ends_with("colic.pl.md"))
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        about_it,
        ["no one has said they checked this translation against content/crying/colic.md"]
    );
    let again = tellyou(site.path(), &["new", "content/crying/sleep.pl.md"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("this would translate content/crying/sleep.md, which does not exist")
    );
}

#[test]
fn a_council_s_local_lines_on_a_translated_urgent_page_are_in_the_reader_s_language() {
    let site = translated_site(None);
    fs::create_dir_all(site.path().join("councils")).unwrap();
    fs::write(
        site.path().join("councils/eastmere.yaml"),
        format!(
            "name: Eastmere Council\nbase_url: https://www.eastmere.example/\nlast_checked: 2026-01-10\n\
             health_visiting:\n  phone: 01632 960 201\n\
             urgent_mental_health:\n  name: Eastmere crisis line\n  phone: 01632 960 299\n{STATEMENTS}"
        ),
    )
    .unwrap();
    // The Polish page is made with the English page's template.
    let english = site.path().join("content/urgent.md");
    let urgent = fs::read_to_string(&english).unwrap().replacen(
        "title:",
        "template: urgent.html\ntitle:",
        1,
    );
    fs::write(&english, &urgent).unwrap();
    let page = pipeline::page_to_translate("urgent.md", &urgent);
    let polish = format!(
        "---\ntitle: Pilna pomoc\ndescription: Kiedy dzwonić pod 999 lub 111.\nreviewed: 2026-01-05\nnext_review: 2027-06-01\n\
         sources:\n  - title: NHS\n    url: https://www.nhs.uk/\n\
         translation:\n  from: {}\n  assured_by: Health visitor\n  assured_on: 2026-01-05\n---\n\n\
         ::: emergency Zadzwoń pod 999 lub jedź na oddział ratunkowy (A&E), jeśli:\n- dziecko przestaje oddychać\n:::\n",
        page.fingerprint
    );
    fs::write(site.path().join("content/urgent.pl.md"), polish).unwrap();
    // And its getting support page, with the council's services.
    let support = "---\ntitle: Getting support\ndescription: Where to get help near you.\ntemplate: support.html\n\
                   reviewed: 2026-01-01\nnext_review: 2027-06-01\nsources:\n  - title: NHS\n    url: https://www.nhs.uk/\n---\n\n\
                   Your council lists its services below.\n";
    fs::write(site.path().join("content/support.md"), support).unwrap();
    let page = pipeline::page_to_translate("support.md", support);
    let polish_support = format!(
        "---\ntitle: Gdzie szukać wsparcia\ndescription: Gdzie szukać pomocy w pobliżu.\nreviewed: 2026-01-05\n\
         next_review: 2027-06-01\nsources:\n  - title: NHS\n    url: https://www.nhs.uk/\n\
         translation:\n  from: {}\n  assured_by: Health visitor\n  assured_on: 2026-01-05\n---\n\n\
         Twoja rada wymienia swoje usługi poniżej.\n",
        page.fingerprint
    );
    fs::write(site.path().join("content/support.pl.md"), polish_support).unwrap();
    let rendered = rendered(site.path(), false);
    let support = page_of(&rendered, "pl/support/index.html");
    assert!(support.contains("<h2 id=\"local-services\">Lokalne usługi od Eastmere Council</h2>"));
    let html = page_of(&rendered, "pl/urgent/index.html");
    for words in [
        "<h2 id=\"local-lines\">Lokalne numery telefonów od Eastmere Council</h2>",
        "<span class=\"visually-hidden\">Pilna porada: </span>Pilna pomoc w sprawie zdrowia psychicznego",
        "Zadzwoń na Eastmere crisis line pod numer <a dir=\"ltr\" href=\"tel:01632960299\">01632 960 299</a>.",
        "<li>Telefon: <a dir=\"ltr\" href=\"tel:01632960201\">01632 960 201</a></li>",
        "Eastmere Council sprawdził te dane <time datetime=\"2026-01-10\">10 stycznia 2026</time>.",
    ] {
        assert!(html.contains(words), "{words}\n{html}");
    }
    // The Polish urgent page is the one every Polish page's header links to.
    let soothing = page_of(&rendered, "pl/crying/soothing/index.html");
    assert!(soothing.contains("<a class=\"urgent-bar__link\" href=\"../../../pl/urgent/\">"));
    let english = page_of(&rendered, "urgent/index.html");
    assert!(english.contains("Call the Eastmere crisis line on"));
}
