//! Which graphics protocol this terminal speaks: environment first, then
//! (once, before the event loop owns stdin) a query to the terminal.

use std::io::IsTerminal;

use super::protocol::GraphicsProtocol;

/// Pick the protocol for this terminal. Call ONCE, before the event loop:
/// the kitty and sixel checks write queries and read the replies from stdin.
pub(crate) fn detect() -> GraphicsProtocol {
    let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    match detect_from_env(|k| std::env::var(k).ok(), tty) {
        Some(p) => p,
        None if viuer::get_kitty_support() != viuer::KittySupport::None => GraphicsProtocol::Kitty,
        // Device attributes (DA1) list sixel as attribute 4.
        None if viuer::is_sixel_supported() => GraphicsProtocol::Sixel,
        None => GraphicsProtocol::HalfBlocks,
    }
}

/// The decision that needs no terminal query; `None` means "ask the terminal".
fn detect_from_env(env: impl Fn(&str) -> Option<String>, tty: bool) -> Option<GraphicsProtocol> {
    explain_from_env(env, tty).0
}

/// What [`detect`] picks for this terminal and why, in words, without
/// asking the terminal anything (for `tusou doctor`, which may run in a
/// pipe): where the answer needs a query, it says what the app asks.
pub(crate) fn explain() -> String {
    let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    describe(explain_from_env(|k| std::env::var(k).ok(), tty))
}

fn describe((protocol, why): (Option<GraphicsProtocol>, String)) -> String {
    match protocol {
        Some(GraphicsProtocol::HalfBlocks) => format!("half blocks · {why}"),
        Some(p) => format!("{} · {why}", p.name()),
        None => why,
    }
}

/// [`detect_from_env`] with its reason (outside text sanitised by the
/// caller).
fn explain_from_env(
    env: impl Fn(&str) -> Option<String>,
    tty: bool,
) -> (Option<GraphicsProtocol>, String) {
    if let Some(value) = env("TUSOU_GRAPHICS")
        && let Some(p) = GraphicsProtocol::from_name(&value)
    {
        return (Some(p), format!("TUSOU_GRAPHICS={}", p.name()));
    }
    let term = env("TERM").unwrap_or_default();
    let half = |why: String| (Some(GraphicsProtocol::HalfBlocks), why);
    if env("CI").is_some() {
        return half("CI is set".into());
    }
    if !tty {
        return half("not run in a terminal".into());
    }
    if term == "dumb" || term.is_empty() {
        return half(format!("TERM={term:?} draws no pictures"));
    }
    // tmux (and screen) swallow graphics unless passthrough is set up, and
    // tmux takes the kitty query (an APC string) for a pane title: don't
    // gamble, and don't query. `TMUX` is not passed over ssh, so its
    // TERM and TERM_PROGRAM are read too.
    let program = env("TERM_PROGRAM").unwrap_or_default();
    if env("TMUX").is_some()
        || term.starts_with("screen")
        || term.starts_with("tmux")
        || program == "tmux"
    {
        return half(
            "inside tmux or screen, which pass no pictures through unless set up \
             (TUSOU_GRAPHICS=kitty with tmux's allow-passthrough on)"
                .into(),
        );
    }
    if term == "xterm-kitty" || term == "xterm-ghostty" {
        return (Some(GraphicsProtocol::Kitty), format!("TERM={term}"));
    }
    if program == "ghostty" {
        return (Some(GraphicsProtocol::Kitty), "TERM_PROGRAM=ghostty".into());
    }
    if env("KITTY_WINDOW_ID").is_some() {
        return (
            Some(GraphicsProtocol::Kitty),
            "KITTY_WINDOW_ID is set".into(),
        );
    }
    // viuer's iTerm check only reads environment variables.
    if is_iterm_env(&env) {
        return (
            Some(GraphicsProtocol::Iterm),
            "a terminal that speaks iTerm2's protocol (TERM_PROGRAM, LC_TERMINAL or KONSOLE_VERSION)"
                .into(),
        );
    }
    (
        None,
        "asked of the terminal when the app starts: kitty if it answers kitty's query, \
         sixel if its device attributes list sixel, else half blocks"
            .into(),
    )
}

/// Same rules as viuer's `is_iterm_supported`, but over our `env` so it is
/// testable (viuer caches its answer from the real environment).
fn is_iterm_env(env: &impl Fn(&str) -> Option<String>) -> bool {
    const NAMES: [&str; 5] = ["iTerm", "WezTerm", "mintty", "rio", "WarpTerminal"];
    let matches = |v: Option<String>| v.is_some_and(|v| NAMES.iter().any(|n| v.contains(n)));
    matches(env("TERM_PROGRAM"))
        || matches(env("LC_TERMINAL"))
        || env("KONSOLE_VERSION").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn detection_rules() {
        use GraphicsProtocol::*;
        let d = |pairs: &[(&str, &str)], tty| detect_from_env(env_of(pairs), tty);
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
        assert_eq!(
            d(&[("TERM", "xterm-256color"), ("TMUX", "/tmp/x")], true),
            Some(HalfBlocks)
        );
        // Unknown terminal: ask it.
        assert_eq!(d(&[("TERM", "xterm-256color")], true), None);
    }

    /// `tusou doctor` says which pictures this terminal gets, and why.
    #[test]
    fn the_choice_is_explained() {
        let e = |pairs: &[(&str, &str)], tty| describe(explain_from_env(env_of(pairs), tty));
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
        let tmux = e(&[("TERM", "xterm-256color"), ("TMUX", "/tmp/t")], true);
        assert!(tmux.starts_with("half blocks · inside tmux"), "{tmux}");
        assert!(tmux.contains("allow-passthrough"), "{tmux}");
        let ask = e(&[("TERM", "xterm-256color")], true);
        assert!(ask.starts_with("asked of the terminal"), "{ask}");
        assert_eq!(
            e(&[("TERM_PROGRAM", "iTerm.app"), ("TERM", "xterm")], true)
                .split(" · ")
                .next(),
            Some("iterm")
        );
    }

    /// Inside tmux without `TMUX` (over ssh, or a cleared environment): the
    /// terminal is never asked, so the kitty query cannot become the pane's
    /// title (`Gi=31,s=1,…`).
    #[test]
    fn tmux_is_never_queried_even_without_its_variable() {
        use GraphicsProtocol::*;
        let d = |pairs: &[(&str, &str)]| detect_from_env(env_of(pairs), true);
        assert_eq!(d(&[("TERM", "tmux-256color")]), Some(HalfBlocks));
        assert_eq!(d(&[("TERM", "tmux")]), Some(HalfBlocks));
        assert_eq!(
            d(&[("TERM", "xterm-256color"), ("TERM_PROGRAM", "tmux")]),
            Some(HalfBlocks)
        );
    }
}
