//! The default theme, compiled into the program, so that a project without a
//! `themes/default/` folder of its own still builds. The files are the ones in this
//! repository's `themes/default/`; a project's folder of that name replaces them.
//! Uses nothing else in the crate.

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
        "404.html",
        include_str!("../../../themes/default/templates/404.html"),
    ),
    (
        "alias.html",
        include_str!("../../../themes/default/templates/alias.html"),
    ),
];

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
];
