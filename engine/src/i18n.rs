//! Built-in messages in German and English.
//!
//! Wording follows the GOV.UK/KERN error-message pattern: say what to do, name
//! the field, no blame, no codes. The same words appear in the error summary
//! and next to the field.

/// Languages with a built-in catalog.
pub const LANGUAGES: [&str; 2] = ["de", "en"];

/// `(code, German, English)`; `{label}` and other `{name}`s are filled in.
const CATALOG: &[(&str, &str, &str)] = &[
    ("required", "Bitte geben Sie „{label}“ an.", "Enter “{label}”."),
    ("required_choice", "Bitte treffen Sie eine Auswahl: „{label}“", "Select an answer: “{label}”"),
    ("required_file", "Bitte laden Sie eine Datei hoch: „{label}“", "Upload a file: “{label}”"),
    ("type", "„{label}“ hat einen Wert der falschen Art.", "“{label}” has a value of the wrong kind."),
    ("format_integer", "„{label}“ muss eine ganze Zahl sein, zum Beispiel 3.", "“{label}” must be a whole number, like 3."),
    ("format_decimal", "„{label}“ muss eine Zahl sein, zum Beispiel 12,5.", "“{label}” must be a number, like 12.5."),
    ("format_money", "„{label}“ muss ein Betrag sein, zum Beispiel 12,50.", "“{label}” must be an amount, like 12.50."),
    ("format_date", "„{label}“ muss ein gültiges Datum sein.", "“{label}” must be a real date."),
    ("format", "„{label}“ ist nicht im richtigen Format.", "“{label}” is not in the right format."),
    ("too_large", "„{label}“ ist zu groß.", "“{label}” is too large."),
    ("min_length", "„{label}“ muss mindestens {min} Zeichen lang sein.", "“{label}” must be {min} characters or more."),
    ("max_length", "„{label}“ darf höchstens {max} Zeichen lang sein.", "“{label}” must be {max} characters or fewer."),
    ("pattern", "„{label}“ ist nicht im erwarteten Format.", "“{label}” is not in the expected format."),
    (
        "latin",
        "„{label}“ enthält Zeichen, die nicht verarbeitet werden können. Bitte verwenden Sie lateinische Buchstaben.",
        "“{label}” contains characters that cannot be processed. Use Latin letters.",
    ),
    (
        "email",
        "Bitte geben Sie eine E-Mail-Adresse im richtigen Format an, zum Beispiel name@example.de.",
        "Enter an email address in the correct format, like name@example.com.",
    ),
    ("phone", "Bitte geben Sie eine Telefonnummer an, zum Beispiel 030 1234567.", "Enter a telephone number, like 030 1234567."),
    ("iban", "Bitte prüfen Sie die IBAN: Sie ist nicht gültig.", "Check the IBAN: it is not valid."),
    ("postcode", "Bitte geben Sie eine fünfstellige Postleitzahl an.", "Enter a five-digit postcode."),
    ("min", "„{label}“ muss mindestens {min} sein.", "“{label}” must be {min} or more."),
    ("max", "„{label}“ darf höchstens {max} sein.", "“{label}” must be {max} or less."),
    ("min_date", "„{label}“ darf nicht vor dem {min} liegen.", "“{label}” must be on or after {min}."),
    ("max_date", "„{label}“ darf nicht nach dem {max} liegen.", "“{label}” must be on or before {max}."),
    ("money_precision", "„{label}“ darf höchstens zwei Nachkommastellen haben.", "“{label}” can have at most two decimal places."),
    ("not_in_options", "Bitte wählen Sie für „{label}“ eine der angebotenen Möglichkeiten.", "Select one of the options for “{label}”."),
    ("min_items", "Bitte wählen Sie für „{label}“ mindestens {min} aus.", "Select at least {min} for “{label}”."),
    ("max_items", "Bitte wählen Sie für „{label}“ höchstens {max} aus.", "Select at most {max} for “{label}”."),
    (
        "attachment_count_min",
        "Bitte laden Sie für „{label}“ mindestens {min} Datei(en) hoch.",
        "Upload at least {min} file(s) for “{label}”.",
    ),
    ("attachment_count_max", "Für „{label}“ sind höchstens {max} Datei(en) möglich.", "Upload at most {max} file(s) for “{label}”."),
    (
        "attachment_type",
        "Die Datei „{file}“ hat ein nicht erlaubtes Format. Erlaubt: {accept}.",
        "The file “{file}” is not an allowed type. Allowed: {accept}.",
    ),
    ("attachment_size", "Die Datei „{file}“ ist größer als {max}.", "The file “{file}” must be smaller than {max}."),
    ("repeat_min", "Bitte geben Sie mindestens {min} Einträge für „{label}“ an.", "Add at least {min} entries for “{label}”."),
    ("repeat_min_one", "Bitte geben Sie mindestens einen Eintrag für „{label}“ an.", "Add at least one entry for “{label}”."),
    ("repeat_max", "Für „{label}“ sind höchstens {max} Einträge möglich.", "Add at most {max} entries for “{label}”."),
    ("unknown_key", "Die Angabe „{key}“ gehört nicht zu diesem Formular.", "“{key}” is not part of this form."),
    ("not_relevant", "„{label}“ darf bei Ihren Angaben nicht ausgefüllt sein.", "“{label}” must not be filled in with your answers."),
    (
        "computed_mismatch",
        "„{label}“ wurde verändert; der Wert wird automatisch berechnet.",
        "“{label}” was changed; it is calculated automatically.",
    ),
    ("readonly", "„{label}“ kann nicht geändert werden.", "“{label}” cannot be changed."),
    ("form_mismatch", "Die Daten gehören zu einem anderen Formular ({found}).", "The data belongs to another form ({found})."),
    (
        "version_mismatch",
        "Die Daten passen zu Version {found} des Formulars, aktuell ist Version {expected}.",
        "The data fits version {found} of the form; the current version is {expected}.",
    ),
    ("envelope", "Die Daten haben nicht den erwarteten Aufbau.", "The data does not have the expected structure."),
];

/// The built-in message for `code` in `lang` (German when `lang` has no
/// catalog), with `{label}` and `args` filled in.
pub fn message(lang: &str, code: &str, label: &str, args: &[(&str, String)]) -> String {
    let entry = CATALOG.iter().find(|(c, _, _)| *c == code).or_else(|| CATALOG.iter().find(|(c, _, _)| *c == "format"));
    let template = match entry {
        Some((_, _, en)) if lang == "en" => *en,
        Some((_, de, _)) => *de,
        None => code,
    };
    fill(template, label, args)
}

/// Replaces each `{name}` of `template` in one pass (messages are built for
/// every changed field state, so no intermediate strings).
fn fill(template: &str, label: &str, args: &[(&str, String)]) -> String {
    let mut text = String::with_capacity(template.len() + label.len());
    let bytes = template.as_bytes();
    // `{` and `}` are ASCII, so every index where one is found is a char
    // boundary. Templates are short: a byte loop beats `str::find` here.
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        let close = (bytes[at] == b'{').then(|| bytes[at..].iter().position(|&b| b == b'}')).flatten();
        let Some(close) = close.map(|offset| at + offset) else {
            at += 1;
            continue;
        };
        let name = &template[at + 1..close];
        let value = if name == "label" { Some(label) } else { args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()) };
        if let Some(value) = value {
            text.push_str(&template[copied..at]);
            text.push_str(value);
            copied = close + 1;
        }
        at = close + 1;
    }
    text.push_str(&template[copied..]);
    text
}

/// Formats a date for people: `31.12.2024` in German, ISO otherwise.
pub fn format_date(lang: &str, date: crate::value::Date) -> String {
    if lang == "en" {
        date.to_string()
    } else {
        format!("{:02}.{:02}.{:04}", date.day(), date.month(), date.year())
    }
}

/// Formats a canonical number (`-1234.5`) for people: `-1.234,5` in
/// German, `-1,234.5` in English. Messages and the widget's display of
/// values both use it, so a bound reads the same in both.
pub fn format_number(lang: &str, canonical: &str) -> String {
    let (sign, digits) = canonical.strip_prefix('-').map_or(("", canonical), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let (group, point) = if lang == "en" { (',', '.') } else { ('.', ',') };
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// Formats a byte count: `10 MB`, `2.5 MB`, `500 KB` (integer arithmetic:
/// float formatting would cost the widget ~15 KB of code).
pub fn format_size(bytes: u64) -> String {
    if bytes >= 1_000_000 && bytes % 100_000 == 0 {
        let tenths = bytes / 100_000;
        if tenths % 10 == 0 {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1_000 {
        format!("{} KB", bytes / 1_000)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_label_and_arguments() {
        assert_eq!(message("de", "max_length", "Name", &[("max", "5".into())]), "„Name“ darf höchstens 5 Zeichen lang sein.");
        assert_eq!(message("en", "required", "Name", &[]), "Enter “Name”.");
        assert_eq!(message("fr", "required", "Name", &[]), "Bitte geben Sie „Name“ an.");
        assert_eq!(fill("{a} {b} {label} {", "L", &[("a", "1".into())]), "1 {b} L {");
    }

    #[test]
    fn every_entry_has_both_languages() {
        for (code, de, en) in CATALOG {
            assert!(!de.is_empty() && !en.is_empty(), "{code}");
            assert_ne!(de, en, "{code} is untranslated");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(format_number("de", "-1234.5"), "-1.234,5");
        assert_eq!(format_number("en", "1234567"), "1,234,567");
        assert_eq!(format_number("de", "123"), "123");
        assert_eq!(format_number("de", "0.05"), "0,05");
    }

    #[test]
    fn sizes() {
        assert_eq!(format_size(10_000_000), "10 MB");
        assert_eq!(format_size(2_500_000), "2.5 MB");
        assert_eq!(format_size(500_000), "500 KB");
    }
}
