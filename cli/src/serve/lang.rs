//! The language of messages, from `Accept-Language`.

use axum::http::{header, HeaderMap};

/// Languages with built-in messages; the first is the default.
const SUPPORTED: [&str; 2] = ["de", "en"];

/// The supported language the client prefers most (`de` when it names none).
pub fn negotiate(headers: &HeaderMap) -> &'static str {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map_or(SUPPORTED[0], preferred)
}

/// Picks from an `Accept-Language` value such as `en-GB,en;q=0.9,de;q=0.8`.
fn preferred(value: &str) -> &'static str {
    let mut best: Option<(&'static str, f32)> = None;
    for item in value.split(',').take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(lang) = SUPPORTED.iter().find(|l| l.eq_ignore_ascii_case(primary)) else { continue };
        let quality = parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        // Strictly greater: on equal weights the earlier entry wins.
        if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map_or(SUPPORTED[0], |(lang, _)| lang)
}

#[cfg(test)]
mod tests {
    use super::preferred;

    #[test]
    fn picks_the_most_preferred_supported_language() {
        assert_eq!(preferred("en-GB,en;q=0.9,de;q=0.8"), "en");
        assert_eq!(preferred("fr-FR,fr;q=0.9,en;q=0.5,de;q=0.7"), "de");
        assert_eq!(preferred("de-DE"), "de");
        assert_eq!(preferred("EN"), "en");
        assert_eq!(preferred("fr"), "de");
        assert_eq!(preferred("en;q=0"), "de");
        assert_eq!(preferred(""), "de");
        assert_eq!(preferred("en;q=abc"), "en");
    }
}
