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
    few_allocator_arenas();
    let cli = Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if cli.command.is_none() {
        // The app's event loop runs on this thread (`block_on`), every other
        // piece of work (network, store, picture decoding, the demo's
        // simulator) on the runtime's threads: those give way to it, so a
        // key is answered at once even while pictures decode on both cores.
        let ui = ui_priority();
        builder.on_thread_start(move || background_priority(ui));
    }
    let runtime = match builder.build() {
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

/// How much lower than the UI thread the app's runtime threads run (nice
/// steps). Nice 5 weighs a thread about a third of nice 0: the scheduler
/// lets the waking UI thread preempt it, yet pictures still arrive at a
/// steady pace on a machine busy with other work.
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 5;

/// The calling (UI) thread's nice value.
/// glibc gives each thread that allocates its own arena (up to 8 per
/// core), and an arena keeps what it peaked at: pictures decoded on the
/// runtime's blocking threads, one after another on whichever thread is
/// free, grew the app's memory by ~4.5 MiB over a long session. Two arenas
/// (the UI thread's and one shared) keep it flat; decoding is one at a
/// time anyway.
fn few_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt(3) only sets an allocator parameter, before any
    // thread is started; a refusal (0) leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn ui_priority() -> i32 {
    #[cfg(target_os = "linux")]
    // SAFETY: getpriority(2) only reads; -1 is also what an error returns,
    // and then the runtime threads run one step higher than meant, no harm.
    unsafe {
        libc::getpriority(libc::PRIO_PROCESS, 0)
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// Sets the calling thread's nice value to [`BACKGROUND_NICE`] above the
/// UI thread's (absolute: a blocking thread started from a runtime thread
/// inherits its nice value). Linux only: there nice is per thread,
/// elsewhere it would slow the UI thread too.
fn background_priority(ui: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority(2) only changes the calling thread's scheduling
    // weight (the kernel clamps to 19); a failure leaves it as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, ui.saturating_add(BACKGROUND_NICE));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = ui;
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
        Command::Suppliers(args) => {
            to_stderr("warn");
            commands::suppliers::run(&args, common)
        }
        Command::Batch(args) => {
            to_stderr("warn");
            commands::batch::run(args, common).await
        }
        Command::Watch(command) => {
            to_stderr("warn");
            commands::watch::run(command, common).await
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
