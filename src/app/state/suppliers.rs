//! Who sells the offers listed: each offer's supplier signals in a few
//! bytes (kept for every position, in memory or not, so the local filters
//! judge all loaded offers), the supplier filters, what they show, and how
//! many of the user's searches a seller appears in.

use crate::api::seller::{Rate, Seller, SellerKey};
use std::collections::HashMap;

/// Sellers told apart in one search at most; past it, a new seller has no
/// id (its offers cannot be listed by seller, and filters still apply).
const MAX_SELLERS: usize = 100_000;
/// Sellers whose appearances across searches are kept.
pub const MAX_APPEARANCES: usize = 512;

/// No seller id, years, or rate.
const NONE_U32: u32 = u32::MAX;
const NONE_U16: u16 = u16::MAX;
const NONE_U8: u8 = u8::MAX;

/// In how many of the user's searches a seller's offers were listed, and
/// how many of its offers were seen (the store's count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SellerAppearances {
    pub searches: u64,
    pub offers: u64,
}

/// One offer's supplier signals, 12 bytes: what the filters read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierMark {
    seller: u32,
    /// 0 trader, 1 factory, `NONE_U8` unknown.
    factory: u8,
    years: u8,
    pickup_48h: u16,
    pickup_24h: u16,
    refunds: u16,
}

impl Default for SupplierMark {
    fn default() -> Self {
        SupplierMark {
            seller: NONE_U32,
            factory: NONE_U8,
            years: NONE_U8,
            pickup_48h: NONE_U16,
            pickup_24h: NONE_U16,
            refunds: NONE_U16,
        }
    }
}

impl SupplierMark {
    fn of(seller: &Seller, id: Option<u32>) -> SupplierMark {
        let bp = |r: Option<Rate>| r.map_or(NONE_U16, Rate::basis_points);
        SupplierMark {
            seller: id.unwrap_or(NONE_U32),
            factory: seller.is_factory().map_or(NONE_U8, u8::from),
            years: seller
                .tp_years
                .map_or(NONE_U8, |y| u8::try_from(y).unwrap_or(NONE_U8 - 1)),
            pickup_48h: bp(seller.pickup_48h_30d),
            pickup_24h: bp(seller.pickup_24h_30d),
            refunds: bp(seller.quality_refunds()),
        }
    }

    /// The signals back as a seller, for [`Seller`]'s own rules.
    fn seller(&self) -> Seller {
        let rate = |bp: u16| {
            (bp != NONE_U16)
                .then(|| Rate::from_basis_points(bp))
                .flatten()
        };
        Seller {
            tp_years: (self.years != NONE_U8).then_some(u32::from(self.years)),
            pickup_48h_30d: rate(self.pickup_48h),
            pickup_24h_30d: rate(self.pickup_24h),
            quality_refund_30d: rate(self.refunds),
            ..Seller::default()
        }
    }

    pub fn seller_id(&self) -> Option<u32> {
        (self.seller != NONE_U32).then_some(self.seller)
    }
}

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
            self.factory_only
                .then(|| (mark.factory != NONE_U8).then_some(mark.factory == 1)),
            self.min_years.map(|min| seller.tp_years.map(|y| y >= min)),
            self.min_pickup_48h
                .map(|min| seller.pickup_48h_at_least(min)),
            self.max_refunds
                .map(|max| seller.quality_refunds().map(|r| r <= max)),
            self.seller.as_ref().map(|(id, _)| Some(mark.seller == *id)),
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
    /// By position, as pages arrive.
    marks: Vec<SupplierMark>,
    /// Seller ids in this search.
    ids: HashMap<SellerKey, u32>,
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
            let next = u32::try_from(self.ids.len()).ok()?;
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
        if position >= self.marks.len() {
            self.marks.resize(position + 1, SupplierMark::default());
        }
        self.marks[position] = mark;
    }

    pub fn mark(&self, position: usize) -> SupplierMark {
        self.marks.get(position).copied().unwrap_or_default()
    }

    /// The id of a seller in this search.
    pub fn id_of(&self, key: &SellerKey) -> Option<u32> {
        self.ids.get(key).copied()
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

    /// Bytes held per offer, for the memory figures.
    pub fn capacity_bytes(&self) -> usize {
        self.marks.capacity() * std::mem::size_of::<SupplierMark>()
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
        assert_eq!(std::mem::size_of::<SupplierMark>(), 12);
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
