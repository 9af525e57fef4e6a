//! Which graphics protocol this terminal speaks: environment first, then
//! (once, before the event loop owns stdin) a query to the terminal. Inside
//! tmux the terminal is never queried: tmux itself is asked (a bounded run
//! of the `tmux` command) whether it passes pictures through, and which
//! terminal is outside it.

use std::io::{IsTerminal, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::protocol::GraphicsProtocol;
use crate::text::{sanitize, truncate};

/// How long one `tmux` command may take before it is killed.
const TMUX_TIMEOUT: Duration = Duration::from_millis(500);
/// How much of a `tmux` answer is read (the answers are one short line).
const TMUX_ANSWER_CAP: u64 = 4096;

/// What [`detect_graphics`] picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detected {
    pub(crate) protocol: GraphicsProtocol,
    /// Inside tmux with `allow-passthrough` on: every graphics escape must
    /// go out wrapped by `drivers::tmux::passthrough`, or tmux eats it.
    pub(crate) tmux_passthrough: bool,
}

/// Pick the protocol for this terminal. Call ONCE, before the event loop:
/// outside tmux, the kitty and sixel checks write queries and read the
/// replies from stdin.
pub(crate) fn detect_graphics() -> Detected {
    let decision = decide(&|k| std::env::var(k).ok(), is_tty(), &run_tmux);
    let protocol = match decision.protocol {
        Some(p) => p,
        None if viuer::get_kitty_support() != viuer::KittySupport::None => GraphicsProtocol::Kitty,
        // Device attributes (DA1) list sixel as attribute 4.
        None if viuer::is_sixel_supported() => GraphicsProtocol::Sixel,
        None => GraphicsProtocol::HalfBlocks,
    };
    Detected {
        protocol,
        tmux_passthrough: decision.tmux_passthrough,
    }
}

/// What [`detect_graphics`] picks for this terminal and why, in words,
/// without asking the terminal anything (for `tusou doctor`, which may run
/// in a pipe): where the answer needs a query, it says what the app asks.
/// Inside tmux it asks tmux, as the app does (bounded by [`TMUX_TIMEOUT`]).
pub(crate) fn explain() -> String {
    describe(&decide(&|k| std::env::var(k).ok(), is_tty(), &run_tmux))
}

fn is_tty() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The decision that needs no terminal query, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decision {
    /// `None` means "ask the terminal".
    protocol: Option<GraphicsProtocol>,
    tmux_passthrough: bool,
    /// In words; outside text in it is already sanitised.
    why: String,
}

impl Decision {
    fn plain(protocol: GraphicsProtocol, why: impl Into<String>) -> Decision {
        Decision {
            protocol: Some(protocol),
            tmux_passthrough: false,
            why: why.into(),
        }
    }

    fn half(why: impl Into<String>) -> Decision {
        Decision::plain(GraphicsProtocol::HalfBlocks, why)
    }
}

fn describe(d: &Decision) -> String {
    match (d.protocol, d.tmux_passthrough) {
        (Some(GraphicsProtocol::HalfBlocks), _) => format!("half blocks · {}", d.why),
        (Some(p), true) => format!("{} through tmux · {}", p.name(), d.why),
        (Some(p), false) => format!("{} · {}", p.name(), d.why),
        (None, _) => d.why.clone(),
    }
}

/// Why a `tmux` command gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TmuxError {
    /// It could not be started (not installed, say); the error's kind.
    NotRun(String),
    /// Killed after [`TMUX_TIMEOUT`].
    TimedOut,
    /// It ran and failed; what failed, in words.
    Failed(String),
}

impl std::fmt::Display for TmuxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TmuxError::NotRun(kind) => write!(f, "could not run tmux ({kind})"),
            TmuxError::TimedOut => write!(
                f,
                "tmux did not answer within {} ms",
                TMUX_TIMEOUT.as_millis()
            ),
            TmuxError::Failed(what) => f.write_str(what),
        }
    }
}

/// Where our tmux pane starts in the outer terminal (columns, rows): a
/// picture passed through is drawn at the outer terminal's cursor, so its
/// position must be the pane's plus ours. `(0, 0)` when tmux does not say
/// (bounded by [`TMUX_TIMEOUT`]).
pub(crate) fn tmux_pane_origin() -> (u16, u16) {
    pane_origin(&|k| std::env::var(k).ok(), &run_tmux)
}

fn pane_origin(
    env: &impl Fn(&str) -> Option<String>,
    tmux: &impl Fn(&[&str]) -> Result<String, TmuxError>,
) -> (u16, u16) {
    let pane = pane_target(env);
    let mut args = vec!["display-message", "-p"];
    if let Some(pane) = &pane {
        args.extend(["-t", pane.as_str()]);
    }
    args.push("#{pane_left} #{pane_top}");
    let Ok(answer) = tmux(&args) else {
        return (0, 0);
    };
    let mut numbers = first_line(&answer).split(' ').map(|n| n.parse::<u16>());
    match (numbers.next(), numbers.next()) {
        (Some(Ok(left)), Some(Ok(top))) => (left, top),
        _ => (0, 0),
    }
}

/// Runs `tmux ARGS` and answers what it printed: stdin closed, stderr
/// dropped, killed after [`TMUX_TIMEOUT`], at most [`TMUX_ANSWER_CAP`]
/// bytes read. The `TMUX` variable points it at the server we run in.
fn run_tmux(args: &[&str]) -> Result<String, TmuxError> {
    run_bounded("tmux", args)
}

/// [`run_tmux`] for any program (tests use stand-ins).
fn run_bounded(program: &str, args: &[&str]) -> Result<String, TmuxError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| TmuxError::NotRun(e.kind().to_string()))?;
    // Read on a thread so that neither a full pipe nor a pipe held open by
    // someone else can block us past the deadline.
    let answer = child.stdout.take().map(|mut out| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            // A read error leaves what was read: the answer is checked anyway.
            let _ = (&mut out).take(TMUX_ANSWER_CAP).read_to_end(&mut buf);
            let _ = tx.send(buf);
            // The rest is drained, not refused: a closed pipe would kill the
            // writer (SIGPIPE) and turn a long answer into a failure.
            let _ = std::io::copy(&mut out, &mut std::io::sink());
        });
        rx
    });
    let deadline = Instant::now() + TMUX_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            waited => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(match waited {
                    Err(e) => {
                        TmuxError::Failed(format!("could not wait for {program} ({})", e.kind()))
                    }
                    Ok(_) => TmuxError::TimedOut,
                });
            }
        }
    };
    let command = args.first().copied().unwrap_or_default();
    if !status.success() {
        return Err(TmuxError::Failed(format!(
            "{program} {command} failed ({status})"
        )));
    }
    // tmux has exited: its output is complete, or held by a stray child,
    // which gets a short grace, not a hang.
    let bytes = answer
        .and_then(|rx| rx.recv_timeout(Duration::from_millis(100)).ok())
        .unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Outside text (an environment value, something tmux printed) made safe and
/// short for a reason.
fn shown(value: &str) -> String {
    truncate(sanitize(value).trim(), 60).into_owned()
}

/// The decision with its reason. `env` reads the environment; `tmux` runs a
/// tmux command (see [`run_tmux`]) and is only called inside tmux.
fn decide(
    env: &impl Fn(&str) -> Option<String>,
    tty: bool,
    tmux: &impl Fn(&[&str]) -> Result<String, TmuxError>,
) -> Decision {
    if let Some(value) = env("TUSOU_GRAPHICS")
        && let Some(p) = GraphicsProtocol::from_name(&value)
    {
        return forced(p, env, tmux);
    }
    let term = env("TERM").unwrap_or_default();
    if env("CI").is_some() {
        return Decision::half("CI is set");
    }
    if !tty {
        return Decision::half("not run in a terminal");
    }
    if term == "dumb" || term.is_empty() {
        return Decision::half(format!("TERM={:?} draws no pictures", shown(&term)));
    }
    // tmux takes the kitty query (an APC string) for a pane title, so the
    // terminal is never queried inside tmux: tmux is asked instead.
    if env("TMUX").is_some() {
        return inside_tmux(env, tmux);
    }
    // TERM or TERM_PROGRAM say tmux or screen, but there is no TMUX: screen,
    // or tmux over ssh (`TMUX` is not passed on), where the `tmux` here is
    // not the one drawing. Nobody to ask: half blocks.
    let program = env("TERM_PROGRAM").unwrap_or_default();
    if term.starts_with("screen") || term.starts_with("tmux") || program == "tmux" {
        let sign = if program == "tmux" {
            "TERM_PROGRAM=tmux".to_string()
        } else {
            format!("TERM={}", shown(&term))
        };
        return Decision::half(format!(
            "inside screen or tmux ({sign}) without TMUX set (screen, or tmux over ssh), \
             so there is no tmux to ask whether it passes pictures through"
        ));
    }
    if term == "xterm-kitty" || term == "xterm-ghostty" {
        return Decision::plain(GraphicsProtocol::Kitty, format!("TERM={term}"));
    }
    if program == "ghostty" {
        return Decision::plain(GraphicsProtocol::Kitty, "TERM_PROGRAM=ghostty");
    }
    if env("KITTY_WINDOW_ID").is_some() {
        return Decision::plain(GraphicsProtocol::Kitty, "KITTY_WINDOW_ID is set");
    }
    // viuer's iTerm check only reads environment variables.
    if let Some(sign) = iterm_sign(env) {
        return Decision::plain(GraphicsProtocol::Iterm, sign);
    }
    Decision {
        protocol: None,
        tmux_passthrough: false,
        why: "asked of the terminal when the app starts: kitty if it answers kitty's query, \
              sixel if its device attributes list sixel, else half blocks"
            .into(),
    }
}

/// `TUSOU_GRAPHICS` wins; inside tmux, kitty and iTerm pictures are passed
/// through when tmux allows it (sixel through tmux is tmux's own).
fn forced(
    p: GraphicsProtocol,
    env: &impl Fn(&str) -> Option<String>,
    tmux: &impl Fn(&[&str]) -> Result<String, TmuxError>,
) -> Decision {
    let why = format!("TUSOU_GRAPHICS={}", p.name());
    if env("TMUX").is_none() || !matches!(p, GraphicsProtocol::Kitty | GraphicsProtocol::Iterm) {
        return Decision::plain(p, why);
    }
    match passthrough_setting(env, tmux) {
        Ok(Passthrough::Allowed(v)) => Decision {
            protocol: Some(p),
            tmux_passthrough: true,
            why: format!("{why}, allow-passthrough is {v}"),
        },
        Ok(off) => Decision::plain(
            p,
            format!(
                "{why}; but tmux will not pass it through: {}",
                off.why_not()
            ),
        ),
        Err(e) => Decision::plain(p, format!("{why}; but inside tmux, {e}")),
    }
}

/// tmux's `allow-passthrough` for our pane.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Passthrough {
    /// `on` or `all` (tmux 3.4's "also for panes not shown").
    Allowed(String),
    /// Anything else tmux said, sanitised (`off`).
    Refused(String),
    /// Nothing: a tmux older than 3.3 has no such option.
    Unknown,
}

impl Passthrough {
    fn why_not(&self) -> String {
        const HOW: &str = "set `set -g allow-passthrough on` in tmux.conf";
        match self {
            Passthrough::Allowed(_) => String::new(),
            Passthrough::Refused(v) => format!("allow-passthrough {v} ({HOW})"),
            Passthrough::Unknown => {
                "this tmux has no allow-passthrough option (tmux 3.3 or later has it)".into()
            }
        }
    }
}

/// `-t PANE` when `TMUX_PANE` names one (`%` and digits), so tmux answers
/// for our pane even if another one is active.
fn pane_target(env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    env("TMUX_PANE").filter(|p| {
        p.strip_prefix('%')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The first line of a tmux answer, trimmed.
fn first_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default().trim()
}

/// Asks tmux for `allow-passthrough` as it applies to our pane (`-A`:
/// inherited from the window or the global value), and failing an answer,
/// the global value (older tmux has no pane options).
fn passthrough_setting(
    env: &impl Fn(&str) -> Option<String>,
    tmux: &impl Fn(&[&str]) -> Result<String, TmuxError>,
) -> Result<Passthrough, TmuxError> {
    let pane = pane_target(env);
    let mut args = vec!["show-options", "-pqvA"];
    if let Some(pane) = &pane {
        args.extend(["-t", pane.as_str()]);
    }
    args.push("allow-passthrough");
    let answer = match tmux(&args) {
        Ok(a) if !first_line(&a).is_empty() => a,
        Err(TmuxError::TimedOut) => return Err(TmuxError::TimedOut),
        _ => tmux(&["show-options", "-gqv", "allow-passthrough"])?,
    };
    let value = first_line(&answer);
    Ok(match value.to_ascii_lowercase().as_str() {
        "" => Passthrough::Unknown,
        "on" | "all" => Passthrough::Allowed(value.to_ascii_lowercase()),
        _ => Passthrough::Refused(shown(value)),
    })
}

/// Inside tmux (`TMUX` set): kitty or iTerm pictures passed through when tmux
/// allows it and something names the terminal outside; else half blocks.
fn inside_tmux(
    env: &impl Fn(&str) -> Option<String>,
    tmux: &impl Fn(&[&str]) -> Result<String, TmuxError>,
) -> Decision {
    let allowed = match passthrough_setting(env, tmux) {
        Ok(Passthrough::Allowed(v)) => v,
        Ok(off) => return Decision::half(format!("inside tmux with {}", off.why_not())),
        Err(e) => return Decision::half(format!("inside tmux; {e}")),
    };
    match outer_terminal(env, tmux) {
        Ok((p, sign)) => Decision {
            protocol: Some(p),
            tmux_passthrough: true,
            why: format!("allow-passthrough is {allowed}, {sign}"),
        },
        Err(unknown) => Decision::half(format!(
            "inside tmux with allow-passthrough {allowed}, but nothing says the terminal \
             outside speaks kitty's or iTerm2's protocol ({unknown}); sixel through tmux \
             is tmux's own, never passed through"
        )),
    }
}

/// The terminal outside tmux, from what tmux knows of its client (its TERM,
/// and the name it answered tmux's own version query with) and from the
/// variables the session inherited; never by a query of ours. `Err` says
/// what was found instead.
fn outer_terminal(
    env: &impl Fn(&str) -> Option<String>,
    tmux: &impl Fn(&[&str]) -> Result<String, TmuxError>,
) -> Result<(GraphicsProtocol, String), String> {
    let pane = pane_target(env);
    let mut args = vec!["display-message", "-p"];
    if let Some(pane) = &pane {
        args.extend(["-t", pane.as_str()]);
    }
    args.push("#{client_termname}\t#{client_termtype}");
    let answer = tmux(&args);
    let (name, kind) = match &answer {
        Ok(a) => {
            let line = a.lines().next().unwrap_or_default();
            let (name, kind) = line.split_once('\t').unwrap_or((line, ""));
            (name.trim(), kind.trim())
        }
        Err(_) => ("", ""),
    };
    match name {
        "xterm-kitty" | "xterm-ghostty" => {
            return Ok((
                GraphicsProtocol::Kitty,
                format!("the client terminal is {name}"),
            ));
        }
        n if n.starts_with("wezterm") => {
            return Ok((
                GraphicsProtocol::Iterm,
                format!("the client terminal is {n}"),
            ));
        }
        _ => {}
    }
    // Its answer to tmux's XTVERSION query: "kitty(0.35.2)", "ghostty 1.1",
    // "iTerm2 3.5.0", "WezTerm 20240203-…".
    let lower = kind.to_ascii_lowercase();
    let by_kind = if lower.starts_with("kitty") || lower.starts_with("ghostty") {
        Some(GraphicsProtocol::Kitty)
    } else if lower.starts_with("iterm2") || lower.starts_with("wezterm") {
        Some(GraphicsProtocol::Iterm)
    } else {
        None
    };
    if let Some(p) = by_kind {
        return Ok((p, format!("the client terminal says it is {}", shown(kind))));
    }
    if env("KITTY_WINDOW_ID").is_some() {
        return Ok((
            GraphicsProtocol::Kitty,
            "KITTY_WINDOW_ID is set in the tmux session".into(),
        ));
    }
    if let Some(sign) = iterm_sign(env) {
        return Ok((
            GraphicsProtocol::Iterm,
            format!("{sign} in the tmux session"),
        ));
    }
    Err(match answer {
        Ok(_) if name.is_empty() => "no client terminal attached".into(),
        Ok(_) => format!("the client terminal is {}", shown(name)),
        Err(e) => e.to_string(),
    })
}

/// Same rules as viuer's `is_iterm_supported`, but over our `env` so it is
/// testable (viuer caches its answer from the real environment); answers
/// which variable said so.
fn iterm_sign(env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    const NAMES: [&str; 5] = ["iTerm", "WezTerm", "mintty", "rio", "WarpTerminal"];
    let speaks = " (speaks iTerm2's protocol)";
    for key in ["TERM_PROGRAM", "LC_TERMINAL"] {
        if let Some(v) = env(key)
            && NAMES.iter().any(|n| v.contains(n))
        {
            return Some(format!("{key}={}{speaks}", shown(&v)));
        }
    }
    env("KONSOLE_VERSION")
        .filter(|v| !v.is_empty())
        .map(|_| format!("KONSOLE_VERSION is set{speaks}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use GraphicsProtocol::*;
    use std::cell::RefCell;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
    }

    type Answer = Result<String, TmuxError>;

    /// A tmux that must not be asked.
    fn no_tmux(args: &[&str]) -> Answer {
        panic!("tmux asked {args:?}")
    }

    /// A tmux whose pane has `allow-passthrough` = `passthrough` (`None`: it
    /// does not answer in time) and whose client is `client`
    /// (`termname\ttermtype`).
    fn tmux_says(passthrough: Option<&str>, client: &str) -> impl Fn(&[&str]) -> Answer {
        let (passthrough, client) = (passthrough.map(str::to_string), client.to_string());
        move |args| match args.first() {
            Some(&"show-options") => passthrough
                .clone()
                .map(|v| format!("{v}\n"))
                .ok_or(TmuxError::TimedOut),
            Some(&"display-message") => Ok(format!("{client}\n")),
            _ => panic!("unexpected {args:?}"),
        }
    }

    fn d(pairs: &[(&str, &str)], tty: bool) -> Option<GraphicsProtocol> {
        decide(&env_of(pairs), tty, &no_tmux).protocol
    }

    fn in_tmux(
        pairs: &[(&str, &str)],
        tmux: &impl Fn(&[&str]) -> Answer,
    ) -> (Option<GraphicsProtocol>, bool, String) {
        let mut all = vec![
            ("TERM", "tmux-256color"),
            ("TMUX", "/tmp/tmux-1/default,1,0"),
        ];
        all.extend_from_slice(pairs);
        let decision = decide(&env_of(&all), true, tmux);
        (
            decision.protocol,
            decision.tmux_passthrough,
            describe(&decision),
        )
    }

    #[test]
    fn the_panes_origin_comes_from_tmux() {
        let env = |k: &str| (k == "TMUX_PANE").then(|| "%3".to_string());
        let tmux = |args: &[&str]| -> Result<String, TmuxError> {
            assert_eq!(args[..3], ["display-message", "-p", "-t"]);
            Ok("81 12\n".into())
        };
        assert_eq!(pane_origin(&env, &tmux), (81, 12));
        let junk = |_: &[&str]| -> Result<String, TmuxError> { Ok("x y".into()) };
        assert_eq!(pane_origin(&env, &junk), (0, 0));
    }

    #[test]
    fn detection_rules() {
        assert_eq!(
            d(&[("TUSOU_GRAPHICS", "kitty"), ("CI", "1")], false),
            Some(Kitty)
        );
        assert_eq!(d(&[("TUSOU_GRAPHICS", "ITERM")], true), Some(Iterm));
        assert_eq!(d(&[("TUSOU_GRAPHICS", "sixel")], true), Some(Sixel));
        assert_eq!(
            d(
                &[("TUSOU_GRAPHICS", "halfblocks"), ("TERM", "xterm-kitty")],
                true
            ),
            Some(HalfBlocks)
        );
        assert_eq!(
            d(&[("TERM", "xterm-kitty"), ("CI", "true")], true),
            Some(HalfBlocks)
        );
        assert_eq!(d(&[("TERM", "xterm-kitty")], false), Some(HalfBlocks));
        assert_eq!(d(&[("TERM", "dumb")], true), Some(HalfBlocks));
        assert_eq!(d(&[("TERM", "xterm-kitty")], true), Some(Kitty));
        assert_eq!(
            d(
                &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "iTerm.app")],
                true
            ),
            Some(Iterm)
        );
        // Unknown terminal: ask it.
        assert_eq!(d(&[("TERM", "xterm-256color")], true), None);
    }

    /// `tusou doctor` says which pictures this terminal gets, and why.
    #[test]
    fn the_choice_is_explained() {
        let e = |pairs: &[(&str, &str)], tty| describe(&decide(&env_of(pairs), tty, &no_tmux));
        assert_eq!(
            e(&[("TUSOU_GRAPHICS", "Sixel")], false),
            "sixel · TUSOU_GRAPHICS=sixel"
        );
        assert_eq!(
            e(&[("TERM", "xterm-kitty")], true),
            "kitty · TERM=xterm-kitty"
        );
        assert_eq!(
            e(&[("TERM", "xterm-kitty")], false),
            "half blocks · not run in a terminal"
        );
        let ask = e(&[("TERM", "xterm-256color")], true);
        assert!(ask.starts_with("asked of the terminal"), "{ask}");
        assert_eq!(
            e(&[("TERM_PROGRAM", "iTerm.app"), ("TERM", "xterm")], true),
            "iterm · TERM_PROGRAM=iTerm.app (speaks iTerm2's protocol)"
        );
    }

    /// Inside tmux without `TMUX` (over ssh, or screen): nobody to ask, and
    /// the terminal is never asked, so the kitty query cannot become the
    /// pane's title (`Gi=31,s=1,…`).
    #[test]
    fn tmux_without_its_variable_is_never_queried() {
        let d = |pairs: &[(&str, &str)]| decide(&env_of(pairs), true, &no_tmux);
        for pairs in [
            &[("TERM", "tmux-256color")][..],
            &[("TERM", "tmux")],
            &[("TERM", "screen.xterm-256color"), ("KITTY_WINDOW_ID", "1")],
            &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "tmux")],
        ] {
            let decision = d(pairs);
            assert_eq!(decision.protocol, Some(HalfBlocks), "{pairs:?}");
            assert!(!decision.tmux_passthrough);
            assert!(
                decision.why.contains("without TMUX set"),
                "{}",
                decision.why
            );
        }
    }

    #[test]
    fn tmux_with_passthrough_off_or_silent_gives_half_blocks() {
        let kitty_outside = [("KITTY_WINDOW_ID", "3")];
        let (p, through, why) = in_tmux(&kitty_outside, &tmux_says(Some("off"), "xterm-kitty\t"));
        assert_eq!((p, through), (Some(HalfBlocks), false));
        assert_eq!(
            why,
            "half blocks · inside tmux with allow-passthrough off \
             (set `set -g allow-passthrough on` in tmux.conf)"
        );
        let (p, through, why) = in_tmux(&kitty_outside, &tmux_says(None, "xterm-kitty\t"));
        assert_eq!((p, through), (Some(HalfBlocks), false));
        assert_eq!(
            why,
            "half blocks · inside tmux; tmux did not answer within 500 ms"
        );
        // tmux older than 3.3: the option is unknown, `-q` answers nothing.
        let (p, _, why) = in_tmux(&[], &tmux_says(Some(""), "xterm-kitty\t"));
        assert_eq!(p, Some(HalfBlocks));
        assert!(why.contains("no allow-passthrough option"), "{why}");
        let not_run = |_: &[&str]| -> Answer { Err(TmuxError::NotRun("entity not found".into())) };
        let (p, _, why) = in_tmux(&[], &not_run);
        assert_eq!(p, Some(HalfBlocks));
        assert_eq!(
            why,
            "half blocks · inside tmux; could not run tmux (entity not found)"
        );
    }

    #[test]
    fn tmux_with_passthrough_on_passes_the_outer_terminals_protocol() {
        let (p, through, why) = in_tmux(&[], &tmux_says(Some("on"), "xterm-kitty\t"));
        assert_eq!((p, through), (Some(Kitty), true));
        assert_eq!(
            why,
            "kitty through tmux · allow-passthrough is on, the client terminal is xterm-kitty"
        );
        let ghostty = tmux_says(Some("all"), "xterm-ghostty\tghostty 1.1.3");
        assert_eq!(in_tmux(&[], &ghostty).0, Some(Kitty));
        // TERM says little; the terminal's XTVERSION answer, kept by tmux, says more.
        let (p, _, why) = in_tmux(&[], &tmux_says(Some("on"), "xterm-256color\tkitty(0.35.2)"));
        assert_eq!(p, Some(Kitty));
        assert!(why.ends_with("says it is kitty(0.35.2)"), "{why}");
        let iterm = tmux_says(Some("on"), "xterm-256color\tiTerm2 3.5.0");
        assert_eq!(in_tmux(&[], &iterm).0, Some(Iterm));
        let wez = tmux_says(Some("on"), "xterm-256color\tWezTerm 20240203");
        assert_eq!(in_tmux(&[], &wez).0, Some(Iterm));
        // Variables inherited into the session.
        let plain = tmux_says(Some("on"), "xterm-256color\t");
        let (p, through, why) = in_tmux(&[("KITTY_WINDOW_ID", "1")], &plain);
        assert_eq!((p, through), (Some(Kitty), true));
        assert!(
            why.ends_with("KITTY_WINDOW_ID is set in the tmux session"),
            "{why}"
        );
        let (p, through, why) = in_tmux(&[("LC_TERMINAL", "iTerm2")], &plain);
        assert_eq!((p, through), (Some(Iterm), true));
        assert!(why.contains("LC_TERMINAL=iTerm2"), "{why}");
        // tmux sets TERM_PROGRAM=tmux in its panes: no iTerm from that.
        let (p, _, _) = in_tmux(&[("TERM_PROGRAM", "tmux")], &plain);
        assert_eq!(p, Some(HalfBlocks));
    }

    #[test]
    fn tmux_passes_no_sixel_and_nothing_unknown() {
        let (p, through, why) = in_tmux(&[], &tmux_says(Some("on"), "xterm-256color\tfoot(1.16)"));
        assert_eq!((p, through), (Some(HalfBlocks), false));
        assert!(
            why.starts_with(
                "half blocks · inside tmux with allow-passthrough on, but nothing says"
            ),
            "{why}"
        );
        assert!(
            why.contains("the client terminal is xterm-256color"),
            "{why}"
        );
        assert!(why.contains("sixel"), "{why}");
        let (_, _, why) = in_tmux(&[], &tmux_says(Some("on"), "\t"));
        assert!(why.contains("no client terminal attached"), "{why}");
        // The terminal is not asked inside tmux, whatever tmux says.
        let (p, ..) = in_tmux(&[("TERM", "xterm-256color")], &tmux_says(Some("on"), ""));
        assert!(p.is_some());
    }

    #[test]
    fn what_tmux_prints_is_sanitised_before_it_is_shown() {
        let evil = tmux_says(Some("on"), "xterm-\x1b]0;owned\x07evil\x1b[2J\tnope");
        let (p, _, why) = in_tmux(&[], &evil);
        assert_eq!(p, Some(HalfBlocks));
        assert!(!why.contains('\x1b') && !why.contains('\x07'), "{why:?}");
        assert!(why.contains("xterm-evil"), "{why}");
        let (_, _, why) = in_tmux(&[], &tmux_says(Some("\x1b[31mnope"), ""));
        assert!(why.contains("allow-passthrough nope"), "{why:?}");
        let (_, _, why) = in_tmux(
            &[("LC_TERMINAL", "iTerm2\x1b]2;x\x07")],
            &tmux_says(Some("on"), "\t"),
        );
        assert!(!why.contains('\x1b'), "{why:?}");
    }

    /// tmux is asked for our pane (`TMUX_PANE`), the value as it applies
    /// there (`-A`); the global value when that gives nothing.
    #[test]
    fn tmux_is_asked_about_our_pane() {
        let asked = RefCell::new(Vec::new());
        let tmux = |args: &[&str]| -> Answer {
            asked.borrow_mut().push(args.join(" "));
            Ok(match args {
                ["show-options", "-gqv", ..] => "on\n".into(),
                ["display-message", ..] => "xterm-kitty\t\n".into(),
                _ => String::new(),
            })
        };
        let (p, through, _) = in_tmux(&[("TMUX_PANE", "%12")], &tmux);
        assert_eq!((p, through), (Some(Kitty), true));
        assert_eq!(
            *asked.borrow(),
            [
                "show-options -pqvA -t %12 allow-passthrough",
                "show-options -gqv allow-passthrough",
                "display-message -p -t %12 #{client_termname}\t#{client_termtype}",
            ]
        );
        asked.borrow_mut().clear();
        in_tmux(&[("TMUX_PANE", "%1; kill-server")], &tmux);
        assert!(
            asked.borrow().iter().all(|a| !a.contains("-t")),
            "{asked:?}"
        );
    }

    /// `TUSOU_GRAPHICS` wins; inside tmux kitty and iTerm go through when
    /// tmux allows it, sixel never (tmux draws sixel itself).
    #[test]
    fn the_forced_protocol_goes_through_tmux_when_allowed() {
        let on = tmux_says(Some("on"), "xterm-256color\t");
        let (p, through, why) = in_tmux(&[("TUSOU_GRAPHICS", "kitty")], &on);
        assert_eq!((p, through), (Some(Kitty), true));
        assert_eq!(
            why,
            "kitty through tmux · TUSOU_GRAPHICS=kitty, allow-passthrough is on"
        );
        let (p, through, _) = in_tmux(&[("TUSOU_GRAPHICS", "iterm")], &on);
        assert_eq!((p, through), (Some(Iterm), true));
        let (p, through, _) = in_tmux(&[("TUSOU_GRAPHICS", "sixel")], &no_tmux);
        assert_eq!((p, through), (Some(Sixel), false));
        let (p, through, _) = in_tmux(&[("TUSOU_GRAPHICS", "halfblocks")], &no_tmux);
        assert_eq!((p, through), (Some(HalfBlocks), false));
        let off = tmux_says(Some("off"), "xterm-kitty\t");
        let (p, through, why) = in_tmux(&[("TUSOU_GRAPHICS", "kitty")], &off);
        assert_eq!((p, through), (Some(Kitty), false));
        assert!(why.contains("allow-passthrough off"), "{why}");
        // No TMUX (over ssh): as forced, nothing asked.
        let decision = decide(
            &env_of(&[("TUSOU_GRAPHICS", "kitty"), ("TERM", "tmux-256color")]),
            true,
            &no_tmux,
        );
        assert_eq!(
            (decision.protocol, decision.tmux_passthrough),
            (Some(Kitty), false)
        );
    }

    /// The real runner: a missing program, a slow one, a failing one and a
    /// talkative one are answers, never hangs (other programs stand in for
    /// tmux, which may be absent here).
    #[cfg(unix)]
    #[test]
    fn the_runner_is_bounded() {
        assert!(matches!(
            run_bounded("tusou-no-such-program", &[]),
            Err(TmuxError::NotRun(_))
        ));
        let started = Instant::now();
        assert_eq!(run_bounded("sleep", &["5"]), Err(TmuxError::TimedOut));
        let took = started.elapsed();
        assert!(
            took >= TMUX_TIMEOUT && took < Duration::from_secs(3),
            "{took:?}"
        );
        assert!(matches!(
            run_bounded("sh", &["-c", "exit 3"]),
            Err(TmuxError::Failed(why)) if why.starts_with("sh -c failed")
        ));
        let long = run_bounded("sh", &["-c", "head -c 10000 /dev/zero | tr '\\0' a"]);
        assert_eq!(long.map(|a| a.len()), Ok(TMUX_ANSWER_CAP as usize));
        assert_eq!(run_bounded("echo", &["on"]).as_deref(), Ok("on\n"));
    }
}
