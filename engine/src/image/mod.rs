//! Compiled form images: a [`CompiledForm`] (and the tenant it was compiled
//! for) as bytes, so that the browser widget loads forms compiled ahead of
//! time instead of carrying the compiler (~45 KB gzip of its download).
//!
//! Layout: [`IMAGE_MAGIC`], the [engine fingerprint](engine_fingerprint)
//! (16 ASCII hex digits), the payload, and the FNV-1a 64 checksum (8 bytes,
//! little-endian) of everything before it. The payload is hand-written and
//! compact: LEB128 integers (zigzag for signed ones), length-prefixed UTF-8
//! strings, one tag byte per enum variant, `Option` as a 0/1 byte, lists
//! as a count and their items. `write` and `read` hold one function per
//! type, in the same order, so the two can be reviewed side by side.
//!
//! Invariants:
//! - **Fingerprint-exact.** The payload mirrors internal types, which change
//!   between commits without a version bump, so an image is only read by
//!   the very engine source that wrote it ([`ImageError::OtherEngine`]
//!   otherwise). The fingerprint comes first: another build may have changed
//!   anything after it, even the checksum.
//! - **Never panics, allocates only what the input justifies.** Every
//!   length is checked against the bytes left before anything is read or
//!   allocated, recursion (expressions, values, types, JSON) is bounded by
//!   [`MAX_DEPTH`], strings must be UTF-8, and trailing bytes are an error.
//! - **No compiler reachable from [`read_image`].** It stores what compiling
//!   produced (typed expression trees, pattern programs, the graph, scopes,
//!   references) and never calls the definition reader, the expression or
//!   pattern compiler, the tenant checks or graph building: that is what the
//!   widget drops. Only the member index is rebuilt (a few hash maps).
//! - **Deterministic:** the same form gives the same bytes.
//!
//! Semantic consistency (node ids and references in range, a valid graph)
//! is not checked, beyond what rebuilding the member index needs: an image
//! with a valid checksum and this engine's fingerprint can only come from
//! [`write_image`]. The portal operator serves it from the same origin as
//! the widget's own code, so a crafted image is no more dangerous than a
//! crafted script.

mod read;
mod write;

use std::fmt;

use crate::model::Tenant;
use crate::CompiledForm;

/// First bytes of every image (lets a loader tell an image from JSON).
pub const IMAGE_MAGIC: &[u8; 4] = b"EFAi";

/// Deepest nesting of expressions, values, types and JSON values that an
/// image may hold. The compiler accepts expressions nested 64 levels (as
/// typed trees, with conversions and constants inside, well below this) and
/// JSON nested 127 levels; the limit bounds the reader's recursion, which
/// runs on the widget's 256 KB stack.
const MAX_DEPTH: usize = 200;

/// Length of the fingerprint in the header: 16 hex digits.
const FINGERPRINT_LEN: usize = 16;
/// Magic and fingerprint.
const HEADER_LEN: usize = IMAGE_MAGIC.len() + FINGERPRINT_LEN;
/// The checksum at the end.
const CHECKSUM_LEN: usize = 8;

/// The fingerprint of this engine build: FNV-1a 64 over the crate version
/// and the source files, as 16 hex digits (computed by `build.rs`). Images
/// are only read by an engine with the same fingerprint.
pub fn engine_fingerprint() -> &'static str {
    env!("EFA_ENGINE_FINGERPRINT")
}

/// Writes `form` and the tenant it was compiled for.
pub fn write_image(form: &CompiledForm, tenant: Option<&Tenant>) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(IMAGE_MAGIC);
    out.extend_from_slice(engine_fingerprint().as_bytes());
    let mut out = write::image(out, form, tenant);
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Reads an image written by this very engine build. Never panics, on any bytes.
pub fn read_image(bytes: &[u8]) -> Result<(CompiledForm, Option<Tenant>), ImageError> {
    if !bytes.starts_with(IMAGE_MAGIC) {
        return Err(ImageError::NotAnImage);
    }
    let expected = engine_fingerprint();
    let found = bytes.get(IMAGE_MAGIC.len()..HEADER_LEN).ok_or_else(|| damaged("it ends inside its header"))?;
    if found != expected.as_bytes() {
        return Err(ImageError::OtherEngine { found: String::from_utf8_lossy(found).into_owned(), expected: expected.into() });
    }
    let body_len = bytes.len().checked_sub(CHECKSUM_LEN).filter(|&len| len >= HEADER_LEN).ok_or_else(|| damaged("it ends too early"))?;
    let (body, sum) = bytes.split_at(body_len);
    let mut stored = [0; CHECKSUM_LEN];
    stored.copy_from_slice(sum);
    if checksum(body) != u64::from_le_bytes(stored) {
        return Err(damaged("its checksum does not match"));
    }
    read::image(&body[HEADER_LEN..])
}

/// Why bytes are not a usable image. Display gives a clear English sentence for a portal operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// Does not start with IMAGE_MAGIC (e.g. a JSON definition).
    NotAnImage,
    /// Written by another engine build: `found` is that build's fingerprint, `expected` this one's.
    OtherEngine {
        /// The fingerprint of the engine that wrote the image.
        found: String,
        /// The fingerprint of this engine.
        expected: String,
    },
    /// Truncated or corrupted (checksum mismatch, bad tag, length beyond the end, …): what was wrong.
    Damaged(String),
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::NotAnImage => f.write_str(
                "This is not a compiled form image (a JSON form definition, perhaps); \
                 compile it with `efa compile` and serve the image it writes.",
            ),
            ImageError::OtherEngine { found, expected } => write!(
                f,
                "This form image was compiled by another engine build (fingerprint {found}, this engine is {expected}); \
                 compile it again with `efa compile` of the same release as the widget."
            ),
            ImageError::Damaged(what) => {
                write!(f, "This form image is damaged ({what}); compile it again with `efa compile` and serve the new image unchanged.")
            }
        }
    }
}

impl std::error::Error for ImageError {}

/// A [`ImageError::Damaged`] saying `what`.
fn damaged(what: &str) -> ImageError {
    ImageError::Damaged(what.into())
}

/// FNV-1a 64: a few lines, no tables, and enough to catch a truncated or
/// altered download (it is no protection against a deliberate forgery, and
/// need not be: see the module documentation).
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests;
