//! Reading some of an HTML element's attributes at once, for the readers that
//! look at every element of a page: lol_html looks a name up afresh each time it
//! is asked for one, making a lower-case copy of it, where one pass over the
//! element's attributes reads them all. Uses lol_html, and nothing else in the
//! crate.

/// The values of the attributes `names` of `element`, each the first of its name.
pub fn values<const N: usize>(
    element: &lol_html::html_content::Element,
    names: [&str; N],
) -> [Option<String>; N] {
    let mut values = [const { None }; N];
    for attribute in element.attributes() {
        let name = attribute.name();
        if let Some(at) = names.iter().position(|wanted| *wanted == name) {
            values[at].get_or_insert_with(|| attribute.value());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `read` finds in each element of `html`, in order.
    fn each_element<T>(html: &str, read: impl Fn(&lol_html::html_content::Element) -> T) -> Vec<T> {
        let found = std::cell::RefCell::new(Vec::new());
        let settings = lol_html::RewriteStrSettings::new().append_element_content_handler(
            lol_html::element!("*", |el| {
                found.borrow_mut().push(read(el));
                Ok(())
            }),
        );
        lol_html::rewrite_str(html, settings).unwrap();
        found.into_inner()
    }

    #[test]
    fn each_value_is_the_first_of_its_name_in_any_case() {
        let found = each_element(
            r#"<a HREF="/one" class=x href="/two" Id=top data-x="&amp;">text</a>"#,
            |el| values(el, ["id", "href", "data-x", "src"]),
        );
        let expected = [Some("top"), Some("/one"), Some("&amp;"), None];
        assert_eq!(found, vec![expected.map(|value| value.map(str::to_owned))]);
    }

    #[test]
    fn an_attribute_without_a_value_is_there_and_empty() {
        let found = each_element("<img alt src=a.png>", |el| values(el, ["alt", "title"]));
        assert_eq!(found, vec![[Some(String::new()), None]]);
    }

    #[test]
    fn the_values_are_those_lol_html_gives_one_by_one() {
        let html = r#"<p lang=en hreflang="x-default" ID="a b"><img src='i.png' alt=""></p>"#;
        let names = ["id", "lang", "hreflang", "src", "alt", "class"];
        assert_eq!(
            each_element(html, |el| values(el, names)),
            each_element(html, |el| names.map(|name| el.get_attribute(name)))
        );
    }
}
