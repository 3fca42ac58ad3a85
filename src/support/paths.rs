//! Site paths: how a content file's path becomes its URL, which names are allowed,
//! and how one page links to another so that links work under any base path. Pure
//! functions over strings. Whether a file is one an editor keeps for itself is
//! decided here too, so that loading and the watcher leave out the same files. Uses
//! `split`.

use crate::support::split;

/// A URL path relative to the site root, without a leading slash and with a trailing
/// one for pages (`crying/soothing/`); the home page is the empty string.
pub fn url_path_for(content_path: &str) -> String {
    let without_ext = content_path.strip_suffix(".md").unwrap_or(content_path);
    let folder = match without_ext.rsplit_once('/') {
        Some((folder, "_index")) => return format!("{folder}/"),
        Some(_) => without_ext,
        None if without_ext == "_index" => return String::new(),
        None => without_ext,
    };
    format!("{folder}/")
}

/// The page a translation translates and the code of the translation's language,
/// from the translation's path in `content/`: `crying/soothing.pl.md` gives
/// `crying/soothing.md` and `pl`. `None` for a path without a language in its name.
pub fn split_language(content_path: &str) -> Option<(String, &str)> {
    let without_ext = content_path.strip_suffix(".md")?;
    let (page, code) = without_ext.rsplit_once('.')?;
    if code.contains('/') || code.is_empty() {
        return None;
    }
    Some((format!("{page}.md"), code))
}

/// The path in `content/` of the translation into `code` of the page at
/// `content_path`: `crying/soothing.pl.md`.
pub fn translation_path(content_path: &str, code: &str) -> String {
    let without_ext = content_path.strip_suffix(".md").unwrap_or(content_path);
    format!("{without_ext}.{code}.md")
}

/// The address of a page's translation into `code`: `pl/crying/soothing/`.
pub fn translated_url_path(url_path: &str, code: &str) -> String {
    format!("{code}/{url_path}")
}

/// The URL path of the section a page or section belongs to (`crying/` for
/// `crying/soothing/`, the empty string for top-level pages). `None` for the home page.
pub fn parent_url_path(url_path: &str) -> Option<String> {
    let trimmed = url_path.strip_suffix('/')?;
    Some(match trimmed.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/"),
        None => String::new(),
    })
}

/// Whether a name is a valid slug: lowercase letters, digits and single hyphens.
pub fn is_valid_slug(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The nearest valid slug to a name: `Soothing Baby` becomes `soothing-baby`.
pub fn slugify(name: &str) -> String {
    hyphenate(name, |c| c.is_ascii_alphanumeric())
}

/// A heading's id: its text in lowercase, each run of characters other than letters
/// and digits made one hyphen. `Ways to soothe (0–3 months)` gives
/// `ways-to-soothe-0-3-months`. Letters outside ASCII are kept.
pub fn heading_id(text: &str) -> String {
    hyphenate(text, char::is_alphanumeric)
}

fn hyphenate(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if keep(c) {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The prefix that leads from a page back to the site root: `../../` from
/// `crying/soothing/`, `./` from the home page. Relative links keep a site working
/// wherever it is hosted, at a domain root or under a path.
pub fn root_prefix(from_url_path: &str) -> String {
    relative_url(from_url_path, "")
}

/// A relative URL from one page to a site path (a page's URL path or a file's path).
pub fn relative_url(from_url_path: &str, to_site_path: &str) -> String {
    let depth = from_url_path.bytes().filter(|&b| b == b'/').count();
    if depth == 0 {
        let here = if to_site_path.is_empty() {
            "./"
        } else {
            to_site_path
        };
        return here.to_owned();
    }
    let mut url = String::with_capacity(3 * depth + to_site_path.len());
    for _ in 0..depth {
        url.push_str("../");
    }
    url.push_str(to_site_path);
    url
}

/// Resolves a relative path written in a file at `from_content_path` against that
/// file's folder, or a path starting with `/` against the root. Returns `None` when the
/// path climbs out of the root.
pub fn resolve(from_content_path: &str, written: &str) -> Option<String> {
    let (folder, relative) = match written.strip_prefix('/') {
        Some(from_root) => ("", from_root),
        None => (
            last_slash(from_content_path).map_or("", |at| &from_content_path[..at]),
            written,
        ),
    };
    // Each path's parts, each with a `/` after it, take at most one byte more
    // than the path.
    let mut resolved = String::with_capacity(folder.len() + relative.len() + 2);
    push_resolved(&mut resolved, [folder, relative])?;
    resolved.pop();
    Some(resolved)
}

/// Where the last `/` of `path` is.
pub fn last_slash(path: &str) -> Option<usize> {
    path.bytes().rposition(|b| b == b'/')
}

/// Adds the parts of each of `paths` in turn to `resolved`, a path whose every
/// part ends in `/`, working out `.` and `..`. `None` if a `..` climbs out of the
/// root.
pub fn push_resolved(resolved: &mut String, paths: [&str; 2]) -> Option<()> {
    for part in paths
        .into_iter()
        .flat_map(|path| split::at_byte(path, b'/'))
    {
        match part {
            "" | "." => {}
            ".." => {
                resolved.pop()?;
                let parent = last_slash(resolved).map_or(0, |i| i + 1);
                resolved.truncate(parent);
            }
            part => {
                resolved.push_str(part);
                resolved.push('/');
            }
        }
    }
    Some(())
}

/// Decodes `%20` and other percent escapes in a link, leaving anything malformed as
/// written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Whether a link leaves the site: it has a scheme (`https:`, `mailto:`, `tel:`) or is
/// protocol-relative (`//host/...`).
pub fn is_external(link: &str) -> bool {
    if link.starts_with("//") {
        return true;
    }
    match link.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !scheme.contains('/')
        }
        None => false,
    }
}

/// The file that redirects from `alias` to its page.
pub fn alias_file(alias: &str) -> String {
    let folder = alias.trim_matches('/');
    if folder.is_empty() {
        "index.html".to_owned()
    } else {
        format!("{folder}/index.html")
    }
}

/// Whether a file is one an editor keeps for itself while you work (swap files,
/// backups, lock files) rather than part of the site. Hidden files count too.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".bak",
            ".crswap",
            "___jb_tmp___",
            "___jb_old___",
            ".kate-swp",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_translation_names_its_language_before_md() {
        assert_eq!(
            split_language("crying/soothing.pl.md"),
            Some(("crying/soothing.md".to_owned(), "pl"))
        );
        assert_eq!(
            split_language("_index.pa-Guru.md"),
            Some(("_index.md".to_owned(), "pa-Guru"))
        );
        assert_eq!(split_language("crying/soothing.md"), None);
        assert_eq!(split_language("v1.0/page.md"), None);
        assert_eq!(
            translation_path("crying/_index.md", "ur"),
            "crying/_index.ur.md"
        );
    }

    #[test]
    fn content_paths_become_pretty_urls() {
        assert_eq!(url_path_for("_index.md"), "");
        assert_eq!(url_path_for("about.md"), "about/");
        assert_eq!(url_path_for("crying/_index.md"), "crying/");
        assert_eq!(url_path_for("crying/soothing.md"), "crying/soothing/");
    }

    #[test]
    fn parents_are_sections() {
        assert_eq!(parent_url_path(""), None);
        assert_eq!(parent_url_path("crying/").as_deref(), Some(""));
        assert_eq!(
            parent_url_path("crying/soothing/").as_deref(),
            Some("crying/")
        );
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert!(is_valid_slug("soothing-a-baby-2"));
        for bad in ["", "Soothing", "a b", "a_b", "-a", "a-", "a--b", "café"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
        assert_eq!(slugify("Soothing Baby (new)"), "soothing-baby-new");
        assert_eq!(
            heading_id("Ways to soothe (0–3 months)"),
            "ways-to-soothe-0-3-months"
        );
        assert_eq!(heading_id("Café au lait"), "café-au-lait");
    }

    #[test]
    fn relative_urls_climb_to_the_root() {
        assert_eq!(relative_url("", "crying/"), "crying/");
        assert_eq!(relative_url("", ""), "./");
        assert_eq!(relative_url("crying/soothing/", "play/"), "../../play/");
        assert_eq!(relative_url("crying/", ""), "../");
    }

    #[test]
    fn links_resolve_against_their_folder() {
        assert_eq!(
            resolve("crying/a.md", "b.md").as_deref(),
            Some("crying/b.md")
        );
        assert_eq!(
            resolve("crying/a.md", "../play.md").as_deref(),
            Some("play.md")
        );
        assert_eq!(
            resolve("crying/a.md", "/play.md").as_deref(),
            Some("play.md")
        );
        assert_eq!(resolve("a.md", "../../x.md"), None);
        assert_eq!(
            resolve("côté/a.md", "./é//ü/../b.md").as_deref(),
            Some("côté/é/b.md")
        );
        assert_eq!(resolve("a/b/c.md", "../..").as_deref(), Some(""));
    }

    #[test]
    fn the_last_slash_of_a_path_is_found() {
        assert_eq!(last_slash("a/b/c"), Some(3));
        assert_eq!(last_slash("abc"), None);
    }

    #[test]
    fn schemes_mark_external_links() {
        assert!(is_external("https://www.nhs.uk/"));
        assert!(is_external("tel:111"));
        assert!(is_external("//cdn.example/x.js"));
        assert!(!is_external("soothing.md#peak"));
        assert!(!is_external("../a:b.md"));
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("my%20page.md"), "my page.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
