//! Landed cost: what one piece of an offer really costs, delivered to the
//! user, at their quantity N, by one of their freight lanes.
//!
//! ```text
//! goods          = unit price at N (the chosen SKU's) × N
//! domestic       = the seller's freight to the warehouse for the lot
//!                  (a quote, free, or the user's ¥/kg × actual lot weight)
//! chargeable     = N × max(actual g, volumetric g = L×W×H mm ÷ divisor)
//! international  = max(min fee, base fee + per-kg fee × chargeable kg)
//!                  in the lane's currency, × its rate to yuan
//! agent fee      = agent % × (goods + domestic)
//! customs value  = goods + domestic + international
//! duty, VAT      = 0 when the customs value is not above the de minimis;
//!                  else duty % × customs value, VAT % × (customs value + duty)
//! extras         = the user's per-piece extras × N
//! landed per pc  = (sum of the above) ÷ N
//! ```
//!
//! Money is exact: integer fen (the `Price` of `api`, hundredths of a
//! yuan) for every amount; lane fees and the de minimis threshold in their
//! currency's minor units; exchange rates in millionths of a yuan; shares
//! in basis points; weights in grams, sizes in millimetres. The arithmetic
//! is done in `u128` on those integers (checked: an overflow is an error,
//! never a wrap), and each component of the lot is rounded half up to the
//! fen once; a per-piece figure is the lot's divided by N, rounded half up.
//! Integers rather than a decimal crate: the amounts already arrive as fen,
//! the only divisions are by N, the divisor and fixed powers of ten, and no
//! new dependency is needed. The user's currency (`money`, a float rate
//! like every price shown today) is applied at the end, for display only.
//!
//! Nothing unknown becomes zero: a missing price, weight, freight or fee
//! makes the total [`Total::Unknown`] with the list of what is missing.
//!
//! Files: `units` (the exact quantities, rounding), `lanes` (the user's
//! settings: warehouse, lanes, fees), `breakdown` (the arithmetic), `demo`
//! (demo mode's example lanes and fees).

mod breakdown;
mod demo;
mod inputs;
mod lanes;
mod units;

#[cfg(test)]
mod tests;

pub use breakdown::{
    Amount, Breakdown, Chargeable, Dims, DomesticFreight, FigureSource, Item, Line, Minimum,
    MinimumStatus, OfferInputs, Total, Weight, WeightBasis, landed_cost,
};
pub use demo::example_lanes;
pub use inputs::{default_sku, offer_inputs};
pub use lanes::{
    DIVISOR_RANGE, DeMinimis, Extra, Fees, HOW_TO_SET_A_LANE, Lane, NO_WAREHOUSE, Origin, PricedIn,
    RateSource, Settings, Share, Warehouse,
};
pub use units::{ExactRate, Percent};

/// A landed-cost setting of the wrong shape, or a cost that cannot be
/// worked out. The text says what is expected (the config puts the key and
/// value before it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandedError {
    #[error("use a percentage from 0 to {max} with at most two decimals, e.g. 5 or 12.5")]
    Percent { max: u32 },
    #[error("{0}")]
    Currency(String),
    #[error("{0}")]
    Rate(String),
    #[error(
        "needs its rate: the yuan (CNY) one {code} costs, as rate = 7.1 (or make {code} your currency with its rate)"
    )]
    NoRate { code: String },
    #[error("use an amount of {code} of at least 0, with at most {decimals} decimals")]
    Amount { code: String, decimals: u32 },
    #[error("use 1 to 24 letters, digits, - or _, e.g. \"air\"")]
    LaneName,
    #[error(
        "use the forwarder's volumetric divisor (cm³ per kg) from {} to {}, e.g. 5000, 6000 or 8000",
        DIVISOR_RANGE.0,
        DIVISOR_RANGE.1
    )]
    Divisor,
    #[error("use the date the fees were checked, as \"YYYY-MM-DD\"")]
    Date,
    #[error("{}", HOW_TO_SET_A_LANE)]
    NoLanes,
    #[error("no lane named {name:?}: the lanes are {known}")]
    UnknownLane { name: String, known: String },
    #[error("which lane? name one of {known} (--lane NAME, or lane = \"NAME\" in [landed])")]
    WhichLane { known: String },
    #[error("a landed cost needs a quantity of at least 1")]
    ZeroQuantity,
    #[error("the amounts are too large to add up")]
    TooLarge,
}
