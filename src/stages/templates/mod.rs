//! Templates: compiles the theme's Tera templates, with the project's own
//! `templates/` replacing any of the same name, builds the context each page is
//! rendered with, and renders it. A template mistake is reported at its file and
//! line. Uses Tera and rayon, and `page`, `site`, `assets`, `escape`,
//! `shared_parts`, `loops`, `memo`, `cache_key` and `error`.

pub mod a_z;
pub mod booklet;
pub mod context;
mod languages;
pub mod loops;
pub mod render;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;
use tera::Tera;

use crate::memo::MemoKey;
use crate::model::assets::AssetMap;
use crate::model::page::TemplateFile;
use crate::model::site::Site;
use crate::support::error::{Diagnostic, LineIndex, Position, StageError, did_you_mean};
use context::PageLink;

/// What can go wrong with templates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template has a syntax error: {message}")]
    Syntax { position: Position, message: String },
    #[error("{message}")]
    Structure {
        position: Option<Position>,
        message: String,
    },
    #[error("the template failed while rendering {page}: {message}")]
    Render {
        page: String,
        position: Option<Position>,
        message: String,
    },
    #[error("there is no template called {name:?}")]
    Missing {
        name: String,
        suggestion: Option<String>,
    },
    #[error("rendering would never finish: {chain}")]
    Loop {
        chain: String,
        position: Option<Position>,
    },
}

impl StageError for TemplateError {
    fn position(&self) -> Option<Position> {
        match self {
            TemplateError::Syntax { position, .. } => Some(*position),
            TemplateError::Structure { position, .. }
            | TemplateError::Render { position, .. }
            | TemplateError::Loop { position, .. } => *position,
            TemplateError::Missing { .. } => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            TemplateError::Missing { suggestion: Some(s), .. } => Some(format!("did you mean {s:?}?")),
            TemplateError::Missing { .. } => Some(ADD_THE_TEMPLATE.into()),
            TemplateError::Structure { message, .. } if message.ends_with("which does not exist") => {
                Some(ADD_THE_TEMPLATE.into())
            }
            TemplateError::Loop { .. } => Some(
                "a macro cannot call itself and a template cannot include itself, even through others; use a for loop instead".into(),
            ),
            TemplateError::Render { message, .. } if message.contains("not found in context") => Some(
                "check the spelling of the name, or use `| default(value=\"\")` for something a page may leave out".into(),
            ),
            _ => None,
        }
    }
}

/// The hint for a template named that does not exist.
const ADD_THE_TEMPLATE: &str =
    "add the template to the project's templates/ folder, or name one that exists";

/// The compiled templates, ready to render pages in parallel.
pub struct Templates {
    tera: Tera,
    files: BTreeMap<String, TemplateFile>,
    /// What the `asset` function can name.
    assets: AssetMap,
    has_guide_item: bool,
    /// The key of the [`Sources`] they were compiled from.
    made_from: blake3::Hash,
}

impl MemoKey for Templates {
    /// Templates are the same if they were compiled from the same sources.
    fn memo_key(&self) -> blake3::Hash {
        self.made_from
    }
}

/// Two sets of templates are the same if they were compiled from the same files
/// with the same assets to name.
impl PartialEq for Templates {
    fn eq(&self, other: &Templates) -> bool {
        self.files == other.files && self.assets == other.assets
    }
}

/// The templates to compile, and the assets they can name.
pub struct Sources<'a> {
    pub files: &'a [TemplateFile],
    pub assets: &'a AssetMap,
}

impl MemoKey for Sources<'_> {
    fn memo_key(&self) -> blake3::Hash {
        crate::support::cache_key::of([
            self.assets.memo_key().as_bytes(),
            self.files.memo_key().as_bytes(),
        ])
    }
}

/// The template files parsed, before they are given the assets they can name:
/// the same for every council's site, whose assets differ.
pub struct Parsed {
    tera: Tera,
    files: BTreeMap<String, TemplateFile>,
    has_guide_item: bool,
}

/// Two parsings are the same if they were parsed from the same files.
impl PartialEq for Parsed {
    fn eq(&self, other: &Parsed) -> bool {
        self.files == other.files
    }
}

/// Parses the template files, or says every mistake in them.
pub fn parse(files: &[TemplateFile]) -> Result<std::sync::Arc<Parsed>, Vec<Diagnostic>> {
    Parsed::parse(files).map(std::sync::Arc::new)
}

/// The templates `parsed`, compiled to name `sources`' assets: `parsed` must have
/// been parsed from `sources`' files.
pub fn with_assets(parsed: &Parsed, sources: &Sources) -> std::sync::Arc<Templates> {
    std::sync::Arc::new(parsed.with_assets(sources))
}

impl Templates {
    /// Compiles every template, reporting every syntax error at once.
    #[cfg(test)]
    pub fn compile(sources: &Sources) -> Result<Templates, Vec<Diagnostic>> {
        Ok(Parsed::parse(sources.files)?.with_assets(sources))
    }
}

/// Parses each of `files`, in parallel, or says every syntax error in them.
fn parse_each(
    files: &BTreeMap<String, TemplateFile>,
) -> Result<Vec<tera::Template>, Vec<Diagnostic>> {
    let files: Vec<&TemplateFile> = files.values().collect();
    let parsed: Vec<_> = (files.par_iter())
        .map(|file| tera::Template::new(&file.name, None, &file.text).map_err(|e| (file, e)))
        .collect();
    let mut diagnostics = Vec::new();
    let mut templates = Vec::with_capacity(parsed.len());
    for template in parsed {
        match template {
            Ok(template) => templates.push(template),
            Err((file, error)) => {
                let (position, message) = syntax_error_location(&error);
                let error = TemplateError::Syntax { position, message };
                diagnostics.push(error.to_diagnostic(&file.display_path, Some(&file.text)));
            }
        }
    }
    match diagnostics.is_empty() {
        true => Ok(templates),
        false => Err(diagnostics),
    }
}

impl Parsed {
    /// Parses every template, reporting every syntax error at once.
    fn parse(files: &[TemplateFile]) -> Result<Parsed, Vec<Diagnostic>> {
        let files: BTreeMap<String, TemplateFile> =
            files.iter().map(|f| (f.name.clone(), f.clone())).collect();
        let parsed = parse_each(&files)?;
        if let Some(steps) = crate::stages::templates::loops::find_loop(&parsed) {
            return Err(vec![loop_diagnostic(&files, &steps)]);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(crate::support::escape::escape_html);
        tera.register_filter("shared", shared_filter);
        let has_guide_item = files
            .get("macros.html")
            .is_some_and(|macros| macros.text.contains("macro guide_item("));
        // Tera parses each template it is given as text: the ones parsed above are
        // given parsed, as `Tera::parse` does, so that each is parsed once.
        (tera.templates).extend(parsed.into_iter().map(|t| (t.name.clone(), t)));
        let built = match has_guide_item {
            true => tera.add_raw_template(
                GUIDE_ITEM_TEMPLATE,
                "{% import \"macros.html\" as macros %}{{ macros::guide_item(item=item, root=root) }}",
            ),
            false => (tera.build_inheritance_chains()).and_then(|()| tera.check_macro_files()),
        };
        if let Err(error) = built {
            let message = match &error.kind {
                tera::ErrorKind::MissingParent { current, parent } => {
                    format!("'{current}' extends '{parent}', which does not exist")
                }
                tera::ErrorKind::CircularExtend {
                    tpl,
                    inheritance_chain,
                } => format!(
                    "'{tpl}' extends itself through {}",
                    inheritance_chain.join(" > ")
                ),
                _ => {
                    let said = error_chain(&error).last().cloned().unwrap_or_default();
                    missing_macros(&said).unwrap_or_else(|| plain_tera_message(&said))
                }
            };
            let (file, position) = locate_structure_error(&files, &message);
            let error = TemplateError::Structure { position, message };
            let (path, text) = match file {
                Some(file) => (file.display_path.clone(), Some(file.text.as_str())),
                None => (PathBuf::from("templates"), None),
            };
            return Err(vec![error.to_diagnostic(&path, text)]);
        }
        Ok(Parsed {
            tera,
            files,
            has_guide_item,
        })
    }

    fn with_assets(&self, sources: &Sources) -> Templates {
        let mut tera = self.tera.clone();
        tera.register_function("asset", asset_function(sources.assets));
        Templates {
            tera,
            files: self.files.clone(),
            assets: sources.assets.clone(),
            has_guide_item: self.has_guide_item,
            made_from: sources.memo_key(),
        }
    }
}

impl Templates {
    /// Whether the theme's `macros.html` has a `guide_item(item, root)` macro, which
    /// renders one item of a guide's contents list. With it, each item is rendered
    /// once for the whole site, not once for every page that lists it.
    pub fn has_guide_item(&self) -> bool {
        self.has_guide_item
    }

    /// One item of a guide's contents list: page `index` as listed by a page whose
    /// root is `root`, and which is that page itself if `current`.
    pub fn render_guide_item(
        &self,
        site: &Site,
        index: usize,
        current: bool,
        root: &str,
    ) -> Result<String, Box<Diagnostic>> {
        let page = &site.pages[index];
        let item = PageLink {
            title: &page.front.title,
            description: &page.front.description,
            path: &page.source.url_path,
            current,
        };
        let mut context = tera::Context::new();
        context.insert("item", &item);
        context.insert("root", root);
        self.tera
            .render(GUIDE_ITEM_TEMPLATE, &context)
            .map_err(|error| {
                let macros = &self.files["macros.html"];
                let page = page.source.display_path.to_string_lossy();
                self.render_error(&error, macros, &page)
            })
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The diagnostic for a template that a page or the build asked for but that does
    /// not exist.
    pub fn missing(&self, name: &str) -> TemplateError {
        TemplateError::Missing {
            name: name.to_owned(),
            suggestion: did_you_mean(name, self.files.keys().map(String::as_str))
                .map(str::to_owned),
        }
    }

    /// Renders a template; `for_page` names the page in error messages.
    pub fn render(
        &self,
        name: &str,
        context: &tera::Context,
        for_page: &str,
    ) -> Result<String, Box<Diagnostic>> {
        let Some(file) = self.files.get(name) else {
            let path = std::path::Path::new("templates").join(name);
            return Err(Box::new(self.missing(name).to_diagnostic(&path, None)));
        };
        self.tera
            .render(name, context)
            .map_err(|error| self.render_error(&error, file, for_page))
    }

    /// The diagnostic for Tera's `error` in rendering `file` for `for_page`.
    fn render_error(
        &self,
        error: &tera::Error,
        file: &TemplateFile,
        for_page: &str,
    ) -> Box<Diagnostic> {
        let message = error_chain(error).last().cloned().unwrap_or_default();
        let (file, position) = self.locate_render_error(file, &message);
        let error = TemplateError::Render {
            page: for_page.to_owned(),
            position,
            message: plain_tera_message(&message),
        };
        Box::new(error.to_diagnostic(&file.display_path, Some(&file.text)))
    }

    /// Finds where a render error happened. Tera does not say, so look for the name it
    /// complains about in the template and the ones it extends or includes.
    fn locate_render_error<'a>(
        &'a self,
        file: &'a TemplateFile,
        message: &str,
    ) -> (&'a TemplateFile, Option<Position>) {
        let Some(needle) = backticked(message) else {
            return (file, None);
        };
        let mut order: Vec<&TemplateFile> = vec![file];
        order.extend(self.files.values().filter(|f| f.name != file.name));
        for candidate in order {
            if let Some(position) = find_in_tags(&candidate.text, needle) {
                return (candidate, Some(position));
            }
        }
        (file, None)
    }
}

fn asset_function(assets: &AssetMap) -> impl tera::Function + 'static {
    let assets = assets.clone();
    move |args: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
        let path = args.get("path").and_then(|v| v.as_str()).ok_or_else(|| {
            tera::Error::msg("asset() needs a path, such as asset(path=\"style.css\")")
        })?;
        let path = path.trim_start_matches('/');
        match assets.output_path(path) {
            Some(output) => Ok(tera::Value::String(output.to_owned())),
            None => {
                let hint = did_you_mean(path, assets.site_paths())
                    .map(|s| format!(": did you mean {s:?}?"))
                    .unwrap_or_default();
                Err(tera::Error::msg(format!(
                    "there is no static file `{path}`{hint}"
                )))
            }
        }
    }
}

/// The `shared` filter, for parts of a template that come out the same on many
/// pages: `{% filter shared %}<header>…</header>{% endfilter %}`. The build makes
/// each distinct part once; see [`crate::support::shared_parts`].
fn shared_filter(
    value: &tera::Value,
    _: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    match value {
        tera::Value::String(text) => Ok(tera::Value::String(crate::support::shared_parts::mark(
            text,
        ))),
        _ => Err(tera::Error::msg(
            "the `shared` filter is for a part of a template: {% filter shared %}…{% endfilter %}",
        )),
    }
}

/// The diagnostic for a loop of macro calls or includes, at the first step's
/// definition.
fn loop_diagnostic(
    files: &BTreeMap<String, TemplateFile>,
    steps: &[crate::stages::templates::loops::Step],
) -> Diagnostic {
    use crate::stages::templates::loops::Step;
    let chain = match steps {
        [first, second] if first == second => format!("{first} calls itself"),
        _ => steps
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" → "),
    };
    let (file, needle) = match steps.first() {
        Some(Step::Macro { file, name }) => (files.get(file), Some(format!("macro {name}"))),
        Some(Step::Template { file }) => (files.get(file), None),
        None => (None, None),
    };
    let position = file
        .zip(needle)
        .and_then(|(file, needle)| find_in_tags(&file.text, &needle));
    let error = TemplateError::Loop { chain, position };
    match file {
        Some(file) => error.to_diagnostic(&file.display_path, Some(&file.text)),
        None => error.to_diagnostic(std::path::Path::new("templates"), None),
    }
}

fn error_chain(error: &tera::Error) -> Vec<String> {
    let mut chain = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        chain.push(inner.to_string());
        source = inner.source();
    }
    chain
}

/// The line, column and expectation from a pest error inside a Tera error:
/// ` --> 3:5` … `= expected ...`.
fn syntax_error_location(error: &tera::Error) -> (Position, String) {
    let text = error_chain(error).join("\n");
    let position = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let coords = rest.split_whitespace().next()?;
            let (line, col) = coords.split_once(':')?;
            Some(Position {
                line: line.parse().ok()?,
                col: col.parse().ok()?,
            })
        })
        .unwrap_or(Position { line: 1, col: 1 });
    let message = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map(str::to_owned)
        .unwrap_or_else(|| text.lines().last().unwrap_or("").trim().to_owned());
    (position, message)
}

fn locate_structure_error<'a>(
    files: &'a BTreeMap<String, TemplateFile>,
    message: &str,
) -> (Option<&'a TemplateFile>, Option<Position>) {
    let named = message
        .split('\'')
        .skip(1)
        .step_by(2)
        .find_map(|name| files.get(name));
    match named {
        Some(file) => {
            // The tag the message is about first: an import for macros, say.
            let mut words = ["extends", "import", "include"];
            words.sort_by_key(|word| !message.contains(word));
            let position = words.iter().find_map(|word| find_in_tags(&file.text, word));
            (Some(file), position)
        }
        None => (None, None),
    }
}

/// The first place `needle` appears inside a `{{ }}` or `{% %}` tag.
fn find_in_tags(text: &str, needle: &str) -> Option<Position> {
    let index = LineIndex::new(text);
    let mut search_from = 0;
    while let Some(open) = text[search_from..].find(['{']).map(|i| i + search_from) {
        let rest = &text[open..];
        let close = if rest.starts_with("{{") {
            rest.find("}}")
        } else if rest.starts_with("{%") {
            rest.find("%}")
        } else {
            search_from = open + 1;
            continue;
        };
        let Some(close) = close else { break };
        let tag = &rest[..close];
        if let Some(found) = find_word(tag, needle) {
            return Some(index.position(text, open + found));
        }
        search_from = open + close;
    }
    None
}

fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    haystack.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + needle.len()..].chars().next();
        !before.is_some_and(|c| is_word(c) || c == '.') && !after.is_some_and(is_word)
    })
}

fn backticked(message: &str) -> Option<&str> {
    message.split('`').nth(1).filter(|name| !name.is_empty())
}

/// Tera's message in plainer words: `Variable `x` not found in context while
/// rendering 'page.html'` becomes `` `x` is not defined ``.
/// Tera's message for a template that imports macros from a file that does not
/// exist, said plainly.
fn missing_macros(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Template `")?;
    let (current, rest) = rest.split_once("` loads macros from `")?;
    let (from, _) = rest.split_once('`')?;
    Some(format!(
        "'{current}' imports macros from '{from}', which does not exist"
    ))
}

fn plain_tera_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("Variable `") {
        if let Some((name, _)) = rest.split_once("` not found in context") {
            return format!("`{name}` is not defined");
        }
    }
    let message = match message.find(" while rendering ") {
        Some(i) => &message[..i],
        None => message,
    };
    message.trim_end_matches('.').to_owned()
}

/// The internal template that renders one item of a guide's contents list with the
/// theme's `guide_item` macro.
const GUIDE_ITEM_TEMPLATE: &str = "__tellyou_guide_item.html";

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> TemplateFile {
        TemplateFile {
            name: name.into(),
            display_path: format!("templates/{name}").into(),
            text: text.into(),
        }
    }

    #[test]
    fn syntax_errors_name_the_file_and_line() {
        let files = [
            file("a.html", "<p>\n{{ page.title }\n"),
            file("b.html", "{% if %}"),
        ];
        let assets = AssetMap::default();
        let sources = Sources {
            files: &files,
            assets: &assets,
        };
        let errors = Templates::compile(&sources).err().unwrap();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].path, PathBuf::from("templates/a.html"));
        assert_eq!(errors[0].position.map(|p| p.line), Some(2));
    }

    #[test]
    fn render_errors_point_at_the_unknown_name() {
        let files = [
            file("base.html", "<main>\n{% block main %}{% endblock %}</main>"),
            file(
                "page.html",
                "{% extends \"base.html\" %}\n{% block main %}\n{{ page.titel }}\n{% endblock %}",
            ),
        ];
        let assets = AssetMap::default();
        let sources = Sources {
            files: &files,
            assets: &assets,
        };
        let templates = Templates::compile(&sources).ok().unwrap();
        let mut context = tera::Context::new();
        context.insert("page", &serde_json_like());
        let error = templates
            .render("page.html", &context, "content/a.md")
            .unwrap_err();
        assert_eq!(error.path, PathBuf::from("templates/page.html"));
        assert_eq!(error.position, Some(Position { line: 3, col: 4 }));
    }

    fn serde_json_like() -> BTreeMap<&'static str, &'static str> {
        BTreeMap::from([("title", "T")])
    }
}
