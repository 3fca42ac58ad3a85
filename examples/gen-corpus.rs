//! Writes a deterministic corpus of N pages over 10 sections, for benchmarks:
//! `cargo run --release --example gen-corpus -- 1000 /tmp/corpus`. Each page has full
//! front matter, headings, a list, a table, a care card, links to its neighbours and
//! to a heading, and an image. With a third argument, a list of language codes such
//! as `pl,ur`, every page also has a translation into each, as long as the page,
//! made from the page as it is and assured, and each language has the theme's
//! messages: a site fully translated, as `bench/build.sh` times it with LANGUAGES.
//! With `--listing`, each page also lists every page of its section, and has prose
//! that trips the style checks (long sentences, words to avoid, unclear link text):
//! about a dozen warnings a page, as `bench/build.sh` times it with CORPUS=listing.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const SECTIONS: usize = 10;

const SENTENCES: &[&str] = &[
    "Babies use their faces and bodies to tell you what they need.",
    "Try to notice when your baby looks away or arches their back.",
    "A short break can help both of you feel calm again.",
    "Talk to your baby during nappy changes and bath time.",
    "Copy the sounds your baby makes and wait for a reply.",
    "Every baby is different, and it takes time to learn their cues.",
    "Your health visitor can help if you are worried.",
    "Holding your baby close can help them settle.",
];

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let listing = args.iter().any(|arg| arg == "--listing");
    args.retain(|arg| arg != "--listing");
    let mut args = args.into_iter();
    let (Some(count), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: gen-corpus [--listing] N DIR [LANGUAGES]");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("N is a number of pages");
    let languages: Vec<String> = args
        .next()
        .map(|list| list.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let dir = Path::new(&dir);
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join("content")).unwrap();
    let mut settings = String::from("title: Corpus\nbase_url: https://www.example.gov.uk/\n");
    if !languages.is_empty() {
        let _ = writeln!(settings, "languages: [{}]", languages.join(", "));
        fs::create_dir_all(dir.join("messages")).unwrap();
        let english = include_str!("../themes/default/messages/en.ftl");
        for code in &languages {
            fs::write(dir.join(format!("messages/{code}.ftl")), english).unwrap();
        }
    }
    fs::write(dir.join("site.yaml"), settings).unwrap();
    let write = |path: &Path, text: String| {
        for code in &languages {
            let translation = path.with_extension(format!("{code}.md"));
            fs::write(translation, translated(&text)).unwrap();
        }
        fs::write(path, text).unwrap();
    };
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>\n";
    let home_links: String = (0..SECTIONS)
        .map(|s| format!("- [Topic {s}](section-{s}/_index.md)\n"))
        .collect();
    write(
        &dir.join("content/_index.md"),
        format!("{}\n{home_links}", front_matter("Home", 0)),
    );
    let per_section = count.saturating_sub(1 + SECTIONS).div_ceil(SECTIONS).max(1);
    let mut written = 1;
    for s in 0..SECTIONS {
        let folder = dir.join(format!("content/section-{s}"));
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("picture.svg"), svg).unwrap();
        write(
            &folder.join("_index.md"),
            format!(
                "{}\nPages about topic {s}.\n",
                front_matter(&format!("Topic {s}"), s)
            ),
        );
        written += 1;
        // The last section may have fewer pages than the others.
        let in_section = per_section.min(count.saturating_sub(written));
        for p in 0..in_section {
            let mut text = page(s, p);
            if listing {
                text.push_str(&listing_of(s, p, in_section));
            }
            write(&folder.join(format!("page-{p}.md")), text);
            written += 1;
        }
    }
    println!("wrote {written} pages into {}", dir.display());
}

/// A translation of the page `text`: the same words, with a record that it was made
/// from the page as it is and assured.
fn translated(text: &str) -> String {
    let front = text
        .strip_prefix("---\n")
        .expect("a page starts with front matter");
    let (front, body) = front.split_once("\n---\n").expect("front matter ends");
    let value = |key: &str| {
        (front.lines())
            .find_map(|line| line.strip_prefix(key))
            .unwrap_or("")
            .trim()
    };
    let from = tellyou::translations::fingerprint(value("title:"), value("description:"), body);
    format!(
        "---\n{front}\ntranslation:\n  from: {from}\n  assured_by: Benchmark\n  assured_on: 2026-01-10\n---\n{body}"
    )
}

fn front_matter(title: &str, n: usize) -> String {
    format!(
        "---\ntitle: {title}\ndescription: A page about {title} for the benchmark corpus.\norder: {n}\n\
         reviewed: 2026-01-10\nnext_review: 2099-01-10\nsources:\n  - title: NHS\n    url: https://www.nhs.uk/\n---\n"
    )
}

fn page(section: usize, index: usize) -> String {
    let mut text = front_matter(&format!("Page {index} of topic {section}"), index);
    let sentence = |k: usize| SENTENCES[(section * 7 + index * 3 + k) % SENTENCES.len()];
    for h in 0..3 {
        let _ = writeln!(text, "\n## Part {h} of this page\n");
        for k in 0..4 {
            let _ = writeln!(text, "{}", sentence(h * 4 + k));
        }
        let _ = writeln!(
            text,
            "\n- {}\n- {}\n- {}",
            sentence(h),
            sentence(h + 1),
            sentence(h + 2)
        );
    }
    // The page before always exists; a page's next one may not, at the corpus's end.
    let previous = index.saturating_sub(1);
    let _ = writeln!(
        text,
        "\nRead [page {previous} of this topic](page-{previous}.md#part-1-of-this-page) or go back to [topic {section}](_index.md).\n\n\
         ![A parent smiling at their baby](picture.svg)\n\n\
         | Cue | What it can mean |\n|---|---|\n| Looking away | I need a break |\n| Smiling | Let's play |\n\n\
         ::: urgent Call 111 if:\n- your baby is not feeding as normal\n- you are worried about your baby\n:::"
    );
    text
}

/// What a page of the listing corpus adds: prose that trips the style checks, and a
/// list of every page of its section.
fn listing_of(section: usize, index: usize, per_section: usize) -> String {
    let mut text = String::new();
    for part in 0..3 {
        let _ = writeln!(
            text,
            "\n## More about part {part} of page {index}\n\n\
             When your baby cries for a long time and you have already tried feeding, changing \
             and holding them close, it can help to take a short break in another room.\n\
             Don't worry if your baby cries more in the evening.\n\
             To read about settling, [click here](page-{}.md).\n\
             You should ask your health visitor about it at your next visit.",
            index.saturating_sub(1)
        );
    }
    let _ = writeln!(text, "\n## Pages in topic {section}\n");
    for other in 0..per_section {
        let _ = writeln!(text, "- [Page {other} of topic {section}](page-{other}.md)");
    }
    text
}
