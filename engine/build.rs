//! Computes the engine fingerprint that every compiled form image carries
//! (`EFA_ENGINE_FINGERPRINT`, read by `src/image/`).
//!
//! The image encoding mirrors internal types, which change between commits
//! without a version bump, so an image is only accepted by the exact engine
//! source that wrote it: the fingerprint is FNV-1a 64 over the crate
//! version and every file under `src/` (its path and contents, sorted by
//! path so the result does not depend on the order the file system lists
//! them in; hidden files are skipped).
//!
//! The `unicode-nfc` feature is deliberately not part of it: it changes how
//! input text is normalized, not the layout of any type in an image, and the
//! CLI (with the feature) must write images that the widget (without it)
//! reads.

use std::fs;
use std::path::{Path, PathBuf};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    let mut hash = FNV_OFFSET;
    feed(&mut hash, std::env::var("CARGO_PKG_VERSION").unwrap_or_default().as_bytes());
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    for (name, path) in files {
        let contents = fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        // Lengths first, so that no two different file sets hash the same
        // byte stream (a file's end cannot be moved into the next name).
        feed(&mut hash, &(name.len() as u64).to_le_bytes());
        feed(&mut hash, name.as_bytes());
        feed(&mut hash, &(contents.len() as u64).to_le_bytes());
        feed(&mut hash, &contents);
    }
    println!("cargo:rustc-env=EFA_ENGINE_FINGERPRINT={hash:016x}");
}

/// Every file below `dir` as (path with `/` separators, path on disk), so
/// the names, and with them the order, are the same on every platform.
fn collect(dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        // Hidden files (editor swap files, `.DS_Store`) are not source; a
        // stray one must not make two builds of the same source differ.
        if path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            let name = path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            files.push((name, path));
        }
    }
}

fn feed(hash: &mut u64, bytes: &[u8]) {
    for &byte in bytes {
        *hash ^= u64::from(byte);
        *hash = hash.wrapping_mul(FNV_PRIME);
    }
}
