//! tellyou turns markdown pages with YAML front matter into an accessible static site
//! for the "If They Could Tell You" parent guidance. [`pipeline::build`] is the entry
//! point; each stage is a module of its own, and only `pipeline` knows their order.

pub mod assets;
pub mod brand;
pub mod build_record;
pub mod cache_key;
pub mod calendar;
pub mod check;
pub mod config;
pub mod domains;
pub mod error;
pub mod escape;
pub mod file_cache;
pub mod front_matter;
pub mod load;
pub mod markdown;
pub mod memo;
pub mod minify;
pub mod new_page;
pub mod output;
pub mod page;
pub mod paths;
pub mod pipeline;
pub mod raw_html;
pub mod render;
pub mod report;
pub mod serve;
pub mod shared_parts;
pub mod site;
pub mod sitemap;
pub mod template_loops;
pub mod templates;
pub mod theme;
pub mod watch;
mod yaml;
