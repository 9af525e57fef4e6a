use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use tusou::cli::{Cli, Command, CommonArgs};
use tusou::commands;
use tusou::logging::to_stderr;

/// How long leaving waits for background work once the command is done.
/// Blocking tasks cannot be cancelled; one stuck in the kernel (a stalled
/// file system) must not keep the process alive.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tusou: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async move {
        match cli.command {
            // The app logs to a file (when TUSOU_LOG is set), not the screen.
            None => commands::app::run(cli.start, cli.common, cli.strict_keymap).await,
            Some(command) => headless(command, &cli.common).await,
        }
    });
    // Not a plain drop: that waits for every blocking task, for ever.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    code
}

/// A subcommand; those that talk to a provider or the store log to stderr.
async fn headless(command: Command, common: &CommonArgs) -> ExitCode {
    match command {
        Command::Search(args) => {
            to_stderr("warn");
            commands::search::run(args, common).await
        }
        #[cfg(feature = "demo")]
        Command::Sim(args) => {
            to_stderr("info");
            commands::sim::run(args).await
        }
        Command::Prepare(args) => commands::prepare::run(&args, common),
        Command::Preview(args) => commands::preview::run(&args),
        Command::History(args) => {
            to_stderr("warn");
            commands::history::run(&args, common)
        }
        Command::Shortlist(args) => {
            to_stderr("warn");
            commands::shortlist::run(&args, common)
        }
        Command::Batch(args) => {
            to_stderr("warn");
            commands::batch::run(args, common).await
        }
        Command::Doctor => {
            to_stderr("warn");
            commands::doctor::run(common).await
        }
        Command::Config(command) => commands::config::run(&command, common),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man => commands::man::run(),
    }
}
