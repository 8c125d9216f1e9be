//! The pages' words in Chinese (the default) and English, and how a request picks one: `?lang=`,
//! then the `hl_lang` cookie it sets, then `Accept-Language`, then Chinese.

use actix_web::{http::header, HttpRequest};

use crate::{auth::cookie, tickets::status::TicketStatus};

mod en;
mod texts;
mod zh;

pub use self::{en::EN, texts::Texts, zh::ZH};

/// The cookie remembering a chosen language.
pub const LANG_COOKIE: &str = "hl_lang";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `zh` or `en` (the `?lang=` values and the cookie).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The account locale this language is kept as (`user.locale`, which the bot speaks).
    pub fn locale_tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en-US",
        }
    }

    /// The other language (the switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The words of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The language of a request, and whether `?lang=` chose it now (so the cookie is to be set).
pub fn negotiate(req: &HttpRequest) -> (Lang, bool) {
    let asked = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v));
    if let Some(lang) = asked {
        return (lang, true);
    }
    if let Some(lang) = cookie::read(req, LANG_COOKIE).and_then(|v| Lang::parse(&v)) {
        return (lang, false);
    }
    (from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())), false)
}

/// The first of Chinese and English in an `Accept-Language` list by preference; Chinese without one.
pub fn from_accept_language(value: Option<&str>) -> Lang {
    let Some(value) = value else { return Lang::Zh };
    let mut ranked: Vec<(f32, usize, Lang)> = value
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let lang = Lang::parse(parts.next()?)?;
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok()).unwrap_or(1.0);
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map_or(Lang::Zh, |r| r.2)
}

/// What a resident reads for a status.
pub fn status_label(lang: Lang, status: TicketStatus) -> &'static str {
    match lang {
        Lang::Zh => status.resident_label(),
        Lang::En => match status {
            TicketStatus::Unrouted => "Received",
            TicketStatus::Assigned => "Assigned",
            TicketStatus::Verifying => "Being checked",
            TicketStatus::Confirmed => "Confirmed",
            TicketStatus::Rectifying => "Being fixed",
            TicketStatus::AwaitingCheck => "Fix being checked",
            TicketStatus::Closed => "Done",
            TicketStatus::Rejected => "Not accepted",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(from_accept_language(None), Lang::Zh);
        assert_eq!(from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(from_accept_language(Some("fr, en;q=0.5, zh;q=0.7")), Lang::Zh);
        assert_eq!(from_accept_language(Some("de")), Lang::Zh);
        assert_eq!(from_accept_language(Some("en;q=0, zh-TW")), Lang::Zh);
    }

    #[test]
    fn lang_query_wins_then_cookie() {
        use actix_web::test::TestRequest;
        let req = TestRequest::with_uri("/login?lang=en").insert_header(("accept-language", "zh")).to_http_request();
        assert_eq!(negotiate(&req), (Lang::En, true));
        let req = TestRequest::with_uri("/login")
            .insert_header(("cookie", "hl_lang=en"))
            .insert_header(("accept-language", "zh"))
            .to_http_request();
        assert_eq!(negotiate(&req), (Lang::En, false));
    }
}
