//! The stages of the pipeline, in their order: each is a function of one input value
//! that returns its output, and never sees a memo. `pipeline.rs` runs them. Uses
//! nothing itself.

pub mod assets;
pub mod front_matter;
pub mod load;
pub mod markdown;
pub mod minify;
pub mod output;
pub mod search_index;
pub mod site;
pub mod sitemap;
pub mod templates;
