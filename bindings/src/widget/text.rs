//! The widget's own words, in German and English (the engine brings the
//! validation messages; definitions and tenants bring everything else).

/// A built-in UI text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Msg {
    Optional,
    ErrorPrefix,
    WarningPrefix,
    TitleErrorPrefix,
    ErrorSummaryTitle,
    StepOf,
    StepsLabel,
    ReviewTitle,
    ReviewIntro,
    Next,
    ToReview,
    BackToReview,
    Back,
    Send,
    Change,
    Add,
    Remove,
    Entry,
    RemoveFile,
    Files,
    AcceptedTypes,
    MaxFileSize,
    Day,
    Month,
    Year,
    DateExample,
    Yes,
    No,
    NotGiven,
    Select,
    DraftTitle,
    SaveDraft,
    ExportDraft,
    ImportDraft,
    DiscardDraft,
    DraftSaved,
    DraftRestored,
    DraftOtherVersion,
    DraftImported,
    DraftDiscarded,
    DraftForeign,
    DraftUnreadable,
    StorageUnavailable,
    AttachmentsAgain,
    Sending,
    SendFailed,
    SendFailedStatus,
    Retry,
    NoAction,
    RejectedIntro,
    ReceivedTitle,
    Reference,
    ReceivedText,
    Unavailable,
    UnavailableText,
    Contact,
    Phone,
    Email,
    Privacy,
    Imprint,
    Accessibility,
    LanguageLabel,
    LegalLinks,
}

/// The text of `msg` in `lang` (German unless `lang` is English).
pub(crate) fn t(lang: &str, msg: Msg) -> &'static str {
    let (de, en) = texts(msg);
    if lang == "en" {
        en
    } else {
        de
    }
}

fn texts(msg: Msg) -> (&'static str, &'static str) {
    use Msg::*;
    match msg {
        Optional => ("(optional)", "(optional)"),
        ErrorPrefix => ("Fehler:", "Error:"),
        WarningPrefix => ("Hinweis:", "Note:"),
        TitleErrorPrefix => ("Fehler: ", "Error: "),
        ErrorSummaryTitle => ("Es gibt ein Problem", "There is a problem"),
        StepOf => ("Schritt {n} von {m}", "Step {n} of {m}"),
        StepsLabel => ("Fortschritt", "Progress"),
        ReviewTitle => ("Angaben prüfen und absenden", "Check your answers and send"),
        ReviewIntro => (
            "Bitte prüfen Sie Ihre Angaben. Mit „Ändern“ kommen Sie zur Frage zurück.",
            "Check your answers. Use “Change” to go back to a question.",
        ),
        Next => ("Weiter", "Continue"),
        ToReview => ("Weiter zur Prüfung", "Continue to check your answers"),
        BackToReview => ("Zurück zur Prüfung", "Back to check your answers"),
        Back => ("Zurück", "Back"),
        Send => ("Absenden", "Send"),
        Change => ("Ändern", "Change"),
        Add => ("{label} hinzufügen", "Add {label}"),
        Remove => ("{label} entfernen", "Remove {label}"),
        Entry => ("{label} {n}", "{label} {n}"),
        RemoveFile => ("Entfernen", "Remove"),
        Files => ("Ausgewählte Dateien", "Selected files"),
        AcceptedTypes => ("Erlaubte Formate: {list}", "Allowed formats: {list}"),
        MaxFileSize => ("Höchstens {size} je Datei", "At most {size} per file"),
        Day => ("Tag", "Day"),
        Month => ("Monat", "Month"),
        Year => ("Jahr", "Year"),
        DateExample => ("Zum Beispiel 27 3 2007", "For example, 27 3 2007"),
        Yes => ("Ja", "Yes"),
        No => ("Nein", "No"),
        NotGiven => ("Keine Angabe", "Not given"),
        Select => ("Bitte auswählen", "Select an option"),
        DraftTitle => ("Entwurf", "Draft"),
        SaveDraft => ("Entwurf in diesem Browser speichern", "Save draft in this browser"),
        ExportDraft => ("Entwurf als Datei herunterladen", "Download draft as a file"),
        ImportDraft => ("Entwurf aus Datei laden", "Load draft from a file"),
        DiscardDraft => ("Gespeicherten Entwurf löschen", "Delete saved draft"),
        DraftSaved => (
            "Ihr Entwurf ist in diesem Browser gespeichert. Auf einem gemeinsam genutzten Gerät löschen Sie ihn bitte nach dem Absenden.",
            "Your draft is saved in this browser. On a shared device, delete it when you have sent the form.",
        ),
        DraftRestored => ("Ihr gespeicherter Entwurf wurde geladen.", "Your saved draft has been loaded."),
        DraftOtherVersion => (
            "Das Formular wurde inzwischen geändert: Angaben, die noch passen, wurden übernommen. Bitte prüfen Sie alles.",
            "The form has changed since: answers that still fit were kept. Please check everything.",
        ),
        DraftImported => ("Der Entwurf aus der Datei wurde geladen.", "The draft from the file has been loaded."),
        DraftDiscarded => ("Der gespeicherte Entwurf wurde gelöscht.", "The saved draft has been deleted."),
        DraftForeign => ("Die Datei ist kein Entwurf dieses Formulars.", "The file is not a draft of this form."),
        DraftUnreadable => ("Die Datei konnte nicht gelesen werden.", "The file could not be read."),
        StorageUnavailable => (
            "Dieser Browser erlaubt das Speichern nicht. Laden Sie den Entwurf stattdessen als Datei herunter.",
            "This browser does not allow saving. Download the draft as a file instead.",
        ),
        AttachmentsAgain => (
            "Dateien werden nicht im Entwurf gespeichert. Bitte wählen Sie Ihre Nachweise erneut aus.",
            "Files are not kept in a draft. Please select your files again.",
        ),
        Sending => ("Ihre Angaben werden gesendet …", "Sending your answers …"),
        SendFailed => (
            "Das Senden hat nicht geklappt. Ihre Angaben sind nicht verloren. Bitte prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.",
            "Sending did not work. Your answers are not lost. Check your internet connection and try again.",
        ),
        SendFailedStatus => (
            "Das Senden hat nicht geklappt (Fehler {status}). Ihre Angaben sind nicht verloren. Bitte versuchen Sie es später erneut.",
            "Sending did not work (error {status}). Your answers are not lost. Please try again later.",
        ),
        Retry => ("Erneut senden", "Try sending again"),
        NoAction => ("Für dieses Formular ist keine Empfangsadresse eingerichtet.", "No address to send this form to has been set up."),
        RejectedIntro => ("Die Behörde hat Ihre Angaben geprüft:", "The authority checked your answers:"),
        ReceivedTitle => ("Antrag gesendet", "Application sent"),
        Reference => ("Ihre Vorgangsnummer", "Your reference number"),
        ReceivedText => (
            "Wir haben Ihre Angaben erhalten. Bitte notieren Sie die Vorgangsnummer für Rückfragen.",
            "We have received your answers. Please note the reference number for any questions.",
        ),
        Unavailable => ("Das Formular kann gerade nicht angezeigt werden", "The form cannot be shown at the moment"),
        UnavailableText => (
            "Bitte versuchen Sie es später erneut oder wenden Sie sich an die Behörde.",
            "Please try again later or contact the authority.",
        ),
        Contact => ("Kontakt", "Contact"),
        Phone => ("Telefon", "Telephone"),
        Email => ("E-Mail", "Email"),
        Privacy => ("Datenschutz", "Privacy notice"),
        Imprint => ("Impressum", "Imprint"),
        Accessibility => ("Barrierefreiheit", "Accessibility statement"),
        LanguageLabel => ("Sprache", "Language"),
        LegalLinks => ("Rechtliches", "Legal"),
    }
}

/// The name of a language in itself, for the language switch.
pub(crate) fn language_name(code: &str) -> &str {
    match code {
        "de" => "Deutsch",
        "en" => "English",
        "fr" => "Français",
        "tr" => "Türkçe",
        "uk" => "Українська",
        "ar" => "العربية",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_german_fallback() {
        assert_eq!(t("en", Msg::Next), "Continue");
        assert_eq!(t("de", Msg::Next), "Weiter");
        assert_eq!(t("fr", Msg::Next), "Weiter");
    }
}
