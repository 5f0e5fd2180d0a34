//! Format checks of typed text fields: e-mail, phone, IBAN, German postcode,
//! and the DIN SPEC 91379 character set ("latin").

/// A plausible e-mail address: `local@domain.tld`, no spaces, one `@`.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && domain_ok
}

/// A telephone number: digits with the usual separators, an optional leading
/// `+`, between 5 and 20 digits.
pub fn is_phone(text: &str) -> bool {
    let body = text.strip_prefix('+').unwrap_or(text);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits) && body.chars().all(|c| c.is_ascii_digit() || " -/()".contains(c))
}

/// A German postcode: five digits, not starting with `00`.
pub fn is_postcode(text: &str) -> bool {
    text.len() == 5 && text.chars().all(|c| c.is_ascii_digit()) && !text.starts_with("00")
}

/// IBAN lengths of the SEPA countries citizens most often use; other
/// countries are checked for the general IBAN length range only.
const IBAN_LENGTHS: [(&str, usize); 14] = [
    ("DE", 22),
    ("AT", 20),
    ("CH", 21),
    ("NL", 18),
    ("BE", 16),
    ("FR", 27),
    ("LU", 20),
    ("DK", 18),
    ("PL", 28),
    ("CZ", 24),
    ("IT", 27),
    ("ES", 24),
    ("LI", 21),
    ("GB", 22),
];

/// An IBAN (already without spaces, in capitals) with a valid ISO 13616
/// mod-97 check.
pub fn is_iban(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes[4..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    if let Some((_, length)) = IBAN_LENGTHS.iter().find(|(country, _)| country.as_bytes() == &bytes[..2]) {
        if bytes.len() != *length {
            return false;
        }
    }
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut remainder: u32 = 0;
    for &b in rearranged {
        let value = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        remainder = if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
    }
    remainder == 1
}

/// Whether every character belongs to the "normative Latin characters" of
/// DIN SPEC 91379 (data type C: letters of the Latin blocks with their
/// diacritics, digits and common punctuation). `multiline` also allows line
/// breaks. Characters outside it (Cyrillic, CJK, emoji, control characters)
/// cannot be stored by many case-handling systems.
pub fn is_latin(text: &str, multiline: bool) -> bool {
    text.chars().all(|c| is_latin_char(c) || (multiline && (c == '\n' || c == '\r' || c == '\t')))
}

fn is_latin_char(c: char) -> bool {
    matches!(c,
        ' '..='~'                      // Basic Latin, printable
        | '\u{A0}'..='\u{FF}'          // Latin-1 Supplement, printable
        | '\u{100}'..='\u{17F}'        // Latin Extended-A
        | '\u{18F}' | '\u{192}' | '\u{1A0}' | '\u{1A1}' | '\u{1AF}' | '\u{1B0}' | '\u{1B7}'
        | '\u{1CD}'..='\u{1DC}'        // Pinyin vowels with caron
        | '\u{1DE}'..='\u{1FF}'
        | '\u{218}'..='\u{21B}'        // Romanian comma-below letters
        | '\u{21E}' | '\u{21F}' | '\u{22A}'..='\u{233}' | '\u{259}' | '\u{292}'
        | '\u{2B9}' | '\u{2BA}' | '\u{2BE}' | '\u{2BF}' | '\u{2C8}' | '\u{2CC}'
        | '\u{300}'..='\u{36F}'        // combining diacritics (sequences NFC keeps decomposed)
        | '\u{1E02}'..='\u{1EF9}'      // Latin Extended Additional
        | '\u{2018}'..='\u{201E}'      // typographic quotes
        | '\u{2013}' | '\u{2014}' | '\u{2021}' | '\u{2026}' | '\u{20AC}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("erika.mustermann@example.de"));
        assert!(is_email("a+b@sub.example.org"));
        assert!(!is_email("erika@localhost"));
        assert!(!is_email("erika mustermann@example.de"));
        assert!(!is_email("@example.de"));
        assert!(!is_email("a@b@example.de"));
        assert!(!is_email("a@example.d"));
    }

    #[test]
    fn phones() {
        assert!(is_phone("+49 30 1234567"));
        assert!(is_phone("030/123-456"));
        assert!(!is_phone("123"));
        assert!(!is_phone("030 CALL ME"));
        assert!(!is_phone("++49 30 1234567"));
    }

    #[test]
    fn postcodes() {
        assert!(is_postcode("10115"));
        assert!(!is_postcode("1011"));
        assert!(!is_postcode("00999"));
        assert!(!is_postcode("1011a"));
    }

    #[test]
    fn ibans() {
        assert!(is_iban("DE89370400440532013000"));
        assert!(is_iban("AT611904300234573201"));
        assert!(!is_iban("DE89370400440532013001"));
        assert!(!is_iban("DE8937040044053201300"));
        assert!(!is_iban("XX"));
    }

    #[test]
    fn latin() {
        assert!(is_latin("Müller-Lüdenscheidt", false));
        assert!(is_latin("Ørsted Ţăranu Nguyễn", false));
        assert!(is_latin("Straße des 17. Juni", false));
        assert!(!is_latin("Иванов", false));
        assert!(!is_latin("王", false));
        assert!(!is_latin("Zeile\nZeile", false));
        assert!(is_latin("Zeile\nZeile", true));
    }
}
