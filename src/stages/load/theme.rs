//! The default theme, compiled into the program, so that a project without a
//! `themes/default/` folder of its own still builds. The files are the ones in this
//! repository's `themes/default/`; a project's folder of that name replaces them.
//! Uses `messages`.

/// The default theme's templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../../themes/default/templates/macros.html"),
    ),
    (
        "index.html",
        include_str!("../../../themes/default/templates/index.html"),
    ),
    (
        "section.html",
        include_str!("../../../themes/default/templates/section.html"),
    ),
    (
        "page.html",
        include_str!("../../../themes/default/templates/page.html"),
    ),
    (
        "support.html",
        include_str!("../../../themes/default/templates/support.html"),
    ),
    (
        "urgent.html",
        include_str!("../../../themes/default/templates/urgent.html"),
    ),
    (
        "accessibility.html",
        include_str!("../../../themes/default/templates/accessibility.html"),
    ),
    (
        "privacy.html",
        include_str!("../../../themes/default/templates/privacy.html"),
    ),
    (
        "404.html",
        include_str!("../../../themes/default/templates/404.html"),
    ),
    (
        "alias.html",
        include_str!("../../../themes/default/templates/alias.html"),
    ),
    (
        "print.html",
        include_str!("../../../themes/default/templates/print.html"),
    ),
    (
        "crying-plan.html",
        include_str!("../../../themes/default/templates/crying-plan.html"),
    ),
    (
        "a-z.html",
        include_str!("../../../themes/default/templates/a-z.html"),
    ),
    (
        "search.html",
        include_str!("../../../themes/default/templates/search.html"),
    ),
];

/// The default theme's interface messages, by language.
pub const MESSAGES: &[(&str, &str)] = &[(
    "en",
    include_str!("../../../themes/default/messages/en.ftl"),
)];

/// The default theme's messages, as loading reads them: for the stages' tests and
/// the fuzz targets.
pub fn message_files() -> Vec<crate::support::messages::MessageFile> {
    (MESSAGES.iter())
        .map(|(code, text)| crate::support::messages::MessageFile {
            code: code.to_string(),
            display_path: std::path::PathBuf::from("themes/default/messages")
                .join(format!("{code}.ftl")),
            text: text.to_string(),
        })
        .collect()
}

/// The default theme's static files, by their path in the output.
pub const STATIC_FILES: &[(&str, &[u8])] = &[
    (
        "favicon.svg",
        include_bytes!("../../../themes/default/static/favicon.svg"),
    ),
    (
        "style.css",
        include_bytes!("../../../themes/default/static/style.css"),
    ),
    (
        "print.css",
        include_bytes!("../../../themes/default/static/print.css"),
    ),
    (
        "whole-guide.css",
        include_bytes!("../../../themes/default/static/whole-guide.css"),
    ),
    (
        "search.js",
        include_bytes!("../../../themes/default/static/search.js"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The declarations of `css` that would put something on one side of the page
    /// whichever way its text reads: a property named for the left or right, such as
    /// `margin-left`; text aligned or floated left or right; a shorthand such as
    /// `padding: 0 1rem 0 0` with different sides; or `left` or `right` set without
    /// the other to the same value.
    fn one_sided(css: &str) -> Vec<String> {
        let mut found = Vec::new();
        for rule in css.split('}') {
            let Some((selector, body)) = rule.rsplit_once('{') else {
                continue;
            };
            let declarations: Vec<(&str, &str)> = body
                .split(';')
                .filter_map(|declaration| declaration.split_once(':'))
                .map(|(property, value)| (property.trim(), value.trim()))
                .collect();
            let value_of = |name: &str| {
                (declarations.iter())
                    .find(|(property, _)| *property == name)
                    .map(|(_, value)| *value)
            };
            for &(property, value) in &declarations {
                let sides: Vec<&str> = value.split_whitespace().collect();
                let one_sided = property.contains("-left")
                    || property.contains("-right")
                    || (matches!(property, "text-align" | "float" | "clear")
                        && matches!(value, "left" | "right"))
                    || (matches!(property, "margin" | "padding")
                        && sides.len() == 4
                        && sides[1] != sides[3])
                    || (matches!(property, "left" | "right")
                        && value_of("left") != value_of("right"));
                if one_sided {
                    found.push(format!("{}: {property}: {value}", selector.trim()));
                }
            }
        }
        found
    }

    #[test]
    fn the_stylesheets_read_as_well_right_to_left_on_screen_and_on_paper() {
        for name in ["style.css", "print.css", "whole-guide.css"] {
            let css = STATIC_FILES
                .iter()
                .find(|(path, _)| *path == name)
                .map(|(_, bytes)| std::str::from_utf8(bytes).unwrap())
                .unwrap();
            assert_eq!(one_sided(css), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn one_sided_declarations_are_found() {
        let css = ".a { margin-left: 1em; } .b { text-align: right; }
            .c { padding: 0 1rem 0 0; } .d { left: 0; } .e { left: 0; right: 0; }
            .f { padding-inline-start: 1em; padding: 0 1rem; }";
        assert_eq!(
            one_sided(css),
            [
                ".a: margin-left: 1em",
                ".b: text-align: right",
                ".c: padding: 0 1rem 0 0",
                ".d: left: 0",
            ]
        );
    }
}
