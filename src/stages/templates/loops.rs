//! Finds templates that would never finish rendering: a macro that calls itself,
//! directly or through other macros, and a template that includes itself. Tera sets
//! no limit on either, and a render that never finishes overflows the stack and stops
//! the program, so the templates are looked over before any page is rendered. A macro
//! that calls itself only under a condition would stop, but telling the two apart
//! means running it; no template a site of guidance needs calls itself, so every such
//! loop is refused. Uses Tera's parsed templates.

use std::collections::{BTreeMap, BTreeSet};

use tera::ast::{Expr, ExprVal, Node};

/// A place rendering can go to: a macro, or a whole template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Macro { file: String, name: String },
    Template { file: String },
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Macro { file, name } => write!(f, "the macro `{name}` in {file}"),
            Step::Template { file } => write!(f, "{file}"),
        }
    }
}

/// The first loop in `templates`, as the steps that make it, ending with the step it
/// started from; `None` if rendering always finishes.
pub fn find_loop(templates: &[tera::Template]) -> Option<Vec<Step>> {
    let graph = calls(templates);
    let mut finished = BTreeSet::new();
    for start in graph.keys() {
        let mut path = Vec::new();
        if let Some(found) = search(start, &graph, &mut path, &mut finished) {
            return Some(found);
        }
    }
    None
}

/// Depth-first search from `step` for a step already on `path`.
fn search(
    step: &Step,
    graph: &BTreeMap<Step, BTreeSet<Step>>,
    path: &mut Vec<Step>,
    finished: &mut BTreeSet<Step>,
) -> Option<Vec<Step>> {
    if let Some(at) = path.iter().position(|s| s == step) {
        let mut found = path[at..].to_vec();
        found.push(step.clone());
        return Some(found);
    }
    if finished.contains(step) {
        return None;
    }
    path.push(step.clone());
    for next in graph.get(step).into_iter().flatten() {
        if let Some(found) = search(next, graph, path, finished) {
            return Some(found);
        }
    }
    path.pop();
    finished.insert(step.clone());
    None
}

/// Where each template and each macro can go next.
fn calls(templates: &[tera::Template]) -> BTreeMap<Step, BTreeSet<Step>> {
    let mut graph: BTreeMap<Step, BTreeSet<Step>> = BTreeMap::new();
    for template in templates {
        let mut from_template = BTreeSet::new();
        nodes(&template.ast, template, &mut from_template);
        // A template that extends another renders that one too.
        if let Some(parent) = &template.parent {
            from_template.insert(Step::Template {
                file: parent.clone(),
            });
        }
        graph.insert(
            Step::Template {
                file: template.name.clone(),
            },
            from_template,
        );
        for (name, definition) in &template.macros {
            let mut from_macro = BTreeSet::new();
            nodes(&definition.body, template, &mut from_macro);
            let step = Step::Macro {
                file: template.name.clone(),
                name: name.clone(),
            };
            graph.insert(step, from_macro);
        }
    }
    graph
}

fn nodes(body: &[Node], template: &tera::Template, out: &mut BTreeSet<Step>) {
    for node in body {
        match node {
            Node::VariableBlock(_, expr) => expression(expr, template, out),
            Node::Set(_, set) => expression(&set.value, template, out),
            Node::Include(_, names, _) => {
                out.extend(
                    names
                        .iter()
                        .map(|file| Step::Template { file: file.clone() }),
                );
            }
            Node::FilterSection(_, section, _) => {
                arguments(section.filter.args.values(), template, out);
                nodes(&section.body, template, out);
            }
            Node::Block(_, block, _) => nodes(&block.body, template, out),
            Node::Forloop(_, forloop, _) => {
                expression(&forloop.container, template, out);
                nodes(&forloop.body, template, out);
                nodes(
                    forloop.empty_body.as_deref().unwrap_or_default(),
                    template,
                    out,
                );
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    expression(condition, template, out);
                    nodes(body, template, out);
                }
                if let Some((_, body)) = &branches.otherwise {
                    nodes(body, template, out);
                }
            }
            _ => {}
        }
    }
}

fn arguments<'a>(
    args: impl IntoIterator<Item = &'a Expr>,
    template: &tera::Template,
    out: &mut BTreeSet<Step>,
) {
    for arg in args {
        expression(arg, template, out);
    }
}

fn expression(expr: &Expr, template: &tera::Template, out: &mut BTreeSet<Step>) {
    value(&expr.val, template, out);
    for filter in &expr.filters {
        arguments(filter.args.values(), template, out);
    }
}

fn value(val: &ExprVal, template: &tera::Template, out: &mut BTreeSet<Step>) {
    match val {
        ExprVal::MacroCall(call) => {
            let file = if call.namespace == "self" {
                Some(template.name.clone())
            } else {
                template
                    .imported_macro_files
                    .iter()
                    .find(|(_, namespace)| *namespace == call.namespace)
                    .map(|(file, _)| file.clone())
            };
            if let Some(file) = file {
                out.insert(Step::Macro {
                    file,
                    name: call.name.clone(),
                });
            }
            arguments(call.args.values(), template, out);
        }
        ExprVal::FunctionCall(call) => arguments(call.args.values(), template, out),
        ExprVal::Math(math) => {
            expression(&math.lhs, template, out);
            expression(&math.rhs, template, out);
        }
        ExprVal::Logic(logic) => {
            expression(&logic.lhs, template, out);
            expression(&logic.rhs, template, out);
        }
        ExprVal::In(within) => {
            expression(&within.lhs, template, out);
            expression(&within.rhs, template, out);
        }
        ExprVal::Test(test) => arguments(&test.args, template, out),
        ExprVal::Array(items) => arguments(items, template, out),
        ExprVal::StringConcat(concat) => {
            for part in &concat.values {
                value(part, template, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(files: &[(&str, &str)]) -> Vec<tera::Template> {
        files
            .iter()
            .map(|(name, text)| tera::Template::new(name, None, text).unwrap())
            .collect()
    }

    #[test]
    fn the_theme_has_no_loops() {
        let theme: Vec<(&str, &str)> = crate::stages::load::theme::TEMPLATES.to_vec();
        assert_eq!(find_loop(&parse(&theme)), None);
    }

    #[test]
    fn a_macro_that_calls_itself_is_found() {
        let found = find_loop(&parse(&[(
            "macros.html",
            "{% macro forever(n) %}{% if n > 0 %}{{ self::forever(n=n - 1) }}{% endif %}{% endmacro forever %}",
        )]));
        let forever = Step::Macro {
            file: "macros.html".into(),
            name: "forever".into(),
        };
        assert_eq!(found, Some(vec![forever.clone(), forever]));
    }

    #[test]
    fn a_loop_through_other_macros_and_files_is_found() {
        let found = find_loop(&parse(&[
            (
                "a.html",
                "{% import \"b.html\" as b %}{% macro one() %}{{ b::two() | upper }}{% endmacro one %}",
            ),
            (
                "b.html",
                "{% import \"a.html\" as a %}{% macro two() %}{% for x in [a::one()] %}{% endfor %}{% endmacro two %}",
            ),
        ]))
        .unwrap();
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "the macro `one` in a.html",
                "the macro `two` in b.html",
                "the macro `one` in a.html"
            ]
        );
    }

    #[test]
    fn a_template_that_includes_itself_through_its_parent_is_found() {
        let found = find_loop(&parse(&[
            (
                "base.html",
                "<main>{% block main %}{% endblock main %}</main>{% include \"page.html\" %}",
            ),
            (
                "page.html",
                "{% extends \"base.html\" %}{% block main %}Hi{% endblock main %}",
            ),
        ]))
        .unwrap();
        assert_eq!(found.first(), found.last());
        assert_eq!(found.len(), 3);
    }
}
