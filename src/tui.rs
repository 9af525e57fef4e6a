//! Terminal setup and teardown, and nothing else: raw mode, the alternate
//! screen, mouse capture and bracketed paste on the way in; all of it undone
//! on the way out — on a normal quit, an error, a panic (the hook restores,
//! then prints) and the signals the event loop turns into a quit.

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, BufWriter, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// Frames are buffered whole and written with one flush (ratatui flushes
/// after each draw): one write per frame instead of one per kilobyte
/// (stdout's line buffer), so a remote terminal never shows half a frame.
pub(crate) type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Room for a full 300×100 frame of styled cells.
const FRAME_BUFFER_BYTES: usize = 256 * 1024;

/// Whether the terminal is currently ours (so restore runs once).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Takes the terminal over. On failure everything done so far is undone.
pub(crate) fn init() -> io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    ) {
        restore();
        return Err(e);
    }
    match Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
        FRAME_BUFFER_BYTES,
        io::stdout(),
    ))) {
        Ok(t) => Ok(t),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

/// Gives the terminal back. Safe to call more than once.
pub(crate) fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// A panic on the UI thread (the main thread, which runs the event loop)
/// ends the app: restore the terminal, then let the default hook print, so
/// the message lands on the normal screen. A panic in a background task
/// only fails that task — its owner reports it as an error and the app
/// goes on — so the terminal stays ours and the panic goes to the log
/// instead of being printed over the screen.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_ui_thread = std::thread::current().name() == Some("main");
            if on_ui_thread || !ACTIVE.load(Ordering::SeqCst) {
                restore();
                previous(info);
            } else {
                // Panic messages can quote file names and server text.
                tracing::error!(
                    "background task panicked: {}",
                    crate::text::sanitize(&info.to_string())
                );
            }
        }));
    });
}

/// Restores on drop: covers early returns with `?` in the event loop.
pub(crate) struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}
