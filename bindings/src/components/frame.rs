//! The tenant's frame around the form: logo and name of the authority,
//! language switch, contact and the legal links every public form must
//! show — and the skeleton the other components are placed into.
//!
//! Branding reaches the page only as CSS custom properties (design tokens)
//! set through the CSSOM, which a strict Content-Security-Policy allows,
//! unlike `style` attributes in markup.

use super::Attr;
use efa_engine::model::Tenant;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::error_summary::{self, Summary};
use super::step_nav::{self, Actions, Progress};
use super::{notice, prop, Ctx};
use crate::widget::text::{language_name, Msg};

/// The skeleton of the widget.
pub(crate) struct Shell {
    /// Notices about drafts and sending.
    pub notices: Element,
    /// The error summary.
    pub summary: Summary,
    /// Progress list.
    pub progress: Progress,
    /// One section per step.
    pub steps: Vec<Element>,
    /// The review page.
    pub review: Element,
    /// Buttons under the form.
    pub actions: Actions,
    /// Draft buttons.
    pub drafts: Element,
    /// The receipt.
    pub receipt: Element,
}

/// Renders the frame into `container` for a form with `step_titles`.
pub(crate) fn render(ctx: &Ctx, container: &Element, tenant: Option<&Tenant>, step_titles: &[&str]) -> Shell {
    let root: HtmlElement = ctx.el(container, "div", "efa").unchecked_into();
    root.attr("lang", ctx.lang);
    if let Some(tenant) = tenant {
        apply_tokens(&root, tenant);
    }
    header(ctx, &root, tenant);
    let main = ctx.el(&root, "div", "efa-main");
    ctx.heading(&main, 0, "efa-heading-xl", ctx.text(&ctx.form.definition().title));
    let notices = notice::render(ctx, &main);
    let summary = error_summary::render(ctx, &main);
    let progress = step_nav::render_progress(ctx, &main, step_titles);
    let form = ctx.el(&main, "form", "efa-form");
    form.attr("novalidate", "");
    let mut steps = Vec::with_capacity(step_titles.len());
    for title in step_titles {
        let section = ctx.el(&form, "section", "efa-step");
        section.attr("hidden", "");
        ctx.el(&section, "p", "efa-caption");
        let heading = ctx.heading(&section, 1, "efa-heading-l", title);
        heading.attr("tabindex", "-1");
        steps.push(section);
    }
    let review = ctx.el(&form, "section", "efa-review");
    review.attr("hidden", "");
    let actions = step_nav::render_actions(ctx, &form);
    let drafts = draft_bar(ctx, &main);
    let receipt = ctx.el(&main, "section", "efa-receipt");
    receipt.attr("hidden", "");
    footer(ctx, &root, tenant);
    Shell { notices, summary, progress, steps, review, actions, drafts, receipt }
}

/// The tenant's colours, font and corner radius as design tokens.
fn apply_tokens(root: &HtmlElement, tenant: &Tenant) {
    let branding = &tenant.branding;
    let style: web_sys::CssStyleDeclaration = prop(root, "style").unchecked_into();
    let _ = style.set_property("--efa-color-primary", &branding.primary_color);
    let _ = style.set_property("--efa-color-on-primary", &branding.on_primary_color);
    let _ = style.set_property("--efa-color-text", &branding.text_color);
    let _ = style.set_property("--efa-color-background", &branding.background_color);
    let _ = style.set_property("--efa-color-error", &branding.error_color);
    if let Some(font) = &branding.font_family {
        let _ = style.set_property("--efa-font-family", font);
    }
    if let Some(radius) = branding.radius {
        let _ = style.set_property("--efa-radius", &[&radius.to_string(), "px"].concat());
    }
}

fn header(ctx: &Ctx, root: &Element, tenant: Option<&Tenant>) {
    let header = ctx.el(root, "header", "efa-header");
    if let Some(tenant) = tenant {
        let brand = ctx.el(&header, "div", "efa-header__brand");
        let name = ctx.text(&tenant.name);
        match &tenant.branding.logo {
            Some(logo) => {
                // A municipal logo carries the name; its alternative text
                // says it (the tenant's logoAlt, else the name).
                let image = ctx.el(&brand, "img", "efa-header__logo");
                image.attr("src", logo);
                image.attr("alt", tenant.branding.logo_alt.as_ref().map_or(name, |t| ctx.text(t)));
            }
            None => {
                ctx.text_el(&brand, "span", "efa-header__name", name);
            }
        }
    }
    let languages = ctx.form.languages();
    if languages.len() > 1 {
        let nav = ctx.el(&header, "nav", "efa-language");
        nav.attr("aria-label", ctx.msg(Msg::LanguageLabel));
        let list = ctx.el(&nav, "ul", "efa-language__list");
        for code in languages {
            let item = ctx.el(&list, "li", "efa-language__item");
            if code == ctx.lang {
                let current = ctx.text_el(&item, "span", "efa-language__current", language_name(code));
                current.attr("aria-current", "true");
            } else {
                let button = ctx.button(&item, "efa-language__link", "lang", language_name(code));
                button.attr("lang", code);
                button.attr("data-lang", code);
            }
        }
    }
}

fn draft_bar(ctx: &Ctx, parent: &Element) -> Element {
    let bar = ctx.el(parent, "div", "efa-drafts");
    ctx.heading(&bar, 1, "efa-heading-s", ctx.msg(Msg::DraftTitle));
    let buttons = ctx.el(&bar, "div", "efa-button-group");
    ctx.button(&buttons, "efa-button efa-button--secondary", "save-draft", ctx.msg(Msg::SaveDraft));
    ctx.button(&buttons, "efa-button efa-button--secondary", "export-draft", ctx.msg(Msg::ExportDraft));
    ctx.button(&buttons, "efa-button efa-button--secondary", "import-draft", ctx.msg(Msg::ImportDraft));
    // Opened by the import button; a visible file input would be a second,
    // confusing way to do the same.
    let input = ctx.el(&bar, "input", "");
    input.attr("type", "file");
    input.attr("accept", ".json,application/json");
    input.attr("data-action", "import-file");
    input.attr("hidden", "");
    input.attr("aria-hidden", "true");
    input.attr("tabindex", "-1");
    bar
}

fn footer(ctx: &Ctx, root: &Element, tenant: Option<&Tenant>) {
    let Some(tenant) = tenant else { return };
    let footer = ctx.el(root, "footer", "efa-footer");
    if let Some(contact) = &tenant.contact {
        let block = ctx.el(&footer, "div", "efa-footer__contact");
        ctx.heading(&block, 1, "efa-heading-s", ctx.msg(Msg::Contact));
        if let Some(office) = &contact.office {
            ctx.text_el(&block, "p", "efa-body", ctx.text(office));
        }
        if let Some(address) = &contact.address {
            ctx.text_el(&block, "p", "efa-body efa-address", address);
        }
        if let Some(phone) = &contact.phone {
            let line = ctx.text_el(&block, "p", "efa-body", &[ctx.msg(Msg::Phone), ": "].concat());
            let link = ctx.text_el(&line, "a", "efa-link", phone);
            let number: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            link.attr("href", &["tel:", &number].concat());
        }
        if let Some(email) = &contact.email {
            let line = ctx.text_el(&block, "p", "efa-body", &[ctx.msg(Msg::Email), ": "].concat());
            let link = ctx.text_el(&line, "a", "efa-link", email);
            link.attr("href", &["mailto:", email].concat());
        }
    }
    let nav = ctx.el(&footer, "nav", "efa-footer__links");
    nav.attr("aria-label", ctx.msg(Msg::LegalLinks));
    let list = ctx.el(&nav, "ul", "efa-footer__list");
    for (msg, href) in
        [(Msg::Privacy, &tenant.links.privacy), (Msg::Imprint, &tenant.links.imprint), (Msg::Accessibility, &tenant.links.accessibility)]
    {
        let item = ctx.el(&list, "li", "");
        let link = ctx.text_el(&item, "a", "efa-link", ctx.msg(msg));
        link.attr("href", href);
    }
}
