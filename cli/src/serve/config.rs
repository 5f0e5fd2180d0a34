//! Command-line options of `efa serve`, and the operator tokens they point to.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Environment variable with operator tokens: `tenant=token,tenant2=token2`
/// (a token may also be given as `sha256:<hex digest>`).
pub const TOKENS_ENV: &str = "EFA_OPERATOR_TOKENS";

/// Options of `efa serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory with the form definitions (`tenants/` and `codelists/` inside).
    #[arg(long, default_value = "forms")]
    pub forms: PathBuf,
    /// Where submissions are stored: `sqlite://FILE` or `postgres://…`.
    #[arg(long, default_value = "sqlite://efa.db")]
    pub database: String,
    /// Directory of the built widget, served under `/widget/`.
    #[arg(long, default_value = "bindings/pkg")]
    pub widget: PathBuf,
    /// The widget's entry module inside `--widget`, loaded by the demo portals.
    #[arg(long, default_value = "efa-form.js")]
    pub widget_entry: String,
    /// Directory of example pages, served under `/examples/`.
    #[arg(long, default_value = "examples/portal")]
    pub examples: PathBuf,
    /// File with operator tokens, one `tenant=token` per line; overrides
    /// the `EFA_OPERATOR_TOKENS` environment variable. Instead of the token,
    /// its SHA-256 digest may be given as `tenant=sha256:<64 hex digits>`
    /// (`printf %s "$TOKEN" | sha256sum`), so no file holds the token itself.
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    /// Largest JSON request body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_json_bytes: usize,
    /// Largest multipart request body (submission plus attachments), in bytes.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    pub max_multipart_bytes: usize,
    /// Seconds a request may take, reading its body included.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    /// Origin of a portal on another host that embeds the widget and may
    /// read forms and send submissions (CORS), e.g. `https://www.musterstadt.de`;
    /// repeatable; `*` allows any. The operator API stays same-origin.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
}

/// Size and time limits applied to requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest JSON body.
    pub json_bytes: usize,
    /// Largest multipart body.
    pub multipart_bytes: usize,
    /// Most parts of a multipart body (the submission plus files).
    pub parts: usize,
    /// Time for one request.
    pub timeout: Duration,
}

impl Limits {
    /// The limits chosen on the command line.
    pub fn from_args(args: &ServeArgs) -> Self {
        Limits {
            json_bytes: args.max_json_bytes,
            multipart_bytes: args.max_multipart_bytes,
            // The engine accepts at most this many files per attachment field;
            // a form rarely has more than a handful of such fields.
            parts: 1 + efa_engine::input::MAX_FILES,
            timeout: Duration::from_secs(args.timeout_secs.max(1)),
        }
    }
}

/// SHA-256 digests of the operator bearer tokens, by tenant id: the service
/// keeps no token itself, only what a presented one is compared with.
pub type Tokens = BTreeMap<String, [u8; 32]>;

/// Reads the operator tokens: from `--tokens FILE` if given, else from the
/// environment. `None` when none are configured (operator endpoints are off).
pub fn load_tokens(file: Option<&Path>) -> Result<Option<Tokens>, String> {
    let (text, source) = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read token file: {e}", path.display()))?;
            (text, path.display().to_string())
        }
        None => match std::env::var(TOKENS_ENV) {
            Ok(text) => (text, TOKENS_ENV.to_string()),
            Err(_) => return Ok(None),
        },
    };
    let tokens = parse_tokens(&text).map_err(|e| format!("{source}: {e}"))?;
    Ok((!tokens.is_empty()).then_some(tokens))
}

/// Parses `tenant=token` (or `tenant=sha256:<hex>`) entries separated by
/// commas or new lines; `#` starts a comment line.
pub fn parse_tokens(text: &str) -> Result<Tokens, String> {
    let mut tokens = Tokens::new();
    let entries = text.lines().filter(|l| !l.trim_start().starts_with('#')).flat_map(|l| l.split(','));
    for entry in entries.map(str::trim).filter(|e| !e.is_empty()) {
        let Some((tenant, token)) = entry.split_once('=') else {
            return Err(format!("'{}…' is not of the form tenant=token", entry.chars().take(12).collect::<String>()));
        };
        let (tenant, token) = (tenant.trim(), token.trim());
        if tenant.is_empty() || token.is_empty() {
            return Err("an entry has an empty tenant or token".into());
        }
        let digest = match token.strip_prefix("sha256:") {
            Some(hex) => hex_digest(hex).ok_or_else(|| format!("the token digest of tenant '{tenant}' is not 64 hex digits"))?,
            // Short tokens can be guessed; refuse them rather than serve data behind them.
            None if token.len() < 8 => return Err(format!("the token of tenant '{tenant}' is shorter than 8 characters")),
            None => super::auth::digest(token),
        };
        if tokens.insert(tenant.to_string(), digest).is_some() {
            return Err(format!("tenant '{tenant}' has more than one token"));
        }
    }
    Ok(tokens)
}

/// 64 hex digits as 32 bytes.
fn hex_digest(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_env_and_file_syntax() {
        let tokens = parse_tokens("musterstadt=secret-one, beispielhausen = secret-two").unwrap();
        assert_eq!(tokens["musterstadt"], super::super::auth::digest("secret-one"));
        assert_eq!(tokens["beispielhausen"], super::super::auth::digest("secret-two"));
        // `printf %s secret-one | sha256sum`
        let hashed = parse_tokens("musterstadt=sha256:ea77193cc4e6f18656f3130e296203880c4b9b3772afc855211b82fdd46e9185").unwrap();
        assert_eq!(hashed["musterstadt"], super::super::auth::digest("secret-one"));
        let tokens = parse_tokens("# operators\nmusterstadt=secret-one\n\nseedorf=secret-three\n").unwrap();
        assert_eq!(tokens.len(), 2);
    }

    #[test]
    fn rejects_bad_entries() {
        assert!(parse_tokens("musterstadt").is_err());
        assert!(parse_tokens("musterstadt=").is_err());
        assert!(parse_tokens("musterstadt=short").is_err());
        assert!(parse_tokens("musterstadt=sha256:abc").is_err());
        assert!(parse_tokens(&format!("musterstadt=sha256:{}", "g".repeat(64))).is_err());
        assert!(parse_tokens("a=secret-one,a=secret-two").is_err());
        assert!(parse_tokens("").unwrap().is_empty());
    }
}
