//! The one event loop: terminal events, the effects' messages, a tick and
//! signals go through `app::update`; effects go to the runner; the frame is
//! drawn by `ui::draw` and the pictures by `image::display`. It sits above
//! both `app` (the model) and `ui` (the view), so neither imports the other's
//! caller.

use crate::app::effects;
use crate::app::state::{StoreStatus, THUMB_CACHE_BYTES, Thumb, ThumbKey};
use crate::app::update::thumbs;
use crate::app::{
    AppOptions, Msg, Start, State, classify_start, event_to_msgs, initial_state, update,
};
use crate::backend::{BackendMode, SearchBackend};
use crate::image::detect;
use crate::image::display::Display;
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
    let detected = detect::detect_graphics();
    let graphics = detected.protocol;
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
    let mut display = Display::new(graphics, THUMB_CACHE_BYTES);
    let tmux = detected.tmux_passthrough;
    display.pass_through_tmux(tmux.then(detect::tmux_pane_origin));
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
    runner.set_cell_size(cell_size());
    let mut fx = update(state, Msg::CellSize(cell_size()));
    fx.extend(update(state, Msg::Resize(size.width, size.height)));
    fx.extend(update::init(state, start, cwd));
    for e in fx {
        runner.run(e);
    }
    let mut dirty = true;
    // The protocol pictures of the last frame, and whether pictures that
    // may be wanted next arrived since (kitty sends them ahead).
    let mut pictures = ui::Pictures::new();
    let mut ahead_arrived = false;
    loop {
        if dirty {
            let lost = draw(terminal, state, runner, display, &mut pictures)?;
            dirty = false;
            ahead_arrived = false;
            debug_panic_for_tests();
            if !lost.is_empty() {
                for e in update(state, Msg::PicturesLost(lost)) {
                    runner.run(e);
                }
                dirty = true;
                continue;
            }
        } else if std::mem::take(&mut ahead_arrived) {
            send_ahead(terminal, state, display, &pictures)?;
        }
        if state.quit {
            break;
        }
        let msgs: Vec<Msg> = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    let mut msgs = Vec::new();
                    if let Event::Resize(..) = ev {
                        display.forget();
                        runner.set_cell_size(cell_size());
                        msgs.push(Msg::CellSize(cell_size()));
                        if display.in_tmux() {
                            // A split or a zoom moves the pane (tmux answers
                            // in milliseconds; bounded at 500 ms).
                            display.pass_through_tmux(Some(detect::tmux_pane_origin()));
                        }
                    }
                    msgs.extend(event_to_msgs(state, ev));
                    msgs
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
            let m = match m {
                // The display keeps the encoded bytes; the state, the key.
                Msg::Encoded { key, picture } => {
                    let bytes = picture.byte_size();
                    display.keep(key.clone(), picture, |k| state.thumbs.contains(k));
                    ahead_arrived = true;
                    Msg::Thumb {
                        key,
                        thumb: Thumb::Encoded { bytes },
                    }
                }
                m => m,
            };
            // A picture fetched ahead changes nothing on screen: no frame
            // for it (unless it pushed the shown one out of the cache).
            let quiet = thumbs::changes_nothing_on_screen(state, &m);
            if let Msg::Thumb { key, .. } = &m {
                // Whether it was for the screen (bench/gallery-bytes.py
                // times the draw from the screen's last picture ready).
                tracing::debug!(target: "tusou::pictures", picture = key.log_tag(), on_screen = !quiet, "picture arrived");
            }
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

/// The terminal's cell in pixels, when it reports its size in pixels.
fn cell_size() -> crate::image::protocol::CellSize {
    use crate::image::protocol::CellSize;
    crossterm::terminal::window_size()
        .map(|w| CellSize::from_window(w.columns, w.rows, w.width, w.height))
        .unwrap_or_default()
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

/// Draws a frame, then what must follow it: OSC 52 copies and the
/// protocol pictures (the display changes only what changed). Answers the
/// pictures the display could not draw (their bytes were evicted).
fn draw(
    terminal: &mut tui::Term,
    state: &State,
    runner: &mut effects::Runner,
    display: &mut Display<ThumbKey>,
    pictures: &mut ui::Pictures,
) -> std::io::Result<Vec<ThumbKey>> {
    use ratatui::backend::Backend as _;
    let mut drawn = ui::Pictures::new();
    let frame = terminal.draw(|f| drawn = ui::draw_with_pictures(f, state))?;
    let mut placed = Vec::new();
    let synced = display.sync(&mut placed, &drawn, &ahead(state));
    display.sync_overlay(&mut placed, ui::crop::frame_over(state, &drawn));
    // Cells a picture left (iTerm, sixel): what ratatui's frame holds there,
    // written again before the new pictures, which may go over them.
    let repaint: Vec<(u16, u16, ratatui::buffer::Cell)> = synced
        .repaint
        .iter()
        .flat_map(|r| r.positions())
        .filter_map(|p| Some((p.x, p.y, frame.buffer.cell(p)?.clone())))
        .collect();
    *pictures = drawn;
    let mut out: Vec<u8> = runner.take_pending();
    let w = terminal.backend_mut();
    if !out.is_empty() {
        w.write_all(&out)?;
        out.clear();
    }
    if !repaint.is_empty() {
        w.write_all(b"\x1b7")?;
        w.draw(repaint.iter().map(|(x, y, c)| (*x, *y, c)))?;
        w.write_all(b"\x1b8")?;
    }
    if !placed.is_empty() {
        w.write_all(&placed)?;
    }
    std::io::Write::flush(w)?;
    Ok(synced.lost)
}

/// kitty: pictures fetched ahead arrived with nothing to redraw; send them
/// now, so that the scroll that shows them only places them.
fn send_ahead(
    terminal: &mut tui::Term,
    state: &State,
    display: &mut Display<ThumbKey>,
    pictures: &ui::Pictures,
) -> std::io::Result<()> {
    let mut out = Vec::new();
    // The screen is unchanged: only the pictures ahead are written.
    let _ = display.sync(&mut out, pictures, &ahead(state));
    if !out.is_empty() {
        let w = terminal.backend_mut();
        w.write_all(&out)?;
        w.flush()?;
    }
    Ok(())
}

/// The pictures the display may send before they are shown: in the
/// gallery, the window fetched ahead (the next screen and the one before).
/// Not in the list: there, the window is a screen of Detail-sized pictures
/// each way, too many bytes to send on a guess over a slow link.
fn ahead(state: &State) -> Vec<ThumbKey> {
    if !thumbs::gallery_screen_complete(state) {
        // Nothing ahead of a cell still waiting: over a slow link the
        // screen's own pictures go first.
        return Vec::new();
    }
    state
        .thumb_prefetch
        .iter()
        .filter(|k| state.thumbs.contains(k))
        .cloned()
        .collect()
}
