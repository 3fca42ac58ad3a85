//! The values that flow from one stage to the next: pages and what each stage made of
//! them, the site they make up, and the files to write. Plain data with the
//! questions it answers. Uses nothing itself.

pub mod assets;
pub mod page;
pub mod site;
pub mod written_elements;
