//! A batch job's results as plain data: what every output format writes.

use crate::api::Offer;
use crate::money::Currency;

/// Everything a sheet needs, in input order.
#[derive(Debug, Clone, Default)]
pub struct SheetInput {
    /// The user's own columns from an input CSV (SKU, name, …), in order.
    pub user_columns: Vec<String>,
    pub photos: Vec<PhotoResult>,
    /// Matches per photo the sheet has room for (`--top`).
    pub top: usize,
    /// Converted prices beside yuan, when the user set a currency.
    pub currency: Option<Currency>,
    /// The user's quantity (`--qty`): each match's unit cost at it.
    pub quantity: Option<u64>,
    /// With a quantity and a lane (`--lane`): the lane's label, and each
    /// match's landed cost ([`Match::landed`]) in the columns.
    pub lane: Option<String>,
}

/// One input photo and what its search gave.
#[derive(Debug, Clone)]
pub struct PhotoResult {
    /// 1-based position in the input.
    pub index: usize,
    /// The path or image URL as the input named it.
    pub source: String,
    /// Values of `SheetInput::user_columns`, same length and order.
    pub user_values: Vec<String>,
    /// A small JPEG of the query picture, when one could be made.
    pub query_thumb: Option<Vec<u8>>,
    pub outcome: PhotoOutcome,
}

#[derive(Debug, Clone)]
pub enum PhotoOutcome {
    /// Searched: the provider's total, and the first matches (at most `top`).
    Done {
        total: Option<u64>,
        matches: Vec<Match>,
    },
    /// Not searched, and why (unreadable, not an image, provider error).
    Failed { reason: String },
    /// Not searched yet (a sheet written from an unfinished job).
    Pending,
}

/// One match of a photo.
#[derive(Debug, Clone)]
pub struct Match {
    /// 1-based rank in the provider's answer.
    pub rank: usize,
    pub offer: Offer,
    /// A small JPEG of the offer's picture; `None` when it could not be
    /// fetched (the cell stays empty).
    pub thumb: Option<Vec<u8>>,
    /// MOQ, tiers and ship-from, when known (kept in the store, or fetched
    /// for `--qty`).
    pub detail: Option<crate::api::OfferDetail>,
    /// The landed cost per piece at the quantity by the lane, or what is
    /// missing (`--lane`); `None` without a lane.
    pub landed: Option<crate::export::landed::LandedCost>,
    /// The same product as other matches of the photo (re-uploads of one
    /// picture), when it is.
    pub same: Option<SameOf>,
}

/// A match's same-product group among its photo's matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SameOf {
    /// The rank of the group's first match (the group is named "g{rank}").
    pub group: usize,
    /// Sellers in the group.
    pub count: usize,
    /// The cheapest of them.
    pub from: Option<crate::api::Price>,
}
