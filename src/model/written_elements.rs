//! Where the attributes of a page's body written minified are in that HTML, for
//! the HTML check to read in place of the HTML. Uses nothing itself.

use std::ops::Range;

/// The elements of a page's body written minified that have attributes, and its
/// images, each with its attributes as written: each name once, and each value as
/// it is between its quotes, if any. They are kept as where they are in that HTML,
/// in two lists, not as a few allocations for each of a page's links.
#[derive(Debug, Clone, Default)]
pub struct WrittenElements {
    /// Each element's tag, and where its attributes end in `attributes`.
    elements: Vec<(&'static str, u32)>,
    /// Where each attribute's name, and its value, start and end in the HTML.
    attributes: Vec<[u32; 4]>,
}

impl WrittenElements {
    /// How many attributes have been noted, of all the elements.
    pub fn attribute_count(&self) -> usize {
        self.attributes.len()
    }

    /// Notes an attribute of the next element: its name and value at `name` and
    /// `value` in the HTML. `None` for a place too far into it to be kept.
    pub fn push_attribute(&mut self, name: Range<usize>, value: Range<usize>) -> Option<()> {
        let at = |offset: usize| u32::try_from(offset).ok();
        (self.attributes).push([
            at(name.start)?,
            at(name.end)?,
            at(value.start)?,
            at(value.end)?,
        ]);
        Some(())
    }

    /// Adds an element `tag`, with the attributes noted since the element before.
    pub fn push_element(&mut self, tag: &'static str) -> Option<()> {
        let end = u32::try_from(self.attributes.len()).ok()?;
        self.elements.push((tag, end));
        Some(())
    }

    /// Each element with its attributes' names and values, read from `html`, the
    /// HTML they were written in.
    pub fn each<'h>(
        &'h self,
        html: &'h [u8],
    ) -> impl Iterator<Item = (&'static str, impl Iterator<Item = (&'h [u8], &'h [u8])>)> {
        let part = move |start: u32, end: u32| {
            (html.get(start as usize..end as usize)).unwrap_or_default()
        };
        let mut start = 0;
        self.elements.iter().map(move |&(tag, end)| {
            let attributes = (self.attributes.get(start..end as usize)).unwrap_or_default();
            start = end as usize;
            let read = attributes.iter();
            (
                tag,
                read.map(move |&[name, name_end, value, value_end]| {
                    (part(name, name_end), part(value, value_end))
                }),
            )
        })
    }
}
