//! Renderer tests in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): the markup contracts of each component and
//! the behaviour that accessibility depends on.
//!
//! `cargo test --target wasm32-unknown-unknown -p efa-wasm`
#![cfg(target_arch = "wasm32")]

use efa_engine::{write_image, NameMap};
use efa_wasm::api::FormSession;
use efa_wasm::widget::{mount, render_failure, FormWidget};
use efa_wasm_compiler::{load, LoadError};
use serde_json::{json, Value as Json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A mounted widget and the element it lives in.
struct Mounted {
    root: Element,
    _widget: Option<FormWidget>,
}

impl Mounted {
    fn one(&self, selector: &str) -> Element {
        self.root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    fn all(&self, selector: &str) -> u32 {
        self.root.query_selector_all(selector).unwrap().length()
    }

    fn input(&self, selector: &str) -> HtmlInputElement {
        self.one(selector).dyn_into().unwrap()
    }

    fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.one(selector).get_attribute(name)
    }

    fn text(&self, selector: &str) -> String {
        self.one(selector).text_content().unwrap_or_default()
    }

    fn click(&self, selector: &str) {
        self.one(selector).dyn_into::<HtmlElement>().unwrap().click();
    }

    /// Types `value` into a text input (an `input` event, as typing fires).
    fn type_into(&self, selector: &str, value: &str) {
        let input = self.input(selector);
        input.set_value(value);
        input.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &bubbling()).unwrap()).unwrap();
    }

    /// Ticks a checkbox or radio (a `change` event, as clicking fires).
    fn check(&self, selector: &str) {
        let input = self.input(selector);
        input.set_checked(true);
        input.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &bubbling()).unwrap()).unwrap();
    }

    fn submit(&self) {
        self.click(".efa-form button[type=submit]");
    }
}

fn bubbling() -> web_sys::EventInit {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// The image `<efa-form>` would fetch for `definition` and `tenant`.
fn image(definition: &Json, tenant: Option<&Json>) -> Result<Vec<u8>, LoadError> {
    let loaded = load(&definition.to_string(), tenant, &NameMap::new())?;
    Ok(write_image(&loaded.form, loaded.tenant.as_ref()))
}

/// Mounts `definition` for `tenant` as the element does: compiled to an
/// image first; files that do not compile get the element's error state.
fn mount_with(definition: Json, tenant: Option<Json>) -> (Mounted, Result<FormWidget, String>) {
    let doc = document();
    let host: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&host).unwrap();
    let widget = match image(&definition, tenant.as_ref()) {
        Ok(image) => {
            let options = js_sys::JSON::parse(&json!({ "today": "2026-11-23", "lang": "de" }).to_string()).unwrap();
            mount(&host, host.clone(), &image, options).map_err(|_| "mount failed".to_string())
        }
        Err(error) => {
            render_failure(&host, "de", error.details()).unwrap();
            Err(error.to_string())
        }
    };
    (Mounted { root: host.into(), _widget: None }, widget)
}

fn render(definition: Json) -> Mounted {
    let (mut mounted, widget) = mount_with(definition, None);
    mounted._widget = Some(widget.unwrap_or_else(|_| panic!("the definition mounts")));
    mounted
}

fn form(fields: Json) -> Json {
    json!({ "id": "test", "version": "1.0.0", "title": "Test", "steps": [{ "id": "eins", "title": "Eins", "fields": fields }] })
}

#[wasm_bindgen_test]
fn a_text_field_has_a_label_linked_to_its_input() {
    let page = render(form(json!([
        { "id": "name", "type": "text", "label": "Familienname", "hint": "Wie im Ausweis", "required": true, "autocomplete": "family-name" }
    ])));
    assert_eq!(page.attr("label.efa-label", "for").as_deref(), Some("efa-name"));
    assert!(page.text("label.efa-label").starts_with("Familienname"));
    let input = page.input("#efa-name");
    assert_eq!(input.get_attribute("autocomplete").as_deref(), Some("family-name"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("efa-name-hint"));
    assert_eq!(page.text("#efa-name-hint"), "Wie im Ausweis");
    assert!(input.get_attribute("aria-invalid").is_none());
    assert!(page.one(".efa-optional").has_attribute("hidden"), "required: no “(optional)”");
}

#[wasm_bindgen_test]
fn optional_fields_are_marked_in_words() {
    let page = render(form(json!([{ "id": "telefon", "type": "phone", "label": "Telefon" }])));
    let marker = page.one("label .efa-optional");
    assert!(!marker.has_attribute("hidden"));
    assert_eq!(marker.text_content().unwrap(), " (optional)");
    assert_eq!(page.attr("#efa-telefon", "type").as_deref(), Some("tel"));
}

#[wasm_bindgen_test]
fn errors_appear_after_continue_with_aria_invalid_and_describedby() {
    let page = render(form(json!([{ "id": "name", "type": "text", "label": "Name", "hint": "Hinweis", "required": true }])));
    page.type_into("#efa-name", "");
    assert!(page.one("#efa-name-error").has_attribute("hidden"), "no message before continuing");
    page.submit();
    assert_eq!(page.attr("#efa-name", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(page.attr("#efa-name", "aria-describedby").as_deref(), Some("efa-name-hint efa-name-error"));
    let inline = page.text("#efa-name-error");
    assert_eq!(inline, "Fehler: Bitte geben Sie „Name“ an.");
    assert!(!page.one(".efa-error-summary").has_attribute("hidden"));
    assert_eq!(page.text(".efa-error-summary a"), "Bitte geben Sie „Name“ an.", "the summary uses the same words");
    assert_eq!(page.attr(".efa-error-summary a", "href").as_deref(), Some("#efa-name"));
    assert!(page.one(".efa-form-group").class_list().contains("efa-form-group--error"));
    page.type_into("#efa-name", "Erika");
    assert!(page.attr("#efa-name", "aria-invalid").is_none(), "fixed: aria-invalid goes");
    assert!(page.one("#efa-name-error").has_attribute("hidden"));
}

#[wasm_bindgen_test]
fn markup_in_texts_stays_text() {
    let page = render(form(json!([
        { "id": "name", "type": "text", "label": "<script>window.pwned = 1</script>Name", "hint": "<img src=x onerror=alert(1)>" },
        { "id": "info", "type": "static", "text": "<b>fett</b>" }
    ])));
    assert!(page.text("label.efa-label").starts_with("<script>window.pwned = 1</script>Name"));
    assert_eq!(page.text("#efa-name-hint"), "<img src=x onerror=alert(1)>");
    assert_eq!(page.text(".efa-inset-text"), "<b>fett</b>");
    assert_eq!(page.all("script, img, b"), 0, "no element was created from a text");
}

#[wasm_bindgen_test]
fn choices_are_fieldsets_with_legends() {
    let page = render(form(json!([
        { "id": "zahlung", "type": "choice", "label": "Zahlweise", "required": true,
          "options": [{ "code": "lastschrift", "label": "Lastschrift" }, { "code": "ueberweisung", "label": "Überweisung" }] },
        { "id": "iban", "type": "iban", "label": "IBAN", "required": true, "visible": "zahlung == 'lastschrift'" }
    ])));
    assert_eq!(page.text("fieldset legend").trim_end_matches(" (optional)"), "Zahlweise");
    assert_eq!(page.all("fieldset .efa-radios input[type=radio][name='/zahlung']"), 2);
    assert_eq!(page.attr("label[for=efa-zahlung-1]", "class").as_deref(), Some("efa-label efa-radios__label"));
    assert!(page.one("[data-field='/iban']").has_attribute("hidden"), "not relevant yet");
    page.check("#efa-zahlung-0");
    assert!(!page.one("[data-field='/iban']").has_attribute("hidden"), "relevant after the choice");
}

#[wasm_bindgen_test]
fn a_date_is_three_labelled_inputs_in_a_group() {
    let page = render(form(json!([{ "id": "geburt", "type": "date", "label": "Geburtsdatum", "autocomplete": "bday", "required": true }])));
    assert_eq!(page.attr("fieldset", "role").as_deref(), Some("group"));
    for part in ["day", "month", "year"] {
        let id = format!("efa-geburt-{part}");
        assert_eq!(page.attr(&format!("label[for={id}]"), "for").as_deref(), Some(id.as_str()));
        assert_eq!(page.attr(&format!("#{id}"), "autocomplete"), Some(format!("bday-{part}")));
        assert_eq!(page.attr(&format!("#{id}"), "inputmode").as_deref(), Some("numeric"));
    }
    page.submit();
    assert_eq!(page.attr("fieldset", "aria-describedby").as_deref(), Some("efa-geburt-hint efa-geburt-error"));
    assert_eq!(page.attr("#efa-geburt-day", "aria-invalid").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
fn repeating_groups_add_and_remove_within_min_and_max() {
    let page = render(form(json!([
        { "id": "hund", "type": "group", "label": "Hund", "repeat": { "min": 1, "max": 2 },
          "fields": [{ "id": "name", "type": "text", "label": "Name", "required": true }] }
    ])));
    assert_eq!(page.all(".efa-repeat__item"), 1);
    assert_eq!(page.all(".efa-repeat__remove"), 0, "not below the minimum");
    page.type_into("#efa-hund-0-name", "Bello");
    page.click(".efa-repeat__add");
    assert_eq!(page.all(".efa-repeat__item"), 2);
    assert_eq!(page.all(".efa-repeat__add"), 0, "not above the maximum");
    assert_eq!(page.text(".efa-repeat__item:nth-child(2) legend"), "Hund 2");
    page.type_into("#efa-hund-1-name", "Luna");
    page.click(".efa-repeat__remove");
    assert_eq!(page.input("#efa-hund-0-name").value(), "Luna");
    assert_eq!(page.all(".efa-repeat__item"), 1);
}

#[wasm_bindgen_test]
fn computed_values_follow_their_inputs() {
    let page = render(form(json!([
        { "id": "anzahl", "type": "integer", "label": "Anzahl" },
        { "id": "betrag", "type": "money", "label": "Betrag", "compute": "anzahl * 12.5" }
    ])));
    page.type_into("#efa-anzahl", "3");
    assert_eq!(page.text("output#efa-betrag"), "37,50 €");
}

#[wasm_bindgen_test]
fn tenant_branding_becomes_design_tokens() {
    let tenant = json!({
        "id": "t", "name": "Stadt Test",
        "branding": { "primaryColor": "#005a9c", "fontFamily": "Georgia, serif", "radius": 4 },
        "links": { "privacy": "https://t.example/d", "imprint": "https://t.example/i", "accessibility": "https://t.example/b" }
    });
    let (page, widget) = mount_with(form(json!([{ "id": "a", "type": "text", "label": "A" }])), Some(tenant));
    assert!(widget.is_ok());
    let root: HtmlElement = page.one(".efa").unchecked_into();
    assert_eq!(root.style().get_property_value("--efa-color-primary").unwrap(), "#005a9c");
    assert_eq!(root.style().get_property_value("--efa-font-family").unwrap(), "Georgia, serif");
    assert_eq!(root.style().get_property_value("--efa-radius").unwrap(), "4px");
    assert_eq!(page.text(".efa-header__name"), "Stadt Test");
    assert_eq!(page.attr(".efa-footer a[href='https://t.example/b']", "class").as_deref(), Some("efa-link"));
}

#[wasm_bindgen_test]
fn an_invalid_tenant_shows_an_error_state_instead_of_the_form() {
    let tenant = json!({
        "id": "t", "name": "Stadt Test",
        "branding": { "primaryColor": "#dddddd" },
        "links": { "privacy": "javascript:alert(1)", "imprint": "https://t.example/i", "accessibility": "https://t.example/b" }
    });
    let (page, widget) = mount_with(form(json!([{ "id": "a", "type": "text", "label": "A" }])), Some(tenant));
    assert!(widget.is_err());
    assert_eq!(page.attr(".efa-unavailable", "role").as_deref(), Some("alert"));
    let details = page.text(".efa-unavailable__details");
    assert!(details.contains("/branding/primaryColor"), "{details}");
    assert!(details.contains("/links/privacy"), "{details}");
    assert_eq!(page.all("form, input"), 0);
}

#[wasm_bindgen_test]
fn no_control_is_ever_disabled() {
    let page = render(form(json!([
        { "id": "a", "type": "text", "label": "A", "readonly": true },
        { "id": "b", "type": "boolean", "label": "B" },
        { "id": "c", "type": "attachment", "label": "C", "accept": ["application/pdf"], "maxSize": 1000 }
    ])));
    assert_eq!(page.all("[disabled]"), 0);
    assert!(page.one("#efa-a").has_attribute("readonly"));
    assert_eq!(page.attr("#efa-c", "accept").as_deref(), Some("application/pdf"));
    assert_eq!(page.text("#efa-c-hint"), "Erlaubte Formate: application/pdf. Höchstens 1 KB je Datei");
}

#[wasm_bindgen_test]
fn the_session_returns_only_what_changed() {
    let definition = form(json!([
        { "id": "zahlung", "type": "choice", "label": "Zahlweise", "options": ["lastschrift", "ueberweisung"] },
        { "id": "iban", "type": "iban", "label": "IBAN", "required": true, "visible": "zahlung == 'lastschrift'" },
        { "id": "name", "type": "text", "label": "Name" }
    ]));
    let mut session = FormSession::from_image(&image(&definition, None).unwrap(), "de", "2026-11-23").unwrap();
    let changed = session.set_json("/zahlung", "\"lastschrift\"").unwrap();
    let changed: Json = serde_json::from_str(&changed).unwrap();
    let paths: Vec<&str> = changed.as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/zahlung", "/iban"]);
    let submission: Json =
        serde_json::from_str(&js_sys::JSON::stringify(&session.submission().unwrap()).unwrap().as_string().unwrap()).unwrap();
    assert_eq!(submission["data"], json!({ "zahlung": "lastschrift" }));
}

#[wasm_bindgen_test]
fn read_only_choices_cannot_be_changed() {
    let page = render(form(json!([
        { "id": "art", "type": "choice", "label": "Art", "readonly": true, "default": "a", "options": ["a", "b"] },
        { "id": "extras", "type": "multichoice", "label": "Extras", "readonly": true, "default": ["x"], "options": ["x", "y"] },
        { "id": "ok", "type": "boolean", "label": "Einverstanden", "readonly": true, "default": true },
        { "id": "land", "type": "choice", "label": "Land", "readonly": true, "default": "l0",
          "options": ["l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10"] }
    ])));
    // Assistive technology is told, each in the way its role allows.
    assert_eq!(page.attr("fieldset[role=radiogroup]", "aria-readonly").as_deref(), Some("true"));
    assert_eq!(page.attr("#efa-land", "aria-readonly").as_deref(), Some("true"));
    assert!(!page.one("#efa-land").has_attribute("readonly"), "select has no readonly attribute");
    page.click("#efa-art-1");
    assert!(page.input("#efa-art-0").checked() && !page.input("#efa-art-1").checked(), "the radio stays");
    page.click("#efa-extras-1");
    assert!(page.input("#efa-extras-0").checked() && !page.input("#efa-extras-1").checked(), "the checkboxes stay");
    assert_eq!(page.attr("#efa-extras-1", "aria-readonly").as_deref(), Some("true"));
    page.click("#efa-ok");
    assert!(page.input("#efa-ok").checked(), "the boolean stays");
    // A change that got through some other way is put back, not stored.
    page.check("#efa-art-1");
    assert!(page.input("#efa-art-0").checked() && !page.input("#efa-art-1").checked(), "reverted on change");
    let submission = page._widget.as_ref().unwrap().submission().unwrap();
    let submission: Json = serde_json::from_str(&js_sys::JSON::stringify(&submission).unwrap().as_string().unwrap()).unwrap();
    assert_eq!(submission["data"], json!({ "art": "a", "extras": ["x"], "ok": true, "land": "l0" }));
    assert_eq!(page.all("[disabled]"), 0, "read-only, not disabled");
}

#[wasm_bindgen_test]
fn bytes_that_are_no_image_show_an_error_state_instead_of_the_form() {
    let doc = document();
    let host: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&host).unwrap();
    let options = js_sys::JSON::parse(r#"{"today": "2026-11-23", "lang": "de"}"#).unwrap();
    let definition = form(json!([{ "id": "a", "type": "text", "label": "A" }])).to_string();
    assert!(mount(&host, host.clone(), definition.as_bytes(), options).is_err());
    let page = Mounted { root: host.into(), _widget: None };
    assert_eq!(page.attr(".efa-unavailable", "role").as_deref(), Some("alert"));
    assert!(page.text(".efa-unavailable__details").contains("efa compile"), "{}", page.text(".efa-unavailable__details"));
    assert_eq!(page.all("form, input"), 0);
}
