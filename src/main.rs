//! The `tietopankki` command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use tietopankki::diagnostics::{code, Diagnostics, Severity};
use tietopankki::model::Kind;
use tietopankki::{build, default_output, load, scaffold, schema, BuildOptions, Outcome};

/// mimalloc: a build allocates and frees millions of small strings across threads, where it
/// is faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_e` of mimalloc 3 (the
/// bindings name no constant for it; `tests/alloc.rs` checks the place against its default).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

#[derive(Parser)]
#[command(
    name = "tietopankki",
    version,
    about = "Builds the OT-keskus knowledge bank into a static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKind {
    Method,
    Centre,
    Pathway,
    Page,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (exit 1 on content errors).
    Build {
        /// Site folder containing tietopankki.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Public address of the site, e.g. https://example.org/tietopankki/ (overrides the config).
        #[arg(long)]
        base_url: Option<String>,
        /// Relative links, so the site works from a folder or file://.
        #[arg(long)]
        relative_links: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check everything a build checks, without writing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Write a skeleton entry that `check` accepts.
    New {
        #[arg(value_enum)]
        kind: NewKind,
        slug: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the JSON Schema of a front-matter type (all types when none is given).
    Schema {
        /// One of: method, centre, pathway, page, config, vocabularies.
        r#type: Option<String>,
    },
    /// Search the site the way its search page does (same index, same engine).
    Search {
        query: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Language of the index to search [default: the site's default language].
        #[arg(long)]
        lang: Option<String>,
        /// A facet filter, e.g. teemat=kaytosongelmat or tyyppi=method; repeat for more.
        #[arg(long = "filter", value_name = "KEY=VALUE")]
        filters: Vec<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Show how words are indexed and searched: one line per word, `stem surface` (`-` when
    /// the folded surface form equals the stem). Reads the words from standard input.
    Analyze {
        #[arg(long, default_value = "fi")]
        lang: String,
    },
    /// Serve the site on 127.0.0.1 and rebuild it when a file is saved; the browser reloads.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port; 0 picks a free one.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to listen on. Anything but loopback makes the site reachable from other machines.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// List the diagnostic codes.
    Codes,
}

fn main() -> ExitCode {
    // Freed memory stays with the process for reuse instead of going back to the system a
    // second later: at 100,000 pages giving it back and faulting it in again (the kernel
    // zeroing 2 MiB huge pages each time) was 12 % of the build's CPU time; 100k builds went
    // from 41-45 s to 40 s, for 5 % more peak memory.
    // SAFETY: sets a plain integer option of the allocator; any thread may.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = Cli::parse();
    // Output piped into a reader that stops early (`tietopankki search x | head`) ends the
    // process quietly, as it does any Unix tool, instead of a panic at the next `println!`
    // (Rust ignores SIGPIPE, so the write fails and `println!` panics). Not for `serve`,
    // whose browsers may close a connection mid-response.
    #[cfg(unix)]
    if !matches!(cli.command, Command::Serve { .. }) {
        // SAFETY: restores the default action of one signal, before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            relative_links,
            quiet,
        } => {
            let output = output.unwrap_or_else(|| default_output(&root));
            let opts = BuildOptions {
                root,
                output: Some(output.clone()),
                base_url,
                relative_links,
                live_reload: false,
            };
            let progress = progress(quiet);
            let outcome = build(&opts);
            progress.finish_and_clear();
            outcome.print_diagnostics(quiet);
            if outcome.diagnostics.has_errors() {
                return ExitCode::from(1);
            }
            if !quiet {
                let stages: Vec<String> = outcome
                    .timings
                    .iter()
                    .map(|(s, d)| format!("{s} {:.2}", d.as_secs_f64()))
                    .collect();
                eprintln!(
                    "built {} pages ({} files) in {:.2} s into {} ({})",
                    outcome.pages,
                    outcome.files,
                    outcome.total().as_secs_f64(),
                    output.display(),
                    stages.join(", ")
                );
            }
            ExitCode::SUCCESS
        }
        Command::Check { root, format } => {
            let opts = BuildOptions::at(root);
            let outcome = build(&opts);
            match format {
                Format::Json => println!("{}", outcome.diagnostics.to_json()),
                Format::Human => {
                    outcome.print_diagnostics(false);
                    if !outcome.diagnostics.has_errors() {
                        eprintln!(
                            "ok: {} pages checked, {}",
                            outcome.pages,
                            tietopankki::diagnostics::summary_line(
                                0,
                                outcome.diagnostics.count(Severity::Warning)
                            )
                        );
                    }
                }
            }
            if outcome.diagnostics.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::New {
            kind,
            slug,
            title,
            root,
        } => {
            let kind = match kind {
                NewKind::Method => Kind::Method,
                NewKind::Centre => Kind::Centre,
                NewKind::Pathway => Kind::Pathway,
                NewKind::Page => Kind::Page,
            };
            let mut diags = Diagnostics::default();
            let Some(input) = load::load(&root, &mut diags) else {
                Outcome::print_diagnostics(
                    &Outcome {
                        diagnostics: diags,
                        ..Outcome::default()
                    },
                    false,
                );
                return ExitCode::from(1);
            };
            match scaffold::new_entry(
                &root,
                &input.config,
                &input.vocab,
                kind,
                &slug,
                title.as_deref(),
            ) {
                Ok(p) => {
                    eprintln!("wrote {}", p.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Schema { r#type } => match r#type {
            None => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&schema::all()).expect("schema serialises")
                );
                ExitCode::SUCCESS
            }
            Some(t) => match schema::schema(&t) {
                Some(s) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&s).expect("schema serialises")
                    );
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!(
                        "error: unknown type \"{t}\"; use one of: {}",
                        schema::TYPES.join(", ")
                    );
                    ExitCode::from(2)
                }
            },
        },
        Command::Search {
            query,
            root,
            lang,
            filters,
            limit,
            format,
        } => {
            let mut request = search_index::engine::Request {
                query,
                limit,
                ..Default::default()
            };
            for f in &filters {
                let Some((k, v)) = f.split_once('=') else {
                    eprintln!("error: --filter takes KEY=VALUE, got \"{f}\"");
                    return ExitCode::from(2);
                };
                request.add_filter(k, v);
            }
            let opts = BuildOptions::at(root);
            let (outcome, json) = tietopankki::search(&opts, lang.as_deref(), &request);
            let Some(json) = json else {
                outcome.print_diagnostics(false);
                return ExitCode::from(1);
            };
            match format {
                Format::Json => println!("{json}"),
                Format::Human => print_results(&json),
            }
            ExitCode::SUCCESS
        }
        Command::Analyze { lang } => {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(1);
            }
            let mut out = String::new();
            for (stem, surface) in tietopankki::index::analyze(&lang, &text) {
                out.push_str(&stem);
                out.push(' ');
                out.push_str(surface.as_deref().unwrap_or("-"));
                out.push('\n');
            }
            print!("{out}");
            ExitCode::SUCCESS
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
        } => {
            match tietopankki::serve::serve(&tietopankki::serve::ServeOptions {
                root,
                bind,
                port,
                open,
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Codes => {
            for (c, what) in code::ALL {
                println!("{c}  {what}");
            }
            ExitCode::SUCCESS
        }
    }
}

/// Results as lines an editor can read: rank, title, URL, excerpt without markup.
fn print_results(json: &str) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    println!("{} results", v["total"]);
    if v["phraseRelaxed"] == true {
        println!("(no exact phrase match: results have the quoted words apart)");
    }
    if let Some(s) = v["suggestion"].as_str() {
        println!("did you mean: {s}");
    }
    for (i, r) in v["results"].as_array().into_iter().flatten().enumerate() {
        let excerpt = r["excerpt"]
            .as_str()
            .unwrap_or("")
            .replace("<mark>", "[")
            .replace("</mark>", "]");
        println!(
            "{:>3}. {} ({}, {})\n     /{}\n     {}",
            i + 1,
            r["title"].as_str().unwrap_or(""),
            r["type"].as_str().unwrap_or(""),
            r["score"],
            r["url"].as_str().unwrap_or(""),
            excerpt
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
        );
        if let Some(missing) = r["missing"].as_array() {
            let words: Vec<&str> = missing.iter().filter_map(|w| w.as_str()).collect();
            println!("     missing: {}", words.join(", "));
        }
    }
}

/// A spinner that appears only when a build on a terminal takes over a second.
fn progress(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if quiet || !std::io::stderr().is_terminal() {
        return bar;
    }
    bar.set_style(
        ProgressStyle::with_template("{spinner} building… {elapsed}").expect("valid template"),
    );
    let shown = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !shown.is_finished() {
            shown.set_draw_target(ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(120));
        }
    });
    bar
}
