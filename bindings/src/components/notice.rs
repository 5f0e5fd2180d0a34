//! Notification banner (GOV.UK “notification banner”): what just happened
//! to the draft or the sending, with an optional follow-up action.

use super::Attr;
use web_sys::Element;

use super::Ctx;

/// How a notice is announced and styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Something worked (polite announcement).
    Success,
    /// Information.
    Info,
    /// Something failed (assertive announcement).
    Failure,
}

/// Renders the (empty) notice region; its live region exists from the
/// start so that later messages are announced.
pub(crate) fn render(ctx: &Ctx, parent: &Element) -> Element {
    let region = ctx.el(parent, "div", "efa-notices");
    region.attr("aria-live", "polite");
    region
}

/// Replaces the notice in `region` with `lines`; `action` adds a button
/// `(data-action, text)`.
pub(crate) fn show(ctx: &Ctx, region: &Element, tone: Tone, lines: &[&str], action: Option<(&str, &str)>) {
    region.set_text_content(None);
    let class = match tone {
        Tone::Success => "efa-notice efa-notice--success",
        Tone::Info => "efa-notice",
        Tone::Failure => "efa-notice efa-notice--failure",
    };
    let notice = ctx.el(region, "div", class);
    if tone == Tone::Failure {
        notice.attr("role", "alert");
    }
    for line in lines {
        ctx.text_el(&notice, "p", "efa-body", line);
    }
    if let Some((name, text)) = action {
        ctx.button(&notice, "efa-button efa-button--secondary", name, text);
    }
}

/// Removes the notice.
pub(crate) fn clear(region: &Element) {
    region.set_text_content(None);
}
