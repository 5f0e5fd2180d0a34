//! `efa`: the command-line tool of efa-forms.
//!
//! Exit codes follow one convention everywhere: 0 clean/valid, 1 findings or
//! an invalid submission, 2 unusable input (missing file, broken JSON, bad
//! arguments).

mod commands;
mod library;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Lint, validate and serve efa-forms definitions.
#[derive(Debug, Parser)]
#[command(name = "efa", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check form definitions: format, references, types, cycles, translations.
    Lint {
        /// Definition files (`forms/*.json`) or directories of them.
        #[arg(required = true)]
        forms: Vec<PathBuf>,
    },
    /// Revalidate submitted data against a form, as the server does.
    Validate {
        /// The definition.
        form: PathBuf,
        /// The data: a data object or a `{form, data}` envelope.
        data: PathBuf,
        /// Tenant file whose parameter values apply.
        #[arg(long)]
        tenant: Option<PathBuf>,
        /// Today's date (YYYY-MM-DD); defaults to the system date (UTC).
        #[arg(long)]
        today: Option<String>,
        /// Language of messages.
        #[arg(long, default_value = "de")]
        lang: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the JSON Schema (2020-12) of a form's submissions.
    Schema {
        /// The definition.
        form: PathBuf,
        /// Tenant file whose parameter values apply.
        #[arg(long)]
        tenant: Option<PathBuf>,
    },
    /// Print the dependency graph of a form.
    Graph {
        /// The definition.
        form: PathBuf,
        /// Diagram notation.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Tenant file whose parameter values apply.
        #[arg(long)]
        tenant: Option<PathBuf>,
    },
    /// Compile a form for a tenant into the image `<efa-form>` loads: the
    /// widget then needs no compiler. Only the widget of this engine build
    /// reads it.
    Compile {
        /// The definition.
        form: PathBuf,
        /// Tenant file: parameter values and the branding the widget shows.
        #[arg(long)]
        tenant: Option<PathBuf>,
        /// Where to write the image (e.g. `hundesteuer-anmeldung.efa`).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Run the HTTP service: forms, widget, demo portals, revalidating submissions.
    Serve(serve::ServeArgs),
}

/// Output formats of `efa validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Notations of `efa graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Lint { forms } => commands::lint(&forms),
        Command::Validate { form, data, tenant, today, lang, format } => {
            commands::validate(&form, &data, tenant.as_deref(), today.as_deref(), &lang, format == Format::Json)
        }
        Command::Schema { form, tenant } => commands::schema(&form, tenant.as_deref()),
        Command::Graph { form, format, tenant } => {
            let notation = match format {
                GraphFormat::Dot => efa_engine::Notation::Dot,
                GraphFormat::Mermaid => efa_engine::Notation::Mermaid,
            };
            commands::graph(&form, tenant.as_deref(), notation)
        }
        Command::Compile { form, tenant, output } => commands::compile_image(&form, tenant.as_deref(), &output),
        Command::Serve(args) => serve::run(args),
    }
}
