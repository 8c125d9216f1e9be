//! The two wire formats of GeoReport v2 (pure): the format named by the path's extension, a small
//! XML writer (UTF-8 declaration, escaped text, `<name/>` for an absent value), and the error list
//! (`[{code, description}]` in JSON, `<errors><error>…` in XML) every failure is answered with.

use actix_web::{
    http::{header, StatusCode},
    HttpResponse,
};
use serde::Serialize;

use super::dto::ErrorView;

/// `.json` or `.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/xml`, the format the spec requires.
    Xml,
}

impl Format {
    /// The format of an extension (`json`, `xml`); `None` for any other.
    pub fn parse(ext: &str) -> Option<Format> {
        match ext {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// Builds an XML document.
#[derive(Debug)]
pub struct Xml {
    out: String,
}

impl Default for Xml {
    fn default() -> Self {
        Self { out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n") }
    }
}

impl Xml {
    /// Opens an element.
    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Closes an element.
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// An element holding text; `<name/>` when there is none.
    pub fn leaf(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => {
                self.open(name);
                escape_into(&mut self.out, v);
                self.close(name);
            }
            None => {
                self.out.push('<');
                self.out.push_str(name);
                self.out.push_str("/>");
            }
        }
    }

    /// The finished document.
    pub fn finish(self) -> String {
        self.out
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry are dropped rather than producing a broken document.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// A response body in both formats: serde for JSON, [`Document::xml`] for XML.
pub trait Document: Serialize {
    /// Writes the XML form, root element included.
    fn xml(&self, x: &mut Xml);
}

/// The response for `body` in `format`.
pub fn respond<T: Document>(status: StatusCode, format: Format, body: &T) -> HttpResponse {
    let text = match format {
        Format::Json => match serde_json::to_string(body) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "open311 body did not serialise");
                return respond(StatusCode::INTERNAL_SERVER_ERROR, format, &Errors::one(500, "internal error"));
            }
        },
        Format::Xml => {
            let mut x = Xml::default();
            body.xml(&mut x);
            x.finish()
        }
    };
    HttpResponse::build(status).insert_header((header::CONTENT_TYPE, format.content_type())).body(text)
}

/// The spec's error list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Errors(pub Vec<ErrorView>);

impl Errors {
    /// One error.
    pub fn one(code: u16, description: impl Into<String>) -> Self {
        Self(vec![ErrorView { code, description: description.into() }])
    }
}

impl Document for Errors {
    fn xml(&self, x: &mut Xml) {
        x.open("errors");
        for e in &self.0 {
            x.open("error");
            x.leaf("code", Some(&e.code.to_string()));
            x.leaf("description", Some(&e.description));
            x.close("error");
        }
        x.close("errors");
    }
}

/// An Open311 failure: the HTTP status, the errors, and a `Retry-After` for 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    /// HTTP status (400, 403, 404, 429, 500).
    pub status: StatusCode,
    /// What went wrong.
    pub errors: Errors,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl Open311Error {
    /// An error whose code is its HTTP status, as the spec's examples have it.
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Self { status, errors: Errors::one(status.as_u16(), description), retry_after: None }
    }

    /// 400.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, description)
    }

    /// 403.
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, description)
    }

    /// 404.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, description)
    }

    /// The response in `format`.
    pub fn respond(&self, format: Format) -> HttpResponse {
        let mut res = respond(self.status, format, &self.errors);
        if let Some(secs) = self.retry_after {
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

impl From<crate::error::ApiError> for Open311Error {
    /// The rest of the service speaks problem+json; its 4xx become Open311's 400/403/404 with the
    /// same words, anything else is 500 (logged once, here).
    fn from(e: crate::error::ApiError) -> Self {
        let status = e.status();
        match status.as_u16() {
            403 | 404 | 429 => Self::new(status, e.to_string()),
            400..=499 => Self::bad_request(e.to_string()),
            _ => {
                tracing::error!(error = ?e, "open311 request failed");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

impl From<sea_orm::DbErr> for Open311Error {
    fn from(e: sea_orm::DbErr) -> Self {
        crate::error::ApiError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_absent_values_are_empty_elements() {
        let mut x = Xml::default();
        x.open("r");
        x.leaf("a", Some("<b>&\"'\u{1}x"));
        x.leaf("n", None);
        x.close("r");
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<r><a>&lt;b&gt;&amp;&quot;&apos;x</a><n/></r>"
        );
    }

    #[test]
    fn errors_render_as_the_spec_shows_them() {
        let e = Errors::one(403, "Invalid api_key received -- can't proceed with create_request.");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!([{"code": 403, "description": "Invalid api_key received -- can't proceed with create_request."}])
        );
        let mut x = Xml::default();
        e.xml(&mut x);
        assert!(x.finish().ends_with(
            "<errors><error><code>403</code><description>Invalid api_key received -- can&apos;t proceed with create_request.</description></error></errors>"
        ));
    }

    #[test]
    fn only_json_and_xml_are_formats() {
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse("xml"), Some(Format::Xml));
        assert_eq!(Format::parse("JSON"), None);
        assert_eq!(Format::parse("csv"), None);
    }
}
