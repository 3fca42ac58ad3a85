//! Where each of the site's static files ended up in the output, under the name the
//! assets stage gave it. Uses `memo` and `cache_key`.

use std::collections::HashMap;

use crate::memo::MemoKey;

/// Where each asset ended up in the output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetMap {
    pub(crate) output_paths: HashMap<String, String>,
}

impl AssetMap {
    /// The output path of the file written at `site_path`: `crying/cot.jpg` gives
    /// `crying/cot.0a1b2c3d4e.jpg`.
    pub fn output_path(&self, site_path: &str) -> Option<&str> {
        self.output_paths.get(site_path).map(String::as_str)
    }

    /// Every asset's site path and output path, sorted by site path.
    pub fn entries(&self) -> Vec<(&str, &str)> {
        let mut entries: Vec<(&str, &str)> = self
            .output_paths
            .iter()
            .map(|(site, output)| (site.as_str(), output.as_str()))
            .collect();
        entries.sort_unstable();
        entries
    }

    /// The site paths of every asset, for suggestions.
    pub fn site_paths(&self) -> impl Iterator<Item = &str> {
        self.output_paths.keys().map(String::as_str)
    }
}

impl MemoKey for AssetMap {
    /// Every asset's name and output path.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        for (name, output) in self.entries() {
            key.field(name).field(output);
        }
        key.finish()
    }
}
