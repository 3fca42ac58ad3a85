//! Keeps the crate's shape true (see "Pipeline" in DESIGN.md and
//! docs/development.md): each module imports only what its layer may use, the "Uses"
//! sentence of its `//!` paragraph names exactly the crate's modules it imports, and
//! no file or function grows past what a reader can hold. syn reads the source; code
//! inside `#[cfg(test)]` is left out.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Where each layer of the crate is, and what it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// `support/`: leaves that everything uses.
    Support,
    /// `memo.rs`: keys and memos.
    Memo,
    /// `model/`: the values that flow between stages.
    Model,
    /// `config/`: the settings, read once.
    Config,
    /// A stage in `stages/`, by its name.
    Stage,
    /// `check/`: reads what the stages made.
    Check,
    /// `pipeline/`: the order of the stages, and their memos.
    Pipeline,
    /// `serve/`: the preview.
    Serve,
    /// `main.rs`, `lib.rs` and `new_page.rs`: the command line, and what the crate
    /// gives it.
    Command,
    /// `fuzzing.rs`: the fuzz targets' way into the stages.
    Fuzzing,
}

impl Layer {
    /// What a module of this layer may import, besides its own layer; a stage may
    /// import only itself among the stages.
    fn may_use(self) -> &'static [Layer] {
        use Layer::*;
        match self {
            Support => &[],
            Memo => &[Support],
            Model => &[Support, Memo],
            Config => &[Support, Memo, Model],
            Stage => &[Support, Memo, Model, Config],
            Check => &[Support, Memo, Model, Config],
            Pipeline => &[Support, Memo, Model, Config, Stage, Check],
            Serve => &[Support, Model, Config, Pipeline],
            Command => &[Support, Model, Config, Pipeline, Check, Serve, Command],
            Fuzzing => &[Support, Model, Config, Stage],
        }
    }
}

/// A module path in the crate, such as `["stages", "load", "file_cache"]`.
type ModulePath = Vec<String>;

/// The layer a module path is in, and for a stage, which one.
fn layer_of(path: &[String]) -> (Layer, Option<&str>) {
    match path.first().map(String::as_str) {
        Some("support") => (Layer::Support, None),
        Some("memo") => (Layer::Memo, None),
        Some("model") => (Layer::Model, None),
        Some("config") => (Layer::Config, None),
        Some("stages") => (Layer::Stage, path.get(1).map(String::as_str)),
        Some("check") => (Layer::Check, None),
        Some("pipeline") => (Layer::Pipeline, None),
        Some("serve") => (Layer::Serve, None),
        Some("fuzzing") => (Layer::Fuzzing, None),
        _ => (Layer::Command, None),
    }
}

/// One source file of the crate.
struct Module {
    /// As shown in messages: `src/stages/load/mod.rs`.
    file: String,
    path: ModulePath,
    /// Its `//!` paragraph.
    doc: String,
    /// Every path into the crate that its code outside tests names.
    imports: BTreeSet<ModulePath>,
}

fn modules() -> Vec<Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&src)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let relative = file.strip_prefix(&src).unwrap();
            let mut path: ModulePath = relative
                .with_extension("")
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if path
                .last()
                .is_some_and(|last| last == "mod" || last == "lib")
            {
                path.pop();
            }
            let text = fs::read_to_string(file).unwrap();
            let syntax = syn::parse_file(&text).unwrap();
            let doc = text
                .lines()
                .take_while(|line| line.starts_with("//!"))
                .map(|line| line.trim_start_matches("//!").trim())
                .collect::<Vec<_>>()
                .join(" ");
            let root = if path == ["main"] { "tellyou" } else { "crate" };
            let mut imports = Imports {
                root,
                found: BTreeSet::new(),
            };
            imports.visit_file(&syntax);
            Module {
                file: format!("src/{}", relative.display()),
                path,
                doc,
                imports: imports.found,
            }
        })
        .collect()
}

/// Gathers the paths into the crate that code names, leaving out tests.
struct Imports {
    /// How the code names the crate: `crate`, or `tellyou` in `main.rs`.
    root: &'static str,
    found: BTreeSet<ModulePath>,
}

impl Imports {
    fn add(&mut self, segments: Vec<String>) {
        if segments.first().is_some_and(|first| first == self.root) && segments.len() > 1 {
            self.found.insert(segments[1..].to_vec());
        }
    }

    fn add_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.add_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                self.add(full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                full.push(rename.ident.to_string());
                self.add(full);
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_tree(prefix, tree);
                }
            }
        }
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

impl<'a> Visit<'a> for Imports {
    fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'a syn::ItemUse) {
        self.add_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'a syn::Path) {
        self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// The module of the crate that `import`, a path named in `module`, is in, by the
/// name a "Uses" sentence gives it: a module of `support`, `model` or `stages` by its
/// own name, and the other layers by theirs, except within the importing module's
/// own layer or stage, where a module is named by its own name too.
fn named_module(
    module: &ModulePath,
    import: &ModulePath,
    names: &BTreeSet<String>,
) -> Option<String> {
    let is_module = |name: &String| names.contains(name);
    let first = import.first()?;
    let second = import.get(1).filter(|name| is_module(name));
    let within = module.first() == Some(first);
    let name = match first.as_str() {
        "support" | "model" => second?.clone(),
        "stages" => {
            let third = import.get(2).filter(|name| is_module(name));
            match (module.get(1) == import.get(1) && within, third) {
                (true, Some(third)) => third.clone(),
                _ => second?.clone(),
            }
        }
        _ if within => second.unwrap_or(first).clone(),
        // An item the crate gives at its root, such as `tellyou::Diagnostic`, is
        // named where it is given.
        _ if !is_module(first) => return None,
        _ => first.clone(),
    };
    (module.last() != Some(&name)).then_some(name)
}

/// The crate's modules named in backticks in the sentence of `doc` that starts
/// with "Uses", or `None` if it has no such sentence.
fn uses_sentence(doc: &str, names: &BTreeSet<String>) -> Option<BTreeSet<String>> {
    let at = doc.find("Uses ")?;
    let sentence = doc[at..].split(". ").next().unwrap_or("");
    Some(
        sentence
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|name| names.contains(*name))
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn no_module_imports_a_layer_it_may_not_and_no_stage_imports_another() {
    let mut wrong = Vec::new();
    for module in modules() {
        let (layer, stage) = layer_of(&module.path);
        for import in &module.imports {
            let (to, to_stage) = layer_of(import);
            let allowed = if to == layer {
                layer != Layer::Stage || stage == to_stage
            } else {
                layer.may_use().contains(&to)
            };
            if !allowed {
                wrong.push(format!("{} uses {}", module.file, import.join("::")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports across layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_says_which_of_the_crate_s_modules_it_uses() {
    let modules = modules();
    let names: BTreeSet<String> = modules
        .iter()
        .filter_map(|module| module.path.last().cloned())
        .chain(["crate", "tellyou"].map(String::from))
        .collect();
    let mut wrong = Vec::new();
    for module in &modules {
        let imported: BTreeSet<String> = module
            .imports
            .iter()
            .filter_map(|import| named_module(&module.path, import, &names))
            .collect();
        match uses_sentence(&module.doc, &names) {
            None => wrong.push(format!("{}: no \"Uses\" sentence", module.file)),
            Some(said) if said != imported => wrong.push(format!(
                "{}: says it uses {:?}, but uses {:?}",
                module.file, said, imported
            )),
            Some(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "module docs out of step:\n{}",
        wrong.join("\n")
    );
}

/// The most lines of code a source file holds, before its tests.
const MAX_FILE_LINES: usize = 600;
/// The most lines a function takes.
const MAX_FUNCTION_LINES: usize = 80;

/// Gathers each function outside tests with how many lines it takes.
struct Functions {
    found: Vec<(String, usize)>,
}

impl<'a> Visit<'a> for Functions {
    fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            let span = syn::spanned::Spanned::span(item);
            let lines = span.end().line - span.start().line + 1;
            self.found.push((item.sig.ident.to_string(), lines));
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
        let span = syn::spanned::Spanned::span(item);
        let lines = span.end().line - span.start().line + 1;
        self.found.push((item.sig.ident.to_string(), lines));
        syn::visit::visit_impl_item_fn(self, item);
    }
}

#[test]
fn no_source_file_is_over_600_lines_and_no_function_over_80() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut too_long = BTreeSet::new();
    for module in modules() {
        let text = fs::read_to_string(src.join(module.file.trim_start_matches("src/"))).unwrap();
        let code = text
            .lines()
            .take_while(|line| !line.starts_with("#[cfg(test)]"))
            .count();
        if code > MAX_FILE_LINES {
            too_long.insert(format!("{} ({code} lines)", module.file));
        }
        let mut functions = Functions { found: Vec::new() };
        functions.visit_file(&syn::parse_file(&text).unwrap());
        for (name, lines) in functions.found {
            if lines > MAX_FUNCTION_LINES {
                too_long.insert(format!("{}: {name} ({lines} lines)", module.file));
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "too long:\n{}",
        too_long.into_iter().collect::<Vec<_>>().join("\n")
    );
}
