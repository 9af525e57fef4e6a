use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use tusou::cli::{Cli, Command};

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
            Some(Command::Search(args)) => {
                tusou::logging::to_stderr("warn");
                tusou::commands::search::run(args, &cli.common).await
            }
            #[cfg(feature = "demo")]
            Some(Command::Sim(args)) => {
                tusou::logging::to_stderr("info");
                match tusou_sim::run_standalone(args).await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("tusou sim: {}", tusou::text::sanitize(&format!("{e:#}")));
                        ExitCode::FAILURE
                    }
                }
            }
            Some(Command::Prepare(args)) => tusou::commands::prepare::prepare(&args, &cli.common),
            Some(Command::Preview(args)) => tusou::commands::prepare::preview(&args),
            Some(Command::History(args)) => {
                tusou::logging::to_stderr("warn");
                tusou::commands::history::history(&args, &cli.common)
            }
            Some(Command::Shortlist(args)) => {
                tusou::logging::to_stderr("warn");
                tusou::commands::history::shortlist(&args, &cli.common)
            }
            Some(Command::Batch(args)) => {
                tusou::logging::to_stderr("warn");
                tusou::commands::batch::batch(args, &cli.common).await
            }
            Some(Command::Doctor) => {
                tusou::logging::to_stderr("warn");
                tusou::commands::doctor::run(&cli.common).await
            }
            None => tusou::commands::app::run(cli.start, cli.common, cli.strict_keymap).await,
        }
    });
    // Not a plain drop: that waits for every blocking task, for ever.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    code
}
