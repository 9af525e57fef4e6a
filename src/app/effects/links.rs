//! Links: copied to the clipboard by OSC 52 (written after the next frame),
//! or handed to the desktop's browser.

use super::Runner;
use crate::app::msg::{Msg, OpenError};

impl Runner {
    pub(super) fn copy(&mut self, text: &str) {
        self.pending.extend(osc52(text));
    }

    pub(super) fn open_link(&self, link: String) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(Msg::Opened(open_in_browser(&link).map(|()| link)));
        });
    }
}

/// OSC 52 "set clipboard", `ESC ] 52 ; c ; <base64> ESC \`, by crossterm's clipboard command.
fn osc52(text: &str) -> Vec<u8> {
    use crossterm::Command as _;
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = crossterm::clipboard::CopyToClipboard::to_clipboard_from(text).write_ansi(&mut out);
    out.into_bytes()
}

/// True when a browser can be shown: a local display or macOS.
pub(crate) fn has_local_display() -> bool {
    cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
}

/// Hands the link to the desktop's opener (xdg-open, gio, `open` on macOS…)
/// detached, so the UI never waits on the browser.
fn open_in_browser(link: &str) -> Result<(), OpenError> {
    open::that_detached(link).map_err(OpenError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_sequence() {
        assert_eq!(osc52("hi"), b"\x1b]52;c;aGk=\x1b\\".to_vec());
    }
}
