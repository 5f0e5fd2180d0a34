//! Moving between pages, and the validation that guards it: “Weiter” checks
//! the current step, a change link returns to the review page, and an error
//! link on any page leads to the field on its own step.

use efa_engine::Issue;
use wasm_bindgen::{JsCast, JsValue};

use super::text::Msg;
use super::{ctx, Widget};
use crate::components::error_summary::Entry;
use crate::components::set_hidden;
use crate::components::step_nav::{caption, Page};
use crate::components::{focus, receipt, review};

/// Where the focus goes after a page change.
pub(super) enum Focus {
    /// Leave it (rebuilds, the summary takes it).
    None,
    /// The page heading, so screen readers start at the top.
    Heading,
}

impl Widget {
    /// Whether each step applies (`#stepid` state).
    pub(super) fn visible_steps(&self) -> Vec<bool> {
        self.form.steps().iter().map(|&s| self.states.get(&["#", &self.form.node(s).id].concat()).is_none_or(|s| s.visible)).collect()
    }

    /// Shows `page`.
    pub(super) fn show_page(&mut self, page: Page, focus_to: Focus) {
        self.page = page;
        if page != Page::Review {
            self.return_to_review &= matches!(page, Page::Step(_));
        }
        let Some(shell) = &self.shell else { return };
        for (index, section) in shell.steps.iter().enumerate() {
            set_hidden(section, page != Page::Step(index));
        }
        set_hidden(&shell.review, page != Page::Review);
        set_hidden(&shell.receipt, page != Page::Receipt);
        set_hidden(&shell.drafts, page == Page::Receipt);
        if page == Page::Review {
            let ctx = ctx!(self);
            let focus_of = |path: &str| self.views.get(path).map(|v| v.focus_id.clone());
            review::render(&ctx, &shell.review, &review::Answers { states: &self.states, focus: &focus_of });
        }
        if page == Page::Receipt {
            receipt::render(&ctx!(self), &shell.receipt, self.reference.as_deref());
        }
        self.update_navigation();
        if let Focus::Heading = focus_to {
            let section = match page {
                Page::Step(index) => shell.steps.get(index),
                Page::Review => Some(&shell.review),
                Page::Receipt => Some(&shell.receipt),
            };
            if let Some(heading) = section.and_then(|s| s.query_selector("[tabindex='-1']").ok().flatten()) {
                focus(&heading);
            }
        }
    }

    /// Progress list, caption and buttons for the current page.
    pub(super) fn update_navigation(&self) {
        let Some(shell) = &self.shell else { return };
        let ctx = ctx!(self);
        let visible = self.visible_steps();
        shell.progress.update(self.page, &visible);
        let total = visible.iter().filter(|v| **v).count();
        let (first, last) = match self.page {
            Page::Step(index) => {
                let position = visible.iter().take(index + 1).filter(|v| **v).count();
                if let Some(caption_element) = shell.steps.get(index).and_then(|s| s.query_selector(".efa-caption").ok().flatten()) {
                    caption_element.set_text_content(Some(&caption(&ctx, position, total)));
                }
                (position <= 1, position >= total)
            }
            _ => (false, true),
        };
        shell.actions.update(&ctx, self.page, first, last, self.return_to_review)
    }

    /// “Weiter”: checks the current step; on success goes to the next step
    /// that applies (or back to the review page after a change link).
    pub(super) fn next(&mut self) {
        let Page::Step(current) = self.page else { return };
        let on_step: Vec<String> = self.views.iter().filter(|(_, v)| v.step == current).map(|(p, _)| p.clone()).collect();
        self.reveal(on_step);
        let errors = self.errors(Some(current));
        if !errors.is_empty() {
            return self.show_errors(&errors, None);
        }
        self.hide_errors();
        let visible = self.visible_steps();
        let following = (current + 1..visible.len()).find(|&i| visible[i]);
        let page = match following {
            Some(index) if !self.return_to_review => Page::Step(index),
            _ => Page::Review,
        };
        self.return_to_review = false;
        self.show_page(page, Focus::Heading)
    }

    /// “Zurück”: the previous step that applies.
    pub(super) fn back(&mut self) {
        let visible = self.visible_steps();
        let before = match self.page {
            Page::Step(index) => index,
            _ => visible.len(),
        };
        if let Some(index) = (0..before).rev().find(|&i| visible[i]) {
            self.hide_errors();
            self.return_to_review = false;
            self.show_page(Page::Step(index), Focus::Heading);
        }
    }

    /// Goes to a page from the progress list.
    pub(super) fn jump(&mut self, page: Page) {
        self.hide_errors();
        self.return_to_review = false;
        self.show_page(page, Focus::Heading)
    }

    /// Follows an error or change link: shows the field's step and focuses
    /// the field. From the review page, “Weiter” then returns there.
    pub(super) fn go_to_field(&mut self, path: &str) {
        let Some(view) = self.views.get(path) else { return };
        let (step, target) = (view.step, view.focus.clone().unwrap_or_else(|| view.group.clone()));
        let from_review = self.page == Page::Review;
        if self.page != Page::Step(step) {
            if from_review {
                self.return_to_review = true;
            }
            // The summary stays visible until the citizen continues.
            self.show_page(Page::Step(step), Focus::None);
        }
        focus(&target);
        let options = super::options(&[("block", &JsValue::from_str("center"))]);
        target.scroll_into_view_with_scroll_into_view_options(options.unchecked_ref());
    }

    /// Shows `issues` in the summary (and at their fields) and focuses it.
    pub(super) fn show_errors(&mut self, issues: &[Issue], intro: Option<&str>) {
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut paths = Vec::new();
        for issue in issues {
            let view_path = self.nearest_view(&issue.path);
            if !seen.insert(view_path.clone().unwrap_or_else(|| issue.message.to_string())) {
                continue;
            }
            let target = view_path.as_ref().and_then(|p| Some((p.clone(), self.views.get(p)?.focus_id.clone())));
            paths.extend(view_path);
            entries.push(Entry { message: issue.message.to_string(), target });
        }
        self.reveal(paths);
        let Some(shell) = &self.shell else { return };
        shell.summary.show(&ctx!(self), intro, &entries);
        self.set_title_error(true);
    }

    /// Re-checks after a language switch so the summary speaks the new language.
    pub(super) fn revalidate_page(&mut self) {
        let step = match self.page {
            Page::Step(current) => Some(current),
            _ => None,
        };
        let errors = self.errors(step);
        if !errors.is_empty() {
            self.show_errors(&errors, None);
        }
    }

    pub(super) fn hide_errors(&mut self) {
        self.set_title_error(false);
        if let Some(shell) = &self.shell {
            shell.summary.hide();
        }
    }

    /// Prefixes the host page's title with “Fehler: ” while errors are shown
    /// (GOV.UK: screen reader users hear it first).
    pub(super) fn set_title_error(&self, on: bool) {
        let title = if on { [ctx!(self).msg(Msg::TitleErrorPrefix), &self.title].concat() } else { self.title.clone() };
        crate::components::set_prop(&self.doc, "title", &JsValue::from_str(&title));
    }

    /// The errors of the current values: on `step`, or everywhere for `None`.
    fn errors(&self, step: Option<usize>) -> Vec<Issue> {
        let mut errors = self.session.report().errors;
        if step.is_some() {
            errors.retain(|issue| self.step_of(&issue.path) == step);
        }
        errors
    }

    /// The step a data path is on.
    fn step_of(&self, path: &str) -> Option<usize> {
        self.form.node_at(path).map(|n| self.form.node(n).step)
    }

    /// The rendered view for `path`, or for its closest rendered ancestor.
    fn nearest_view(&self, path: &str) -> Option<String> {
        let mut candidate = path;
        loop {
            if self.views.contains_key(candidate) {
                return Some(candidate.to_string());
            }
            candidate = candidate.rsplit_once('/')?.0;
            if candidate.is_empty() {
                return None;
            }
        }
    }
}
