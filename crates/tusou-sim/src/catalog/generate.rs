//! Generating the offers from a seed: the random source, prices, titles,
//! colours, new products and re-listings of earlier pictures.

use std::collections::HashSet;

use base64::Engine;

use super::offer::{CatalogOffer, Picture};
use super::seller::{SELLERS, SimSeller};
use super::vocab::{ADJECTIVES, CITIES, HOSTILE, KINDS, Kind, Pair, SEASONS, SUFFIXES, SYLLABLES};
use crate::artwork::{Art, Pattern, Shape};
use std::sync::{Arc, LazyLock};

/// SplitMix64: tiny, fast and stable across crate versions, so a seed means
/// the same catalog forever.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Share of offers that re-list an earlier offer's product.
const RELIST_SHARE: f64 = 0.3;
/// Of the re-listings, the share that show the very picture file of the
/// listing they copy (the same `O1CN…` address)…
const SAME_FILE_SHARE: f64 = 0.4;
/// …and the share that show a re-upload of it: the same pixels, re-encoded
/// smaller under a new file id. The rest are the product photographed anew.
const REUPLOAD_SHARE: f64 = 0.35;
/// Mixed into an offer id to seed its picture's names and encoding, apart
/// from the offer's own random stream (so the rest of the catalog stays as
/// it was before pictures had names).
const PICTURE_SALT: u64 = 0x4f31_434e_3031_6962;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A new picture file uploaded by the seller of `offer_id`, at full size
/// and quality, or (`reupload`) smaller and more compressed.
fn new_picture(offer_id: u64, reupload: bool) -> Picture {
    let mut rng = Rng::new(offer_id ^ PICTURE_SALT);
    let id: String = (0..17)
        .map(|_| char::from(BASE62[rng.below(BASE62.len() as u64) as usize]))
        .collect();
    let member = 2_200_000_000_000 + rng.below(99_999_999_999);
    let (side, quality) = if reupload {
        let side = 480 + 2 * rng.below(46) as u32;
        (side, 70 + rng.below(15) as u8)
    } else {
        (600, crate::artwork::JPEG_QUALITY)
    };
    Picture {
        file: format!("O1CN01{id}_!!{member}-0-cib"),
        side,
        quality,
    }
}

fn hsv(h: f64, s: f64, v: f64) -> [u8; 3] {
    let c = v * s;
    let hp = (h % 360.0) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r, g, b].map(|u| ((u + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// Chinese/English colour name for a body colour, for the titles.
fn colour_name(h: f64, s: f64, v: f64) -> Pair {
    if v < 0.25 {
        ("黑色", "black")
    } else if s < 0.15 {
        if v > 0.8 {
            ("白色", "white")
        } else {
            ("灰色", "grey")
        }
    } else {
        match ((h + 15.0) % 360.0) as u32 / 30 {
            0 => ("红色", "red"),
            1 => ("橙色", "orange"),
            2 => ("黄色", "yellow"),
            3 | 4 => ("绿色", "green"),
            5 => ("青色", "cyan"),
            6 | 7 => ("蓝色", "blue"),
            8 => ("紫色", "purple"),
            9 | 10 => ("粉色", "pink"),
            _ => ("玫红", "rose red"),
        }
    }
}

/// A price band draw: log-uniform, rounded to a wholesale-looking ending.
fn draw_price(rng: &mut Rng, (lo, hi): (u64, u64)) -> u64 {
    let (lo, hi) = (lo as f64, hi as f64);
    let p = (lo.ln() + rng.unit() * (hi.ln() - lo.ln())).exp();
    let fen = p.round() as u64;
    match rng.below(4) {
        0 => (fen / 100) * 100,      // "16.00"
        1 => (fen / 10) * 10,        // "15.90"
        2 => (fen / 100) * 100 + 50, // "16.50"
        _ => fen.max(1),             // "5.86"
    }
    .max(10)
}

fn draw_month_sold(rng: &mut Rng) -> u64 {
    if rng.chance(0.015) {
        // A few hits sell tens of thousands a month.
        let (lo, hi) = (2_000f64.ln(), 200_000f64.ln());
        (lo + rng.unit() * (hi - lo)).exp() as u64
    } else {
        let u = rng.unit().max(1e-9);
        ((20.0 * u.powf(-1.2)) as u64)
            .saturating_sub(15)
            .min(20_000)
    }
}

fn title(rng: &mut Rng, kind: &Kind, colour: Pair) -> (String, String) {
    let season = *rng.pick(SEASONS);
    let adj = *rng.pick(ADJECTIVES);
    let material = *rng.pick(kind.materials);
    let core = *rng.pick(kind.cores);
    let feature = *rng.pick(kind.features);
    let suffix = *rng.pick(SUFFIXES);
    let cn = format!(
        "{}{}{}{}{}{} {}",
        season.0, adj.0, material.0, colour.0, core.0, feature.0, suffix.0
    );
    let en_parts = [
        season.1, adj.1, material.1, colour.1, core.1, feature.1, suffix.1,
    ];
    let en = en_parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let mut en_chars = en.chars();
    let en = match en_chars.next() {
        Some(c) => c.to_uppercase().chain(en_chars).collect(),
        None => en,
    };
    (cn.trim().to_string(), en)
}

fn kind_of(shape: Shape) -> &'static Kind {
    KINDS.iter().find(|k| k.shape == shape).unwrap_or(&KINDS[0])
}

/// A new product: its picture and colours, then a listing of it.
pub(super) fn offer(rng: &mut Rng, offer_id: u64) -> CatalogOffer {
    let kind = rng.pick(KINDS);
    // Colours: a saturated or neutral body, a contrasting accent, and a white,
    // light grey or pastel backdrop as in marketplace photos.
    let h = rng.unit() * 360.0;
    let (s, v) = if rng.chance(0.2) {
        (
            rng.unit() * 0.1,
            if rng.chance(0.5) {
                0.1 + rng.unit() * 0.12
            } else {
                0.5 + rng.unit() * 0.45
            },
        )
    } else {
        (0.45 + rng.unit() * 0.55, 0.35 + rng.unit() * 0.65)
    };
    let body = hsv(h, s, v);
    let accent = if rng.chance(0.3) {
        if v > 0.6 {
            hsv(0.0, 0.0, 0.12)
        } else {
            hsv(0.0, 0.0, 0.95)
        }
    } else {
        hsv(
            h + 120.0 + rng.unit() * 120.0,
            0.5 + rng.unit() * 0.5,
            0.5 + rng.unit() * 0.5,
        )
    };
    let background = match rng.below(3) {
        0 => hsv(0.0, 0.0, 0.97),
        1 => hsv(0.0, 0.0, 0.8 + rng.unit() * 0.12),
        _ => hsv(
            rng.unit() * 360.0,
            0.12 + rng.unit() * 0.2,
            0.85 + rng.unit() * 0.13,
        ),
    };
    let art = Art {
        shape: kind.shape,
        pattern: if rng.chance(0.5) {
            Pattern::Plain
        } else {
            *rng.pick(&Pattern::ALL)
        },
        body,
        accent,
        background,
        scale: (0.82 + rng.unit() * 0.3) as f32,
        dx: ((rng.unit() - 0.5) * 0.12) as f32,
        dy: ((rng.unit() - 0.5) * 0.1) as f32,
        grain: rng.next_u64(),
    };
    let price_fen = draw_price(rng, kind.price_fen);
    listing(
        rng,
        offer_id,
        offer_id,
        kind,
        colour_name(h, s, v),
        art,
        price_fen,
    )
}

/// Another seller's listing of `original`'s product: the photo re-shot a
/// little tighter or looser, with its own title, price (within ±20 %) and
/// terms. [`generate`] makes some of them show `original`'s picture itself.
fn relisting(rng: &mut Rng, offer_id: u64, original: &CatalogOffer) -> CatalogOffer {
    let kind = kind_of(original.art.shape);
    let sign = |rng: &mut Rng| if rng.chance(0.5) { 1.0 } else { -1.0 };
    let mut art = original.art;
    art.scale =
        (art.scale * (1.0 + sign(rng) * (0.08 + rng.unit() as f32 * 0.06))).clamp(0.72, 1.12);
    art.dx = (art.dx + sign(rng) * (0.04 + rng.unit() as f32 * 0.02)).clamp(-0.09, 0.09);
    art.dy = (art.dy + sign(rng) * (0.03 + rng.unit() as f32 * 0.02)).clamp(-0.08, 0.08);
    art.grain = rng.next_u64();
    let factor = 0.8 + rng.unit() * 0.4;
    let price_fen =
        ((original.price_fen as f64 * factor).round() as u64).clamp(10, kind.price_fen.1.max(10));
    listing(
        rng,
        offer_id,
        original.group,
        kind,
        original.colour,
        art,
        price_fen,
    )
}

/// The commercial side of a listing: title, prices, seller and flags.
pub(super) fn listing(
    rng: &mut Rng,
    offer_id: u64,
    group: u64,
    kind: &Kind,
    colour: Pair,
    art: Art,
    price_fen: u64,
) -> CatalogOffer {
    let (mut subject, subject_trans) = title(rng, kind, colour);
    if rng.chance(1.0 / 300.0) {
        // Plant the escape mid-title, as a hostile seller would.
        let at = subject
            .char_indices()
            .nth(4)
            .map_or(subject.len(), |(i, _)| i);
        let hostile = HOSTILE[rng.below(HOSTILE.len() as u64) as usize];
        subject.insert_str(at, hostile);
    }
    let is_jxhy = rng.chance(0.3);
    let jxhy_price_fen =
        (is_jxhy && rng.chance(0.5)).then(|| (price_fen as f64 * (0.9 + rng.unit() * 0.1)) as u64);
    let pf_jxhy_price_fen = jxhy_price_fen.filter(|_| rng.chance(0.6));
    let consign_price_fen = (price_fen as f64 * (1.05 + rng.unit() * 0.2)).round() as u64;
    let ship_in_today = rng.chance(0.2);
    let ship_in_24_hours = ship_in_today || rng.chance(0.4);
    let ship_in_48_hours = ship_in_24_hours || rng.chance(0.6);
    let is_one_psale = rng.chance(0.5);
    let certified_factory = rng.chance(0.15);
    let mut seller_identities = Vec::new();
    if certified_factory && rng.chance(0.5) {
        seller_identities.push("super_factory".to_string());
    }
    if rng.chance(0.25) {
        seller_identities.push("tp_member".to_string());
    }
    if rng.chance(0.1) {
        seller_identities.push("powerful_merchants".to_string());
    }
    let new_7 = rng.chance(0.03);
    let company_name = format!(
        "{}{}{}{}有限公司",
        rng.pick(CITIES),
        rng.pick(SYLLABLES),
        rng.pick(SYLLABLES),
        kind.trade
    );
    let mut map_bytes = [0u8; 16];
    map_bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    map_bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    CatalogOffer {
        offer_id,
        group,
        offer_map_id: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(map_bytes),
        subject,
        subject_trans,
        category_id: kind.category_id,
        price_fen,
        jxhy_price_fen,
        pf_jxhy_price_fen,
        consign_price_fen,
        is_jxhy,
        repurchase_rate: (rng.unit().powf(1.5) * 60.0).round() as u8,
        month_sold: draw_month_sold(rng),
        is_one_psale,
        is_one_psale_free_post: is_one_psale && rng.chance(0.35),
        certified_factory,
        no_reason_7d_return: rng.chance(0.6),
        ship_in_today,
        ship_in_24_hours,
        ship_in_48_hours,
        new_7,
        new_30: new_7 || rng.chance(0.1),
        selection_1688: rng.chance(0.08),
        seller_identities,
        company_name,
        // Set by `generate` from the catalog's pool.
        seller: std::sync::Arc::clone(&PLACEHOLDER_SELLER),
        art,
        picture: new_picture(offer_id, false),
        colour,
    }
}

/// The offers alone, without descriptors: cheap (well under a millisecond per
/// hundred offers), used for pictures and id lists. Generation is
/// sequential (a re-listing only copies an earlier offer), so the first n
/// offers of a catalog are the whole of the catalog of n.
pub fn generate(seed: u64, size: usize) -> Vec<CatalogOffer> {
    let sellers: Vec<Arc<SimSeller>> = (0..SELLERS)
        .map(|i| Arc::new(SimSeller::of(seed, i)))
        .collect();
    let mut out = generate_offers(seed, size);
    for o in &mut out {
        let seller = &sellers[SimSeller::index_for(seed, o.offer_id) as usize];
        // The seller's name and identities replace the offer's own draws
        // (still drawn, so the other fields stay as they were).
        o.company_name = seller.company.clone();
        o.seller_identities = seller.identities.clone();
        o.seller = Arc::clone(seller);
    }
    out
}

/// A stand-in until `generate` sets each offer's seller.
static PLACEHOLDER_SELLER: LazyLock<Arc<SimSeller>> =
    LazyLock::new(|| Arc::new(SimSeller::of(0, 0)));

fn generate_offers(seed: u64, size: usize) -> Vec<CatalogOffer> {
    let mut rng = Rng::new(seed ^ 0x1688_7475_736F_u64);
    let mut seen = HashSet::with_capacity(size);
    let mut out: Vec<CatalogOffer> = Vec::with_capacity(size);
    let mut originals: Vec<usize> = Vec::with_capacity(size);
    while out.len() < size {
        // 12-digit ids in the range real 1688 offers use.
        let id = 500_000_000_000 + rng.below(499_999_999_999);
        if !seen.insert(id) {
            continue;
        }
        let mut offer_rng = Rng::new(rng.next_u64());
        let source = (!originals.is_empty() && offer_rng.chance(RELIST_SHARE))
            .then(|| originals[offer_rng.below(originals.len() as u64) as usize]);
        match source.and_then(|i| out.get(i)) {
            Some(original) => {
                let mut o = relisting(&mut offer_rng, id, original);
                // Its own stream, so the draws above stay as they were.
                let copy = Rng::new(id ^ PICTURE_SALT ^ 1).unit();
                if copy < SAME_FILE_SHARE {
                    o.art = original.art;
                    o.picture = original.picture.clone();
                } else if copy < SAME_FILE_SHARE + REUPLOAD_SHARE {
                    o.art = original.art;
                    o.picture = new_picture(id, true);
                }
                out.push(o);
            }
            None => {
                originals.push(out.len());
                out.push(offer(&mut offer_rng, id));
            }
        }
    }
    out
}
