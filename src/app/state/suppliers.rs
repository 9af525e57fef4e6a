//! Who sells the offers listed: each offer's supplier signals in a few
//! bytes (kept for every position, in memory or not, so the local filters
//! judge all loaded offers), the supplier filters, what they show, and how
//! many of the user's searches a seller appears in.

use crate::api::seller::{Rate, Seller, SellerKey};
use std::collections::HashMap;

/// Sellers told apart in one search at most; past it, a new seller has no
/// id (its offers cannot be listed by seller, and filters still apply).
const MAX_SELLERS: usize = u16::MAX as usize - 1;
/// Sellers whose appearances across searches are kept.
pub const MAX_APPEARANCES: usize = 512;
/// Marks are kept in chunks of this many, so a long session holds at most
/// one chunk it does not use (a doubling vector could hold as many again).
const CHUNK: usize = 4_096;

/// No seller id, or no rate.
const NONE_U16: u16 = u16::MAX;
/// In `pickup`: the figure is the 24-hour one, a lower bound of the 48.
const LOWER_BOUND: u16 = 0x8000;
/// In `kind_years`: years in the low 6 bits (`YEARS_UNKNOWN` unknown), the
/// kind above them (0 unknown, 1 trader, 2 factory).
const YEARS_UNKNOWN: u8 = 63;
const TRADER: u8 = 1 << 6;
const FACTORY: u8 = 2 << 6;

/// One offer's supplier signals in 8 bytes (a session may list 100,000
/// offers): what the filters read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierMark {
    seller: u16,
    /// 48-hour pickup in basis points; with [`LOWER_BOUND`], the 24-hour.
    pickup: u16,
    refunds: u16,
    kind_years: u8,
}

impl Default for SupplierMark {
    fn default() -> Self {
        SupplierMark {
            seller: NONE_U16,
            pickup: NONE_U16,
            refunds: NONE_U16,
            kind_years: YEARS_UNKNOWN,
        }
    }
}

impl SupplierMark {
    fn of(seller: &Seller, id: Option<u16>) -> SupplierMark {
        let pickup = match (seller.pickup_48h_30d, seller.pickup_24h_30d) {
            (Some(r), _) => r.basis_points(),
            (None, Some(r)) => r.basis_points() | LOWER_BOUND,
            (None, None) => NONE_U16,
        };
        let kind = match seller.is_factory() {
            Some(true) => FACTORY,
            Some(false) => TRADER,
            None => 0,
        };
        let years = seller
            .tp_years
            .map_or(YEARS_UNKNOWN, |y| y.min(u32::from(YEARS_UNKNOWN - 1)) as u8);
        SupplierMark {
            seller: id.unwrap_or(NONE_U16),
            pickup,
            refunds: seller
                .quality_refunds()
                .map_or(NONE_U16, Rate::basis_points),
            kind_years: kind | years,
        }
    }

    /// The signals back as a seller, for [`Seller`]'s own rules.
    fn seller(&self) -> Seller {
        let rate = |bp: u16| Rate::from_basis_points(bp);
        let years = self.kind_years & YEARS_UNKNOWN;
        let (p48, p24) = match self.pickup {
            NONE_U16 => (None, None),
            p if p & LOWER_BOUND != 0 => (None, rate(p & !LOWER_BOUND)),
            p => (rate(p), None),
        };
        Seller {
            tp_years: (years != YEARS_UNKNOWN).then_some(u32::from(years)),
            pickup_48h_30d: p48,
            pickup_24h_30d: p24,
            quality_refund_30d: rate(self.refunds),
            ..Seller::default()
        }
    }

    /// Whether the seller says it is a factory (`None`: unknown).
    fn factory(&self) -> Option<bool> {
        match self.kind_years & !YEARS_UNKNOWN {
            FACTORY => Some(true),
            TRADER => Some(false),
            _ => None,
        }
    }

    pub fn seller_id(&self) -> Option<u32> {
        (self.seller != NONE_U16).then_some(u32::from(self.seller))
    }
}

/// How many of the user's searches a seller appears in (the store's count).
pub use crate::store::SellerAppearances;

/// Offers whose signals are not known for a filter: shown or hidden, as
/// the user chooses (never decided silently).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unknowns {
    #[default]
    Shown,
    Hidden,
}

impl Unknowns {
    pub fn label(self) -> &'static str {
        match self {
            Unknowns::Shown => "shown",
            Unknowns::Hidden => "hidden",
        }
    }

    pub fn flipped(self) -> Unknowns {
        match self {
            Unknowns::Shown => Unknowns::Hidden,
            Unknowns::Hidden => Unknowns::Shown,
        }
    }
}

/// The local supplier filters: they hide loaded offers, send nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupplierFilter {
    pub factory_only: bool,
    pub min_years: Option<u32>,
    pub min_pickup_48h: Option<Rate>,
    pub max_refunds: Option<Rate>,
    pub unknowns: Unknowns,
    /// Only this seller's offers (its id here, and its name to say so).
    pub seller: Option<(u32, String)>,
}

/// What a filter makes of one offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// Passes every test it can be judged on, and one or more it cannot.
    Unknown,
}

impl SupplierFilter {
    /// Whether any filter is set.
    pub fn is_on(&self) -> bool {
        self.factory_only
            || self.min_years.is_some()
            || self.min_pickup_48h.is_some()
            || self.max_refunds.is_some()
            || self.seller.is_some()
    }

    pub fn verdict(&self, mark: &SupplierMark) -> Verdict {
        let seller = mark.seller();
        let tests = [
            self.factory_only.then(|| mark.factory()),
            self.min_years.map(|min| seller.tp_years.map(|y| y >= min)),
            self.min_pickup_48h
                .map(|min| seller.pickup_48h_at_least(min)),
            self.max_refunds
                .map(|max| seller.quality_refunds().map(|r| r <= max)),
            self.seller
                .as_ref()
                .map(|(id, _)| Some(mark.seller_id() == Some(*id))),
        ];
        let mut unknown = false;
        for test in tests.into_iter().flatten() {
            match test {
                Some(false) => return Verdict::Fail,
                None => unknown = true,
                Some(true) => {}
            }
        }
        if unknown {
            Verdict::Unknown
        } else {
            Verdict::Pass
        }
    }

    /// Whether an offer so judged is listed.
    pub fn shows(&self, verdict: Verdict) -> bool {
        match verdict {
            Verdict::Pass => true,
            Verdict::Fail => false,
            Verdict::Unknown => self.unknowns == Unknowns::Shown,
        }
    }

    /// "factory, ≥ 3 years, 48 h pickup ≥ 90 %": what is set. Seller names
    /// are raw server text: sanitised here.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some((_, name)) = &self.seller {
            parts.push(format!("seller {}", crate::text::sanitize(name)));
        }
        if self.factory_only {
            parts.push("factory".to_string());
        }
        if let Some(y) = self.min_years {
            parts.push(format!("≥ {y} {}", if y == 1 { "year" } else { "years" }));
        }
        if let Some(r) = self.min_pickup_48h {
            parts.push(format!("48 h pickup ≥ {} %", r.percent_text()));
        }
        if let Some(r) = self.max_refunds {
            parts.push(format!("quality refunds ≤ {} %", r.percent_text()));
        }
        parts.join(", ")
    }
}

/// How many offers the filters show of those loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shown {
    pub shown: usize,
    pub of: usize,
    /// Of those shown or hidden, how many could not be judged.
    pub unknown: usize,
}

/// The results' supplier signals, filters and appearances.
#[derive(Debug, Default)]
pub struct SuppliersState {
    /// By position, as pages arrive, in chunks of [`CHUNK`].
    marks: Vec<Vec<SupplierMark>>,
    /// Seller ids in this search.
    ids: HashMap<SellerKey, u16>,
    pub filter: SupplierFilter,
    /// What the last layout of the rows showed (while a filter is on).
    pub shown: Shown,
    /// How many of the user's searches a seller appears in, from the store;
    /// `None` while asked.
    pub appearances: HashMap<SellerKey, Option<SellerAppearances>>,
}

impl SuppliersState {
    /// A new search: no marks, no seller filter (the others stay: they are
    /// the user's settings).
    pub fn clear(&mut self) {
        self.marks.clear();
        self.ids.clear();
        self.filter.seller = None;
        self.shown = Shown::default();
    }

    /// Notes a page's offers, the first at `start`.
    pub fn note_page<'a>(
        &mut self,
        start: usize,
        offers: impl IntoIterator<Item = &'a crate::api::Offer>,
    ) {
        for (i, offer) in offers.into_iter().enumerate() {
            self.note(start + i, offer.seller.as_ref());
        }
    }

    /// Notes what is known of the seller of the offer at `position`.
    pub fn note(&mut self, position: usize, seller: Option<&Seller>) {
        let Some(seller) = seller else {
            self.set(position, SupplierMark::default());
            return;
        };
        let id = seller.key().and_then(|key| {
            let next = u16::try_from(self.ids.len()).ok()?;
            match self.ids.get(&key) {
                Some(&id) => Some(id),
                None if self.ids.len() < MAX_SELLERS => {
                    self.ids.insert(key, next);
                    Some(next)
                }
                None => None,
            }
        });
        self.set(position, SupplierMark::of(seller, id));
    }

    fn set(&mut self, position: usize, mark: SupplierMark) {
        let (chunk, at) = (position / CHUNK, position % CHUNK);
        while self.marks.len() <= chunk {
            self.marks.push(Vec::with_capacity(CHUNK));
        }
        let marks = &mut self.marks[chunk];
        if marks.len() <= at {
            marks.resize(at + 1, SupplierMark::default());
        }
        marks[at] = mark;
    }

    pub fn mark(&self, position: usize) -> SupplierMark {
        self.marks
            .get(position / CHUNK)
            .and_then(|c| c.get(position % CHUNK))
            .copied()
            .unwrap_or_default()
    }

    /// The id of a seller in this search.
    pub fn id_of(&self, key: &SellerKey) -> Option<u32> {
        self.ids.get(key).copied().map(u32::from)
    }

    /// "312 of 2000 shown: factory, ≥ 3 years · 41 unknown, shown".
    pub fn shown_text(&self) -> String {
        let mut text = format!(
            "{} of {} shown: {}",
            self.shown.shown,
            self.shown.of,
            self.filter.summary()
        );
        if self.shown.unknown > 0 {
            text.push_str(&format!(
                " · {} unknown, {}",
                self.shown.unknown,
                self.filter.unknowns.label()
            ));
        }
        text
    }

    /// Keeps an answer from the store; the oldest half go when full.
    pub fn remember(&mut self, key: SellerKey, found: Option<SellerAppearances>) {
        if self.appearances.len() >= MAX_APPEARANCES && !self.appearances.contains_key(&key) {
            self.appearances.clear();
        }
        self.appearances.insert(key, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::seller::Identity;

    fn seller(factory: Option<bool>, years: Option<u32>, pickup_48h: Option<u16>) -> Seller {
        Seller {
            company: Some(format!("co {factory:?} {years:?}")),
            identities: match factory {
                Some(true) => vec![Identity::SuperFactory],
                Some(false) => vec![Identity::TpMember],
                None => Vec::new(),
            },
            tp_years: years,
            pickup_48h_30d: pickup_48h.and_then(Rate::from_basis_points),
            ..Seller::default()
        }
    }

    #[test]
    fn a_mark_is_small() {
        assert_eq!(std::mem::size_of::<SupplierMark>(), 8);
    }

    #[test]
    fn a_mark_reads_back_what_the_filters_need() {
        let mut s = seller(Some(true), Some(70), None);
        s.pickup_24h_30d = Rate::from_basis_points(9_250);
        s.quality_refund_30d = Rate::from_basis_points(10_000);
        let back = SupplierMark::of(&s, Some(3)).seller();
        assert_eq!(back.tp_years, Some(62), "years past 62 read as 62");
        assert_eq!(back.pickup_24h_30d, s.pickup_24h_30d);
        assert_eq!(back.pickup_48h_30d, None);
        assert_eq!(back.quality_refund_30d, s.quality_refund_30d);
        assert_eq!(SupplierMark::of(&s, Some(3)).factory(), Some(true));
        let mut far = SuppliersState::default();
        far.note(CHUNK * 2 + 5, Some(&s));
        assert_eq!(far.mark(CHUNK * 2 + 5).seller_id(), Some(0));
        assert_eq!(far.mark(CHUNK + 1), SupplierMark::default());
    }

    #[test]
    fn each_test_passes_fails_or_cannot_say_and_one_failure_hides() {
        let mut s = SuppliersState::default();
        s.note(0, Some(&seller(Some(true), Some(5), Some(9_500))));
        s.note(1, Some(&seller(Some(false), Some(5), None)));
        s.note(2, Some(&seller(None, Some(1), None)));
        s.note(3, Some(&seller(None, Some(4), None)));
        s.note(4, None);
        let f = SupplierFilter {
            factory_only: true,
            min_years: Some(3),
            ..SupplierFilter::default()
        };
        let v: Vec<Verdict> = (0..5).map(|i| f.verdict(&s.mark(i))).collect();
        assert_eq!(
            v,
            [
                Verdict::Pass,
                Verdict::Fail,
                Verdict::Fail,
                Verdict::Unknown,
                Verdict::Unknown
            ]
        );
        assert!(f.shows(Verdict::Unknown));
        let hide = SupplierFilter {
            unknowns: Unknowns::Hidden,
            ..f.clone()
        };
        assert!(!hide.shows(Verdict::Unknown));
        assert_eq!(f.summary(), "factory, ≥ 3 years");
    }

    #[test]
    fn one_seller_keeps_one_id_across_its_offers() {
        let mut s = SuppliersState::default();
        let a = seller(Some(true), Some(5), None);
        s.note(0, Some(&a));
        s.note(1, Some(&seller(Some(false), None, None)));
        s.note(2, Some(&a));
        let id = s.mark(0).seller_id().unwrap();
        assert_eq!(s.mark(2).seller_id(), Some(id));
        assert_ne!(s.mark(1).seller_id(), Some(id));
        let f = SupplierFilter {
            seller: Some((id, "\u{1b}[31mco".into())),
            ..SupplierFilter::default()
        };
        assert_eq!(f.verdict(&s.mark(2)), Verdict::Pass);
        assert_eq!(f.verdict(&s.mark(1)), Verdict::Fail);
        assert!(!f.summary().contains('\u{1b}'));
    }
}
