//! The one event loop: terminal events, the effects' messages, a tick and
//! signals go through `app::update`; effects go to the runner; the frame is
//! drawn by `ui::draw` and the pictures by `image::display`. It sits above
//! both `app` (the model) and `ui` (the view), so neither imports the other's
//! caller.

use crate::app::effects;
use crate::app::state::{StoreStatus, Thumb, ThumbKey};
use crate::app::update::thumbs;
use crate::app::{
    AppOptions, Msg, Start, State, classify_start, event_to_msgs, initial_state, update,
};
use crate::backend::{BackendMode, SearchBackend};
use crate::image::detect;
use crate::image::display::{Display, Hidden};
use crate::tui;
use crate::ui;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Runs the interactive app until the user quits (or a signal says so).
pub(crate) async fn run(backend: SearchBackend, options: AppOptions) -> anyhow::Result<()> {
    // Detect the graphics protocol ONCE, before the event loop owns stdin.
    let graphics = detect::detect();
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let start = classify_start(options.start.as_deref(), &cwd);
    let mut state = initial_state(
        &backend.label,
        backend.mode == BackendMode::Demo,
        &options,
        graphics,
        color,
    );

    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    state.provider = backend.provider_name.clone();
    if let Some(reason) = &backend.history_off {
        state.store = StoreStatus::Off(reason.clone());
    }
    let mut runner = effects::Runner::new(
        tx,
        backend.client.clone(),
        options.prepare.clone(),
        backend.store.clone(),
        backend.provider_name.clone(),
        options.batch.clone(),
    );
    let signals = Signals::install();
    let mut terminal = tui::init()?;
    let _guard = tui::Guard;
    let mut display = Display::new(graphics);
    let result = event_loop(
        &mut terminal,
        signals,
        &mut state,
        &mut runner,
        &mut display,
        rx,
        start,
        cwd,
    )
    .await;
    runner.shutdown();
    display.shutdown(&mut std::io::stdout());
    tui::restore();
    drop(backend);
    result
}

/// The signals that end the app in order (terminal restored). In raw mode
/// ctrl-c is a key, but `kill -INT` (or a signal to the process group)
/// still arrives as SIGINT. Installed before the terminal is taken over, so
/// no signal in between can kill the process with the terminal in raw mode.
struct Signals {
    sigterm: Option<tokio::signal::unix::Signal>,
    sighup: Option<tokio::signal::unix::Signal>,
    sigint: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        Signals {
            sigterm: signal(SignalKind::terminate()).ok(),
            sighup: signal(SignalKind::hangup()).ok(),
            sigint: signal(SignalKind::interrupt()).ok(),
        }
    }
}

// Eight arguments: `run` makes the display, so it can erase the pictures
// after the loop however the loop ended.
#[allow(clippy::too_many_arguments)]
async fn event_loop(
    terminal: &mut tui::Term,
    signals: Signals,
    state: &mut State,
    runner: &mut effects::Runner,
    display: &mut Display<ThumbKey>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Msg>,
    start: Start,
    cwd: PathBuf,
) -> anyhow::Result<()> {
    let Signals {
        mut sigterm,
        mut sighup,
        mut sigint,
    } = signals;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let size = terminal.size()?;
    let mut fx = update(state, Msg::Resize(size.width, size.height));
    fx.extend(update::init(state, start, cwd));
    for e in fx {
        runner.run(e);
    }
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| ui::draw(f, state))?;
            after_draw(terminal, state, runner, display)?;
            dirty = false;
            debug_panic_for_tests();
        }
        if state.quit {
            break;
        }
        let msgs: Vec<Msg> = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Event::Resize(..) = ev {
                        display.forget();
                    }
                    event_to_msgs(state, ev)
                }
                Some(Err(e)) => return Err(e.into()),
                None => vec![Msg::Terminate],
            },
            Some(m) = rx.recv() => vec![m],
            _ = tick.tick() => {
                if spinner_visible(state) { vec![Msg::Tick] } else { Vec::new() }
            }
            _ = recv_signal(&mut sigterm) => vec![Msg::Terminate],
            _ = recv_signal(&mut sighup) => vec![Msg::Terminate],
            _ = recv_signal(&mut sigint) => vec![Msg::Terminate],
        };
        for m in msgs {
            // A picture fetched ahead changes nothing on screen: no frame
            // for it (unless it pushed the shown one out of the cache).
            let quiet = thumbs::changes_nothing_on_screen(state, &m);
            let shown = thumbs::wanted_shown(state);
            for e in update(state, m) {
                runner.run(e);
            }
            if !quiet || thumbs::wanted_shown(state) != shown {
                dirty = true;
            }
        }
    }
    Ok(())
}

/// Debug builds only: `TUSOU_DEBUG_PANIC=ui` panics on the UI thread after
/// a frame, so the end-to-end tests can prove the terminal is restored.
fn debug_panic_for_tests() {
    #[cfg(debug_assertions)]
    if std::env::var_os("TUSOU_DEBUG_PANIC").is_some_and(|v| v == "ui") {
        panic!("TUSOU_DEBUG_PANIC=ui: deliberate panic on the UI thread");
    }
}

async fn recv_signal(sig: &mut Option<tokio::signal::unix::Signal>) {
    match sig {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// A spinner is on screen: something loads, or the picture is on its way.
fn spinner_visible(state: &State) -> bool {
    // The detail's rest is counted in ticks too.
    crate::app::update::detail::wants_tick(state)
        || state.busy()
        || state
            .wanted_thumb
            .as_ref()
            .is_some_and(|k| !state.thumbs.contains(k))
}

/// Writes what must follow ratatui's frame: OSC 52 copies and graphics
/// protocol pictures (the display draws only when the picture or its place
/// changed).
fn after_draw(
    terminal: &mut tui::Term,
    state: &State,
    runner: &mut effects::Runner,
    display: &mut Display<ThumbKey>,
) -> std::io::Result<()> {
    let mut out: Vec<u8> = runner.take_pending();
    let want = state
        .wanted_thumb
        .as_ref()
        .and_then(|k| match state.thumbs.get(k) {
            Some(Thumb::Protocol(bytes)) => Some((k, bytes)),
            _ => None,
        });
    match want {
        Some((key, bytes)) => {
            let area = ratatui::layout::Rect::new(key.x, key.y, key.cols, key.rows);
            display.show(&mut out, key, area, bytes);
        }
        None => {
            if display.hide(&mut out) == Hidden::RepaintScreen {
                // Not `Terminal::clear`: it asks the terminal for the cursor
                // position, and reading that reply would race the event
                // loop for stdin.
                use ratatui::backend::{Backend as _, ClearType};
                terminal.backend_mut().clear_region(ClearType::All)?;
                // Forget the last frame, so the next draw paints every cell.
                terminal.swap_buffers();
                terminal.draw(|f| ui::draw(f, state))?;
            }
        }
    }
    if !out.is_empty() {
        let w = terminal.backend_mut();
        w.write_all(&out)?;
        w.flush()?;
    }
    Ok(())
}
