//! Parsing what Open311 clients send (pure): query strings and form bodies as key/value pairs
//! (keys may repeat), the filters of `GET requests` with the default window, and a POST's fields,
//! `attribute[code]` answers included. Errors are the spec's 400 descriptions.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

/// Key/value pairs in the order sent.
pub type Pairs = Vec<(String, String)>;

/// Decodes `a=1&b=2` (query strings and `application/x-www-form-urlencoded` bodies).
pub fn decode(raw: &[u8]) -> Pairs {
    url::form_urlencoded::parse(raw).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A JSON object body as the same pairs: scalars as text, arrays as repeated keys, and an
/// `attribute` object as `attribute[code]` keys.
pub fn from_json(body: &serde_json::Value) -> Result<Pairs, String> {
    let Some(object) = body.as_object() else { return Err("the JSON body must be an object".to_owned()) };
    let mut out = Pairs::new();
    for (key, value) in object {
        if key == "attribute" {
            let Some(answers) = value.as_object() else { return Err("attribute must be an object".to_owned()) };
            for (code, v) in answers {
                push_json(&mut out, &format!("attribute[{code}]"), v)?;
            }
        } else {
            push_json(&mut out, key, value)?;
        }
    }
    Ok(out)
}

fn push_json(out: &mut Pairs, key: &str, value: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value as V;
    match value {
        V::Null => {}
        V::String(s) => out.push((key.to_owned(), s.clone())),
        V::Number(n) => out.push((key.to_owned(), n.to_string())),
        V::Bool(b) => out.push((key.to_owned(), b.to_string())),
        V::Array(items) => {
            for item in items {
                match item {
                    V::Array(_) | V::Object(_) => return Err(format!("{key} takes a list of plain values")),
                    other => push_json(out, key, other)?,
                }
            }
        }
        V::Object(_) => return Err(format!("{key} must not be an object")),
    }
    Ok(())
}

/// The one value of `name`; an error when it is given twice.
pub fn single<'a>(pairs: &'a Pairs, name: &str) -> Result<Option<&'a str>, String> {
    let mut found = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(format!("{name} was given more than once"));
    }
    Ok(first.map(str::trim).filter(|v| !v.is_empty()))
}

/// Comma-separated values of `name` (repeats allowed), trimmed, without empties.
fn list(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A W3C datetime with its zone (`Z` or `±hh:mm`).
fn datetime(pairs: &Pairs, name: &str) -> Result<Option<DateTime<Utc>>, String> {
    single(pairs, name)?
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|d| d.to_utc())
                .map_err(|_| format!("{name} must be a W3C datetime with a time zone, e.g. 2026-11-01T00:00:00+08:00"))
        })
        .transpose()
}

/// `open` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenClosed {
    /// Still on the open ledger.
    Open,
    /// Closed out, or not accepted.
    Closed,
}

/// What `GET requests` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestFilter {
    /// `service_request_id` given: these, and the other filters are ignored (as the spec says).
    Ids(Vec<String>),
    /// The other filters.
    Search {
        /// Category codes (any when empty).
        service_codes: Vec<String>,
        /// Statuses (any when empty).
        statuses: Vec<OpenClosed>,
        /// Earliest `requested_datetime` included.
        from: DateTime<Utc>,
        /// Latest `requested_datetime` included.
        to: DateTime<Utc>,
    },
}

/// Parses the filters of `GET requests`. Without dates the last `window_days` are searched; with
/// one date the window extends from it; a span longer than `window_days` is refused.
pub fn request_filter(pairs: &Pairs, now: DateTime<Utc>, window_days: u32) -> Result<RequestFilter, String> {
    let ids = list(pairs, "service_request_id");
    if !ids.is_empty() {
        return Ok(RequestFilter::Ids(ids));
    }
    let mut statuses = Vec::new();
    for s in list(pairs, "status") {
        let status = match s.as_str() {
            "open" => OpenClosed::Open,
            "closed" => OpenClosed::Closed,
            other => return Err(format!("status must be open or closed, not `{other}`")),
        };
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    let window = TimeDelta::days(i64::from(window_days));
    let (start, end) = (datetime(pairs, "start_date")?, datetime(pairs, "end_date")?);
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s.checked_add_signed(window).unwrap_or(s)),
        (None, Some(e)) => (e.checked_sub_signed(window).unwrap_or(e), e),
        (None, None) => (now.checked_sub_signed(window).unwrap_or(now), now),
    };
    if to < from {
        return Err("end_date is before start_date".to_owned());
    }
    if to.signed_duration_since(from) > window {
        return Err(format!("start_date and end_date may not span more than {window_days} days"));
    }
    Ok(RequestFilter::Search { service_codes: list(pairs, "service_code"), statuses, from, to })
}

/// A POST's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    /// The category.
    pub service_code: String,
    /// WGS-84 latitude and longitude.
    pub lat_long: (f64, f64),
    /// `address_string`, kept as the ticket's address.
    pub address: Option<String>,
    /// The report's text.
    pub description: Option<String>,
    /// A URL to a photo, kept as given.
    pub media_url: Option<String>,
    /// `attribute[code]` answers.
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// The longest description the spec allows.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

fn coordinate(pairs: &Pairs, name: &str, limit: f64) -> Result<Option<f64>, String> {
    single(pairs, name)?
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && n.abs() <= limit)
                .ok_or_else(|| format!("{name} must be a number between -{limit} and {limit}"))
        })
        .transpose()
}

/// Parses a POST (api_key and jurisdiction_id are checked before, by the caller).
pub fn new_request(pairs: &Pairs) -> Result<NewRequest, String> {
    let service_code = single(pairs, "service_code")?.ok_or("service_code was not provided")?.to_owned();
    let lat = coordinate(pairs, "lat", 90.0)?;
    let long = coordinate(pairs, "long", 180.0)?;
    let address = single(pairs, "address_string")?.map(str::to_owned);
    let lat_long = match (lat, long) {
        (Some(lat), Some(long)) => (lat, long),
        (Some(_), None) | (None, Some(_)) => return Err("lat and long go together: send both".to_owned()),
        (None, None) if address.is_some() || single(pairs, "address_id")?.is_some() => {
            return Err(
                "an address alone cannot be located by this server: send lat and long (WGS-84) as well".to_owned()
            )
        }
        (None, None) => return Err("a location is required: lat and long (WGS-84)".to_owned()),
    };
    let description = single(pairs, "description")?.map(str::to_owned);
    if description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(format!("description is longer than {MAX_DESCRIPTION_CHARS} characters"));
    }
    let media_url = single(pairs, "media_url")?
        .map(|u| match url::Url::parse(u) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && u.len() <= 2000 => Ok(url.to_string()),
            _ => Err("media_url must be an http:// or https:// URL of at most 2000 characters".to_owned()),
        })
        .transpose()?;
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in pairs {
        if let Some(rest) = key.strip_prefix("attribute[") {
            let code = rest.strip_suffix("[]").unwrap_or(rest).strip_suffix(']').unwrap_or_default();
            if code.is_empty() || code.contains(['[', ']']) {
                return Err(format!("`{key}` is not of the form attribute[code]"));
            }
            attributes.entry(code.to_owned()).or_default().push(value.clone());
        }
    }
    Ok(NewRequest { service_code, lat_long, address, description, media_url, attributes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pairs {
        decode(s.as_bytes())
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn without_dates_the_last_ninety_days_are_searched() {
        let RequestFilter::Search { from, to, statuses, service_codes } =
            request_filter(&p("status=open,closed&status=open&service_code=fire,gas"), now(), 90).unwrap()
        else {
            panic!("a search")
        };
        assert_eq!((to, now().signed_duration_since(from).num_days()), (now(), 90));
        assert_eq!(statuses, [OpenClosed::Open, OpenClosed::Closed]);
        assert_eq!(service_codes, ["fire", "gas"]);
    }

    #[test]
    fn ids_override_every_other_filter() {
        let f = request_filter(&p("service_request_id=YH1,%20YH2&status=bogus"), now(), 90).unwrap();
        assert_eq!(f, RequestFilter::Ids(vec!["YH1".into(), "YH2".into()]));
    }

    #[test]
    fn dates_are_w3c_with_a_zone_and_span_at_most_the_window() {
        let one = request_filter(&p("start_date=2026-01-01T00:00:00%2B08:00"), now(), 90).unwrap();
        let RequestFilter::Search { from, to, .. } = one else { panic!("a search") };
        assert_eq!(to.signed_duration_since(from).num_days(), 90);
        assert_eq!(from.to_rfc3339(), "2025-12-31T16:00:00+00:00");
        for (q, e) in [
            ("start_date=2026-01-01", "W3C datetime"),
            ("end_date=2026-01-01T00:00:00", "W3C datetime"),
            ("start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "before start_date"),
            ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "more than 90 days"),
            ("status=pending", "open or closed"),
            ("start_date=2026-01-01T00:00:00Z&start_date=2026-01-02T00:00:00Z", "more than once"),
        ] {
            let err = request_filter(&p(q), now(), 90).unwrap_err();
            assert!(err.contains(e), "{q}: {err}");
        }
    }

    #[test]
    fn a_post_needs_a_service_and_a_point() {
        let r = new_request(&p(
            "service_code=fire&lat=30.1&long=120.2&address_string=%E5%B9%B8%E7%A6%8F%E8%B7%AF&attribute[floor]=3&attribute[fire_hazards][]=a&attribute[fire_hazards][]=b&media_url=https://x.example/1.jpg",
        ))
        .unwrap();
        assert_eq!((r.service_code.as_str(), r.lat_long), ("fire", (30.1, 120.2)));
        assert_eq!(r.address.as_deref(), Some("幸福路"));
        assert_eq!(r.attributes["fire_hazards"], ["a", "b"]);
        assert_eq!(r.attributes["floor"], ["3"]);
        assert_eq!(r.media_url.as_deref(), Some("https://x.example/1.jpg"));
        for (q, e) in [
            ("lat=1&long=2", "service_code was not provided"),
            ("service_code=fire", "location is required"),
            ("service_code=fire&address_string=x", "address alone"),
            ("service_code=fire&lat=1", "go together"),
            ("service_code=fire&lat=91&long=2", "between -90 and 90"),
            ("service_code=fire&lat=1&long=abc", "between -180 and 180"),
            ("service_code=fire&lat=1&long=2&media_url=ftp://x", "media_url"),
            ("service_code=fire&lat=1&long=2&attribute[]=1", "attribute[code]"),
        ] {
            let err = new_request(&p(q)).unwrap_err();
            assert!(err.contains(e), "{q}: {err}");
        }
    }

    #[test]
    fn a_json_body_reads_like_a_form() {
        let body = serde_json::json!({"service_code": "gas", "lat": 30.5, "long": 120, "attribute": {"people_in_danger": "no", "fire_hazards": ["a", "b"]}});
        let pairs = from_json(&body).unwrap();
        let r = new_request(&pairs).unwrap();
        assert_eq!(r.lat_long, (30.5, 120.0));
        assert_eq!(r.attributes["fire_hazards"], ["a", "b"]);
        assert!(from_json(&serde_json::json!([1])).is_err());
    }
}
