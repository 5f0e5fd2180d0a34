//! Compiled form images (`write_image` / `read_image`): every real form
//! comes back exactly as compiled, and no bytes — random, truncated, or a
//! real image altered behind a valid checksum — make the reader panic.
//! (The conformance runner also runs the whole corpus through images:
//! `tests/conformance.rs`.)

use std::fs;
use std::path::{Path, PathBuf};

use efa_engine::model::{CodeList, Tenant};
use efa_engine::{
    compile, engine_fingerprint, parse_codelist, parse_tenant, read_image, write_image, CompiledForm, ImageError, NameMap, Resources,
    IMAGE_MAGIC,
};
use proptest::prelude::*;
use serde_json::Value as Json;

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms")
}

fn read(path: &Path) -> Json {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The `*.json` files of a directory, sorted, without the JSON Schemas.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "json") && !p.to_string_lossy().ends_with(".schema.json"));
    paths.sort();
    paths
}

fn codelists() -> NameMap<CodeList> {
    json_files(&forms_dir().join("codelists")).iter().map(|p| parse_codelist(&read(p)).unwrap()).map(|l| (l.id.clone(), l)).collect()
}

fn tenants() -> Vec<Tenant> {
    json_files(&forms_dir().join("tenants")).iter().map(|p| parse_tenant(&read(p)).unwrap()).collect()
}

/// Every real form, compiled without a tenant and for each tenant.
fn real_forms() -> Vec<(String, CompiledForm, Option<Tenant>)> {
    let (codelists, tenants) = (codelists(), tenants());
    let mut out = Vec::new();
    for path in json_files(&forms_dir()) {
        let definition = read(&path);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        for tenant in std::iter::once(None).chain(tenants.iter().map(Some)) {
            let resources = Resources { codelists: Some(&codelists), tenant };
            let form = compile(&definition, resources).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            out.push((format!("{name} / {:?}", tenant.map(|t| &t.id)), form, tenant.cloned()));
        }
    }
    out
}

/// One image per real form (with the tenant Musterstadt), for the hostile tests.
fn real_images() -> Vec<Vec<u8>> {
    let forms = real_forms();
    forms
        .iter()
        .filter(|(name, ..)| name.ends_with("\"musterstadt\")"))
        .map(|(_, form, tenant)| write_image(form, tenant.as_ref()))
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// `image` with its checksum made right again after an edit.
fn resealed(mut image: Vec<u8>) -> Vec<u8> {
    let end = image.len() - 8;
    let sum = fnv1a(&image[..end]);
    image[end..].copy_from_slice(&sum.to_le_bytes());
    image
}

const HEADER: usize = 20;

#[test]
fn every_real_form_and_tenant_comes_back_as_compiled() {
    let forms = real_forms();
    assert_eq!(forms.len(), 16, "4 forms × (no tenant + 3 tenants)");
    for (name, form, tenant) in &forms {
        let image = write_image(form, tenant.as_ref());
        assert!(image.starts_with(IMAGE_MAGIC), "{name}");
        let (read, read_tenant) = read_image(&image).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(format!("{read:?}"), format!("{form:?}"), "{name}");
        assert_eq!(format!("{read_tenant:?}"), format!("{tenant:?}"), "{name}");
        assert_eq!(write_image(&read, read_tenant.as_ref()), image, "{name}: a form read back writes the same bytes");
    }
}

#[test]
fn the_same_form_gives_the_same_bytes() {
    let (first, second) = (real_forms(), real_forms());
    for ((name, a, ta), (_, b, tb)) in first.iter().zip(&second) {
        assert_eq!(write_image(a, ta.as_ref()), write_image(b, tb.as_ref()), "{name}");
    }
}

#[test]
fn a_json_definition_is_not_an_image() {
    for bytes in [&b"{\"id\": 1}"[..], b"", b"EFA", b"  {\"id\": \"f\"}", b"[]"] {
        assert_eq!(read_image(bytes).unwrap_err(), ImageError::NotAnImage, "{:?}", String::from_utf8_lossy(bytes));
    }
    for path in json_files(&forms_dir()) {
        assert_eq!(read_image(&fs::read(&path).unwrap()).unwrap_err(), ImageError::NotAnImage, "{}", path.display());
    }
    assert!(ImageError::NotAnImage.to_string().contains("not a compiled form image"));
}

#[test]
fn an_image_of_another_engine_build_names_both_fingerprints() {
    let image = &real_images()[0];
    let mut other = image.clone();
    other[4..HEADER].copy_from_slice(b"0123456789abcdef");
    let expected = ImageError::OtherEngine { found: "0123456789abcdef".into(), expected: engine_fingerprint().into() };
    assert_eq!(read_image(&resealed(other.clone())).unwrap_err(), expected);
    // The fingerprint is compared first: another build may checksum differently.
    assert_eq!(read_image(&other).unwrap_err(), expected);
    let message = expected.to_string();
    assert!(message.contains("0123456789abcdef") && message.contains(engine_fingerprint()), "{message}");
}

#[test]
fn an_altered_or_cut_image_is_damaged() {
    let image = &real_images()[0];
    let mut flipped = image.clone();
    flipped[HEADER + 10] ^= 0x40;
    assert_eq!(read_image(&flipped).unwrap_err(), ImageError::Damaged("its checksum does not match".into()));
    for len in [5, HEADER, HEADER + 7, image.len() / 2, image.len() - 1] {
        assert!(matches!(read_image(&image[..len]), Err(ImageError::Damaged(_))), "cut at {len}");
    }
    // Behind a valid checksum the payload decoder itself finds the damage.
    let mut longer = image.clone();
    longer.insert(image.len() - 8, 0);
    assert_eq!(read_image(&resealed(longer)).unwrap_err(), ImageError::Damaged("bytes follow the end of the form".into()));
    let mut cut = image[..image.len() / 2].to_vec();
    cut.extend_from_slice(&[0; 8]);
    assert!(matches!(read_image(&resealed(cut)), Err(ImageError::Damaged(_))));
    assert!(ImageError::Damaged("x".into()).to_string().contains("damaged (x)"));
}

#[test]
fn every_truncation_of_a_real_image_is_damaged() {
    let (_, form, tenant) = real_forms().into_iter().find(|(name, ..)| name == "bewohnerparkausweis / None").unwrap();
    let image = write_image(&form, tenant.as_ref());
    for len in 0..image.len() {
        let error = read_image(&image[..len]).unwrap_err();
        assert_eq!(error == ImageError::NotAnImage, len < 4, "cut at {len}: {error:?}");
        // Cut inside the payload, with a checksum that fits: the decoder runs out.
        if (HEADER..image.len() - 8).contains(&len) {
            let mut cut = image[..len].to_vec();
            cut.extend_from_slice(&[0; 8]);
            assert!(matches!(read_image(&resealed(cut)), Err(ImageError::Damaged(_))), "payload cut at {len}");
        }
    }
}

fn images() -> &'static [Vec<u8>] {
    static IMAGES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    IMAGES.get_or_init(real_images)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_image(&bytes);
        // The same bytes as a payload behind a valid header and checksum.
        let mut image = IMAGE_MAGIC.to_vec();
        image.extend_from_slice(engine_fingerprint().as_bytes());
        image.extend_from_slice(&bytes);
        image.extend_from_slice(&[0; 8]);
        let _ = read_image(&resealed(image));
    }

    #[test]
    fn truncated_real_images_never_panic(form in 0usize..4, at in any::<prop::sample::Index>()) {
        let image = &images()[form];
        let len = at.index(image.len());
        prop_assert!(read_image(&image[..len]).is_err());
        // Cut inside the payload, behind a checksum that fits.
        let mut cut = image[..len.clamp(HEADER, image.len() - 9)].to_vec();
        cut.extend_from_slice(&[0; 8]);
        prop_assert!(read_image(&resealed(cut)).is_err());
    }

    #[test]
    fn altered_payloads_behind_a_valid_checksum_never_panic(
        form in 0usize..4,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
    ) {
        let mut image = images()[form].clone();
        let payload = image.len() - HEADER - 8;
        for (at, mask) in flips {
            image[HEADER + at.index(payload)] ^= mask;
        }
        if let Ok((form, tenant)) = read_image(&resealed(image)) {
            // Whatever was read is a whole value: it can be printed and dropped.
            let _ = format!("{form:?}{tenant:?}");
        }
    }
}
