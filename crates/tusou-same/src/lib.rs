//! Same product, many sellers: a compact [`Signature`] of a picture, made
//! once per thumbnail, and [`compare`] for a pair. A cheap [`might_match`]
//! shortlists candidates; [`compare`] verifies a pair.
//!
//! # The algorithm, and why each step
//!
//! 1. **Trim** near-uniform rows and columns from the four edges, first on
//!    the picture sampled every few pixels (64–127 samples a side) with a
//!    strict rule, then from a sample further out on the picture itself,
//!    so the box sits on the object to the pixel. Padding and borders
//!    (white or coloured) are uniform lines, and so is the plain background
//!    of a product shot, so what is left is the object's box: the same box
//!    whether the reseller padded, framed, resized or re-encoded the photo.
//!    A frame whose corners a re-encode smeared is trimmed leaving out the
//!    lines' ends. A picture with nothing left is blank (`None`).
//! 2. **Overlays** at the edge are cut off the box on the sampled picture:
//!    a banner (lines mostly of one colour, with text on them, unlike the
//!    background, running to the picture's edge, then background) and a
//!    logo (a small part in a corner that an L of plain lines keeps apart
//!    from the rest, however far the object reaches beside it; painted
//!    over with the background, on the picture too). Left in, either
//!    stretches the box and shrinks the object on the canvas.
//! 3. **Shadow**: a soft shadow beside the object (the background, a
//!    little darker, the same colour) counts as background in both trims,
//!    with the background's colour taken around a box trimmed side by side
//!    (each side stops at its first line with anything on it, so a plain
//!    part of the object is never taken for background). A crop, a frame
//!    or a banner cuts a floor shadow anywhere; left in, it moved the box
//!    (synthetic crop recall 0.69 → 0.91 without it).
//! 4. **Canvas**: the box averaged in whole blocks, a row at a time, to
//!    about 170–380 px (a size set by the box, not the picture, so padding
//!    changes nothing),
//!    then area-averaged (separably, so fine prints do not alias
//!    differently at each size) to 80×80 inside a 96×96 canvas whose
//!    margin repeats the box's edge (what lies beyond the box differs
//!    between re-listings). Two re-listings of one photo now differ by at
//!    most a per-axis scale and shift (a crop that cuts into the object, an
//!    overlay left in). Everything after this runs on a bounded number of
//!    pixels (the < 1 ms budget).
//! 5. **Keypoints**: Harris corners (steadier than FAST at this small scale
//!    and under JPEG blur), at most 38, each with a 96-bit BRIEF
//!    descriptor (fixed pseudo-random pixel pairs in a 15×15 patch of the
//!    smoothed canvas). Resellers do not rotate product photos, so the
//!    descriptor is not steered. Written here: `imageproc` has FAST and
//!    BRIEF, but its compile time buys ~150 lines.
//! 6. **Grids**: the box cut into 8×8 cells for the mean colour (YCbCr) and
//!    into 12×12 cells for four texture energies (mean absolute *colour*
//!    difference two pixels apart along x, y and both diagonals, on the
//!    canvas softened once, in half octaves). The energies tell stripes
//!    from checks, dots or a plain body when the silhouette and the mean
//!    colour are the same — the look-alikes a global hash merges; colour
//!    differences, because a print in another hue at the body's
//!    brightness is invisible in grey; two pixels apart on a softened
//!    canvas, because a print's period is a few canvas pixels and
//!    one-pixel differences depend on how each re-listing's resampling
//!    fell on it (the photographs' recall rose from 0.83 to 0.92 with it).
//! 7. **Compare**: descriptors matched by Hamming distance (mutual nearest,
//!    ratio test), then an exhaustive, deterministic RANSAC over match
//!    pairs for the per-axis scale-and-shift that keeps most matches within
//!    2.5 px, refined by least squares; the identity (the same box) wins
//!    when it explains as many matches. Where the corners agree and colour
//!    and texture nearly do, the alignment is nudged to where they agree
//!    best (a few corners fix it to a pixel or two only).
//!    Under the best alignment the grids of the object's cells (the cells
//!    that differ from the background) are compared: colour after removing
//!    a small global shift (the reseller's colour or brightness change),
//!    texture after removing a global energy shift (a smaller, blurrier
//!    copy), each averaged over the best 80 % of cells (a logo or a text
//!    overlay covers a few cells; a different print differs everywhere);
//!    texture inside the object only, when enough of it is a cell away
//!    from the outline (the outline's energy moves between cells with the
//!    alignment). Both pictures are measured inside each other and the
//!    weaker evidence of each kind counts, so the verdict is symmetric.
//!    Same product only with enough geometric inliers *and* matching colour
//!    and texture inside the object: the geometry rejects different
//!    products, the colour/texture rejects same-shape, different-print
//!    look-alikes. Inliers inside the object (a colour cell away from its
//!    outline) are counted apart, as look-alikes share the outline, not
//!    the print; a blurred canvas's texture differs more from cell to cell,
//!    so the texture difference is divided by how blurred the blurrier one
//!    is. Three kinds of evidence (see [`verdict`]) each have their limits,
//!    searched on re-listings and look-alikes made with other seeds than
//!    the evaluation's.
//!
//! [`might_match`] compares the object's mean colour only (a few ns), with
//! a tolerance wider than the colour shift `compare` forgives; the
//! evaluation prints the positives it drops (none in the figures of
//! BENCHMARKS.md; 2 of 2,100, both overlays, in one earlier tuning).
//!
//! Everything is integer-indexed and loop-ordered, so signatures and
//! verdicts are deterministic; [`compare`] measures both ways and keeps the
//! weaker evidence, so it is exactly symmetric.
//!
//! Measured figures: BENCHMARKS.md, "Issue 26: same product — the matcher,
//! per transform" (`cargo bench -p tusou-same --bench eval`; set
//! `EVAL_DIAG=1` to print the evidence of every positive and look-alike
//! pair).

use image::RgbImage;

/// Largest [`Signature::heap_bytes`]: the app keeps one per grouped offer.
pub const SIGNATURE_MAX_BYTES: usize = 1024;

/// What a picture shows, small enough to keep one per offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// Header, colour grid, texture grid, keypoints: see the `*_OFF` consts.
    data: Vec<u8>,
}

/// The verdict on a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Both pictures show the same product.
    pub same: bool,
    /// 0 (nothing alike) to 1 (the same picture); `same` ⇔ `score` ≥ 0.5.
    pub score: f32,
}

/// Longer side of the picture the box is found in: `WORK..2*WORK`.
const WORK: u32 = 64;
/// Longer side of the box the canvas is made from: about this.
const BOX_WORK: usize = 256;
/// Canvas side, margin and the box's side inside it.
const C: usize = 96;
const MARGIN: f32 = 8.0;
const INNER: f32 = 80.0;
/// Grid cells per side and a cell's side on the canvas.
const G: usize = 8;
const CELL: f32 = INNER / G as f32;
/// Texture cells per side (finer than colour: a print is fine detail) and
/// a texture cell's side.
const GT: usize = 12;
const TCELL: f32 = INNER / GT as f32;
const MAX_KP: usize = 38;
/// BRIEF bits kept per keypoint.
const DESC_BITS: usize = 96;
/// Texture differences are taken this many canvas pixels apart.
const STEP: usize = 2;
const KP_BYTES: usize = 2 + DESC_BITS / 8;
const PATCH: i32 = 7;
/// Harris response floor: relative to the strongest corner, and absolute
/// (below it, JPEG noise on a plain body).
const HARRIS_REL: f32 = 0.0005;
const HARRIS_ABS: f32 = 1.0e5;
/// Share of the object's cells whose differences count: the worst are
/// dropped, as a logo or a text overlay covers a few cells entirely, while a
/// different print differs everywhere.
const KEEP: f32 = 0.8;

const BG_OFF: usize = 0;
const MEAN_OFF: usize = 3;
const FLAGS_OFF: usize = 6;
/// Flag: fewer than a quarter of the cells differ from the background.
const ALL_OBJECT: u8 = 1;
/// The box's longer side in the picture's pixels (u16): how sharp the
/// canvas can be.
const SOURCE_OFF: usize = 7;
const COL_OFF: usize = 9;
const TEX_OFF: usize = COL_OFF + G * G * 3;
const KP_OFF: usize = TEX_OFF + GT * GT * 2;
const _: () = assert!(KP_OFF + MAX_KP * KP_BYTES <= SIGNATURE_MAX_BYTES);

/// A line is background when 96 % of its pixels are within 20 (per
/// channel) of the line's mean; on the reduced picture, where thin parts
/// fade, 99 % within 12.
const BACKGROUND: Uniform = Uniform {
    share: 0.96,
    tol: 20.0,
    whole: false,
    ends: 0,
};
/// [`BACKGROUND`] side by side, for the colour around the object.
const LOOSE: Uniform = Uniform {
    whole: true,
    ..BACKGROUND
};
/// Overlays at the picture's edge (see [`Small::strip_overlays`] and
/// [`Small::corner_logo`]): a pixel is not background when a channel
/// differs by more than this (and it is not the background in shade); a
/// banner is at most this share (%) of the box; a logo lies within this
/// share (%) of the box from its corner, holds at most this share of what
/// differs, and at least this share of the box's area.
const OVERLAY_TOL: f32 = 40.0;
const BANNER_MAX: usize = 25;
const BANNER_SHARE: f32 = 0.55;
const BANNER_TEXT: f32 = 0.3;
/// A banner laid over the object's foot: the line beyond it holds at
/// least this share of background beside the object.
const BANNER_BESIDE: f32 = 0.15;
/// A banner stands out from the background by this much in some channel.
const BANNER_CONTRAST: f32 = 80.0;
const LOGO_REACH: usize = 40;
const LOGO_MASS: f32 = 0.3;
const LOGO_MIN: f32 = 0.005;
/// The background in a soft shadow: this share of its brightness, and
/// its colour scaled within this much per channel (a re-encode moves a
/// soft shadow's colour that far).
const SHADE_MIN: f32 = 0.7;
const SHADE_MAX: f32 = 0.97;
const SHADE_TOL: f32 = 18.0;
const STRICT: Uniform = Uniform {
    share: 0.99,
    tol: 12.0,
    whole: false,
    ends: 0,
};
/// [`STRICT`] through a frame whose corners a re-encode smeared.
const FRAMED: Uniform = Uniform { ends: 2, ..STRICT };

/// Decision thresholds (see [`verdict`]), tuned on re-listings and
/// look-alikes made with other seeds than the evaluation's.
/// Fewest geometric inliers for a pair to be the same product.
pub const MIN_INLIERS: u32 = 3;
/// Least share of one picture's object cells that land inside the other.
pub const MIN_COVERAGE: f32 = 0.5;
/// Limits with a few inliers: mean colour residual (YCbCr units, after
/// the global shift) and mean texture difference (half octaves).
pub const MAX_COLOUR: f32 = 2.5;
pub const MAX_TEXTURE: f32 = 0.5;
/// Inliers that make the geometry strong evidence, and its limits.
pub const STRONG_INLIERS: u32 = 20;
pub const MAX_COLOUR_STRONG: f32 = 6.75;
pub const MAX_TEXTURE_STRONG: f32 = 1.4;
/// Inliers inside the object (a colour cell away from its outline) that
/// align the print itself, and its limits.
pub const MIN_INTERIOR: u32 = 4;
pub const MAX_COLOUR_INTERIOR: f32 = 2.25;
pub const MAX_TEXTURE_INTERIOR: f32 = 0.95;
/// Texture cells inside the object needed to judge texture there only
/// (the outline's energy moves with the alignment).
const MIN_INTERIOR_CELLS: usize = 6;
/// Largest global colour shift forgiven (Y, and Cb/Cr).
const SHIFT_Y: f32 = 28.0;
const SHIFT_C: f32 = 14.0;
/// Largest global texture-energy shift forgiven (half octaves): when
/// either canvas was made from fewer pixels than it has (a blurred
/// canvas), and when both were made from plenty (as sharp as a canvas
/// gets; a re-encode still softens a little).
const TEX_SHIFT: f32 = 2.0;
const TEX_SHIFT_SHARP: f32 = 0.75;
/// The texture difference of a pair is divided by 1 + this × how blurred
/// the blurrier canvas is (see [`Evidence::blur`]).
const TEX_BLUR: f32 = 0.3;
/// [`might_match`]'s tolerance on the object's mean colour: wider than any
/// pair [`compare`] accepts (shift + residual + the cells' weighting).
const MIGHT_Y: i32 = 60;
const MIGHT_C: i32 = 36;

/// Descriptor matching: largest Hamming distance (of [`DESC_BITS`]) and the
/// ratio the best must beat the second best by.
const MAX_HAMMING: u32 = 26;
const RATIO: f32 = 0.85;
/// RANSAC: inlier tolerance (canvas px) and the scale range allowed.
const INLIER_PX: f32 = 2.5;
const SCALE_MIN: f32 = 0.6;
const SCALE_MAX: f32 = 1.7;
/// Alignment refinement: halvings of the step, and the weight of texture
/// (half octaves) against colour (YCbCr units) in what it minimises.
const REFINE_ROUNDS: usize = 3;
const REFINE_TEXTURE: f32 = 4.0;
/// Refined only when colour and texture are within this many times the
/// loosest limits.
const REFINE_NEAR: f32 = 2.0;

impl Signature {
    /// The signature of a decoded picture of any size; None when the
    /// picture shows nothing to match on (blank, or too small).
    pub fn of_image(img: &RgbImage) -> Option<Signature> {
        let (iw, ih) = (img.width() as usize, img.height() as usize);
        let ((x0, y0, x1, y1), logo) = object_box(img)?;
        let b = [x0, y0, x1, y1].map(|v| v as f32);
        // The box again, from the picture itself at a resolution set by the
        // box's size, not the picture's: padding or a crop changes the
        // picture's size, and the object must come out the same.
        let long = (b[2] - b[0]).max(b[3] - b[1]);
        let g = ((long / BOX_WORK as f32).round() as usize).max(1);
        let rx0 = (b[0].floor() as usize).min(iw);
        let ry0 = (b[1].floor() as usize).min(ih);
        let rx1 = (b[2].ceil() as usize).clamp(rx0, iw);
        let ry1 = (b[3].ceil() as usize).clamp(ry0, ih);
        let to = |v: usize, o: usize| v.saturating_sub(o) / g;
        let up = |v: usize, o: usize| v.saturating_sub(o).div_ceil(g);
        let object = Region {
            img,
            x0: rx0,
            y0: ry0,
            w: (rx1 - rx0) / g,
            h: (ry1 - ry0) / g,
            g,
            patch: logo.map(|(r, bg)| {
                let r = (to(r.0, rx0), to(r.1, ry0), up(r.2, rx0), up(r.3, ry0));
                (r, bg)
            }),
        };
        if object.w < 6 || object.h < 6 {
            return None;
        }
        let (ow, oh) = (object.w as f32, object.h as f32);
        let bbox = [
            ((b[0] - rx0 as f32) / g as f32).clamp(0.0, ow - 6.0),
            ((b[1] - ry0 as f32) / g as f32).clamp(0.0, oh - 6.0),
            0.0,
            0.0,
        ];
        let bbox = [
            bbox[0],
            bbox[1],
            ((b[2] - rx0 as f32) / g as f32).clamp(bbox[0] + 6.0, ow),
            ((b[3] - ry0 as f32) / g as f32).clamp(bbox[1] + 6.0, oh),
        ];
        let canvas = Canvas::of(&object, bbox);
        let mut sig = canvas.signature();
        let source = (long.round() as u16).to_le_bytes();
        sig.data[SOURCE_OFF..SOURCE_OFF + 2].copy_from_slice(&source);
        Some(sig)
    }

    /// The object's box in `img` that a signature is made from (x0, y0,
    /// x1, y1; exclusive ends), for diagnostics.
    pub fn object_box(img: &RgbImage) -> Option<(usize, usize, usize, usize)> {
        object_box(img).map(|b| b.0)
    }

    /// Bytes kept on the heap; at most [`SIGNATURE_MAX_BYTES`].
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity()
    }

    /// Number of keypoints kept.
    pub fn keypoints(&self) -> usize {
        (self.data.len() - KP_OFF) / KP_BYTES
    }

    fn kp(&self, i: usize) -> Kp {
        let o = KP_OFF + i * KP_BYTES;
        let mut d = [0u8; 16];
        d[..DESC_BITS / 8].copy_from_slice(&self.data[o + 2..o + KP_BYTES]);
        Kp {
            x: f32::from(self.data[o]),
            y: f32::from(self.data[o + 1]),
            d: u128::from_le_bytes(d),
        }
    }

    fn colour(&self, cell: usize) -> [f32; 3] {
        let o = COL_OFF + cell * 3;
        [0, 1, 2].map(|k| f32::from(self.data[o + k]))
    }

    /// A texture cell's four energies, log-quantised (half octaves).
    fn texture(&self, cell: usize) -> [f32; 4] {
        let o = TEX_OFF + cell * 2;
        let (p, q) = (self.data[o], self.data[o + 1]);
        [p >> 4, p & 15, q >> 4, q & 15].map(f32::from)
    }

    /// A colour cell that differs from the background.
    /// Whether a canvas point lies inside the object, a cell away from its
    /// outline (every point of a photo with no plain background).
    fn is_interior(&self, p: [f32; 2]) -> bool {
        if self.data[FLAGS_OFF] & ALL_OBJECT != 0 {
            return true;
        }
        let u = ((p[0] - MARGIN) / CELL).floor() as i32;
        let v = ((p[1] - MARGIN) / CELL).floor() as i32;
        let g = G as i32;
        [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
            .iter()
            .all(|&(du, dv)| {
                let (x, y) = (u + du, v + dv);
                (0..g).contains(&x) && (0..g).contains(&y) && self.is_object((y * g + x) as usize)
            })
    }

    fn is_object(&self, cell: usize) -> bool {
        // A photo with no plain background: every cell is the object.
        if self.data[FLAGS_OFF] & ALL_OBJECT != 0 {
            return true;
        }
        let c = self.colour(cell);
        let bg = [0, 1, 2].map(|k| f32::from(self.data[BG_OFF + k]));
        let dc = (0..3).map(|k| (c[k] - bg[k]).abs()).fold(0.0, f32::max);
        dc > 16.0
    }

    /// A texture cell on the object: in an object colour cell, or textured.
    fn is_object_t(&self, tcell: usize) -> bool {
        let (u, v) = (tcell % GT, tcell / GT);
        let cu = ((u as f32 + 0.5) * TCELL / CELL) as usize;
        let cv = ((v as f32 + 0.5) * TCELL / CELL) as usize;
        self.is_object(cv.min(G - 1) * G + cu.min(G - 1))
            || self.texture(tcell).iter().sum::<f32>() >= 12.0
    }
}

/// The object's box in the picture's pixels (x0, y0, x1, y1; exclusive
/// ends); None when the picture shows nothing to match on.
fn object_box(img: &RgbImage) -> Option<(Bounds, Option<Patch>)> {
    if img.width() < 8 || img.height() < 8 {
        return None;
    }
    let (iw, ih) = (img.width() as usize, img.height() as usize);
    let f = (iw.max(ih) / WORK as usize).max(1);
    // The box: trimmed on the reduced picture with a strict rule (the
    // reduction fades thin parts, such as a soft shadow's ends, into the
    // background), then from a block further out on the picture itself,
    // so it sits on the object to the pixel however the picture was
    // padded or cropped.
    let mut small = Small::sampled(img, f);
    let whole = (0, 0, small.w, small.h);
    let mut strict = trim(|x, y| small.at(x, y), whole, STRICT, None)?;
    // Nothing trimmed: maybe a frame whose corners a re-encode smeared
    // (then there is something to trim on every side).
    if strict == whole
        && let Some(framed) = trim(|x, y| small.at(x, y), whole, FRAMED, None)
        && framed.0 > 0
        && framed.1 > 0
        && framed.2 < small.w
        && framed.3 < small.h
    {
        strict = framed;
    }
    let (mut stripped, cut) = small.strip_overlays(strict);
    // A logo in a corner is painted over with the background, here and
    // on the picture itself (to the middle of the plain line beyond it).
    let logo = small.corner_logo(stripped);
    if let Some((r, bg)) = logo {
        small.paint(r, bg);
        stripped = trim(|x, y| small.at(x, y), stripped, STRICT, None)?;
    }
    let logo = logo.map(|((x0, y0, x1, y1), bg)| {
        let lo = |v: usize, edge: usize| if v == edge { 0 } else { v * f };
        let hi = |v: usize, edge: usize, n: usize| if v == edge { n } else { v * f + f / 2 };
        let r = (
            lo(x0, stripped.0.min(x0)),
            lo(y0, stripped.1.min(y0)),
            hi(x1, stripped.2.max(x1), iw),
            hi(y1, stripped.3.max(y1), ih),
        );
        (r, bg)
    });
    // A soft shadow beside the object is the background in shade: a
    // crop, a frame or a banner cuts it anywhere, so it is left out.
    let loose = trim(|x, y| small.at(x, y), stripped, LOOSE, None);
    let shade = loose.and_then(|b| small.around(b));
    let (x0, y0, x1, y1) = shade
        .zip(loose)
        .and_then(|(bg, b)| trim(|x, y| small.at(x, y), b, STRICT, Some(bg)))
        .unwrap_or(stripped);
    // A block further out, except where an overlay was cut off.
    let out = |side: usize| if cut[side] { 0 } else { f };
    let start = (
        (x0 * f).saturating_sub(out(0)),
        (y0 * f).saturating_sub(out(1)),
        (x1 * f + out(2)).min(iw),
        (y1 * f + out(3)).min(ih),
    );
    let raw = img.as_raw();
    let pixel = |x: usize, y: usize| match logo {
        Some((r, bg)) if (r.0..r.2).contains(&x) && (r.1..r.3).contains(&y) => bg,
        _ => {
            let i = (y * iw + x) * 3;
            [raw[i], raw[i + 1], raw[i + 2]].map(f32::from)
        }
    };
    Some((trim(pixel, start, BACKGROUND, shade)?, logo))
}

/// Cheap test: false means the pair is surely not the same product.
pub fn might_match(a: &Signature, b: &Signature) -> bool {
    let d = |k: usize| (i32::from(a.data[MEAN_OFF + k]) - i32::from(b.data[MEAN_OFF + k])).abs();
    d(0) <= MIGHT_Y && d(1) <= MIGHT_C && d(2) <= MIGHT_C
}

/// The verdict on a pair; symmetric.
pub fn compare(a: &Signature, b: &Signature) -> Match {
    let quick = measure(a, b, false).weakest(&measure(b, a, false));
    let m = verdict(
        quick.inliers,
        quick.interior,
        quick.coverage,
        quick.colour,
        quick.texture,
    );
    // The alignment is refined only where it can change the verdict: the
    // corners of a kind of evidence agree, its colour and texture nearly do.
    let near = kinds(quick.inliers, quick.interior)
        .iter()
        .any(|&(geometry, col, tex)| {
            geometry && quick.colour <= REFINE_NEAR * col && quick.texture <= REFINE_NEAR * tex
        });
    if m.same || !near {
        return m;
    }
    let e = evidence(a, b).weakest(&evidence(b, a));
    let r = verdict(e.inliers, e.interior, e.coverage, e.colour, e.texture);
    if r.score > m.score { r } else { m }
}

/// What [`compare`] measured on a pair, for the evaluation and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Keypoint matches consistent with the chosen alignment.
    pub inliers: u32,
    /// Of those, the ones inside the first picture's object, away from its
    /// outline (look-alikes share the outline, not the print).
    pub interior: u32,
    /// Share of the first picture's object cells inside the second.
    pub coverage: f32,
    /// Mean colour residual inside the object after the global shift.
    pub colour: f32,
    /// Mean relative texture difference inside the object.
    pub texture: f32,
    /// Mean colour residual of the cells `colour` leaves out (the worst
    /// fifth): an overlay's few cells, or another colourway's accent.
    pub tail: f32,
    /// How blurred the blurrier canvas is: 0 (made from twice its pixels
    /// or more) to 1 (from no more than it has).
    pub blur: f32,
}

impl Evidence {
    /// The weaker evidence of each kind: what [`compare`] decides on, as
    /// each picture's object is measured inside the other.
    pub fn weakest(&self, other: &Evidence) -> Evidence {
        Evidence {
            inliers: self.inliers.min(other.inliers),
            interior: self.interior.min(other.interior),
            coverage: self.coverage.min(other.coverage),
            colour: self.colour.max(other.colour),
            texture: self.texture.max(other.texture),
            tail: self.tail.max(other.tail),
            blur: self.blur.max(other.blur),
        }
    }
}

/// The measurements behind [`compare`], a's object measured inside b.
/// The alignment is the RANSAC fit unless the identity (the same box, the
/// common case: a re-encode, a resize, padding) explains as many matches.
pub fn evidence(a: &Signature, b: &Signature) -> Evidence {
    measure(a, b, true)
}

/// [`evidence`], with the alignment refined or not.
fn measure(a: &Signature, b: &Signature, refine: bool) -> Evidence {
    let ka: Vec<Kp> = (0..a.keypoints()).map(|i| a.kp(i)).collect();
    let kb: Vec<Kp> = (0..b.keypoints()).map(|i| b.kp(i)).collect();
    let matches = match_descriptors(&ka, &kb);
    let t = ransac(&matches)
        .filter(|r| r.inliers(&matches) >= Axis::IDENTITY.inliers(&matches))
        .unwrap_or(Axis::IDENTITY);
    let inliers = t.inliers(&matches);
    let interior = matches
        .iter()
        .filter(|m| t.fits(m) && a.is_interior(m.0))
        .count() as u32;
    let (coverage, colour, texture, tail) = if refine && inliers >= MIN_INLIERS {
        refined(a, b, t)
    } else {
        grids(a, b, &t)
    };
    // A blurred canvas's print differs more from cell to cell, not only
    // overall (the shift `grids` forgives).
    let blur = blurred(a, b);
    Evidence {
        inliers,
        interior,
        coverage,
        colour,
        texture: texture / (1.0 + TEX_BLUR * blur),
        tail,
        blur,
    }
}

/// [`grids`] under `t` nudged to where colour and texture agree best: a
/// few corners fix the alignment to a pixel or two, and a cell's colour or
/// texture changes over that much at the object's outline. A look-alike
/// is aligned already (the same outline), so this helps re-listings only.
fn refined(a: &Signature, b: &Signature, t: Axis) -> (f32, f32, f32, f32) {
    let score = |g: (f32, f32, f32, f32)| g.1 + REFINE_TEXTURE * g.2;
    let mut best = (grids(a, b, &t), t);
    let mut step = [1.0f32, 1.0, 0.02, 0.02];
    for _ in 0..REFINE_ROUNDS {
        let mut moved = true;
        let mut tries = 0;
        while moved && tries < 8 {
            moved = false;
            tries += 1;
            for (p, &d) in step.iter().enumerate() {
                for sign in [-1.0f32, 1.0] {
                    let mut c = best.1;
                    match p {
                        0 => c.tx += sign * d,
                        1 => c.ty += sign * d,
                        2 => c.sx += sign * d,
                        _ => c.sy += sign * d,
                    }
                    if !scale_ok(c.sx) || !scale_ok(c.sy) {
                        continue;
                    }
                    let g = grids(a, b, &c);
                    if g.0 >= best.0.0 - 0.05 && score(g) < score(best.0) - 1e-3 {
                        best = (g, c);
                        moved = true;
                    }
                }
            }
        }
        step = step.map(|v| v * 0.5);
    }
    best.0
}

/// The three kinds of evidence of [`verdict`]: whether each one's geometry
/// holds, and its colour and texture limits.
fn kinds(inliers: u32, interior: u32) -> [(bool, f32, f32); 3] {
    [
        (
            interior >= MIN_INTERIOR,
            MAX_COLOUR_INTERIOR,
            MAX_TEXTURE_INTERIOR,
        ),
        (
            inliers >= STRONG_INLIERS,
            MAX_COLOUR_STRONG,
            MAX_TEXTURE_STRONG,
        ),
        (inliers >= MIN_INLIERS, MAX_COLOUR, MAX_TEXTURE),
    ]
}

/// The decision from the measurements: same when one of three kinds of
/// evidence holds, each a geometry and a limit on colour and texture:
/// - corners inside the object agree ([`MIN_INTERIOR`]): the print itself
///   is aligned, so its texture may differ as much as a re-encode or a
///   smaller copy makes it, while its colour must agree closely;
/// - many corners agree ([`STRONG_INLIERS`]): the widest limits, as a
///   look-alike's outline alone gives fewer;
/// - a few corners agree ([`MIN_INLIERS`]): colour and texture must agree
///   closely.
///
/// And always: most of the object lands inside the other ([`MIN_COVERAGE`]).
/// The limits were searched together on pairs made with other seeds than
/// the evaluation's (BENCHMARKS.md, issue 26). The score is 1 for
/// identical pictures and 0.5 at the threshold.
pub fn verdict(inliers: u32, interior: u32, coverage: f32, colour: f32, texture: f32) -> Match {
    let kinds = kinds(inliers, interior);
    let r_cover = if coverage >= MIN_COVERAGE {
        0.0
    } else {
        1.0 + (MIN_COVERAGE - coverage)
    };
    // Each ratio is < 1 inside its limit; a kind whose geometry fails
    // scores by how far the inliers fall short.
    let worst = kinds
        .iter()
        .map(|&(geometry, col, tex)| {
            let r_geo = if geometry {
                0.0
            } else {
                1.0 + MIN_INLIERS.saturating_sub(inliers) as f32 / MIN_INLIERS as f32
            };
            r_geo.max(colour / col).max(texture / tex).max(r_cover)
        })
        .fold(f32::MAX, f32::min);
    let worst = if worst.is_finite() { worst } else { f32::MAX };
    Match {
        same: worst < 1.0,
        score: (1.0 / (1.0 + worst)).clamp(0.0, 1.0),
    }
}

#[derive(Clone, Copy)]
struct Kp {
    x: f32,
    y: f32,
    d: u128,
}

type Pair = ([f32; 2], [f32; 2]);

fn match_descriptors(a: &[Kp], b: &[Kp]) -> Vec<Pair> {
    let nearest = |p: &Kp, set: &[Kp]| -> (usize, u32, u32) {
        let (mut bi, mut bd, mut sd) = (usize::MAX, u32::MAX, u32::MAX);
        for (j, q) in set.iter().enumerate() {
            let d = (p.d ^ q.d).count_ones();
            if d < bd {
                sd = bd;
                bd = d;
                bi = j;
            } else if d < sd {
                sd = d;
            }
        }
        (bi, bd, sd)
    };
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    for (i, p) in a.iter().enumerate() {
        let (j, d, second) = nearest(p, b);
        if j == usize::MAX || d > MAX_HAMMING {
            continue;
        }
        if second != u32::MAX && d as f32 > RATIO * second as f32 {
            continue;
        }
        if nearest(&b[j], a).0 != i {
            continue;
        }
        out.push(([p.x, p.y], [b[j].x, b[j].y]));
    }
    out
}

/// Per-axis scale and shift: b = s * a + t.
#[derive(Debug, Clone, Copy)]
struct Axis {
    sx: f32,
    sy: f32,
    tx: f32,
    ty: f32,
}

impl Axis {
    const IDENTITY: Axis = Axis {
        sx: 1.0,
        sy: 1.0,
        tx: 0.0,
        ty: 0.0,
    };

    fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [self.sx * p[0] + self.tx, self.sy * p[1] + self.ty]
    }

    fn fits(&self, m: &Pair) -> bool {
        let q = self.apply(m.0);
        (q[0] - m.1[0]).abs() <= INLIER_PX && (q[1] - m.1[1]).abs() <= INLIER_PX
    }

    fn inliers(&self, ms: &[Pair]) -> u32 {
        ms.iter().filter(|m| self.fits(m)).count() as u32
    }
}

/// The scale for one axis from two matches, when they are far enough apart.
fn axis_scale(a0: f32, a1: f32, b0: f32, b1: f32) -> Option<f32> {
    let da = a1 - a0;
    (da.abs() >= 4.0).then(|| (b1 - b0) / da)
}

/// Least squares b = s a + t over the inliers, one axis.
fn fit_axis(pts: &[(f32, f32)]) -> Option<(f32, f32)> {
    let n = pts.len() as f32;
    let ma = pts.iter().map(|p| p.0).sum::<f32>() / n;
    let mb = pts.iter().map(|p| p.1).sum::<f32>() / n;
    let saa: f32 = pts.iter().map(|p| (p.0 - ma) * (p.0 - ma)).sum();
    let sab: f32 = pts.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum();
    if saa < 16.0 {
        return None;
    }
    let s = sab / saa;
    Some((s, mb - s * ma))
}

fn scale_ok(s: f32) -> bool {
    (SCALE_MIN..=SCALE_MAX).contains(&s)
}

/// Every pair of matches proposes a per-axis scale and shift; the one most
/// matches agree with wins, refined by least squares. Deterministic.
fn ransac(ms: &[Pair]) -> Option<Axis> {
    if ms.len() < 2 {
        return None;
    }
    let mut best: Option<(u32, Axis)> = None;
    for i in 0..ms.len() {
        for j in i + 1..ms.len() {
            let (a0, b0) = ms[i];
            let (a1, b1) = ms[j];
            let sx = axis_scale(a0[0], a1[0], b0[0], b1[0]);
            let sy = axis_scale(a0[1], a1[1], b0[1], b1[1]);
            let (sx, sy) = match (sx, sy) {
                (Some(x), Some(y)) => (x, y),
                (Some(x), None) => (x, x),
                (None, Some(y)) => (y, y),
                (None, None) => continue,
            };
            if !scale_ok(sx) || !scale_ok(sy) || !(0.75..=1.34).contains(&(sx / sy)) {
                continue;
            }
            let t = Axis {
                sx,
                sy,
                tx: (b0[0] + b1[0] - sx * (a0[0] + a1[0])) * 0.5,
                ty: (b0[1] + b1[1] - sy * (a0[1] + a1[1])) * 0.5,
            };
            let n = t.inliers(ms);
            if best.is_none_or(|(bn, _)| n > bn) {
                best = Some((n, t));
            }
        }
    }
    let (n, t) = best?;
    let inl: Vec<&Pair> = ms.iter().filter(|m| t.fits(m)).collect();
    let xs: Vec<(f32, f32)> = inl.iter().map(|m| (m.0[0], m.1[0])).collect();
    let ys: Vec<(f32, f32)> = inl.iter().map(|m| (m.0[1], m.1[1])).collect();
    let mut r = t;
    if let Some((s, o)) = fit_axis(&xs) {
        r.sx = s;
        r.tx = o;
    }
    if let Some((s, o)) = fit_axis(&ys) {
        r.sy = s;
        r.ty = o;
    }
    if scale_ok(r.sx) && scale_ok(r.sy) && r.inliers(ms) >= n {
        Some(r)
    } else {
        Some(t)
    }
}

/// Bilinear sample of a `g`×`g` grid quantity at fractional cell coordinates.
fn sample<const K: usize>(f: impl Fn(usize) -> [f32; K], g: usize, gx: f32, gy: f32) -> [f32; K] {
    let gx = gx.clamp(0.0, (g - 1) as f32);
    let gy = gy.clamp(0.0, (g - 1) as f32);
    let (x0, y0) = (gx as usize, gy as usize);
    let (x1, y1) = ((x0 + 1).min(g - 1), (y0 + 1).min(g - 1));
    let (fx, fy) = (gx - x0 as f32, gy - y0 as f32);
    let (c00, c10, c01, c11) = (
        f(y0 * g + x0),
        f(y0 * g + x1),
        f(y1 * g + x0),
        f(y1 * g + x1),
    );
    let mut out = [0.0; K];
    for k in 0..K {
        let top = c00[k] * (1.0 - fx) + c10[k] * fx;
        let bot = c01[k] * (1.0 - fx) + c11[k] * fx;
        out[k] = top * (1.0 - fy) + bot * fy;
    }
    out
}

/// Colour and texture of a's object cells against b under `t`:
/// (coverage, colour residual, texture difference).
fn grids(a: &Signature, b: &Signature, t: &Axis) -> (f32, f32, f32, f32) {
    let mut diffs = [[0.0f32; 3]; G * G];
    let mut n_obj = 0usize;
    let mut n_in = 0usize;
    let mut mean = [0.0f32; 3];
    let inside = |g: usize, gx: f32, gy: f32| {
        let r = -0.5..=g as f32 - 0.5;
        r.contains(&gx) && r.contains(&gy)
    };
    for cell in 0..G * G {
        if !a.is_object(cell) {
            continue;
        }
        n_obj += 1;
        let (u, v) = (cell % G, cell / G);
        let q = t.apply([
            MARGIN + (u as f32 + 0.5) * CELL,
            MARGIN + (v as f32 + 0.5) * CELL,
        ]);
        let (gx, gy) = ((q[0] - MARGIN) / CELL - 0.5, (q[1] - MARGIN) / CELL - 0.5);
        if !inside(G, gx, gy) {
            continue;
        }
        let ca = a.colour(cell);
        let cb = sample(|c| b.colour(c), G, gx, gy);
        for k in 0..3 {
            diffs[n_in][k] = cb[k] - ca[k];
            mean[k] += cb[k] - ca[k];
        }
        n_in += 1;
    }
    let mut tdiffs = [[0.0f32; 4]; GT * GT];
    let mut interior = [false; GT * GT];
    let mut tmean = 0.0f32;
    let mut n_t = 0usize;
    for cell in 0..GT * GT {
        if !a.is_object_t(cell) {
            continue;
        }
        let (u, v) = (cell % GT, cell / GT);
        let p = [
            MARGIN + (u as f32 + 0.5) * TCELL,
            MARGIN + (v as f32 + 0.5) * TCELL,
        ];
        let q = t.apply(p);
        let (gx, gy) = ((q[0] - MARGIN) / TCELL - 0.5, (q[1] - MARGIN) / TCELL - 0.5);
        if !inside(GT, gx, gy) {
            continue;
        }
        interior[n_t] = a.is_interior(p);
        let ta = a.texture(cell);
        let tb = sample(|c| b.texture(c), GT, gx, gy);
        for k in 0..4 {
            tdiffs[n_t][k] = tb[k] - ta[k];
            tmean += tb[k] - ta[k];
        }
        n_t += 1;
    }
    if n_obj == 0 || n_in == 0 || n_t == 0 {
        return (0.0, f32::MAX, f32::MAX, f32::MAX);
    }
    let n = n_in as f32;
    let shift = [
        (mean[0] / n).clamp(-SHIFT_Y, SHIFT_Y),
        (mean[1] / n).clamp(-SHIFT_C, SHIFT_C),
        (mean[2] / n).clamp(-SHIFT_C, SHIFT_C),
    ];
    // A smaller or blurrier re-listing has weaker texture everywhere: a
    // global offset (in half octaves) is forgiven, a different print is not.
    let most = texture_shift(a, b);
    let toff = (tmean / (4 * n_t) as f32).clamp(-most, most);
    let mut texs = [0.0f32; GT * GT];
    for (t, d) in texs.iter_mut().zip(&tdiffs[..n_t]) {
        *t = d.iter().map(|v| (v - toff).abs()).sum::<f32>() / 4.0;
    }
    let mut cols = [0.0f32; G * G];
    for (c, d) in cols.iter_mut().zip(&diffs[..n_in]) {
        *c = (0..3).map(|k| (d[k] - shift[k]).abs()).sum::<f32>() / 3.0;
    }
    // Texture is judged inside the object when enough of it is there: the
    // outline's energy moves between cells with the alignment.
    let mut inner = [0.0f32; GT * GT];
    let mut n_inner = 0;
    for (t, _) in texs[..n_t].iter().zip(&interior).filter(|(_, i)| **i) {
        inner[n_inner] = *t;
        n_inner += 1;
    }
    let texture = if n_inner >= MIN_INTERIOR_CELLS {
        trimmed_mean(&mut inner[..n_inner])
    } else {
        trimmed_mean(&mut texs[..n_t])
    };
    let colour = trimmed_mean(&mut cols[..n_in]);
    (
        n_in as f32 / n_obj as f32,
        colour,
        texture,
        tail_mean(&cols[..n_in]),
    )
}

/// How far the texture of a pair may differ everywhere: a canvas made
/// from fewer pixels than it has is blurred, one made from twice as many
/// or more is as sharp as a canvas gets. Look-alikes photographed alike
/// keep their print's energy apart.
fn texture_shift(a: &Signature, b: &Signature) -> f32 {
    TEX_SHIFT + (TEX_SHIFT_SHARP - TEX_SHIFT) * (1.0 - blurred(a, b))
}

/// How blurred the blurrier of two canvases is: 1 when it was made from
/// no more pixels than it has, 0 from twice as many or more.
fn blurred(a: &Signature, b: &Signature) -> f32 {
    let source = |s: &Signature| {
        f32::from(u16::from_le_bytes([
            s.data[SOURCE_OFF],
            s.data[SOURCE_OFF + 1],
        ]))
    };
    let least = source(a).min(source(b));
    1.0 - (least / INNER - 1.0).clamp(0.0, 1.0)
}

/// Mean of what [`trimmed_mean`] left out of sorted `v` (0 when nothing).
fn tail_mean(v: &[f32]) -> f32 {
    let k = ((v.len() as f32 * KEEP).ceil() as usize).clamp(1, v.len());
    if k == v.len() {
        return 0.0;
    }
    v[k..].iter().sum::<f32>() / (v.len() - k) as f32
}

/// Mean of the smallest [`KEEP`] share of `v` (at least one value).
fn trimmed_mean(v: &mut [f32]) -> f32 {
    v.sort_by(f32::total_cmp);
    let k = ((v.len() as f32 * KEEP).ceil() as usize).clamp(1, v.len());
    v[..k].iter().sum::<f32>() / k as f32
}

/// A region of a picture averaged over `g`×`g` blocks, read a row at a
/// time (the whole reduced region is never held).
struct Region<'a> {
    img: &'a RgbImage,
    x0: usize,
    y0: usize,
    /// Size in blocks.
    w: usize,
    h: usize,
    g: usize,
    /// Blocks painted over (a logo), in blocks.
    patch: Option<Patch>,
}

impl Region<'_> {
    /// Row `y` of blocks into `out` (`w` long); `sums` is scratch of
    /// `w * g * 3`.
    fn row(&self, y: usize, out: &mut [[f32; 3]], sums: &mut [u32]) {
        let (iw, g, w) = (self.img.width() as usize, self.g, self.w);
        let raw = self.img.as_raw();
        let norm = 1.0 / (g * g) as f32;
        // Integer sums, the g rows first (straight adds of bytes, which the
        // compiler vectorises), then each block's g pixels.
        sums.fill(0);
        for sy in 0..g {
            let start = ((self.y0 + y * g + sy) * iw + self.x0) * 3;
            let line = &raw[start..start + w * g * 3];
            for (a, &b) in sums.iter_mut().zip(line) {
                *a += u32::from(b);
            }
        }
        for (o, block) in out.iter_mut().zip(sums.chunks_exact(g * 3)) {
            let mut a = [0u32; 3];
            for p in block.chunks_exact(3) {
                a[0] += p[0];
                a[1] += p[1];
                a[2] += p[2];
            }
            *o = a.map(|v| v as f32 * norm);
        }
        if let Some((r, c)) = self.patch
            && (r.1..r.3).contains(&y)
        {
            for o in &mut out[r.0.min(w)..r.2.min(w)] {
                *o = c;
            }
        }
    }
}

/// The picture reduced by whole-block averaging.
struct Small {
    w: usize,
    h: usize,
    px: Vec<[f32; 3]>,
}

impl Small {
    /// The picture point-sampled every `f` pixels: enough to find where
    /// the background ends, at a fraction of the reads.
    fn sampled(img: &RgbImage, f: usize) -> Small {
        let iw = img.width() as usize;
        let (w, h) = (iw / f, img.height() as usize / f);
        let raw = img.as_raw();
        let mut px = Vec::with_capacity(w * h);
        for y in 0..h {
            let row = &raw[(y * f + f / 2) * iw * 3..];
            px.extend((0..w).map(|x| {
                let i = (x * f + f / 2) * 3;
                [row[i], row[i + 1], row[i + 2]].map(f32::from)
            }));
        }
        Small { w, h, px }
    }

    /// The background around box `b`: the per-channel median of the lines
    /// just outside it; None when it fills the picture.
    fn around(&self, b: Bounds) -> Option<[f32; 3]> {
        let (x0, y0, x1, y1) = b;
        let mut px: Vec<[f32; 3]> = Vec::new();
        if y0 > 0 {
            px.extend((x0..x1).map(|x| self.at(x, y0 - 1)));
        }
        if y1 < self.h {
            px.extend((x0..x1).map(|x| self.at(x, y1)));
        }
        if x0 > 0 {
            px.extend((y0..y1).map(|y| self.at(x0 - 1, y)));
        }
        if x1 < self.w {
            px.extend((y0..y1).map(|y| self.at(x1, y)));
        }
        if px.is_empty() {
            return None;
        }
        Some([0, 1, 2].map(|k| {
            let mut v: Vec<f32> = px.iter().map(|p| p[k]).collect();
            v.sort_by(f32::total_cmp);
            v[v.len() / 2]
        }))
    }

    /// A logo in a corner of box `b`: a small part that plain lines (an
    /// L of them, through the shadow if there is one) keep apart from the
    /// rest, however far the object reaches beside it. Returns its
    /// rectangle, from the box's corner, and the background around it.
    fn corner_logo(&self, b: Bounds) -> Option<Patch> {
        let bg = self.around(b)?;
        let (x0, y0, x1, y1) = b;
        let (w, h) = (x1 - x0, y1 - y0);
        let on = |x: usize, y: usize| {
            let p = self.at(x, y);
            !close(p, bg) && !in_shade(p, bg)
        };
        let (mw, mh) = (w * LOGO_REACH / 100, h * LOGO_REACH / 100);
        let mut found: Option<(usize, Bounds)> = None;
        for corner in 0..4 {
            let (right, bottom) = (corner & 1 != 0, corner & 2 != 0);
            // u, v count from the corner inwards.
            let at = |u: usize, v: usize| {
                let x = if right { x1 - 1 - u } else { x0 + u };
                let y = if bottom { y1 - 1 - v } else { y0 + v };
                on(x, y)
            };
            // The first part in each row (and column) from the corner.
            let first_u: Vec<usize> = (0..=mh)
                .map(|v| (0..=mw).find(|&u| at(u, v)).unwrap_or(mw + 1))
                .collect();
            let first_v: Vec<usize> = (0..=mw)
                .map(|u| (0..=mh).find(|&v| at(u, v)).unwrap_or(mh + 1))
                .collect();
            // Parts below and right of the corner, summed.
            let mut mass = vec![0usize; (mw + 1) * (mh + 1)];
            for v in 0..mh {
                for u in 0..mw {
                    let here = usize::from(at(u, v));
                    let up = if v > 0 {
                        mass[(v - 1) * (mw + 1) + u + 1]
                    } else {
                        0
                    };
                    let left = mass[v * (mw + 1) + u];
                    let diag = if v > 0 {
                        mass[(v - 1) * (mw + 1) + u]
                    } else {
                        0
                    };
                    mass[v * (mw + 1) + u + 1] = here + up + left - diag;
                }
            }
            let enclosed = |lw: usize, lh: usize| mass[(lh - 1) * (mw + 1) + lw];
            let mut best: Option<(usize, usize, usize)> = None;
            for (lh, &row_first) in first_u.iter().enumerate().take(mh).skip(1) {
                for (lw, &col_first) in first_v.iter().enumerate().take(mw).skip(1) {
                    // Plain along row lh and column lw, corner included.
                    if row_first <= lw || col_first <= lh {
                        continue;
                    }
                    let m = enclosed(lw, lh);
                    if m > 0 && best.is_none_or(|(bw, bh, _)| lw * lh < bw * bh) {
                        best = Some((lw, lh, m));
                    }
                }
            }
            let Some((lw, lh, m)) = best else {
                continue;
            };
            if (m as f32) < LOGO_MIN * (w * h) as f32 {
                continue;
            }
            // Small beside the rest (counted only for a candidate).
            let total = (y0..y1)
                .map(|y| (x0..x1).filter(|&x| on(x, y)).count())
                .sum::<usize>();
            if m as f32 > LOGO_MASS * total as f32 {
                continue;
            }
            let (rx0, rx1) = if right { (x1 - lw, x1) } else { (x0, x0 + lw) };
            let (ry0, ry1) = if bottom { (y1 - lh, y1) } else { (y0, y0 + lh) };
            if found.is_none_or(|(fm, _)| m > fm) {
                found = Some((m, (rx0, ry0, rx1, ry1)));
            }
        }
        found.map(|(_, r)| (r, bg))
    }

    /// Box `r` painted over in colour `c`.
    fn paint(&mut self, r: Bounds, c: [f32; 3]) {
        for y in r.1..r.3.min(self.h) {
            for x in r.0..r.2.min(self.w) {
                self.px[y * self.w + x] = c;
            }
        }
    }

    fn at(&self, x: usize, y: usize) -> [f32; 3] {
        self.px[y * self.w + x]
    }

    /// The pixels of one line of box `b`, `i` lines in from `side` (left,
    /// top, right, bottom).
    fn line(&self, side: usize, i: usize, b: Bounds) -> impl Iterator<Item = [f32; 3]> + '_ {
        let (x0, y0, x1, y1) = b;
        let (fixed, range, row) = match side {
            0 => (x0 + i, y0..y1, false),
            1 => (y0 + i, x0..x1, true),
            2 => (x1 - 1 - i, y0..y1, false),
            _ => (y1 - 1 - i, x0..x1, true),
        };
        range.map(move |j| {
            if row {
                self.at(j, fixed)
            } else {
                self.at(fixed, j)
            }
        })
    }

    /// The share of one line's pixels close to colour `c`.
    fn share_near(&self, side: usize, i: usize, b: Bounds, c: [f32; 3]) -> f32 {
        let (mut near, mut all) = (0usize, 0usize);
        for p in self.line(side, i, b) {
            near += usize::from(close(p, c));
            all += 1;
        }
        near as f32 / all.max(1) as f32
    }

    /// A line's dominant colour (per-channel median) and the share of its
    /// pixels near it.
    fn dominant(&self, side: usize, i: usize, b: Bounds) -> ([f32; 3], f32) {
        let px: Vec<[f32; 3]> = self.line(side, i, b).collect();
        if px.is_empty() {
            return ([0.0; 3], 0.0);
        }
        let median = [0, 1, 2].map(|k| {
            let mut v: Vec<f32> = px.iter().map(|p| p[k]).collect();
            v.sort_by(f32::total_cmp);
            v[v.len() / 2]
        });
        let near = px.iter().filter(|p| close(**p, median)).count();
        (median, near as f32 / px.len() as f32)
    }

    /// The trimmed box without what a reseller put at the picture's edge:
    /// a banner (lines of one colour at an edge, then another colour) or a
    /// logo (a small part in a corner, a background line away from the
    /// rest). Left in, either stretches the box, and the object comes out
    /// smaller and shifted on the canvas. Returns the box and the sides
    /// cut (left, top, right, bottom).
    fn strip_overlays(&self, b: Bounds) -> (Bounds, [bool; 4]) {
        let extent = |side: usize, b: Bounds| {
            if side.is_multiple_of(2) {
                b.2 - b.0
            } else {
                b.3 - b.1
            }
        };
        let shrink = |b: Bounds, side: usize, k: usize| match side {
            0 => (b.0 + k, b.1, b.2, b.3),
            1 => (b.0, b.1 + k, b.2, b.3),
            2 => (b.0, b.1, b.2 - k, b.3),
            _ => (b.0, b.1, b.2, b.3 - k),
        };
        let mut b = b;
        let mut cut = 0u8;
        // The line just outside the box on a side, when there is one.
        let ring = |side: usize, b: Bounds| -> Option<Bounds> {
            match side {
                0 => (b.0 > 0).then(|| (b.0 - 1, b.1, b.0, b.3)),
                1 => (b.1 > 0).then(|| (b.0, b.1 - 1, b.2, b.1)),
                2 => (b.2 < self.w).then(|| (b.2, b.1, b.2 + 1, b.3)),
                _ => (b.3 < self.h).then(|| (b.0, b.3, b.2, b.3 + 1)),
            }
        };
        // Banners: up to BANNER_MAX % of lines of one colour (with text on
        // it), unlike the background beyond the opposite side, running to
        // the picture's edge, then a line mostly of that background.
        for side in 0..4 {
            let most = extent(side, b) * BANNER_MAX / 100;
            let opposite = (side + 2) % 4;
            let Some(far) = ring(opposite, b) else {
                continue;
            };
            let (far_bg, far_share) = self.dominant(opposite, 0, far);
            // A banner runs to the picture's edge: beyond the box is the
            // picture's edge, or the banner's plain lines, trimmed (then
            // they give its colour; the box's first line may be text).
            let band = match ring(side, b) {
                None => self.dominant(side, 0, b).0,
                Some(r) => {
                    let (beyond, plain) = self.dominant(side, 0, r);
                    if plain < BANNER_SHARE {
                        continue;
                    }
                    beyond
                }
            };
            // ... and across it, edge to edge.
            let across = if side.is_multiple_of(2) {
                b.1 == 0 && b.3 == self.h
            } else {
                b.0 == 0 && b.2 == self.w
            };
            if most == 0
                || !across
                || far_share < BANNER_SHARE
                || (0..3).all(|k| (band[k] - far_bg[k]).abs() <= BANNER_CONTRAST)
            {
                continue;
            }
            // A line of the banner's text still has much of its colour.
            let mut k = 0;
            while k < most && self.share_near(side, k, b, band) >= BANNER_TEXT {
                k += 1;
            }
            // (Its edge may have blended into one line.)
            let plain = |k: usize| {
                k < most && {
                    let (mut near, mut all) = (0usize, 0usize);
                    for p in self.line(side, k, b) {
                        near += usize::from(close(p, far_bg) || in_shade(p, far_bg));
                        all += 1;
                    }
                    near as f32 >= BANNER_SHARE * all as f32
                }
            };
            // Beyond it, the background, or the object it was laid over
            // with some background beside it.
            let end = if plain(k) { k } else { k + 1 };
            let cut_at = if plain(end) {
                Some(end)
            } else {
                (k < most && self.share_near(side, k, b, far_bg) >= BANNER_BESIDE).then_some(k)
            };
            if let Some(at) = cut_at.filter(|_| k > 0) {
                b = shrink(b, side, at);
                cut |= 1 << side;
            }
        }
        let sides = [0, 1, 2, 3].map(|side| cut & 1 << side != 0);
        if cut == 0 {
            return (b, sides);
        }
        // What the cut leaves at the edges is background again.
        match trim(|x, y| self.at(x, y), b, STRICT, None) {
            Some(t) => (t, sides),
            None => (b, [false; 4]),
        }
    }
}

/// Whether `p` is the background `bg` in a soft shadow: the same colour,
/// a little darker.
fn in_shade(p: [f32; 3], bg: [f32; 3]) -> bool {
    Shade::of(bg).covers(p)
}

/// A background colour and what its soft shadow looks like.
struct Shade {
    bg: [f32; 3],
    /// The background's brightness (sum of channels) at the shadow's
    /// limits, and its inverse.
    lo: f32,
    hi: f32,
    inv: f32,
}

impl Shade {
    fn of(bg: [f32; 3]) -> Shade {
        let sum = (bg[0] + bg[1] + bg[2]).max(1.0);
        Shade {
            bg,
            lo: SHADE_MIN * sum,
            hi: SHADE_MAX * sum,
            inv: 1.0 / sum,
        }
    }

    /// `p` is the background, darker by a shadow's share, same colour.
    fn covers(&self, p: [f32; 3]) -> bool {
        let s = p[0] + p[1] + p[2];
        if s < self.lo || s > self.hi {
            return false;
        }
        let k = s * self.inv;
        (0..3).all(|c| (p[c] - k * self.bg[c]).abs() <= SHADE_TOL)
    }
}

/// Two colours alike to the eye of [`Small::strip_overlays`].
fn close(p: [f32; 3], q: [f32; 3]) -> bool {
    (0..3).all(|k| (p[k] - q[k]).abs() <= OVERLAY_TOL)
}

/// A box: x0, y0, x1, y1, exclusive ends.
type Bounds = (usize, usize, usize, usize);

/// A box painted over in a colour (a logo, in the background's colour).
type Patch = (Bounds, [f32; 3]);

/// How near to its mean a line must be to be background: the share of its
/// pixels within a tolerance (per channel) of the line's mean.
#[derive(Clone, Copy)]
struct Uniform {
    share: f32,
    tol: f32,
    /// Lines are tested across the whole starting box, not the shrinking
    /// one: each side stops at the first line with anything on it, so a
    /// plain part of the object is not taken for background once the box
    /// has shrunk to its width.
    whole: bool,
    /// Pixels left out at each end of a line: where a frame meets the
    /// picture's edge, a re-encode smears the two colours.
    ends: usize,
}

/// The box left after trimming background lines from the four edges of
/// `start` (x0, y0, x1, y1; exclusive ends) of a `px(x, y)` picture;
/// None when too little is left. Padding and borders (white or coloured)
/// are uniform lines, and so is the plain background of a product shot.
fn trim(
    px: impl Fn(usize, usize) -> [f32; 3],
    start: (usize, usize, usize, usize),
    u: Uniform,
    shade: Option<[f32; 3]>,
) -> Option<(usize, usize, usize, usize)> {
    let shade = shade.map(Shade::of);
    let shaded = |p: [f32; 3]| shade.as_ref().is_some_and(|s| s.covers(p));
    // A row (fixed y, x in a..b) or a column (fixed x, y in a..b).
    let uniform = |row: bool, fixed: usize, a: usize, b: usize| {
        let at = |i: usize| if row { px(i, fixed) } else { px(fixed, i) };
        let (a, b) = if b > a + 4 * u.ends {
            (a + u.ends, b - u.ends)
        } else {
            (a, b)
        };
        let n = b.saturating_sub(a);
        if n == 0 {
            return true;
        }
        // The background in shade counts as background, and not in the
        // line's mean.
        let mut mean = [0.0f32; 3];
        let mut lit = 0usize;
        for i in a..b {
            let p = at(i);
            if !shaded(p) {
                add3(&mut mean, p);
                lit += 1;
            }
        }
        if lit == 0 {
            return true;
        }
        let mean = mean.map(|v| v / lit as f32);
        // Past the shadow, only the background itself: a line across a
        // plain part of the object is uniform too.
        if shade.as_ref().is_some_and(|s| !close(mean, s.bg)) {
            return false;
        }
        let near = (a..b)
            .filter(|&i| {
                let p = at(i);
                ((p[0] - mean[0]).abs() <= u.tol
                    && (p[1] - mean[1]).abs() <= u.tol
                    && (p[2] - mean[2]).abs() <= u.tol)
                    || shaded(p)
            })
            .count();
        near as f32 >= u.share * n as f32
    };
    let (mut x0, mut y0, mut x1, mut y1) = start;
    // A side's line that was not background stays so until the line's
    // span changes: it is not read again till then.
    let mut held: [Option<(usize, usize)>; 4] = [None; 4];
    let mut test = |side: usize, row: bool, fixed: usize, a: usize, b: usize| {
        if held[side] == Some((a, b)) {
            return false;
        }
        let bg = uniform(row, fixed, a, b);
        held[side] = (!bg).then_some((a, b));
        bg
    };
    // Each side in turn as far as it goes (a side's move changes the
    // span of the two beside it, which are read again after).
    let across = |b: Bounds| if u.whole { start } else { b };
    loop {
        let mut moved = false;
        while y1 > y0 && {
            let s = across((x0, y0, x1, y1));
            test(1, true, y0, s.0, s.2)
        } {
            y0 += 1;
            moved = true;
        }
        while y1 > y0 && {
            let s = across((x0, y0, x1, y1));
            test(3, true, y1 - 1, s.0, s.2)
        } {
            y1 -= 1;
            moved = true;
        }
        while x1 > x0 && {
            let s = across((x0, y0, x1, y1));
            test(0, false, x0, s.1, s.3)
        } {
            x0 += 1;
            moved = true;
        }
        while x1 > x0 && {
            let s = across((x0, y0, x1, y1));
            test(2, false, x1 - 1, s.1, s.3)
        } {
            x1 -= 1;
            moved = true;
        }
        if x1 < x0 + 6 || y1 < y0 + 6 {
            return None;
        }
        if !moved {
            return Some((x0, y0, x1, y1));
        }
    }
}

/// The object's box on a fixed canvas, as YCbCr and grey.
struct Canvas {
    ycc: Vec<[f32; 3]>,
    grey: Vec<f32>,
}

fn to_ycc(p: [f32; 3]) -> [f32; 3] {
    let y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    [y, 128.0 + 0.564 * (p[2] - y), 128.0 + 0.713 * (p[0] - y)]
}

/// Separable [1 2 1]/4 blur with clamped edges.
fn blur(src: &[f32]) -> Vec<f32> {
    let mut tmp = vec![0.0; C * C];
    for (s, t) in src.chunks_exact(C).zip(tmp.chunks_exact_mut(C)) {
        t[0] = 0.25 * s[0] + 0.5 * s[0] + 0.25 * s[1];
        for (o, w) in t[1..C - 1].iter_mut().zip(s.windows(3)) {
            *o = 0.25 * w[0] + 0.5 * w[1] + 0.25 * w[2];
        }
        t[C - 1] = 0.25 * s[C - 2] + 0.5 * s[C - 1] + 0.25 * s[C - 1];
    }
    let mut out = vec![0.0; C * C];
    for (y, o) in out.chunks_exact_mut(C).enumerate() {
        let row = |r: usize| &tmp[r * C..(r + 1) * C];
        let (u, m, d) = (row(y.saturating_sub(1)), row(y), row((y + 1).min(C - 1)));
        for (((o, &u), &m), &d) in o.iter_mut().zip(u).zip(m).zip(d) {
            *o = 0.25 * u + 0.5 * m + 0.25 * d;
        }
    }
    out
}

/// BRIEF's 128 point pairs in a 15×15 patch: fixed, pseudo-random,
/// concentrated near the centre (sum of two uniforms).
const PAIRS: [[i8; 4]; 128] = brief_pairs();

const fn brief_pairs() -> [[i8; 4]; 128] {
    let mut out = [[0i8; 4]; 128];
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut i = 0;
    while i < 128 {
        let mut k = 0;
        while k < 4 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let a = (s & 0xff) as i32 % 8; // 0..=7
            let b = ((s >> 8) & 0xff) as i32 % 8;
            let v = a + b - 7; // -7..=7, triangular
            out[i][k] = v as i8;
            k += 1;
        }
        if out[i][0] == out[i][2] && out[i][1] == out[i][3] {
            out[i][2] = -out[i][0];
            out[i][3] = -out[i][1] + if out[i][1] == 0 { 1 } else { 0 };
        }
        i += 1;
    }
    out
}

impl Canvas {
    fn of(small: &Region, [x0, y0, x1, y1]: [f32; 4]) -> Canvas {
        let (w, h) = (small.w, small.h);
        let bw = x1 - x0;
        let bh = y1 - y0;
        // One canvas pixel covers this much of the small picture: averaging
        // over it (not a point sample) keeps fine prints from aliasing
        // differently at each re-listing's size. The margin repeats the
        // box's edge: what lies beyond it (padding, a border, the rest of a
        // cropped photo) differs between re-listings.
        let spans = |lo: f32, hi: f32, len: f32, n: usize| -> Vec<(f32, f32)> {
            let half = (len / INNER).max(1.0) * 0.5;
            (0..C)
                .map(|c| {
                    let centre = lo + ((c as f32 + 0.5) - MARGIN) / INNER * len;
                    let centre = centre.clamp(lo + 0.5, hi - 0.5);
                    let a = (centre - half).clamp(0.0, n as f32);
                    let b = (centre + half).clamp(0.0, n as f32);
                    (a, b.max(a + 1e-3))
                })
                .collect()
        };
        let xs = spans(x0, x1, bw, w);
        let ys = spans(y0, y1, bh, h);
        // Each span as the first and last source pixel it touches and
        // their weights, worked out once.
        struct Span {
            first: usize,
            last: usize,
            w_first: f32,
            w_last: f32,
            inv: f32,
        }
        let plan = |spans: &[(f32, f32)], n: usize| -> Vec<Span> {
            spans
                .iter()
                .map(|&(a, b)| {
                    let first = (a as usize).min(n - 1);
                    let last = ((b.ceil() as usize).max(1) - 1).clamp(first, n - 1);
                    let (w_first, w_last) = if first == last {
                        (b - a, 0.0)
                    } else {
                        (first as f32 + 1.0 - a, b - last as f32)
                    };
                    Span {
                        first,
                        last,
                        w_first,
                        w_last,
                        inv: 1.0 / (b - a),
                    }
                })
                .collect()
        };
        let xp = plan(&xs, w);
        let yp = plan(&ys, h);
        // Only the rows the column spans read.
        let top = yp.iter().map(|s| s.first).min().unwrap_or(0);
        let bottom = yp.iter().map(|s| s.last + 1).max().unwrap_or(h).min(h);
        // Rows first: each source row to C columns (independent sums, so
        // no chain through a running total).
        let mut rows = vec![[0.0f32; 3]; h * C];
        let mut line = vec![[0.0f32; 3]; w];
        let mut sums = vec![0u32; w * small.g * 3];
        for y in top..bottom {
            small.row(y, &mut line, &mut sums);
            let out = &mut rows[y * C..(y + 1) * C];
            for (o, s) in out.iter_mut().zip(&xp) {
                let mut acc = line[s.first].map(|v| v * s.w_first);
                if s.last > s.first {
                    for p in &line[s.first + 1..s.last] {
                        add3(&mut acc, *p);
                    }
                    add3(&mut acc, line[s.last].map(|v| v * s.w_last));
                }
                *o = acc.map(|v| v * s.inv);
            }
        }
        // Then columns: each canvas row a weighted sum of whole rows.
        let mut ycc = vec![[0.0f32; 3]; C * C];
        let mut grey = vec![0.0f32; C * C];
        let mut acc = vec![[0.0f32; 3]; C];
        for (cy, s) in yp.iter().enumerate() {
            acc.fill([0.0; 3]);
            for y in s.first..=s.last {
                let k = if y == s.first {
                    s.w_first
                } else if y == s.last {
                    s.w_last
                } else {
                    1.0
                } * s.inv;
                for (a, p) in acc.iter_mut().zip(&rows[y * C..(y + 1) * C]) {
                    a[0] += k * p[0];
                    a[1] += k * p[1];
                    a[2] += k * p[2];
                }
            }
            for (cx, a) in acc.iter().enumerate() {
                let c = to_ycc(*a);
                grey[cy * C + cx] = c[0];
                ycc[cy * C + cx] = c;
            }
        }
        Canvas { ycc, grey }
    }

    fn signature(&self) -> Signature {
        let mut data = Vec::with_capacity(KP_OFF + MAX_KP * KP_BYTES);
        data.resize(KP_OFF, 0);
        // Background: the mean of the margin ring.
        let lo = MARGIN as usize;
        let hi = lo + INNER as usize;
        let mut bg = [0.0f32; 3];
        let mut n = 0.0;
        for y in 0..C {
            for x in 0..C {
                if (lo..hi).contains(&x) && (lo..hi).contains(&y) {
                    continue;
                }
                add3(&mut bg, self.ycc[y * C + x]);
                n += 1.0;
            }
        }
        for k in 0..3 {
            data[BG_OFF + k] = q8(bg[k] / n);
        }
        // Grids: colour cells, then texture cells (integer pixel ranges).
        let span =
            |i: usize, g: usize| lo + i * INNER as usize / g..lo + (i + 1) * INNER as usize / g;
        for gy in 0..G {
            for gx in 0..G {
                let mut c = [0.0f32; 3];
                let mut m = 0.0f32;
                for y in span(gy, G) {
                    for x in span(gx, G) {
                        add3(&mut c, self.ycc[y * C + x]);
                        m += 1.0;
                    }
                }
                for k in 0..3 {
                    data[COL_OFF + (gy * G + gx) * 3 + k] = q8(c[k] / m);
                }
            }
        }
        // Differences STEP px apart on a softened canvas: a print's period
        // is a few canvas pixels, so one-pixel differences depend on how
        // each re-listing's resampling fell on it.
        let soft = {
            let ch: Vec<Vec<f32>> = (0..3)
                .map(|k| blur(&self.ycc.iter().map(|p| p[k]).collect::<Vec<f32>>()))
                .collect();
            (0..C * C)
                .map(|i| [ch[0][i], ch[1][i], ch[2][i]])
                .collect::<Vec<[f32; 3]>>()
        };
        for gy in 0..GT {
            for gx in 0..GT {
                let mut t = [0.0f32; 4];
                let mut m = 0.0f32;
                for y in span(gy, GT) {
                    for x in span(gx, GT) {
                        // Colour differences, not grey only: a print of
                        // another hue at the body's brightness is a print.
                        let i = y * C + x;
                        let d = |j: usize| -> f32 {
                            let (p, q) = (soft[i], soft[j]);
                            (p[0] - q[0]).abs() + (p[1] - q[1]).abs() + (p[2] - q[2]).abs()
                        };
                        t[0] += d(i + STEP);
                        t[1] += d(i + STEP * C);
                        t[2] += d(i + STEP * C + STEP);
                        t[3] += d(i - STEP * C + STEP);
                        m += 1.0;
                    }
                }
                // Half octaves of the mean absolute difference: 0..=15.
                let q = t.map(|v| ((1.0 + v / m).log2() * 2.0).round().clamp(0.0, 15.0) as u8);
                let o = TEX_OFF + (gy * GT + gx) * 2;
                data[o] = q[0] << 4 | q[1];
                data[o + 1] = q[2] << 4 | q[3];
            }
        }
        // The object's mean colour, for might_match.
        let mut probe = Signature { data };
        if (0..G * G).filter(|&c| probe.is_object(c)).count() < G * G / 4 {
            probe.data[FLAGS_OFF] |= ALL_OBJECT;
        }
        let mut mean = [0.0f32; 3];
        let mut m = 0.0;
        for id in 0..G * G {
            if probe.is_object(id) {
                let c = probe.colour(id);
                for k in 0..3 {
                    mean[k] += c[k];
                }
                m += 1.0;
            }
        }
        let mut data = probe.data;
        if m == 0.0 {
            for id in 0..G * G {
                for k in 0..3 {
                    mean[k] += f32::from(data[COL_OFF + id * 3 + k]);
                }
            }
            m = (G * G) as f32;
        }
        for k in 0..3 {
            data[MEAN_OFF + k] = q8(mean[k] / m);
        }
        self.keypoints(&mut data);
        Signature { data }
    }

    /// Harris corners with 5×5 non-maximum suppression, strongest first,
    /// each with its BRIEF descriptor.
    fn keypoints(&self, data: &mut Vec<u8>) {
        let s1 = blur(&self.grey);
        let s2 = blur(&s1);
        let mut ixx = vec![0.0f32; C * C];
        let mut iyy = vec![0.0f32; C * C];
        let mut ixy = vec![0.0f32; C * C];
        for y in 1..C - 1 {
            for x in 1..C - 1 {
                let i = y * C + x;
                let gx = (s1[i + 1] - s1[i - 1]) * 0.5;
                let gy = (s1[i + C] - s1[i - C]) * 0.5;
                ixx[i] = gx * gx;
                iyy[i] = gy * gy;
                ixy[i] = gx * gy;
            }
        }
        let box5 = |src: &[f32]| -> Vec<f32> {
            let mut tmp = vec![0.0f32; C * C];
            for y in 0..C {
                for x in 2..C - 2 {
                    tmp[y * C + x] = src[y * C + x - 2..=y * C + x + 2].iter().sum();
                }
            }
            let mut out = vec![0.0f32; C * C];
            for y in 2..C - 2 {
                for x in 0..C {
                    out[y * C + x] = (0..5).map(|d| tmp[(y + d - 2) * C + x]).sum();
                }
            }
            out
        };
        let (sxx, syy, sxy) = (box5(&ixx), box5(&iyy), box5(&ixy));
        let lo = (PATCH + 1) as usize;
        let hi = C - PATCH as usize - 2;
        let mut resp = vec![0.0f32; C * C];
        let mut rmax = 0.0f32;
        for y in lo..hi {
            for x in lo..hi {
                let i = y * C + x;
                let tr = sxx[i] + syy[i];
                let r = sxx[i] * syy[i] - sxy[i] * sxy[i] - 0.05 * tr * tr;
                resp[i] = r;
                rmax = rmax.max(r);
            }
        }
        let floor = (rmax * HARRIS_REL).max(HARRIS_ABS);
        let mut cands: Vec<(f32, usize)> = Vec::new();
        for y in lo..hi {
            for x in lo..hi {
                let i = y * C + x;
                let r = resp[i];
                if r <= floor {
                    continue;
                }
                let mut peak = true;
                'n: for dy in -2i32..=2 {
                    for dx in -2i32..=2 {
                        if dx == 0 && dy == 0 {
                            continue;
                        }
                        let j = ((y as i32 + dy) as usize) * C + (x as i32 + dx) as usize;
                        // Ties go to the earlier pixel, so plateaus give one peak.
                        if resp[j] > r || (resp[j] == r && j < i) {
                            peak = false;
                            break 'n;
                        }
                    }
                }
                if peak {
                    cands.push((r, i));
                }
            }
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in cands.iter().take(MAX_KP) {
            let (x, y) = ((i % C) as i32, (i / C) as i32);
            let mut d = 0u128;
            for (bit, p) in PAIRS.iter().take(DESC_BITS).enumerate() {
                let at = |dx: i8, dy: i8| {
                    s2[((y + i32::from(dy)) as usize) * C + (x + i32::from(dx)) as usize]
                };
                if at(p[0], p[1]) < at(p[2], p[3]) {
                    d |= 1 << bit;
                }
            }
            data.push(x as u8);
            data.push(y as u8);
            data.extend_from_slice(&d.to_le_bytes()[..DESC_BITS / 8]);
        }
    }
}

fn add3(acc: &mut [f32; 3], v: [f32; 3]) {
    for (a, x) in acc.iter_mut().zip(v) {
        *a += x;
    }
}

fn q8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests;
