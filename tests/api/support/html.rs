//! Reading pages as a user sees them, and forms as a browser posts them.

use scraper::{Html, Selector};

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

/// A form's fields as a browser would post them (selected options,
/// textareas; submit buttons left out), in page order.
#[derive(Clone, Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// The first form on the page matching `css`.
    pub fn from_page(html: &str, css: &str) -> Self {
        let doc = Html::parse_document(html);
        let form = doc
            .select(&selector(css))
            .next()
            .unwrap_or_else(|| panic!("no {css} on the page"));
        let mut fields = Vec::new();
        for el in form.select(&selector("input, textarea, select")) {
            let v = el.value();
            let Some(name) = v.attr("name") else { continue };
            let value = match v.name() {
                "textarea" => el.text().collect(),
                "select" => {
                    let options: Vec<_> = el.select(&selector("option")).collect();
                    options
                        .iter()
                        .find(|o| o.value().attr("selected").is_some())
                        .or(options.first())
                        .map(|o| {
                            o.value()
                                .attr("value")
                                .map_or_else(|| o.text().collect(), str::to_string)
                        })
                        .unwrap_or_default()
                }
                _ if v.attr("type") == Some("submit") => continue,
                // As a browser: an unticked checkbox sends nothing.
                _ if v.attr("type") == Some("checkbox") && v.attr("checked").is_none() => continue,
                _ => v.attr("value").unwrap_or("").to_string(),
            };
            fields.push((name.to_string(), value));
        }
        Self(fields)
    }

    /// Sets (or adds) a field.
    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(f) => f.1 = value.to_string(),
            None => self.0.push((name.to_string(), value.to_string())),
        }
        self
    }

    /// The form with a field set.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.set(name, value);
        self
    }

    /// The form without a field.
    pub fn without(mut self, name: &str) -> Self {
        self.0.retain(|(k, _)| k != name);
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The first `csrf_token` hidden input of a page.
pub fn csrf_of(html: &str) -> String {
    attr_of(html, "input[name=csrf_token]", "value").expect("csrf token on page")
}

/// An attribute of the first element matching `css`.
pub fn attr_of(html: &str, css: &str, attr: &str) -> Option<String> {
    Html::parse_document(html)
        .select(&selector(css))
        .next()
        .and_then(|e| e.value().attr(attr).map(str::to_string))
}

/// The value of the form field named `name` (a textarea's text, an input's value).
pub fn field_value(html: &str, name: &str) -> String {
    let doc = Html::parse_document(html);
    let el = doc
        .select(&selector(&format!("[name='{name}']")))
        .next()
        .unwrap_or_else(|| panic!("no field {name}"));
    match el.value().name() {
        "textarea" => el.text().collect(),
        _ => el.value().attr("value").unwrap_or("").to_string(),
    }
}

/// How many elements match `css`.
pub fn count(html: &str, css: &str) -> usize {
    Html::parse_document(html).select(&selector(css)).count()
}

/// The visible text of an HTML page, whitespace-separated.
pub fn visible_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    doc.select(&selector("body"))
        .flat_map(|b| b.text())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The visible text with every whitespace run collapsed into one space.
pub fn text_of(html: &str) -> String {
    squash(&visible_text(html))
}

/// Collapses every whitespace run into one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that every needle occurs in `haystack`, each after the previous one.
pub fn assert_in_order<S: AsRef<str>>(haystack: &str, needles: &[S]) {
    let mut from = 0;
    for needle in needles {
        let needle = needle.as_ref();
        match haystack[from..].find(needle) {
            Some(i) => from += i + needle.len(),
            None => panic!(
                "「{needle}」 not found after position {from} (found anywhere: {})",
                haystack.contains(needle)
            ),
        }
    }
}
