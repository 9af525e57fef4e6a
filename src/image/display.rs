//! The one owner of graphics-protocol pictures on screen: it remembers what
//! it drew where, and erases it the way its protocol needs.
//!
//! Pictures are written after ratatui's frame, outside its buffer, so
//! ratatui cannot erase them: kitty pictures go with kitty's delete
//! command, iTerm and sixel pictures live in the cells and must be painted
//! over. Half blocks are ordinary cells in ratatui's buffer: nothing to do.
//!
//! Why not `ratatui-image` (11.1, for ratatui 0.30): it draws inside the
//! frame by putting the whole escape string in one buffer cell, and its kitty
//! output uses unicode placeholders rather than a transmit at the cursor, so
//! our escapes, their tests and this erase path would all change; its
//! default features also link chafa through pkg-config.

use std::io::Write;

use ratatui::layout::Rect;

use super::drivers::kitty;
use super::protocol::GraphicsProtocol;

/// What is drawn where, for one protocol. `K` names a picture at a place:
/// the same key means the same bytes at the same cells.
pub(crate) struct Display<K> {
    protocol: GraphicsProtocol,
    shown: Option<Shown<K>>,
}

struct Shown<K> {
    key: K,
    area: Rect,
}

/// What [`Display::hide`] left to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hidden {
    /// Erased by the queued bytes, or there was nothing to erase.
    Done,
    /// The picture was in the cells: clear the whole screen and paint every
    /// cell again. Painting blanks over it would hide what ratatui's buffer
    /// now holds there, and the caller owns the terminal that can repaint.
    RepaintScreen,
}

impl<K: PartialEq + Clone> Display<K> {
    pub(crate) fn new(protocol: GraphicsProtocol) -> Display<K> {
        Display {
            protocol,
            shown: None,
        }
    }

    /// Queues `picture` (escape bytes that draw it in `area`) into `out`,
    /// after erasing the picture drawn before; nothing when `key` is what
    /// is already on screen.
    pub(crate) fn show(&mut self, out: &mut Vec<u8>, key: &K, area: Rect, picture: &[u8]) {
        if !self.protocol.is_graphics() || self.shown.as_ref().is_some_and(|s| s.key == *key) {
            return;
        }
        if self.protocol == GraphicsProtocol::Kitty {
            out.extend_from_slice(kitty::delete_all());
        } else if let Some(old) = &self.shown
            && self.protocol.occupies_cells()
        {
            // A smaller new picture would leave the old one's edges.
            paint_over(out, old.area);
        }
        out.extend_from_slice(picture);
        self.shown = Some(Shown {
            key: key.clone(),
            area,
        });
    }

    /// Erases the picture on screen, if any: queues kitty's delete into
    /// `out`, or asks the caller to repaint the screen for a picture that
    /// lives in the cells.
    pub(crate) fn hide(&mut self, out: &mut Vec<u8>) -> Hidden {
        if !self.protocol.is_graphics() || self.shown.take().is_none() {
            return Hidden::Done;
        }
        if self.protocol.occupies_cells() {
            Hidden::RepaintScreen
        } else {
            out.extend_from_slice(kitty::delete_all());
            Hidden::Done
        }
    }

    /// The terminal cleared the screen itself (a resize): nothing of ours
    /// is on it any more, so the next `show` draws again.
    pub(crate) fn forget(&mut self) {
        self.shown = None;
    }

    /// Erases what the terminal still keeps when the app ends: kitty keeps
    /// its pictures past the alternate screen; cell pictures go with it.
    pub(crate) fn shutdown(&mut self, out: &mut impl Write) {
        self.shown = None;
        if self.protocol == GraphicsProtocol::Kitty {
            let _ = out.write_all(kitty::delete_all());
            let _ = out.flush();
        }
    }
}

/// Spaces over a picture's cell box (ratatui's buffer holds blanks there, so
/// the screen and the buffer agree again).
fn paint_over(out: &mut Vec<u8>, area: Rect) {
    let blank = " ".repeat(usize::from(area.width));
    let _ = write!(out, "\x1b7\x1b[0m");
    for row in 0..area.height {
        let _ = write!(
            out,
            "\x1b[{};{}H{blank}",
            u32::from(area.y) + u32::from(row) + 1,
            u32::from(area.x) + 1
        );
    }
    out.extend_from_slice(b"\x1b8");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area() -> Rect {
        Rect::new(2, 1, 3, 2)
    }

    #[test]
    fn kitty_deletes_before_each_new_picture_and_on_hide() {
        let mut d = Display::new(GraphicsProtocol::Kitty);
        let mut out = Vec::new();
        d.show(&mut out, &1, area(), b"P1");
        assert_eq!(out, b"\x1b_Ga=d\x1b\\P1");
        out.clear();
        d.show(&mut out, &1, area(), b"P1");
        assert!(out.is_empty(), "the same picture is not drawn twice");
        assert_eq!(d.hide(&mut out), Hidden::Done);
        assert_eq!(out, b"\x1b_Ga=d\x1b\\");
        out.clear();
        assert_eq!(d.hide(&mut out), Hidden::Done);
        assert!(out.is_empty(), "nothing left to erase");
        let mut end = Vec::new();
        d.shutdown(&mut end);
        assert_eq!(end, b"\x1b_Ga=d\x1b\\");
    }

    #[test]
    fn cell_pictures_are_painted_over_or_repainted() {
        for protocol in [GraphicsProtocol::Iterm, GraphicsProtocol::Sixel] {
            let mut d = Display::new(protocol);
            let mut out = Vec::new();
            d.show(&mut out, &1, area(), b"P1");
            assert_eq!(out, b"P1");
            out.clear();
            d.show(&mut out, &2, Rect::new(0, 0, 1, 1), b"P2");
            assert_eq!(out, b"\x1b7\x1b[0m\x1b[2;3H   \x1b[3;3H   \x1b8P2");
            out.clear();
            assert_eq!(d.hide(&mut out), Hidden::RepaintScreen);
            assert!(out.is_empty());
            assert_eq!(d.hide(&mut out), Hidden::Done);
            let mut end = Vec::new();
            d.shutdown(&mut end);
            assert!(end.is_empty());
        }
    }

    #[test]
    fn half_blocks_and_forgotten_pictures() {
        let mut d = Display::new(GraphicsProtocol::HalfBlocks);
        let mut out = Vec::new();
        d.show(&mut out, &1, area(), b"P1");
        assert!(out.is_empty());
        let mut d = Display::new(GraphicsProtocol::Iterm);
        d.show(&mut out, &1, area(), b"P1");
        d.forget();
        out.clear();
        d.show(&mut out, &1, area(), b"P1");
        assert_eq!(out, b"P1", "drawn again, nothing to paint over");
    }
}
