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
    /// kitty: pictures the terminal keeps, by image id, oldest first; one
    /// shown again is placed by its id, not sent again.
    kept: std::collections::VecDeque<(K, u32)>,
    next_id: u32,
}

/// kitty pictures kept in the terminal (at most ~60 KB each for the
/// Detail pane): older ones are freed, and sent again if they come back.
pub(crate) const KITTY_KEPT: usize = 64;

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
            kept: std::collections::VecDeque::new(),
            next_id: 1,
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
            // Placements only: the pictures' data stays for later.
            out.extend_from_slice(kitty::delete_all());
            self.show_kitty(out, key, picture);
        } else {
            if let Some(old) = &self.shown
                && self.protocol.occupies_cells()
            {
                // A smaller new picture would leave the old one's edges.
                paint_over(out, old.area);
            }
            out.extend_from_slice(picture);
        }
        self.shown = Some(Shown {
            key: key.clone(),
            area,
        });
    }

    /// kitty: places the picture by its id when the terminal keeps it,
    /// else sends it under a new id (freeing the oldest past the bound).
    fn show_kitty(&mut self, out: &mut Vec<u8>, key: &K, picture: &[u8]) {
        if let Some(at) = self.kept.iter().position(|(k, _)| k == key) {
            let (_, id) = self.kept[at];
            if let Some(placed) = kitty::placement(picture, id) {
                // Most recently used last.
                if let Some(entry) = self.kept.remove(at) {
                    self.kept.push_back(entry);
                }
                out.extend_from_slice(&placed);
                return;
            }
        }
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        let Some(sent) = kitty::with_id(picture, id) else {
            out.extend_from_slice(picture);
            return;
        };
        out.extend_from_slice(&sent);
        self.kept.push_back((key.clone(), id));
        while self.kept.len() > KITTY_KEPT {
            if let Some((_, old)) = self.kept.pop_front() {
                kitty::free(out, old);
            }
        }
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
            self.kept.clear();
            let _ = out.write_all(kitty::free_all());
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
        assert_eq!(
            end, b"\x1b_Ga=d,d=A,q=2\x1b\\",
            "pictures and their data freed"
        );
    }

    /// A kitty picture, as the encoder writes it, at (x, y).
    fn kitty_picture(x: u16, seed: u8) -> Vec<u8> {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            8,
            8,
            image::Rgb([seed, 0, 0]),
        ));
        crate::image::protocol::encode_protocol(&img, GraphicsProtocol::Kitty, x, 1, 6, 3).unwrap()
    }

    #[test]
    fn kitty_sends_a_picture_once_then_places_it() {
        let mut d = Display::new(GraphicsProtocol::Kitty);
        let (a, b) = (kitty_picture(0, 1), kitty_picture(0, 2));
        let mut out = Vec::new();
        d.show(&mut out, &1, area(), &a);
        let first = out.len();
        assert!(first > a.len(), "sent whole, under an id");
        assert!(out.windows(6).any(|w| w == b"_Gi=1,"));
        // To another picture and back (j, k): the first is placed, not sent.
        out.clear();
        d.show(&mut out, &2, area(), &b);
        assert!(out.windows(6).any(|w| w == b"_Gi=2,"));
        out.clear();
        d.show(&mut out, &1, area(), &a);
        assert!(out.len() < 100, "placed by its id: {} bytes", out.len());
        assert!(
            out.starts_with(b"\x1b_Ga=d\x1b\\"),
            "the old placement erased"
        );
        assert!(out.windows(8).any(|w| w == b"a=p,i=1,"));
        // Hiding deletes placements, not the pictures: shown again, placed.
        out.clear();
        assert_eq!(d.hide(&mut out), Hidden::Done);
        assert_eq!(out, b"\x1b_Ga=d\x1b\\");
        out.clear();
        d.show(&mut out, &2, area(), &b);
        assert!(out.windows(8).any(|w| w == b"a=p,i=2,"));
    }

    #[test]
    fn kitty_frees_the_oldest_picture_past_its_bound() {
        let mut d = Display::new(GraphicsProtocol::Kitty);
        let mut out = Vec::new();
        let p = kitty_picture(0, 3);
        for k in 0..=KITTY_KEPT {
            out.clear();
            d.show(&mut out, &k, area(), &p);
        }
        assert!(
            out.ends_with(b"\x1b_Ga=d,d=I,i=1,q=2\x1b\\"),
            "the first picture's data freed"
        );
        assert_eq!(d.kept.len(), KITTY_KEPT);
        // The freed one comes back: sent again, under a new id.
        out.clear();
        d.show(&mut out, &0, area(), &p);
        assert!(out.len() > p.len());
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
