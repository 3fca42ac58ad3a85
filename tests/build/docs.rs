//! Keeps the README and the guides in `docs/` true to the project: every link in them
//! leads somewhere, and every `tellyou` command they show is one that tellyou accepts.
//! Uses only `std` and the `tellyou` program that Cargo builds for the tests.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's folder, where the README is.
fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `README.md` and every `docs/*.md`, in a fixed order.
fn documents() -> Vec<PathBuf> {
    let mut guides: Vec<PathBuf> = fs::read_dir(project().join("docs"))
        .expect("the project has a docs/ folder")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    guides.sort();
    let mut all = vec![project().join("README.md")];
    all.extend(guides);
    all
}

/// A document's path as a failure names it, such as `docs/editors.md`.
fn shown(path: &Path) -> String {
    path.strip_prefix(project())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// One line of a document. `fence` is the language of the fenced code block the line
/// is inside (`""` for a plain ```` ``` ````), or `None` outside code blocks. The
/// fence lines themselves count as inside.
struct Line<'a> {
    number: usize,
    text: &'a str,
    fence: Option<&'a str>,
}

/// The lines of a markdown document, each marked with the code block it is in.
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut open: Option<(char, usize, &str)> = None;
    let mut all = Vec::new();
    for (index, text) in text.lines().enumerate() {
        let trimmed = text.trim_start();
        let indent = text.len() - trimmed.len();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |c| trimmed.chars().take_while(|&d| d == c).count());
        let fence = match open {
            Some((c, length, language)) => {
                if marker == Some(c) && run >= length && trimmed[run..].trim().is_empty() {
                    open = None;
                }
                Some(language)
            }
            None if indent <= 3 && run >= 3 => {
                let info = trimmed[run..].trim();
                let language = info.split_whitespace().next().unwrap_or("");
                open = Some((marker.unwrap(), run, language));
                Some(language)
            }
            None => None,
        };
        all.push(Line {
            number: index + 1,
            text,
            fence,
        });
    }
    all
}

/// The document's text outside code: fenced blocks become empty lines, and inline
/// code spans become spaces, so that a link written as an example in code is not
/// taken for a link. Line breaks stay where they were, so offsets still give lines.
fn prose(text: &str) -> String {
    let blanked: String = lines(text)
        .iter()
        .map(|line| if line.fence.is_some() { "" } else { line.text })
        .collect::<Vec<_>>()
        .join("\n");
    let mut bytes = blanked.into_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'`' {
            at += 1;
            continue;
        }
        let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
        // A code span ends at the next run of exactly as many backticks, within the
        // same paragraph; without one, the backticks are just backticks.
        let paragraph_end = find(&bytes, at + run, b"\n\n").unwrap_or(bytes.len());
        let mut close = None;
        let mut search = at + run;
        while search < paragraph_end {
            if bytes[search] == b'`' {
                let length = bytes[search..].iter().take_while(|&&b| b == b'`').count();
                if length == run {
                    close = Some(search);
                    break;
                }
                search += length;
            } else {
                search += 1;
            }
        }
        match close {
            Some(close) => {
                for byte in &mut bytes[at..close + run] {
                    if *byte != b'\n' {
                        *byte = b' ';
                    }
                }
                at = close + run;
            }
            None => at += run,
        }
    }
    // Only ASCII bytes were replaced, by spaces, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap()
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack[from.min(haystack.len())..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| from + offset)
}

/// A link as written: its line, the markdown that makes it and where it goes.
struct Link {
    line: usize,
    written: String,
    target: String,
}

/// Every inline link and image (`[text](target)`, `![alt](target)`), reference
/// definition (`[name]: target`) and autolink (`<https://…>`) outside code.
fn links(text: &str) -> Vec<Link> {
    let prose = prose(text);
    let line_of = |offset: usize| prose[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (start, _) in prose.match_indices("](") {
        let rest = &prose[start + 2..];
        // The target runs to the `)` that closes the one opened, so that a target
        // with parentheses in it is read whole.
        let mut depth = 0usize;
        let Some(end) = rest.find(|c: char| {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => return true,
                ')' => depth -= 1,
                _ => {}
            }
            false
        }) else {
            continue;
        };
        let inside = rest[..end].trim();
        let target = match inside.strip_prefix('<') {
            Some(angled) => angled.split('>').next().unwrap_or(""),
            None => inside.split_whitespace().next().unwrap_or(""),
        };
        let text_start = prose[..start].rfind('[').unwrap_or(start);
        found.push(Link {
            line: line_of(start),
            written: prose[text_start..start + 3 + end].to_owned(),
            target: target.to_owned(),
        });
    }
    for (start, _) in prose.match_indices("<http") {
        let Some(end) = prose[start..].find('>') else {
            continue;
        };
        found.push(Link {
            line: line_of(start),
            written: prose[start..=start + end].to_owned(),
            target: prose[start + 1..start + end].to_owned(),
        });
    }
    for (index, line) in prose.lines().enumerate() {
        let trimmed = line.trim_start();
        let definition = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.split_once("]:"))
            .filter(|(label, _)| !label.is_empty() && !label.contains(']'));
        if let Some((_, target)) = definition {
            found.push(Link {
                line: index + 1,
                written: trimmed.to_owned(),
                target: target.split_whitespace().next().unwrap_or("").to_owned(),
            });
        }
    }
    found.sort_by_key(|link| link.line);
    found
}

/// The anchor GitHub gives a heading: its text in lowercase, without punctuation
/// but hyphens and underscores, with a hyphen for each space.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    // Links in a heading are read as their text.
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        let Some(middle) = rest[open..].find("](") else {
            break;
        };
        let Some(close) = rest[open + middle..].find(')') else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..open + middle]);
        rest = &rest[open + middle + close + 1..];
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown document's headings (`#` to `######`, outside code
/// blocks), numbered `-1`, `-2` and so on where a heading's text comes again.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut anchors = BTreeSet::new();
    for line in lines(text).iter().filter(|line| line.fence.is_none()) {
        let trimmed = line.text.trim_start();
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        let after = &trimmed[level..];
        if !(1..=6).contains(&level) || !(after.is_empty() || after.starts_with(' ')) {
            continue;
        }
        let heading = after.trim().trim_end_matches('#').trim_end();
        let base = slug(heading);
        let count = seen.entry(base.clone()).or_insert(0);
        let anchor = match *count {
            0 => base,
            n => format!("{base}-{n}"),
        };
        *count += 1;
        anchors.insert(anchor);
    }
    anchors
}

/// What is wrong with a link from `from`, if anything.
fn problem(from: &Path, target: &str) -> Option<String> {
    if target.is_empty() {
        return Some("the link has no target".into());
    }
    if let Some(rest) = target
        .strip_prefix("https://")
        .or_else(|| target.strip_prefix("http://"))
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let well_formed = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            && !target.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'));
        return (!well_formed).then(|| "the web address is not well formed".into());
    }
    if let Some(rest) = target
        .strip_prefix("mailto:")
        .or_else(|| target.strip_prefix("tel:"))
    {
        return rest
            .is_empty()
            .then(|| "the address after the colon is missing".into());
    }
    let before_slash = target.split(['/', '#']).next().unwrap_or("");
    if before_slash.contains(':') {
        return Some("only https:, http:, mailto:, tel: and relative links are checked".into());
    }
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let file = if path.is_empty() {
        from.to_path_buf()
    } else {
        from.parent().unwrap().join(path)
    };
    if !file.exists() {
        return Some(format!("there is no file {}", shown(&file)));
    }
    if fragment.is_empty() {
        return None;
    }
    if file.extension().is_none_or(|ext| ext != "md") {
        return Some("only a markdown file's headings can be linked to with #".into());
    }
    let text = fs::read_to_string(&file).unwrap();
    if anchors(&text).contains(fragment) {
        None
    } else {
        Some(format!(
            "{} has no heading with the anchor #{fragment}",
            shown(&file)
        ))
    }
}

/// Every link in the README and `docs/*.md`, outside code, must lead somewhere: a
/// relative link to a file that exists (from the linking file's folder) and, with a
/// `#anchor`, to a heading in that file that makes the anchor as GitHub does; a
/// `#anchor` alone to a heading in the same file. Web addresses are not visited,
/// only checked to be well formed; `mailto:` and `tel:` need something after them.
#[test]
fn every_link_in_the_readme_and_docs_leads_somewhere() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for document in documents() {
        let text = fs::read_to_string(&document).unwrap();
        for link in links(&text) {
            checked += 1;
            if let Some(problem) = problem(&document, &link.target) {
                failures.push(format!(
                    "{}:{}: {}: {problem}",
                    shown(&document),
                    link.line,
                    link.written
                ));
            }
        }
    }
    assert!(checked >= 20, "only {checked} links were found");
    assert!(
        failures.is_empty(),
        "these links lead nowhere:\n{}",
        failures.join("\n")
    );
}

/// The code blocks whose `tellyou` lines are run: `sh`, `shell`, `bash`, `console`
/// and plain ones. A `text` block holds a synopsis with placeholders such as
/// `--port N`, or output, and is not run.
const RUN_BLOCKS: &[&str] = &["", "sh", "shell", "bash", "console"];

/// The words of a command line as a shell would pass them to tellyou: up to a `#`
/// comment, or a `|`, `&&`, `;` or `>` that starts another part of the shell line;
/// with simple quotes `'…'` and `"…"` taken away.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.get_or_insert_with(String::new).push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    word.get_or_insert_with(String::new);
                }
                '#' if previous.is_whitespace() => break,
                '|' | ';' | '>' => break,
                '&' if previous == '&' => {
                    if let Some(w) = word.as_mut() {
                        w.pop();
                    }
                    break;
                }
                c if c.is_whitespace() => words.extend(word.take()),
                c => word.get_or_insert_with(String::new).push(c),
            },
        }
        previous = c;
    }
    words.extend(word.take().filter(|w| !w.is_empty()));
    words
}

/// Every line of a `sh`, `shell`, `bash`, `console` or plain code block in the README
/// and `docs/*.md` that starts with `tellyou ` (after an optional `$ ` prompt) is run
/// with `--help` added, in an empty folder: clap prints the help and exits with 0
/// only when every option before it exists and every value parses. So the examples
/// use real values, such as `--port 8080`; a synopsis with placeholders such as
/// `--port N` goes in a `text` block, which is not run.
#[test]
fn every_tellyou_command_in_the_readme_and_docs_parses() {
    let folder = std::env::temp_dir().join(format!(
        "tellyou-docs-commands-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    fs::create_dir_all(&folder).unwrap();
    let mut failures = Vec::new();
    let mut run = 0;
    for document in documents() {
        let text = fs::read_to_string(&document).unwrap();
        for line in lines(&text) {
            if !line
                .fence
                .is_some_and(|language| RUN_BLOCKS.contains(&language))
            {
                continue;
            }
            let command = line.text.trim();
            let command = command.strip_prefix("$ ").unwrap_or(command);
            if !command.starts_with("tellyou ") {
                continue;
            }
            let mut args = words(command);
            args.remove(0);
            args.push("--help".into());
            run += 1;
            let output = Command::new(env!("CARGO_BIN_EXE_tellyou"))
                .args(&args)
                .current_dir(&folder)
                .output()
                .unwrap();
            if !output.status.success() {
                failures.push(format!(
                    "{}:{}: {command}\n  exit status {:?}: {}",
                    shown(&document),
                    line.number,
                    output.status.code(),
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
            }
        }
    }
    let _ = fs::remove_dir_all(&folder);
    assert!(run >= 10, "only {run} commands were found");
    assert!(
        failures.is_empty(),
        "these documented commands are not ones tellyou accepts:\n{}",
        failures.join("\n")
    );
}

#[test]
fn words_stop_where_the_shell_line_goes_on() {
    assert_eq!(
        words("tellyou check --format json > findings.json   # for CI"),
        ["tellyou", "check", "--format", "json"]
    );
    assert_eq!(
        words("tellyou build --out 'my site' && ls public | head"),
        ["tellyou", "build", "--out", "my site"]
    );
    assert_eq!(words("tellyou serve; echo done"), ["tellyou", "serve"]);
    assert_eq!(
        words("tellyou new content/a#b.md"),
        ["tellyou", "new", "content/a#b.md"]
    );
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    assert_eq!(slug("Previewing as you write"), "previewing-as-you-write");
    assert_eq!(
        slug("JSON output of `tellyou check`"),
        "json-output-of-tellyou-check"
    );
    assert_eq!(slug("site.yaml settings"), "siteyaml-settings");
    assert_eq!(slug("A council's brand"), "a-councils-brand");
    assert_eq!(
        slug("[Links](links.md) and more_words"),
        "links-and-more_words"
    );
    let text = "# Title\n\n```sh\n# not a heading\n```\n\n## Notes\n\n## Notes\n";
    assert_eq!(
        anchors(text).into_iter().collect::<Vec<_>>(),
        ["notes", "notes-1", "title"]
    );
}

#[test]
fn links_in_code_are_not_links() {
    let text = "See [a](a.md) and `[b](b.md)`.\n\n```md\n[c](c.md)\n```\n\n<https://x.example/>\n";
    let targets: Vec<String> = links(text).into_iter().map(|l| l.target).collect();
    assert_eq!(targets, ["a.md", "https://x.example/"]);
}

#[test]
fn the_readme_is_a_short_front_door_to_every_guide() {
    let readme = fs::read_to_string(project().join("README.md")).unwrap();
    let length = readme.lines().count();
    assert!(
        length <= 200,
        "the README has {length} lines; keep it to 200"
    );
    for guide in [
        "editors",
        "guidance",
        "councils",
        "hosting",
        "reference",
        "development",
    ] {
        let link = format!("](docs/{guide}.md)");
        assert!(
            readme.contains(&link),
            "the README links to docs/{guide}.md"
        );
    }
    for command in [
        "cargo run --release -- build",
        "cargo test",
        "cargo install --path .",
    ] {
        assert!(readme.contains(command), "the README shows `{command}`");
    }
}
