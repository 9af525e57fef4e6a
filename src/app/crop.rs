//! Box arithmetic for cropping, in one pure module: fitting a picture in a
//! pane, mapping between terminal cells and the picture's own pixels
//! (half blocks: a cell is 1×2 screen pixels; a graphics protocol: the
//! terminal's cell size), and moving, sizing and clamping the box. The box
//! lives in the pixels of the user's file, so what the user sees is what
//! `--region` would say.

use crate::api::PixelBox;
use ratatui::layout::Rect;

/// Screen pixels one terminal cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellPixels {
    pub w: u32,
    pub h: u32,
}

impl CellPixels {
    /// '▀' half blocks: one column wide, two pixels tall.
    pub const HALF_BLOCKS: CellPixels = CellPixels { w: 1, h: 2 };
}

/// A picture of `picture` pixels fitted, aspect kept, in a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// The picture's own size.
    pub picture: (u32, u32),
    /// The cells the picture covers, centred in the pane.
    pub area: Rect,
    pub cell: CellPixels,
    /// Screen pixels the picture is drawn at (within `area`).
    pub shown: (u32, u32),
}

/// Fits `picture` in `pane` as large as it allows (small pictures are
/// enlarged). `None` when either has no area.
pub fn fit(picture: (u32, u32), pane: Rect, cell: CellPixels) -> Option<View> {
    let (w, h) = (u64::from(picture.0), u64::from(picture.1));
    let cap_w = u64::from(pane.width) * u64::from(cell.w);
    let cap_h = u64::from(pane.height) * u64::from(cell.h);
    if w == 0 || h == 0 || cap_w == 0 || cap_h == 0 {
        return None;
    }
    // Limited by height when the picture is relatively taller than the pane.
    let (sw, sh) = if w * cap_h <= h * cap_w {
        (((w * cap_h + h / 2) / h).clamp(1, cap_w), cap_h)
    } else {
        (cap_w, ((h * cap_w + w / 2) / w).clamp(1, cap_h))
    };
    let cols = sw.div_ceil(u64::from(cell.w)).min(u64::from(pane.width)) as u16;
    let rows = sh.div_ceil(u64::from(cell.h)).min(u64::from(pane.height)) as u16;
    let area = Rect::new(
        pane.x + (pane.width - cols) / 2,
        pane.y + (pane.height - rows) / 2,
        cols,
        rows,
    );
    Some(View {
        picture,
        area,
        cell,
        shown: (sw as u32, sh as u32),
    })
}

/// `v` of `from` units as `to` units, rounded down or up.
fn scale(v: u32, from: u32, to: u32, up: bool) -> u32 {
    let num = u64::from(v) * u64::from(to);
    let den = u64::from(from.max(1));
    let q = if up { num.div_ceil(den) } else { num / den };
    u32::try_from(q).unwrap_or(u32::MAX)
}

impl View {
    /// The box in screen pixels of the shown picture: `(x1, y1, x2, y2)`,
    /// at least one pixel each way.
    pub fn to_screen(&self, b: PixelBox) -> (u32, u32, u32, u32) {
        let (pw, ph) = self.picture;
        let (sw, sh) = self.shown;
        let x1 = scale(b.x1, pw, sw, false).min(sw.saturating_sub(1));
        let y1 = scale(b.y1, ph, sh, false).min(sh.saturating_sub(1));
        let x2 = scale(b.x2, pw, sw, true).clamp(x1 + 1, sw.max(x1 + 1));
        let y2 = scale(b.y2, ph, sh, true).clamp(y1 + 1, sh.max(y1 + 1));
        (x1, y1, x2, y2)
    }

    /// The cells the box covers (absolute terminal positions).
    pub fn cells_of(&self, b: PixelBox) -> Rect {
        let (x1, y1, x2, y2) = self.to_screen(b);
        let c1 = x1 / self.cell.w;
        let r1 = y1 / self.cell.h;
        let c2 = x2.div_ceil(self.cell.w);
        let r2 = y2.div_ceil(self.cell.h);
        let clip = |v: u32, max: u16| u16::try_from(v).unwrap_or(max).min(max);
        let (c1, c2) = (clip(c1, self.area.width), clip(c2, self.area.width));
        let (r1, r2) = (clip(r1, self.area.height), clip(r2, self.area.height));
        Rect::new(
            self.area.x + c1,
            self.area.y + r1,
            c2.saturating_sub(c1),
            r2.saturating_sub(r1),
        )
    }

    /// The picture point at the top-left corner of a cell, clamped inside
    /// the picture (a drag past the edge holds at the edge).
    pub fn point_at(&self, col: u16, row: u16) -> (u32, u32) {
        let dx = u32::from(col.saturating_sub(self.area.x)) * self.cell.w;
        let dy = u32::from(row.saturating_sub(self.area.y)) * self.cell.h;
        let (pw, ph) = self.picture;
        (
            scale(dx.min(self.shown.0), self.shown.0, pw, false).min(pw),
            scale(dy.min(self.shown.1), self.shown.1, ph, false).min(ph),
        )
    }

    /// The box a mouse drag from one cell to another covers, both cells
    /// included, within the picture and at least the minimum size.
    pub fn drag_box(&self, from: (u16, u16), to: (u16, u16)) -> PixelBox {
        let (c1, c2) = (from.0.min(to.0), from.0.max(to.0));
        let (r1, r2) = (from.1.min(to.1), from.1.max(to.1));
        let (x1, y1) = self.point_at(c1, r1);
        let (x2, y2) = self.point_at(c2.saturating_add(1), r2.saturating_add(1));
        clamp(PixelBox { x1, y1, x2, y2 }, self.picture)
    }

    /// Picture pixels one cell spans, each way: how far a key moves the box.
    pub fn step(&self) -> (u32, u32) {
        let (pw, ph) = self.picture;
        (
            scale(self.cell.w, self.shown.0, pw, true).max(1),
            scale(self.cell.h, self.shown.1, ph, true).max(1),
        )
    }

    /// Is the cell over the picture?
    pub fn contains(&self, col: u16, row: u16) -> bool {
        self.area.contains(ratatui::layout::Position::new(col, row))
    }
}

/// The smallest side a box may have on a picture side of `side` pixels:
/// 1 % of it, at least 8 pixels (never more than the side).
pub fn min_len(side: u32) -> u32 {
    (side / 100).max(8).min(side).max(1)
}

/// The whole picture.
pub fn whole(picture: (u32, u32)) -> PixelBox {
    PixelBox {
        x1: 0,
        y1: 0,
        x2: picture.0,
        y2: picture.1,
    }
}

/// One axis: `[a, b)` made at least `min` and at most `side` long, and
/// moved (not shrunk) to lie within `[0, side]`.
fn clamp_span(a: u32, b: u32, side: u32) -> (u32, u32) {
    let len = b.saturating_sub(a).clamp(min_len(side), side);
    let start = a.min(side - len);
    (start, start + len)
}

/// The box made valid for the picture: inside it, each side at least
/// [`min_len`]. A box larger than the picture becomes the picture.
pub fn clamp(b: PixelBox, picture: (u32, u32)) -> PixelBox {
    let (w, h) = (picture.0.max(1), picture.1.max(1));
    let (x1, x2) = clamp_span(b.x1, b.x2, w);
    let (y1, y2) = clamp_span(b.y1, b.y2, h);
    PixelBox { x1, y1, x2, y2 }
}

fn offset(v: u32, d: i64) -> u32 {
    u32::try_from((i64::from(v) + d).max(0)).unwrap_or(u32::MAX)
}

/// Moved by (dx, dy) pixels, its size kept, stopping at the edges.
pub fn moved(b: PixelBox, dx: i64, dy: i64, picture: (u32, u32)) -> PixelBox {
    let b = clamp(b, picture);
    let (w, h) = (b.width(), b.height());
    let x1 = offset(b.x1, dx).min(picture.0.saturating_sub(w));
    let y1 = offset(b.y1, dy).min(picture.1.saturating_sub(h));
    PixelBox {
        x1,
        y1,
        x2: x1 + w,
        y2: y1 + h,
    }
}

/// One axis of [`resized`].
fn resize_span(a: u32, b: u32, d: i64, side: u32) -> (u32, u32) {
    let len = offset(b - a, d).clamp(min_len(side), side);
    // Grow to the right (down); at the edge, grow to the left (up).
    let start = a.min(side - len);
    (start, start + len)
}

/// Wider/narrower by `dw` and taller/shorter by `dh` pixels, from the
/// right and bottom edges (from the left and top once at the picture's
/// edge), never below the minimum size.
pub fn resized(b: PixelBox, dw: i64, dh: i64, picture: (u32, u32)) -> PixelBox {
    let b = clamp(b, picture);
    let (x1, x2) = resize_span(b.x1, b.x2, dw, picture.0.max(1));
    let (y1, y2) = resize_span(b.y1, b.y2, dh, picture.1.max(1));
    PixelBox { x1, y1, x2, y2 }
}

/// Grown (`num > den`) or shrunk evenly about its centre by `num/den`,
/// kept inside the picture.
pub fn scaled(b: PixelBox, num: u32, den: u32, picture: (u32, u32)) -> PixelBox {
    let b = clamp(b, picture);
    let grow = |len: u32, side: u32| -> u32 {
        let v = scale(len, den.max(1), num, num >= den);
        // A step always changes the size, even when it rounds to nothing.
        let v = if num > den {
            v.max(len + 1)
        } else {
            v.min(len.saturating_sub(1))
        };
        v.clamp(min_len(side), side)
    };
    let (w, h) = (
        grow(b.width(), picture.0.max(1)),
        grow(b.height(), picture.1.max(1)),
    );
    let cx = u64::from(b.x1) + u64::from(b.width()) / 2;
    let cy = u64::from(b.y1) + u64::from(b.height()) / 2;
    let x1 = u32::try_from(cx.saturating_sub(u64::from(w) / 2)).unwrap_or(0);
    let y1 = u32::try_from(cy.saturating_sub(u64::from(h) / 2)).unwrap_or(0);
    clamp(
        PixelBox {
            x1,
            y1,
            x2: x1 + w,
            y2: y1 + h,
        },
        picture,
    )
}

/// Moved so its centre is the picture's.
pub fn centred(b: PixelBox, picture: (u32, u32)) -> PixelBox {
    let b = clamp(b, picture);
    let x1 = (picture.0 - b.width()) / 2;
    let y1 = (picture.1 - b.height()) / 2;
    PixelBox {
        x1,
        y1,
        x2: x1 + b.width(),
        y2: y1 + b.height(),
    }
}

/// `WxH px at X,Y`, how the box reads on screen.
pub fn describe(b: PixelBox) -> String {
    format!("{}×{} px at {},{}", b.width(), b.height(), b.x1, b.y1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HB: CellPixels = CellPixels::HALF_BLOCKS;
    /// A typical protocol cell (kitty at 10×20 pixels).
    const PX: CellPixels = CellPixels { w: 10, h: 20 };

    fn b(x1: u32, y1: u32, x2: u32, y2: u32) -> PixelBox {
        PixelBox { x1, y1, x2, y2 }
    }

    #[test]
    fn fitting_keeps_the_aspect_and_centres_at_several_shapes_and_panes() {
        for (picture, pane, cell, area) in [
            // Landscape 4:3 in a 78×20 pane, half blocks: 40 rows of pixels.
            (
                (4000, 3000),
                Rect::new(1, 1, 78, 20),
                HB,
                Rect::new(13, 1, 53, 20),
            ),
            // Portrait in a wide pane: limited by height.
            (
                (3000, 4000),
                Rect::new(0, 0, 198, 55),
                HB,
                Rect::new(57, 0, 83, 55),
            ),
            // A panorama: limited by width.
            (
                (6000, 1000),
                Rect::new(0, 0, 80, 22),
                HB,
                Rect::new(0, 7, 80, 7),
            ),
            // Square, protocol cells 10×20: 40 rows × 20 px = 800 px tall.
            (
                (600, 600),
                Rect::new(0, 0, 100, 40),
                PX,
                Rect::new(10, 0, 80, 40),
            ),
            // A tiny picture is enlarged to fill.
            (
                (10, 10),
                Rect::new(0, 0, 40, 10),
                HB,
                Rect::new(10, 0, 20, 10),
            ),
        ] {
            let v = fit(picture, pane, cell).expect("fits");
            assert_eq!(v.area, area, "{picture:?} in {pane:?}");
            assert!(pane.contains(v.area.as_position()));
            let ratio_pic = picture.0 as f64 / picture.1 as f64;
            let ratio_shown = v.shown.0 as f64 / v.shown.1 as f64;
            assert!(
                (ratio_pic / ratio_shown - 1.0).abs() < 0.05,
                "{picture:?}: {v:?}"
            );
        }
        assert_eq!(fit((0, 10), Rect::new(0, 0, 10, 10), HB), None);
        assert_eq!(fit((10, 10), Rect::new(0, 0, 0, 10), HB), None);
        // Huge pictures and panes do not overflow.
        let v = fit((u32::MAX, 1), Rect::new(0, 0, u16::MAX, u16::MAX), HB).unwrap();
        assert!(v.shown.1 >= 1);
    }

    #[test]
    fn the_whole_picture_covers_the_whole_view_and_cells_map_back() {
        for (picture, cell) in [((4000, 3000), HB), ((600, 900), PX), ((7, 5), HB)] {
            let v = fit(picture, Rect::new(2, 3, 70, 20), cell).unwrap();
            assert_eq!(v.cells_of(whole(picture)), v.area, "{picture:?}");
            let (x, y) = v.point_at(v.area.x, v.area.y);
            assert_eq!((x, y), (0, 0));
            let end = v.point_at(v.area.right(), v.area.bottom());
            assert!(end.0 <= picture.0 && end.1 <= picture.1);
            // Past the edges, points hold at the edge.
            assert_eq!(v.point_at(0, 0), (0, 0));
            let far = v.point_at(u16::MAX, u16::MAX);
            assert!(far.0 <= picture.0 && far.1 <= picture.1);
        }
    }

    #[test]
    fn a_half_block_cell_is_one_pixel_wide_and_two_tall() {
        // 100×100 picture in a 50×25 pane: shown 50×50 screen pixels.
        let v = fit((100, 100), Rect::new(0, 0, 50, 25), HB).unwrap();
        assert_eq!(v.shown, (50, 50));
        assert_eq!(v.step(), (2, 4));
        // The left half of the picture is the left 25 columns, all rows.
        assert_eq!(v.cells_of(b(0, 0, 50, 100)), Rect::new(0, 0, 25, 25));
        // The top quarter is rows 0..7 (25 px of 50 = 12.5 rows, rounded out).
        assert_eq!(v.cells_of(b(0, 0, 100, 25)), Rect::new(0, 0, 50, 7));
        // A protocol cell 10×20 px over the same pane shows the picture at 500×500.
        let p = fit((100, 100), Rect::new(0, 0, 50, 25), PX).unwrap();
        assert_eq!(p.shown, (500, 500));
        assert_eq!(p.area, Rect::new(0, 0, 50, 25));
        assert_eq!(p.step(), (2, 4));
    }

    #[test]
    fn a_drag_covers_both_cells_in_either_direction() {
        let v = fit((100, 100), Rect::new(0, 0, 50, 25), HB).unwrap();
        let down = v.drag_box((10, 5), (19, 9));
        assert_eq!(down, b(20, 20, 40, 40));
        assert_eq!(v.drag_box((19, 9), (10, 5)), down);
        // One cell is still a box of at least the minimum size.
        let one = v.drag_box((0, 0), (0, 0));
        assert!(one.width() >= min_len(100) && one.height() >= min_len(100));
        // Dragged off the picture: clamped.
        let out = v.drag_box((40, 20), (200, 200));
        assert_eq!((out.x2, out.y2), (100, 100));
    }

    #[test]
    fn moving_keeps_the_size_and_stops_at_the_edges() {
        let pic = (400, 300);
        let start = b(100, 100, 200, 150);
        assert_eq!(moved(start, 10, -20, pic), b(110, 80, 210, 130));
        assert_eq!(moved(start, -1000, -1000, pic), b(0, 0, 100, 50));
        assert_eq!(moved(start, 1000, 1000, pic), b(300, 250, 400, 300));
        // The whole picture cannot move.
        assert_eq!(moved(whole(pic), 5, 5, pic), whole(pic));
    }

    #[test]
    fn resizing_grows_from_the_far_edge_then_the_near_one_and_keeps_a_minimum() {
        let pic = (400, 300);
        assert_eq!(
            resized(b(100, 100, 200, 150), 20, 10, pic),
            b(100, 100, 220, 160)
        );
        // At the right edge, growing extends to the left.
        assert_eq!(resized(b(300, 0, 400, 50), 50, 0, pic), b(250, 0, 400, 50));
        // Never below the minimum (8 px here), never beyond the picture.
        assert_eq!(resized(b(0, 0, 20, 20), -1000, -1000, pic), b(0, 0, 8, 8));
        assert_eq!(resized(b(0, 0, 20, 20), 9999, 9999, pic), whole(pic));
        // On a big photo the minimum is 1 % of the side.
        let big = resized(b(0, 0, 500, 500), -1000, -1000, (6000, 4000));
        assert_eq!((big.width(), big.height()), (60, 40));
    }

    #[test]
    fn growing_and_shrinking_evenly_about_the_centre() {
        let pic = (1000, 1000);
        let grown = scaled(b(400, 400, 600, 600), 5, 4, pic);
        assert_eq!(grown, b(375, 375, 625, 625));
        let shrunk = scaled(grown, 4, 5, pic);
        assert_eq!(shrunk, b(400, 400, 600, 600));
        // Near an edge it stays inside.
        let edge = scaled(b(0, 0, 100, 100), 2, 1, pic);
        assert_eq!(edge, b(0, 0, 200, 200));
        // Tiny boxes still change; shrinking stops at the minimum.
        assert_ne!(scaled(b(0, 0, 8, 8), 5, 4, (20, 20)), b(0, 0, 8, 8));
        assert_eq!(scaled(b(0, 0, 8, 8), 1, 10, pic), b(0, 0, 10, 10));
    }

    #[test]
    fn centring_and_clamping() {
        let pic = (401, 301);
        assert_eq!(centred(b(0, 0, 101, 101), pic), b(150, 100, 251, 201));
        // A box outside the picture is brought in, and one larger becomes it.
        assert_eq!(clamp(b(390, 290, 450, 350), pic), b(341, 241, 401, 301));
        assert_eq!(clamp(b(0, 0, 5000, 5000), pic), whole(pic));
        // A picture smaller than the minimum box.
        assert_eq!(clamp(b(0, 0, 1, 1), (3, 2)), b(0, 0, 3, 2));
        assert_eq!(describe(b(10, 20, 110, 70)), "100×50 px at 10,20");
    }
}
