//! `efa serve`: the HTTP service.

use std::process::ExitCode;

/// Options of `efa serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Runs the service until it is stopped.
pub fn run(_args: ServeArgs) -> ExitCode {
    eprintln!("efa serve is not built yet");
    ExitCode::from(2)
}
