//! Tenant checks: a municipality's branding must stay accessible and its
//! links safe, whatever the tenant file says.

use crate::error::{DefinitionError, DefinitionErrorKind as Kind};
use crate::model::Tenant;

/// WCAG 2.1 1.4.3: contrast of text against its background.
pub const MIN_TEXT_CONTRAST: f64 = 4.5;
/// WCAG 2.1 1.4.11: contrast of controls and their borders.
pub const MIN_UI_CONTRAST: f64 = 3.0;

/// Every problem of a tenant, with JSON pointers into the tenant file.
pub fn check(tenant: &Tenant) -> Vec<DefinitionError> {
    let mut errors = Vec::new();
    let branding = &tenant.branding;
    let colours = [
        ("primaryColor", &branding.primary_color),
        ("onPrimaryColor", &branding.on_primary_color),
        ("textColor", &branding.text_color),
        ("backgroundColor", &branding.background_color),
        ("errorColor", &branding.error_color),
    ];
    for (key, value) in colours {
        if parse_colour(value).is_none() {
            errors.push(DefinitionError::new(format!("/branding/{key}"), Kind::Tenant, format!("'{value}' is not a colour like #1a2b3c")));
        }
    }
    if errors.is_empty() {
        let pairs = [
            ("onPrimaryColor", &branding.on_primary_color, &branding.primary_color, "primaryColor", MIN_TEXT_CONTRAST),
            ("textColor", &branding.text_color, &branding.background_color, "backgroundColor", MIN_TEXT_CONTRAST),
            ("errorColor", &branding.error_color, &branding.background_color, "backgroundColor", MIN_TEXT_CONTRAST),
            ("primaryColor", &branding.primary_color, &branding.background_color, "backgroundColor", MIN_TEXT_CONTRAST),
        ];
        for (key, foreground, background, against, minimum) in pairs {
            let ratio = contrast(foreground, background).unwrap_or(0.0);
            if ratio < minimum {
                errors.push(DefinitionError::new(
                    format!("/branding/{key}"),
                    Kind::Tenant,
                    format!(
                        "contrast of {key} {foreground} on {against} {background} is {}:1; WCAG 2.1 AA needs at least {}:1",
                        hundredths(ratio),
                        hundredths(minimum)
                    ),
                ));
            }
        }
    }
    let mut urls = vec![
        ("/links/privacy".to_string(), &tenant.links.privacy),
        ("/links/imprint".to_string(), &tenant.links.imprint),
        ("/links/accessibility".to_string(), &tenant.links.accessibility),
    ];
    if let Some(logo) = &branding.logo {
        urls.push(("/branding/logo".to_string(), logo));
    }
    for (pointer, url) in urls {
        if !is_safe_url(url) {
            errors.push(DefinitionError::new(
                pointer,
                Kind::Tenant,
                format!("'{url}' must be an https:// address or a path starting with /"),
            ));
        }
    }
    if let Some(font) = &branding.font_family {
        if font.chars().any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '(' | ')' | '\\')) {
            errors.push(DefinitionError::new("/branding/fontFamily", Kind::Tenant, "fontFamily may only list font names"));
        }
    }
    if let Some(email) = tenant.contact.as_ref().and_then(|c| c.email.as_ref()) {
        if !crate::formats::is_email(email) {
            errors.push(DefinitionError::new("/contact/email", Kind::Tenant, format!("'{email}' is not an e-mail address")));
        }
    }
    errors
}

/// `4.5` → "4.50", without float formatting (which would cost the widget
/// ~15 KB of code).
fn hundredths(ratio: f64) -> String {
    let value = (ratio * 100.0).round() as u64;
    format!("{}.{:02}", value / 100, value % 100)
}

/// Only https and same-origin paths: no `javascript:`, `data:` or
/// protocol-relative (`//host`) addresses in a citizen-facing frame.
pub fn is_safe_url(url: &str) -> bool {
    let has_space = url.chars().any(|c| c.is_whitespace() || c.is_control());
    !has_space && (url.starts_with("https://") && url.len() > "https://".len() || url.starts_with('/') && !url.starts_with("//"))
}

/// Parses `#rrggbb`.
pub fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG contrast ratio of two `#rrggbb` colours.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(parse_colour(a)?), luminance(parse_colour(b)?));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    Some((light + 0.05) / (dark + 0.05))
}

fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_ratios() {
        let black_white = contrast("#000000", "#ffffff").unwrap();
        assert!((black_white - 21.0).abs() < 0.01);
        assert!(contrast("#777777", "#ffffff").unwrap() < MIN_TEXT_CONTRAST);
        assert!(contrast("#595959", "#ffffff").unwrap() >= MIN_TEXT_CONTRAST);
    }

    #[test]
    fn urls() {
        assert!(is_safe_url("https://www.musterstadt.de/datenschutz"));
        assert!(is_safe_url("/assets/logo.svg"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("//evil.example/logo.svg"));
        assert!(!is_safe_url("http://insecure.example"));
        assert!(!is_safe_url("https://"));
    }
}
