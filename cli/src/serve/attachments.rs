//! Attachments as received versus attachments as declared.
//!
//! The submission lists each attachment field's files as metadata (`name`,
//! `type`, `size`); the engine checks those against the definition (count,
//! media type, size). Here the server makes sure the metadata tells the
//! truth: every listed file arrived, under the field's JSON pointer and in
//! the listed order, with exactly the listed size, the listed name, and
//! content that looks like the listed type. So the definition's limits hold
//! for what was actually received.

use bytes::Bytes;
use efa_engine::compile::CompiledForm;
use efa_engine::model::FieldType;
use efa_engine::Issue;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::idempotency::hex;
use super::storage::{AttachmentMeta, NewAttachment};

/// A file part of a multipart submission.
#[derive(Debug, Clone)]
pub struct ReceivedFile {
    /// The part's name: the JSON pointer of the attachment field.
    pub part: String,
    /// The part's file name, if it gave one.
    pub name: Option<String>,
    /// The part's declared media type, if any.
    pub content_type: Option<String>,
    /// The bytes.
    pub content: Bytes,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

impl ReceivedFile {
    /// A received file; computes its digest.
    pub fn new(part: String, name: Option<String>, content_type: Option<String>, content: Bytes) -> Self {
        let sha256 = hex(&Sha256::digest(&content));
        ReceivedFile { part, name, content_type, content, sha256 }
    }
}

/// The attachment fields present in submission data, as (JSON pointer,
/// value), in document order. Only keys that name fields of the form are
/// followed, so unknown data costs nothing.
pub fn listed<'a>(form: &CompiledForm, data: &'a Json) -> Vec<(String, &'a Json)> {
    let mut found = Vec::new();
    walk(form, data, "", &mut found);
    found
}

fn walk<'a>(form: &CompiledForm, value: &'a Json, prefix: &str, found: &mut Vec<(String, &'a Json)>) {
    let Some(object) = value.as_object() else { return };
    for (key, value) in object {
        let pointer = format!("{prefix}/{}", key.replace('~', "~0").replace('/', "~1"));
        let Some(node) = form.node_at(&pointer).map(|id| form.node(id)) else { continue };
        match node.field_type() {
            Some(FieldType::Attachment) => found.push((pointer, value)),
            Some(FieldType::Group) if node.is_repeat() => {
                for (index, instance) in value.as_array().into_iter().flatten().enumerate() {
                    walk(form, instance, &format!("{pointer}/{index}"), found);
                }
            }
            Some(FieldType::Group) => walk(form, value, &pointer, found),
            _ => {}
        }
    }
}

/// Issues where received files and declared metadata disagree.
pub fn check(listed: &[(String, &Json)], files: &[ReceivedFile], lang: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (pointer, value) in listed {
        let declared = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let received: Vec<&ReceivedFile> = files.iter().filter(|f| &f.part == pointer).collect();
        for index in 0..declared.len().max(received.len()) {
            let problem = match (declared.get(index), received.get(index)) {
                (Some(meta), Some(file)) => mismatch(meta, file).map(|what| ("attachment_mismatch", name_of(meta), Some(what))),
                (Some(meta), None) => Some(("attachment_missing", name_of(meta), None)),
                (None, Some(file)) => Some(("attachment_unexpected", file.name.clone().unwrap_or_default(), None)),
                (None, None) => None,
            };
            if let Some((code, file, what)) = problem {
                issues.push(issue(code, pointer, &file, what, lang));
            }
        }
    }
    for file in files.iter().filter(|f| !listed.iter().any(|(p, _)| p == &f.part)) {
        issues.push(issue("attachment_unexpected", &file.part, file.name.as_deref().unwrap_or_default(), None, lang));
    }
    issues
}

/// The stored form of the files of a valid submission: metadata from the
/// canonical submission, bytes as received (already checked to match).
pub fn to_store(listed: &[(String, &Json)], files: &[ReceivedFile]) -> Vec<NewAttachment> {
    let mut stored = Vec::new();
    for (pointer, value) in listed {
        let received = files.iter().filter(|f| &f.part == pointer);
        for (meta, file) in value.as_array().into_iter().flatten().zip(received) {
            let n = u32::try_from(stored.len()).unwrap_or(u32::MAX);
            stored.push(NewAttachment {
                meta: AttachmentMeta {
                    n,
                    path: pointer.clone(),
                    name: name_of(meta),
                    media_type: meta.get("type").and_then(Json::as_str).unwrap_or_default().to_string(),
                    size: file.content.len() as u64,
                    sha256: file.sha256.clone(),
                },
                content: file.content.clone(),
            });
        }
    }
    stored
}

fn name_of(meta: &Json) -> String {
    meta.get("name").and_then(Json::as_str).unwrap_or_default().trim().to_string()
}

/// What differs between a file's metadata and the file, if anything.
fn mismatch(meta: &Json, file: &ReceivedFile) -> Option<&'static str> {
    let declared_type = meta.get("type").and_then(Json::as_str).unwrap_or_default().trim().to_ascii_lowercase();
    if meta.get("size").and_then(Json::as_u64) != Some(file.content.len() as u64) {
        return Some("size");
    }
    if file.name.as_deref().map(str::trim).is_some_and(|n| !n.is_empty() && n != name_of(meta)) {
        return Some("name");
    }
    let part_type = file.content_type.as_deref().map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    if part_type.is_some_and(|t| !t.is_empty() && t != "application/octet-stream" && t != declared_type) {
        return Some("type");
    }
    (!content_fits(&declared_type, &file.content)).then_some("type")
}

/// Whether the bytes are plausible for the media type: types with a
/// signature must start with it, and content with a known signature must
/// not claim to be something else (an executable named `.pdf`).
pub fn content_fits(media_type: &str, content: &[u8]) -> bool {
    let media_type = match media_type {
        "image/jpg" | "image/pjpeg" => "image/jpeg",
        other => other,
    };
    match sniff(content) {
        Some("application/zip") => media_type == "application/zip" || zip_based(media_type),
        Some(sniffed) => sniffed == media_type,
        // Text has no signature, but binary content (a renamed executable) has NUL bytes.
        None if media_type.starts_with("text/") => !content.contains(&0),
        None => !SIGNED.contains(&media_type),
    }
}

/// Media types whose files always start with a signature that [`sniff`] knows.
const SIGNED: [&str; 6] = ["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff"];

fn zip_based(media_type: &str) -> bool {
    media_type.starts_with("application/vnd.openxmlformats-officedocument.")
        || media_type.starts_with("application/vnd.oasis.opendocument.")
        || media_type == "application/epub+zip"
}

/// The media type a file's first bytes announce, if they announce one.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 9] = [
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"II*\0", "image/tiff"),
        (b"MM\0*", "image/tiff"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x7fELF", "application/x-executable"),
    ];
    if content.len() >= 12 && &content[..4] == b"RIFF" && &content[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    SIGNATURES.iter().find(|(magic, _)| content.starts_with(magic)).map(|(_, media_type)| *media_type)
}

fn issue(code: &'static str, path: &str, file: &str, what: Option<&str>, lang: &str) -> Issue {
    let en = lang == "en";
    let message = match (code, what) {
        ("attachment_missing", _) if en => format!("The file “{file}” was not received. Upload it again."),
        ("attachment_missing", _) => format!("Die Datei „{file}“ ist nicht angekommen. Bitte laden Sie sie erneut hoch."),
        ("attachment_unexpected", _) if en => format!("The file “{file}” was sent but is not part of your answers."),
        ("attachment_unexpected", _) => format!("Die Datei „{file}“ wurde gesendet, gehört aber nicht zu Ihren Angaben."),
        (_, Some("type")) if en => format!("The content of the file “{file}” does not match its type."),
        (_, Some("type")) => format!("Der Inhalt der Datei „{file}“ passt nicht zu ihrem Dateityp."),
        (_, Some("size")) if en => format!("The file “{file}” did not arrive completely. Upload it again."),
        (_, Some("size")) => format!("Die Datei „{file}“ ist nicht vollständig angekommen. Bitte laden Sie sie erneut hoch."),
        _ if en => format!("The file “{file}” does not match the details sent with it."),
        _ => format!("Die Datei „{file}“ passt nicht zu den mitgesendeten Angaben."),
    };
    Issue { code: code.into(), path: path.into(), message: message.into(), rule: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file(part: &str, name: &str, media_type: &str, content: &[u8]) -> ReceivedFile {
        ReceivedFile::new(part.into(), Some(name.into()), Some(media_type.into()), Bytes::copy_from_slice(content))
    }

    #[test]
    fn content_must_fit_the_declared_type() {
        assert!(content_fits("application/pdf", b"%PDF-1.7 ..."));
        assert!(!content_fits("application/pdf", b"MZ\x90\0 not a pdf"));
        assert!(!content_fits("application/pdf", b"plain text"));
        assert!(content_fits("image/jpg", b"\xff\xd8\xff\xe0"));
        assert!(content_fits("text/plain", b"hello"));
        assert!(!content_fits("text/plain", b"\x7fELF...."));
        assert!(!content_fits("text/plain", b"MZ\x90\0\x03\0"));
        assert!(content_fits("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04..."));
        assert!(content_fits("image/webp", b"RIFF\0\0\0\0WEBPVP8 "));
    }

    #[test]
    fn finds_missing_unexpected_and_mismatched_files() {
        let declared = json!([
            {"name": "a.pdf", "type": "application/pdf", "size": 9},
            {"name": "b.pdf", "type": "application/pdf", "size": 9}
        ]);
        let listed = vec![("/hund/0/nachweis".to_string(), &declared)];
        let ok = file("/hund/0/nachweis", "a.pdf", "application/pdf", b"%PDF-1.7\n");
        assert_eq!(check(&listed, std::slice::from_ref(&ok), "de")[0].code, "attachment_missing");
        let wrong_size = file("/hund/0/nachweis", "b.pdf", "application/pdf", b"%PDF-1.7\n\n");
        assert_eq!(check(&listed, &[ok.clone(), wrong_size], "en")[0].code, "attachment_mismatch");
        let b = file("/hund/0/nachweis", "b.pdf", "application/pdf", b"%PDF-1.7\n");
        assert!(check(&listed, &[ok.clone(), b.clone()], "de").is_empty());
        let stray = file("/hund/1/nachweis", "c.pdf", "application/pdf", b"%PDF-1.7\n");
        let issues = check(&listed, &[ok, b, stray], "de");
        assert_eq!((&*issues[0].code, &*issues[0].path), ("attachment_unexpected", "/hund/1/nachweis"));
    }
}
