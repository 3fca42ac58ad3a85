//! Configuration: `site.yaml`, a council's file laid over it when the build is for
//! a council, and the command line's build options, read once into an immutable
//! [`Config`] that every stage borrows. Uses `brand`, `calendar`, `language`,
//! `paths`, `memo`, `cache_key` and `error`.

pub mod council;
mod errors;
pub mod languages;
pub mod services;

mod check_settings;
mod site;

pub use check_settings::{CheckSettings, DEFAULT_BLOCKED_SOURCE_DOMAINS, DEFAULT_WORDS_TO_AVOID};

pub use errors::ConfigError;
pub use site::{normalise_word, parse_base_url, parse_site};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::memo::MemoKey;
use crate::support::brand::Colour;
use crate::support::calendar::Date;
use crate::support::error::{Diagnostic, Position, Severity, StageError, display_path};
use crate::support::language::Direction;
use council::Council;
pub use languages::Language;

/// The keys `site.yaml` may have.
pub const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "languages",
    "theme",
    "brand",
    "check",
    "accessibility",
    "privacy",
    "qr_code_url",
    "search",
];

/// The keys of the `check:` block in `site.yaml`.
pub const CHECK_KEYS: &[&str] = &[
    "max_sentence_words",
    "max_smog_grade",
    "min_reading_ease",
    "review_warning_days",
    "stale_translation_days",
    "missing_review",
    "not_in_a_z",
    "words_to_avoid",
    "allowed_words",
    "blocked_source_domains",
    "allowed_source_domains",
];

/// What a build was asked to do, before anything is read.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project folder, which holds `site.yaml` and `content/`.
    pub root: PathBuf,
    /// Where to write the site; `public/` in the project folder if not given.
    pub out_dir: Option<PathBuf>,
    /// Replaces `base_url` from `site.yaml`.
    pub base_url: Option<BaseUrl>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// The date review dates are compared with; today if not given.
    pub today: Option<Date>,
    /// Build the site of the council with the file `councils/<slug>.yaml`.
    pub council: Option<String>,
}

impl BuildOptions {
    /// Where the site is written: the output folder given, or `public/` in the
    /// project folder.
    pub fn out_dir(&self) -> PathBuf {
        self.out_dir
            .clone()
            .unwrap_or_else(|| self.default_out_dir())
    }

    fn default_out_dir(&self) -> PathBuf {
        self.root.join("public")
    }
}

/// Where the site will be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// The full address, ending in `/`: `https://example.gov.uk/start-for-life/`.
    pub url: String,
    /// Its path, starting and ending with `/`: `/start-for-life/`.
    pub path: String,
}

/// The site's settings from `site.yaml`.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    /// The language of the pages, as a BCP 47 tag: `en-GB`.
    pub language: String,
    /// The way the language's script is written.
    pub direction: Direction,
    /// The languages the pages are translated into, for this site: `site.yaml`'s,
    /// or a council's own list.
    pub languages: Vec<Language>,
    /// The codes of the languages `site.yaml` lists that a council's site leaves
    /// out, or that a mistake in the list leaves out: their translations are not
    /// published, and not reported again.
    pub unpublished_languages: Vec<String>,
    /// Whether `languages:` could not be read at all, a mistake reported where it
    /// is: then no translation is published, and none is reported again.
    pub languages_unread: bool,
    pub theme: String,
    pub brand: Brand,
    pub check: CheckSettings,
    /// The council the site is built for, with its local services.
    pub council: Option<Arc<Council>>,
    /// The accessibility and privacy statements: the council's, or `site.yaml`'s.
    pub statements: Arc<council::statements::Statements>,
    /// Where the QR code on the printed guide leads: the site's home page unless
    /// `site.yaml`, or for a council's site its council file, names another address.
    pub qr_code_url: Option<String>,
    /// Whether the search page searches in the browser: `search:` in `site.yaml`,
    /// or for a council's site its council file. Without it, the search form leads
    /// to the A to Z, and no script is published.
    pub search: bool,
}

/// How a council's site looks: its name, logo and colour in the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    /// Shown in the header when there is no logo; the site's title if not given.
    pub name: String,
    /// The logo's path in a `static/` folder: the project's or the council's.
    pub logo: Option<String>,
    pub logo_alt: String,
    /// Where `logo` is written in site.yaml or the council's file, to report a
    /// missing file.
    pub logo_position: Option<Position>,
    /// The header's background; white text must reach 4.5:1 on it.
    pub colour: Option<Colour>,
}

/// Everything a build needs to know, read once.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    /// The text of site.yaml, to quote in diagnostics found after loading.
    pub site_yaml: String,
    pub out_dir: PathBuf,
    pub drafts: bool,
    /// The date review dates are compared with.
    pub today: Date,
    pub site: SiteConfig,
    /// The council's file, when the build is for a council.
    pub council_file: Option<CouncilFile>,
}

/// A council's file, as read.
#[derive(Debug, Clone)]
pub struct CouncilFile {
    pub slug: String,
    /// `councils/<slug>.yaml`, as diagnostics show it.
    pub display_path: PathBuf,
    pub text: String,
    /// The reminder to check the council's details again, when they are due.
    pub reminder: Option<Diagnostic>,
    /// The text of its feed's snapshot, `councils/<slug>/services.json`; empty
    /// when it has none.
    pub snapshot_text: String,
    /// What is wrong with the snapshot, or with the records the site shows, and
    /// the reminder to pull it again, when it is due.
    pub feed_diagnostics: Vec<Diagnostic>,
    /// The address of the council's feed, for `tellyou services pull`.
    pub oruk_api: Option<String>,
}

impl MemoKey for Config {
    /// The settings are read from the texts of the settings files, with the options
    /// tellyou was run with and the day. The project's folders are where files are
    /// read from, which loading reports in what it reads.
    fn memo_key(&self) -> blake3::Hash {
        let [site_yaml, council_file] = self.settings_text();
        let slug = self.council_file.as_ref().map_or("", |f| f.slug.as_str());
        let snapshot = (self.council_file.as_ref()).map_or("", |f| f.snapshot_text.as_str());
        let today = self.today;
        crate::support::cache_key::of([
            site_yaml.as_bytes(),
            council_file.as_bytes(),
            snapshot.as_bytes(),
            slug.as_bytes(),
            self.site.base_url.url.as_bytes(),
            &[u8::from(self.drafts), today.month, today.day],
            &today.year.to_le_bytes(),
        ])
    }
}

impl Config {
    /// The folders pages are read from, later ones replacing pages of the same path
    /// in earlier ones: `content/`, then the council's own.
    pub fn content_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.root.join("content")];
        dirs.extend(self.council_dir().map(|dir| dir.join("content")));
        dirs
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    /// `councils/<slug>/`, which may hold the council's own `content/`, `templates/`
    /// and `static/`.
    pub fn council_dir(&self) -> Option<PathBuf> {
        let file = self.council_file.as_ref()?;
        Some(self.root.join(COUNCILS_DIR).join(&file.slug))
    }

    /// The file the brand is set in, and its text, to point at in diagnostics.
    pub fn brand_file(&self) -> (&Path, &str) {
        match &self.council_file {
            Some(file) => (&file.display_path, &file.text),
            None => (Path::new("site.yaml"), &self.site_yaml),
        }
    }

    /// The text of the settings files, for cache keys: what they say can change
    /// every page.
    pub fn settings_text(&self) -> [&str; 2] {
        [
            &self.site_yaml,
            self.council_file.as_ref().map_or("", |f| f.text.as_str()),
        ]
    }

    /// The warnings of the council's file and feed: a reminder when its local
    /// details are due to be checked again, or its feed to be pulled again, and
    /// what is wrong with the records of the feed that its site shows.
    pub fn council_warnings(&self) -> Vec<Diagnostic> {
        let Some(file) = &self.council_file else {
            return Vec::new();
        };
        (file.reminder.iter().chain(&file.feed_diagnostics))
            .filter(|d| d.severity == Severity::Warning)
            .cloned()
            .collect()
    }
}

/// A mistake in how tellyou was run rather than in the site: no project in `root`,
/// or no file for the council asked for. It exits with status 2, as a bad flag does.
pub fn usage_mistake(root: &Path, council: Option<&str>) -> Option<Diagnostic> {
    if !root.join("site.yaml").exists() {
        return Some(ConfigError::NoProject.to_diagnostic(Path::new("site.yaml"), None));
    }
    council.and_then(|slug| council_file_path(root, slug).err().map(|error| *error))
}

/// Where the file of the council `slug` is, from the project folder; a diagnostic
/// naming the councils there are if it has none.
pub fn council_file_path(root: &Path, slug: &str) -> Result<PathBuf, Box<Diagnostic>> {
    let display_path = PathBuf::from(COUNCILS_DIR).join(format!("{slug}.yaml"));
    if crate::support::paths::is_valid_slug(slug) && root.join(&display_path).is_file() {
        return Ok(display_path);
    }
    let error = ConfigError::UnknownCouncil {
        slug: slug.to_owned(),
        known: council_slugs(root),
    };
    Err(Box::new(error.to_diagnostic(Path::new("--council"), None)))
}

/// The folder of council files.
pub const COUNCILS_DIR: &str = "councils";

/// The councils a project has: the names of the `.yaml` files in `councils/`,
/// sorted.
pub fn council_slugs(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(COUNCILS_DIR)) else {
        return Vec::new();
    };
    let mut slugs: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .filter(|slug| !slug.starts_with('.'))
        .collect();
    slugs.sort();
    slugs
}

/// Reads `site.yaml` and applies the command line's options to it.
pub fn load(options: &BuildOptions) -> Result<Config, Vec<Diagnostic>> {
    let (config, diagnostics) = load_despite_mistakes(options)?;
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(Diagnostic::sorted(diagnostics));
    }
    Ok(config)
}

/// Reads `site.yaml` and applies the command line's options to it, as well as it
/// can: a setting with a mistake is left at its default, so that the pages can still
/// be checked, and every mistake is returned beside the settings, with the council's
/// reminder to check its details, if it is due. It fails only when there is nothing
/// to read: no `site.yaml`, or no file for the council asked for.
pub fn load_despite_mistakes(
    options: &BuildOptions,
) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let path = options.root.join("site.yaml");
    let shown = display_path(&options.root, &path);
    let text = read_settings(&path, &shown)?;
    let (mut site, errors) = parse_site(&text, options.base_url.as_ref());
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|e| match e {
            ConfigError::BadBaseUrl { position: None, .. } => {
                e.to_diagnostic(Path::new("--base-url"), None)
            }
            _ => e.to_diagnostic(&shown, Some(&text)),
        })
        .collect();
    let today = options
        .today
        .unwrap_or_else(crate::support::calendar::today);
    let council_file = match &options.council {
        None => None,
        Some(slug) => {
            let (file, errors) = load_council(options, slug, today, &mut site)?;
            diagnostics.extend(
                errors
                    .iter()
                    .map(|e| e.to_diagnostic(&file.display_path, Some(&file.text))),
            );
            diagnostics.extend(file.reminder.clone());
            diagnostics.extend(file.feed_diagnostics.iter().cloned());
            Some(file)
        }
    };
    let out_dir = match &options.out_dir {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .map(|cwd| cwd.join(dir))
            .unwrap_or_else(|_| dir.clone()),
        None => options.default_out_dir(),
    };
    let config = Config {
        root: options.root.clone(),
        site_yaml: text,
        out_dir,
        drafts: options.drafts,
        today,
        site,
        council_file,
    };
    Ok((config, diagnostics))
}

/// The text of a council's feed snapshot at `path`, and the snapshot read from it;
/// `None` when there is no snapshot.
fn read_snapshot(
    path: &Path,
) -> (
    String,
    Option<Result<services::Snapshot, Box<services::FeedError>>>,
) {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let snapshot = services::Snapshot::read(&text);
            (text, Some(snapshot))
        }
        Err(_) => (String::new(), None),
    }
}

/// A settings file's text, without a byte-order mark.
fn read_settings(path: &Path, shown: &Path) -> Result<String, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let error = ConfigError::Unreadable {
            file: shown.to_string_lossy().into_owned(),
            reason: crate::support::error::plain_io_error(&e),
        };
        vec![error.to_diagnostic(shown, None)]
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Reads `councils/<slug>.yaml` and lays it over `site`: its address (unless the
/// command line gave one), its brand and its local details.
fn load_council(
    options: &BuildOptions,
    slug: &str,
    today: Date,
    site: &mut SiteConfig,
) -> Result<(CouncilFile, Vec<ConfigError>), Vec<Diagnostic>> {
    let display_path = council_file_path(&options.root, slug).map_err(|e| vec![*e])?;
    let path = options.root.join(&display_path);
    let text = read_settings(&path, &display_path)?;
    let snapshot_path = PathBuf::from(COUNCILS_DIR)
        .join(slug)
        .join(services::FILE_NAME);
    let (snapshot_text, snapshot) = read_snapshot(&options.root.join(&snapshot_path));
    let mut feed_diagnostics = Vec::new();
    let snapshot = match snapshot {
        Some(Ok(snapshot)) => Some(snapshot),
        Some(Err(error)) => {
            feed_diagnostics.push(error.to_diagnostic(&snapshot_path, Some(&snapshot_text)));
            None
        }
        None => None,
    };
    let state = match (&snapshot, feed_diagnostics.is_empty()) {
        (Some(snapshot), _) => services::SnapshotState::Read(snapshot),
        (None, true) => services::SnapshotState::Missing,
        (None, false) => services::SnapshotState::Unreadable,
    };
    let (settings, mut errors) = council::parse(slug, &text, &site.language, state);
    let stale =
        (snapshot.as_ref()).and_then(|s| s.stale(today, settings.oruk.months_trusted, slug));
    let feed_warnings = (settings.feed_problems.iter())
        .chain(stale.as_ref())
        .map(|problem| problem.to_diagnostic(&snapshot_path, Some(&snapshot_text)));
    feed_diagnostics.extend(feed_warnings);
    if options.base_url.is_none() {
        if let Some((url, position)) = &settings.base_url {
            match parse_base_url(url, Some(*position)) {
                Ok(url) => site.base_url = url,
                Err(error) => errors.push(error),
            }
        }
    }
    site.brand = settings.brand;
    site.statements = Arc::new(settings.statements);
    site.qr_code_url = settings.qr_code_url;
    if let Some(search) = settings.search {
        site.search = search;
    }
    if let Some(listed) = settings.languages {
        let left_out = (site.languages.iter())
            .filter(|l| !listed.languages.iter().any(|own| own.code == l.code))
            .map(|l| l.code.clone());
        site.unpublished_languages.extend(left_out);
        site.unpublished_languages.extend(listed.left_out);
        site.languages = listed.languages;
    }
    site.council = Some(Arc::new(settings.council));
    let reminder = settings
        .last_checked
        .and_then(|(checked, position)| council::out_of_date(checked, today, position))
        .map(|error| error.to_diagnostic(&display_path, Some(&text)));
    let file = CouncilFile {
        slug: slug.to_owned(),
        display_path,
        text,
        reminder,
        snapshot_text,
        feed_diagnostics,
        oruk_api: settings.oruk.api,
    };
    Ok((file, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_keep_their_path_and_gain_a_final_slash() {
        let url = parse_base_url("https://example.gov.uk/start-for-life", None).unwrap();
        assert_eq!(url.url, "https://example.gov.uk/start-for-life/");
        assert_eq!(url.path, "/start-for-life/");
        let root = parse_base_url("http://127.0.0.1:8000", None).unwrap();
        assert_eq!(root.url, "http://127.0.0.1:8000/");
        assert_eq!(root.path, "/");
    }

    #[test]
    fn base_urls_must_be_web_addresses() {
        for bad in ["example.gov.uk", "https://", "https://a/?x=1", "ftp://a/"] {
            assert!(parse_base_url(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn site_settings_have_defaults() {
        let (site, errors) = parse_site("title: T\nbase_url: https://a.example/\n", None);
        assert!(errors.is_empty());
        assert_eq!(site.language, "en-GB");
        assert_eq!(site.direction, Direction::LeftToRight);
        assert_eq!(site.theme, "default");
    }

    #[test]
    fn a_site_in_a_language_written_right_to_left_is_shown_so() {
        let (site, errors) = parse_site(
            "title: T\nbase_url: https://a.example/\nlanguage: ur\n",
            None,
        );
        assert!(errors.is_empty());
        assert_eq!(site.direction, Direction::RightToLeft);
    }

    #[test]
    fn sites_add_to_and_take_from_the_blocked_source_domains() {
        let (site, errors) = parse_site(
            "title: T\nbase_url: https://a.example/\ncheck:\n  blocked_source_domains:\n    - Mirror.Example \n    - scribd.com\n  allowed_source_domains:\n    - SlideShare.net\n",
            None,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let blocked = &site.check.blocked_source_domains;
        assert!(blocked.iter().any(|d| d == "mirror.example"));
        assert!(!blocked.iter().any(|d| d == "slideshare.net"));
        assert_eq!(blocked.iter().filter(|d| *d == "scribd.com").count(), 1);
        assert_eq!(
            blocked.len(),
            DEFAULT_BLOCKED_SOURCE_DOMAINS.len(),
            "one added, one taken away"
        );
    }

    #[test]
    fn a_source_domain_that_is_not_a_domain_is_an_error_at_its_own_line() {
        let text = "title: T\nbase_url: https://a.example/\ncheck:\n  blocked_source_domains:\n    - mirror.example\n    - https://www.scribd.com/doc/1\n  allowed_source_domains: [issuu]\n";
        let (_, errors) = parse_site(text, None);
        let found: Vec<(String, Option<Position>, Option<String>)> = errors
            .iter()
            .map(|e| (e.to_string(), e.position(), e.hint()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "\"issuu\" in allowed_source_domains is not a domain".to_owned(),
                    Some(Position { line: 7, col: 27 }),
                    Some(
                        "write just the site's domain, such as scribd.com: its name with the dots, without https:// or a /"
                            .to_owned()
                    ),
                ),
                (
                    "\"https://www.scribd.com/doc/1\" in blocked_source_domains is not a domain"
                        .to_owned(),
                    Some(Position { line: 6, col: 7 }),
                    Some(
                        "write just the site's domain, without https:// or a /, such as scribd.com"
                            .to_owned()
                    ),
                ),
            ]
        );
    }

    #[test]
    fn the_command_line_base_url_wins() {
        let override_url = parse_base_url("https://b.example/x/", None).unwrap();
        let (site, _) = parse_site(
            "title: T\nbase_url: https://a.example/\n",
            Some(&override_url),
        );
        assert_eq!(site.base_url.path, "/x/");
    }
}
