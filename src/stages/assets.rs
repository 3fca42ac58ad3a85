//! Fingerprinting: gives stylesheets, scripts, images and fonts a name that carries
//! a hash of their content (`style.3f9a0c12be.css`), so that a council's web server
//! can tell browsers to keep them for a year. Other files, such as PDFs that people
//! share links to, keep their names. A council's brand colour is added to the
//! theme's stylesheet first. Uses `page`, `shared_parts` and `brand`; blake3 does the
//! hashing.

use std::sync::Arc;

use crate::model::assets::AssetMap;
use crate::model::page::{AssetFile, OutputFile};
use crate::support::brand::Colour;
use crate::support::shared_parts::Body;

/// File types whose names carry a content hash.
const FINGERPRINTED: &[&str] = &[
    "css", "js", "mjs", "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "woff", "woff2",
];

/// The theme's stylesheet, which the brand colour is added to.
const THEME_STYLESHEET: &str = "style.css";

/// The assets with the brand's `colour`, if it has one, added to the theme's
/// stylesheet.
pub fn with_colour(mut assets: Vec<AssetFile>, colour: Option<Colour>) -> Vec<AssetFile> {
    let style = assets.iter_mut().find(|a| a.site_path == THEME_STYLESHEET);
    if let (Some(colour), Some(style)) = (colour, style) {
        let mut bytes = style.bytes.to_vec();
        bytes.extend_from_slice(crate::support::brand::stylesheet(colour).as_bytes());
        style.bytes = Arc::from(bytes);
    }
    assets
}

/// The theme's script for the search page, published only for a site that searches.
const SEARCH_SCRIPT: &str = "search.js";

/// The assets a site publishes: all but the search page's script, for a site with
/// `search` off.
pub fn for_search(mut assets: Vec<AssetFile>, search: bool) -> Vec<AssetFile> {
    if !search {
        assets.retain(|asset| asset.site_path != SEARCH_SCRIPT);
    }
    assets
}

/// Whether an asset is a stylesheet, to be minified.
pub fn is_stylesheet(asset: &AssetFile) -> bool {
    asset.site_path.ends_with(".css")
}

/// Names every asset and makes the files to write.
pub fn fingerprint(assets: &[AssetFile]) -> (AssetMap, Vec<OutputFile>) {
    let mut map = AssetMap::default();
    let mut files = Vec::with_capacity(assets.len());
    for asset in assets {
        let output_path = fingerprinted_path(&asset.site_path, &asset.bytes);
        map.output_paths
            .insert(asset.site_path.clone(), output_path.clone());
        let key = blake3::hash(&asset.bytes);
        files.push(OutputFile::made(
            &output_path,
            Body::Whole(asset.bytes.clone().into()),
            key,
        ));
    }
    (map, files)
}

fn fingerprinted_path(site_path: &str, bytes: &[u8]) -> String {
    let (folder, name) = match site_path.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, site_path),
    };
    let Some((stem, extension)) = name.rsplit_once('.').filter(|(stem, ext)| {
        !stem.is_empty() && FINGERPRINTED.contains(&ext.to_ascii_lowercase().as_str())
    }) else {
        return site_path.to_owned();
    };
    let hash = blake3::hash(bytes).to_hex();
    let name = format!("{stem}.{}.{extension}", &hash[..10]);
    match folder {
        Some(folder) => format!("{folder}/{name}"),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_styles_carry_a_hash_of_their_content() {
        let a = fingerprinted_path("crying/cot.jpg", b"one");
        let b = fingerprinted_path("crying/cot.jpg", b"two");
        assert!(a.starts_with("crying/cot.") && a.ends_with(".jpg"), "{a}");
        assert_eq!(a.len(), "crying/cot.".len() + 10 + ".jpg".len());
        assert_ne!(a, b);
        assert_eq!(a, fingerprinted_path("crying/cot.jpg", b"one"));
    }

    #[test]
    fn documents_keep_their_names() {
        assert_eq!(
            fingerprinted_path("leaflets/crying.pdf", b"x"),
            "leaflets/crying.pdf"
        );
        assert_eq!(fingerprinted_path(".css", b"x"), ".css");
    }
}
