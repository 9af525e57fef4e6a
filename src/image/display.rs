//! The one owner of graphics-protocol pictures on screen: it keeps their
//! encoded bytes (the app's state holds only keys), knows which picture is
//! placed where, and changes only what changed between two frames.
//!
//! Pictures are written after ratatui's frame, outside its buffer, so
//! ratatui cannot erase them:
//! - kitty: each picture is sent once under an image id, then *placed*
//!   wherever it appears (a placement is a few dozen bytes); a picture
//!   that leaves its place loses that placement only, and the terminal's
//!   copy is freed when the bound of kept pictures evicts it. Pictures
//!   fetched ahead are sent ahead (stored, not placed), so scrolling the
//!   gallery places pictures rather than sending them.
//! - iTerm and sixel pictures live in the cells: only a place whose
//!   picture changed is drawn again, and a place left empty is handed back
//!   to the caller to repaint from ratatui's buffer.
//!
//! Half blocks are ordinary cells in ratatui's buffer: nothing to do.
//!
//! Why not `ratatui-image` (11.1, for ratatui 0.30): it draws inside the
//! frame by putting the whole escape string in one buffer cell, and its kitty
//! output uses unicode placeholders rather than a transmit at the cursor, so
//! our escapes, their tests and this erase path would all change; its
//! default features also link chafa through pkg-config.

use std::hash::Hash;
use std::io::Write;

use lru::LruCache;
use ratatui::layout::Rect;

use super::drivers::{kitty, tmux};
use super::overlay::CropFrame;
use super::protocol::{Encoded, Fit, GraphicsProtocol};

/// kitty pictures kept in the terminal (a gallery screen at 200×60 places
/// about 30; three screens are fetched ahead): past it, those not on screen
/// are freed, and sent again if they come back.
pub(crate) const KITTY_KEPT: usize = 256;

/// kitty: the image id of crop mode's box (never one of the pictures').
const OVERLAY_ID: u32 = u32::MAX;

/// What is drawn where, for one protocol. `K` names an encoded picture
/// (its source and cell box, not its place).
pub(crate) struct Display<K: Hash + Eq> {
    protocol: GraphicsProtocol,
    /// The encoded pictures, most recently used last, bounded by bytes.
    pictures: LruCache<K, Encoded>,
    bytes: usize,
    max_bytes: usize,
    /// What is on screen now.
    shown: Vec<Placed<K>>,
    /// kitty: pictures the terminal keeps: their image id and fit.
    kept: LruCache<K, (u32, Fit)>,
    next_id: u32,
    next_placement: u32,
    /// kitty: the screen was cleared under us (a resize); placements of
    /// ours may linger, so the next sync deletes them all first.
    cleared: bool,
    /// Inside tmux with passthrough allowed: where the pane starts in the
    /// outer terminal; every escape goes out wrapped.
    tmux: Option<(u16, u16)>,
    /// kitty: crop mode's box over its picture, as last sent, and the cells
    /// it covers.
    overlay: Option<(CropFrame, Rect)>,
}

/// A picture on screen: its key, the box it was asked for, the cells it
/// covers, and (kitty) its image and placement ids.
#[derive(Debug, Clone)]
struct Placed<K> {
    key: K,
    area: Rect,
    covers: Rect,
    ids: (u32, u32),
    /// The cells the picture is scaled to (kitty; it may overrun `covers`
    /// at the screen's edge).
    span: Rect,
}

/// What [`Display::sync`] leaves to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Synced<K> {
    /// Cells whose picture went (iTerm, sixel): write them again from
    /// ratatui's buffer *before* the queued bytes (a new picture may go
    /// over them).
    pub repaint: Vec<Rect>,
    /// Pictures asked for whose bytes the display no longer has (evicted
    /// under its bound): the app must fetch them again.
    pub lost: Vec<K>,
}

impl<K: Hash + Eq + Clone> Display<K> {
    pub(crate) fn new(protocol: GraphicsProtocol, max_bytes: usize) -> Display<K> {
        Display {
            protocol,
            pictures: LruCache::unbounded(),
            bytes: 0,
            max_bytes,
            shown: Vec::new(),
            kept: LruCache::unbounded(),
            next_id: 1,
            next_placement: 1,
            cleared: false,
            tmux: None,
            overlay: None,
        }
    }

    /// Whether escapes go through tmux.
    pub(crate) fn in_tmux(&self) -> bool {
        self.tmux.is_some()
    }

    /// Wraps every escape for tmux's passthrough from now on (`None`:
    /// not in tmux, or tmux passes nothing); `origin` is where the pane
    /// starts in the outer terminal (columns, rows).
    pub(crate) fn pass_through_tmux(&mut self, origin: Option<(u16, u16)>) {
        self.tmux = origin;
    }

    /// Keeps an encoded picture. Past the bound, pictures the app no longer
    /// holds (`held` is false) go first, then the least recently used.
    /// The new picture itself counts as held.
    pub(crate) fn keep(&mut self, key: K, picture: Encoded, held: impl Fn(&K) -> bool) {
        self.bytes += picture.byte_size();
        if let Some(old) = self.pictures.put(key.clone(), picture) {
            self.bytes = self.bytes.saturating_sub(old.byte_size());
        }
        if self.bytes <= self.max_bytes {
            return;
        }
        let stale: Vec<K> = self
            .pictures
            .iter()
            .filter(|(k, _)| **k != key && !held(k))
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            if let Some(p) = self.pictures.pop(&k) {
                self.bytes = self.bytes.saturating_sub(p.byte_size());
            }
        }
        // Keep the newest even if it alone is over the bound.
        while self.bytes > self.max_bytes && self.pictures.len() > 1 {
            if let Some((_, p)) = self.pictures.pop_lru() {
                self.bytes = self.bytes.saturating_sub(p.byte_size());
            }
        }
    }

    /// Bytes of encoded pictures held.
    #[cfg(test)]
    pub(crate) fn held_bytes(&self) -> usize {
        self.bytes
    }

    /// Makes the screen show exactly `wanted` (each picture in its box),
    /// queueing into `out` only what changed; kitty also sends `ahead`
    /// (pictures that may be wanted next) without placing them.
    pub(crate) fn sync(
        &mut self,
        out: &mut Vec<u8>,
        wanted: &[(K, Rect)],
        ahead: &[K],
    ) -> Synced<K> {
        let Some(origin) = self.tmux else {
            return self.sync_raw(out, wanted, ahead);
        };
        let mut raw = Vec::new();
        let synced = self.sync_raw(&mut raw, wanted, ahead);
        out.extend_from_slice(&tmux::passthrough(&raw, origin));
        synced
    }

    /// kitty: shows crop mode's box `frame` over the picture `under` where
    /// that is placed now (after [`Display::sync`]), or erases it (`None`,
    /// or the picture is not on screen). Sent again only when it changed:
    /// a few kilobytes per move of the box, the photo under it untouched.
    /// (The box's own picture stays in the terminal after crop mode, a few
    /// kilobytes, until the next box replaces it or the app ends.)
    pub(crate) fn sync_overlay(&mut self, out: &mut Vec<u8>, frame: Option<(&K, CropFrame)>) {
        if self.protocol != GraphicsProtocol::Kitty {
            return;
        }
        let wanted = frame.and_then(|(key, frame)| {
            let placed = self.shown.iter().find(|p| p.key == *key)?;
            Some((frame, placed.span))
        });
        if wanted == self.overlay {
            return;
        }
        let mut raw = Vec::new();
        // Sending under the same image and placement ids replaces both; a
        // free (`d=I`) would also free every picture not placed now (see
        // `make_room`), so leaving deletes the placement only.
        if self.overlay.take().is_some() && wanted.is_none() {
            kitty::delete_placement(&mut raw, OVERLAY_ID, 1);
        }
        if let Some((frame, span)) = wanted
            && let Some(b64) = frame.encode(span.width, span.height)
        {
            let _ = write!(
                raw,
                "\x1b7\x1b[{};{}H",
                u32::from(span.y) + 1,
                u32::from(span.x) + 1
            );
            kitty::transmit_over(&mut raw, &b64, OVERLAY_ID, 1, span.width, span.height);
            raw.extend_from_slice(b"\x1b8");
            self.overlay = Some((frame, span));
        }
        match self.tmux {
            Some(origin) => out.extend_from_slice(&tmux::passthrough(&raw, origin)),
            None => out.extend_from_slice(&raw),
        }
    }

    fn sync_raw(&mut self, out: &mut Vec<u8>, wanted: &[(K, Rect)], ahead: &[K]) -> Synced<K> {
        let mut synced = Synced {
            repaint: Vec::new(),
            lost: Vec::new(),
        };
        if !self.protocol.is_graphics() {
            return synced;
        }
        if std::mem::take(&mut self.cleared) && self.protocol == GraphicsProtocol::Kitty {
            out.extend_from_slice(kitty::delete_all());
        }
        // What stays where it is.
        let before = std::mem::take(&mut self.shown);
        for placed in before {
            if wanted
                .iter()
                .any(|(k, a)| *k == placed.key && *a == placed.area)
            {
                self.shown.push(placed);
            } else if self.protocol == GraphicsProtocol::Kitty {
                kitty::delete_placement(out, placed.ids.0, placed.ids.1);
            } else {
                synced.repaint.push(placed.covers);
            }
        }
        for (key, area) in wanted {
            if self.shown.iter().any(|p| p.key == *key && p.area == *area) {
                continue;
            }
            match self.place(out, key, *area) {
                Some(placed) => self.shown.push(placed),
                None => synced.lost.push(key.clone()),
            }
        }
        if self.protocol == GraphicsProtocol::Kitty {
            for key in ahead {
                if self.kept.contains(key) || !self.pictures.contains(key) {
                    continue;
                }
                self.make_room(out);
                if let Some(picture) = self.pictures.peek(key) {
                    let (id, fit) = (self.next_id, picture.fit);
                    kitty::transmit(out, &picture.payload, id, None);
                    self.new_id();
                    self.kept.put(key.clone(), (id, fit));
                }
            }
        }
        synced
    }

    /// Draws one picture in its box; `None` when its bytes are gone (and,
    /// for kitty, the terminal does not keep it either).
    fn place(&mut self, out: &mut Vec<u8>, key: &K, area: Rect) -> Option<Placed<K>> {
        let kitty = self.protocol == GraphicsProtocol::Kitty;
        let sent = if kitty {
            self.kept.get(key).copied()
        } else {
            None
        };
        let fit = match sent {
            Some((_, fit)) => fit,
            None => self.pictures.get(key)?.fit,
        };
        // kitty scales a placement to its box: one picture serves a gallery
        // cell and, enlarged, the Detail pane.
        let fit = if kitty {
            fit.scaled_into(area.width, area.height)
        } else {
            fit
        };
        let (x, y) = fit.origin(area.x, area.y);
        let span = Rect::new(x, y, fit.cols, fit.rows);
        let covers = span.intersection(area);
        // Save the cursor and move it (CUP is 1-based).
        let _ = write!(out, "\x1b7\x1b[{};{}H", u32::from(y) + 1, u32::from(x) + 1);
        let mut ids = (0, 0);
        if kitty {
            let pid = self.new_placement();
            let id = match sent {
                Some((id, _)) => {
                    kitty::place(out, id, pid, fit.cols, fit.rows);
                    id
                }
                None => {
                    self.make_room(out);
                    let id = self.new_id();
                    if let Some(p) = self.pictures.peek(key) {
                        kitty::transmit(out, &p.payload, id, Some((pid, fit.cols, fit.rows)));
                    }
                    self.kept.put(key.clone(), (id, fit));
                    id
                }
            };
            ids = (id, pid);
        } else if let Some(p) = self.pictures.peek(key) {
            out.extend_from_slice(&p.payload);
        }
        out.extend_from_slice(b"\x1b8");
        Some(Placed {
            key: key.clone(),
            area,
            covers,
            ids,
            span,
        })
    }

    /// kitty: makes room for one more picture in the terminal, at the
    /// bound of pictures kept. A delete that frees (`d=I`) frees every
    /// picture that has no placement, not only the one it names (seen in
    /// kitty 0.26: a picture scrolled away was gone when placed again), so
    /// the display frees them all at once and forgets them; the pictures
    /// on screen stay.
    fn make_room(&mut self, out: &mut Vec<u8>) {
        if self.kept.len() < KITTY_KEPT {
            return;
        }
        let on_screen: Vec<K> = self.shown.iter().map(|p| p.key.clone()).collect();
        let unplaced: Vec<(K, u32)> = self
            .kept
            .iter()
            .filter(|(k, _)| !on_screen.contains(k))
            .map(|(k, (id, _))| (k.clone(), *id))
            .collect();
        let Some((_, named)) = unplaced.first() else {
            return;
        };
        kitty::free(out, *named);
        for (k, _) in &unplaced {
            self.kept.pop(k);
        }
    }

    fn new_id(&mut self) -> u32 {
        let id = self.next_id;
        // Ids are 32-bit, never 0, and never the overlay's.
        self.next_id = match self.next_id.checked_add(1) {
            Some(next) if next != OVERLAY_ID => next,
            _ => 1,
        };
        id
    }

    fn new_placement(&mut self) -> u32 {
        let pid = self.next_placement;
        self.next_placement = self.next_placement.checked_add(1).unwrap_or(1);
        pid
    }

    /// The terminal cleared the screen itself (a resize): nothing of ours
    /// is on it any more, so the next `sync` draws every picture again.
    pub(crate) fn forget(&mut self) {
        self.shown.clear();
        self.overlay = None;
        self.cleared = true;
    }

    /// Erases what the terminal still keeps when the app ends: kitty keeps
    /// its pictures past the alternate screen; cell pictures go with it.
    pub(crate) fn shutdown(&mut self, out: &mut impl Write) {
        self.shown.clear();
        self.overlay = None;
        if self.protocol == GraphicsProtocol::Kitty {
            self.kept.clear();
            let free = if let Some(origin) = self.tmux {
                tmux::passthrough(kitty::free_all(), origin)
            } else {
                kitty::free_all().to_vec()
            };
            let _ = out.write_all(&free);
            let _ = out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square noisy picture encoded for `protocol`, fitted into a 6×3
    /// box (which it fills: a cell is twice as tall as wide).
    fn encoded(protocol: GraphicsProtocol, seed: u8) -> Encoded {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(48, 48, |x, y| {
            image::Rgb([seed, ((x * 37) ^ (y * 11)) as u8, (x * y) as u8])
        }));
        crate::image::protocol::encode_picture(&img, protocol, 6, 3, Default::default())
            .unwrap()
            .unwrap()
    }

    fn display(protocol: GraphicsProtocol, keys: u8) -> Display<u8> {
        let mut d = Display::new(protocol, 1 << 20);
        for k in 0..keys {
            d.keep(k, encoded(protocol, k), |_| true);
        }
        d
    }

    /// Cell `slot` of a one-row grid of 8-column boxes.
    fn cell(slot: u16) -> Rect {
        Rect::new(1 + 8 * slot, 2, 6, 3)
    }

    fn count(out: &[u8], what: &str) -> usize {
        String::from_utf8_lossy(out).matches(what).count()
    }

    fn crop_frame(x1: u32) -> CropFrame {
        CropFrame {
            picture: (48, 48),
            selection: (x1, 8, 40, 40),
            subjects: vec![(4, 4, 20, 20)],
            chosen: None,
            cell: (10, 20),
        }
    }

    /// Crop mode in kitty: the box goes over its picture as a picture of
    /// its own (z=1, at the picture's cells); moving it sends that again
    /// under the same ids, never the photo; leaving deletes its placement.
    #[test]
    fn kitty_draws_the_crop_box_over_its_picture_and_moves_it_alone() {
        let mut d = display(GraphicsProtocol::Kitty, 1);
        let mut out = Vec::new();
        d.sync(&mut out, &[(0, cell(0))], &[]);
        d.sync_overlay(&mut out, Some((&0, crop_frame(8))));
        let text = String::from_utf8_lossy(&out).to_string();
        assert!(
            text.contains(&format!(
                "\x1b7\x1b[3;2H\x1b_Gi={OVERLAY_ID},p=1,f=100,a=T,t=d,q=2,C=1,z=1,c=6,r=3,"
            )),
            "{text:.400}"
        );
        // The same box again: nothing.
        let mut again = Vec::new();
        d.sync(&mut again, &[(0, cell(0))], &[]);
        d.sync_overlay(&mut again, Some((&0, crop_frame(8))));
        assert!(again.is_empty(), "{:?}", String::from_utf8_lossy(&again));
        // Moved: the box sent again under its ids (which replaces it); the
        // photo not.
        let mut moved = Vec::new();
        d.sync(&mut moved, &[(0, cell(0))], &[]);
        d.sync_overlay(&mut moved, Some((&0, crop_frame(12))));
        let text = String::from_utf8_lossy(&moved).to_string();
        assert!(
            text.starts_with(&format!("\x1b7\x1b[3;2H\x1b_Gi={OVERLAY_ID},p=1,")),
            "replaced under its ids: {text:.200}"
        );
        assert_eq!(count(&moved, "a=d"), 0, "nothing freed: {text:.200}");
        assert_eq!(count(&moved, "a=T"), 1);
        assert_eq!(count(&moved, "i=1,"), 0, "the photo is not sent again");
        assert!(moved.len() < 4_000, "{} bytes", moved.len());
        // A picture not on screen gets no box; leaving crop mode deletes its
        // placement.
        let mut gone = Vec::new();
        d.sync(&mut gone, &[], &[]);
        d.sync_overlay(&mut gone, Some((&0, crop_frame(12))));
        assert_eq!(count(&gone, &format!("a=d,d=i,i={OVERLAY_ID},p=1")), 1);
        assert_eq!(count(&gone, "d=I"), 0);
        assert_eq!(count(&gone, "a=T"), 0);
    }

    #[test]
    fn no_crop_box_picture_without_kitty() {
        for protocol in [GraphicsProtocol::Sixel, GraphicsProtocol::Iterm] {
            let mut d = display(protocol, 1);
            let mut out = Vec::new();
            d.sync(&mut out, &[(0, cell(0))], &[]);
            let before = out.len();
            d.sync_overlay(&mut out, Some((&0, crop_frame(8))));
            assert_eq!(out.len(), before);
        }
    }

    #[test]
    fn picture_ids_never_take_the_crop_box_id() {
        let mut d: Display<u8> = Display::new(GraphicsProtocol::Kitty, 1 << 20);
        d.next_id = OVERLAY_ID - 1;
        assert_eq!(d.new_id(), OVERLAY_ID - 1);
        assert_eq!(d.new_id(), 1);
    }

    #[test]
    fn kitty_sends_each_picture_once_with_an_id_then_places_it() {
        let mut d = display(GraphicsProtocol::Kitty, 4);
        let mut out = Vec::new();
        let screen = [(0, cell(0)), (1, cell(1)), (2, cell(2))];
        let s = d.sync(&mut out, &screen, &[]);
        assert_eq!(
            s,
            Synced {
                repaint: vec![],
                lost: vec![]
            }
        );
        assert_eq!(count(&out, "a=T"), 3, "three pictures sent");
        for (id, x) in [(1, 1), (2, 9), (3, 17)] {
            let at = format!("\x1b7\x1b[3;{}H\x1b_Gi={id},p={id},f=100,a=T", x + 1);
            assert!(String::from_utf8_lossy(&out).contains(&at), "{at:?}");
        }
        // The same screen again (the cursor moved within it): nothing.
        out.clear();
        d.sync(&mut out, &screen, &[]);
        assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn kitty_scrolling_re_places_pictures_already_sent() {
        let mut d = display(GraphicsProtocol::Kitty, 4);
        let mut out = Vec::new();
        d.sync(&mut out, &[(0, cell(0)), (1, cell(1)), (2, cell(2))], &[]);
        let first = out.len();
        // Scrolled by one: 1 and 2 move left, 3 comes in.
        out.clear();
        d.sync(&mut out, &[(1, cell(0)), (2, cell(1)), (3, cell(2))], &[]);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert_eq!(count(&out, "a=d,d=i,"), 3, "old placements deleted: {text}");
        assert!(!text.contains("d=I"), "no picture's data freed: {text}");
        assert!(text.contains("a=p,i=2,p=4,") && text.contains("a=p,i=3,p=5,"));
        assert_eq!(count(&out, "a=T"), 1, "only the new picture sent");
        assert!(text.contains("i=4,p=6,f=100,a=T"));
        // With the next picture sent ahead, the same scroll is placements only.
        let mut d = display(GraphicsProtocol::Kitty, 4);
        out.clear();
        d.sync(&mut out, &[(0, cell(0)), (1, cell(1)), (2, cell(2))], &[3]);
        assert_eq!(count(&out, "a=t,"), 1, "3 sent ahead, not placed");
        out.clear();
        d.sync(&mut out, &[(1, cell(0)), (2, cell(1)), (3, cell(2))], &[]);
        assert_eq!(count(&out, "a=T"), 0);
        assert_eq!(count(&out, "a=p,"), 3);
        assert!(out.len() * 20 < first, "{} vs {first} bytes", out.len());
    }

    #[test]
    fn kitty_erase_deletes_placements_and_keeps_pictures() {
        let mut d = display(GraphicsProtocol::Kitty, 2);
        let mut out = Vec::new();
        d.sync(&mut out, &[(0, cell(0)), (1, cell(1))], &[]);
        out.clear();
        let s = d.sync(&mut out, &[], &[]);
        assert!(s.repaint.is_empty());
        assert_eq!(
            out,
            b"\x1b_Ga=d,d=i,i=1,p=1,q=2\x1b\\\x1b_Ga=d,d=i,i=2,p=2,q=2\x1b\\"
        );
        // Back: placed by id, not sent; even once the bytes are gone here.
        d.pictures.clear();
        out.clear();
        let s = d.sync(&mut out, &[(1, cell(0))], &[]);
        assert!(s.lost.is_empty());
        assert_eq!(
            out,
            b"\x1b7\x1b[3;2H\x1b_Ga=p,i=2,p=3,q=2,C=1,c=6,r=3\x1b\\\x1b8"
        );
        let mut end = Vec::new();
        d.shutdown(&mut end);
        assert_eq!(end, b"\x1b_Ga=d,d=A,q=2\x1b\\", "all freed at the end");
    }

    #[test]
    fn kitty_places_one_picture_in_two_boxes_scaled_to_each() {
        let mut d = display(GraphicsProtocol::Kitty, 1);
        let mut out = Vec::new();
        // A gallery cell (6×3) and the Detail pane (20×8) show picture 0.
        let detail = Rect::new(0, 10, 20, 8);
        d.sync(&mut out, &[(0, cell(0)), (0, detail)], &[]);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert_eq!(count(&out, "a=T"), 1, "sent once: {text:.200}");
        // The square picture is 16×8 cells in Detail, centred: column 2.
        assert!(
            text.contains("\x1b7\x1b[11;3H\x1b_Ga=p,i=1,p=2,q=2,C=1,c=16,r=8\x1b\\"),
            "{text:.300}"
        );
    }

    #[test]
    fn kitty_frees_the_pictures_not_on_screen_past_its_bound() {
        let mut d: Display<u16> = Display::new(GraphicsProtocol::Kitty, 1 << 30);
        let p = encoded(GraphicsProtocol::Kitty, 1);
        for k in 0..=KITTY_KEPT as u16 {
            d.keep(k, p.clone(), |_| true);
        }
        let mut out = Vec::new();
        // Picture 0 stays on screen the whole time.
        for k in 1..=KITTY_KEPT as u16 {
            out.clear();
            d.sync(&mut out, &[(0, cell(0)), (k, cell(1))], &[]);
        }
        // Sending picture 256 (the 257th) found the terminal full: one free,
        // with which kitty frees every picture without a placement; only
        // picture 0, on screen, is still kept besides the new one.
        let text = String::from_utf8_lossy(&out).to_string();
        assert_eq!(count(&out, "d=I"), 1, "{text:.300}");
        assert!(!text.contains("d=I,i=1,"), "picture 0 (id 1) is not named");
        assert_eq!(d.kept.len(), 2);
        assert!(d.kept.contains(&0) && d.kept.contains(&(KITTY_KEPT as u16)));
        // Picture 1 comes back: sent again, under a new id.
        out.clear();
        d.sync(&mut out, &[(0, cell(0)), (1, cell(1))], &[]);
        assert_eq!(count(&out, "a=T"), 1);
    }

    #[test]
    fn cell_pictures_are_sent_only_where_they_changed() {
        for protocol in [GraphicsProtocol::Iterm, GraphicsProtocol::Sixel] {
            let mut d = display(protocol, 4);
            let mut out = Vec::new();
            d.sync(&mut out, &[(0, cell(0)), (1, cell(1)), (2, cell(2))], &[3]);
            let one = d.pictures.peek(&0).unwrap().payload.len();
            assert!(out.len() > 3 * one, "three sent");
            out.clear();
            let s = d.sync(&mut out, &[(0, cell(0)), (1, cell(1)), (3, cell(2))], &[]);
            assert_eq!(s.repaint, vec![cell(2)], "2's cells");
            assert!(out.starts_with(b"\x1b7\x1b[3;18H"), "3 drawn where 2 was");
            assert!(out.len() < one * 2, "only the changed cell: {protocol:?}");
            out.clear();
            let s = d.sync(&mut out, &[], &[]);
            assert_eq!(s.repaint.len(), 3);
            assert!(out.is_empty());
            let mut end = Vec::new();
            d.shutdown(&mut end);
            assert!(end.is_empty());
        }
    }

    #[test]
    fn a_picture_whose_bytes_are_gone_is_reported_lost() {
        for protocol in [GraphicsProtocol::Kitty, GraphicsProtocol::Sixel] {
            let mut d = display(protocol, 1);
            let mut out = Vec::new();
            let s = d.sync(&mut out, &[(0, cell(0)), (9, cell(1))], &[]);
            assert_eq!(s.lost, vec![9]);
            assert!(!String::from_utf8_lossy(&out).contains("[3;10H"));
        }
    }

    #[test]
    fn the_bytes_held_are_bounded_and_stale_pictures_go_first() {
        let p = encoded(GraphicsProtocol::Kitty, 1);
        let size = p.byte_size();
        let mut d: Display<u8> = Display::new(GraphicsProtocol::Kitty, 3 * size);
        for k in 0..3 {
            d.keep(k, p.clone(), |_| true);
        }
        d.pictures.get(&0); // 0 used most recently: 1 is the oldest
        // 2 is no longer held by the app: it goes before 1.
        d.keep(3, p.clone(), |k| *k != 2);
        assert!(d.held_bytes() <= 3 * size);
        let mut held: Vec<u8> = d.pictures.iter().map(|(k, _)| *k).collect();
        held.sort_unstable();
        assert_eq!(held, vec![0, 1, 3]);
        d.keep(4, p, |_| true);
        assert!(!d.pictures.contains(&1), "then the least recently used");
    }

    #[test]
    fn after_a_resize_everything_is_drawn_again() {
        let mut d = display(GraphicsProtocol::Kitty, 1);
        let mut out = Vec::new();
        d.sync(&mut out, &[(0, cell(0))], &[]);
        d.forget();
        out.clear();
        d.sync(&mut out, &[(0, cell(0))], &[]);
        assert!(out.starts_with(kitty::delete_all()), "stale placements go");
        assert_eq!(count(&out, "a=p,i=1,"), 1, "placed again, not sent");
        let mut d = display(GraphicsProtocol::Sixel, 1);
        d.sync(&mut out, &[(0, cell(0))], &[]);
        d.forget();
        out.clear();
        let s = d.sync(&mut out, &[(0, cell(0))], &[]);
        assert!(s.repaint.is_empty(), "the terminal cleared it");
        assert!(out.len() > 100, "sent again");
    }

    #[test]
    fn inside_tmux_every_escape_is_wrapped_with_its_place() {
        let mut d = display(GraphicsProtocol::Kitty, 1);
        d.pass_through_tmux(Some((10, 1)));
        assert!(d.in_tmux());
        let mut out = Vec::new();
        d.sync(&mut out, &[(0, cell(0))], &[]);
        let text = String::from_utf8_lossy(&out).into_owned();
        // Placed whole, at the pane's position plus the cell's.
        assert!(
            text.starts_with("\x1bPtmux;\x1b\x1b7\x1b\x1b[4;12H\x1b\x1b_Gi=1,p=1,"),
            "{text:.80}"
        );
        // Every kitty command inside a wrapper, its ESC doubled.
        let commands = text.matches("_G").count();
        assert!(commands > 0);
        assert_eq!(text.matches("\x1b\x1b_G").count(), commands, "{text:.120}");
        let mut end = Vec::new();
        d.shutdown(&mut end);
        assert_eq!(end, b"\x1bPtmux;\x1b\x1b_Ga=d,d=A,q=2\x1b\x1b\\\x1b\\");
    }

    #[test]
    fn half_blocks_have_nothing_to_place() {
        let mut d: Display<u8> = Display::new(GraphicsProtocol::HalfBlocks, 1 << 20);
        let mut out = Vec::new();
        let s = d.sync(&mut out, &[(0, cell(0))], &[0]);
        assert!(out.is_empty() && s.lost.is_empty());
    }
}
