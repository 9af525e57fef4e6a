//! The user's side of a landed cost: the forwarder's warehouse, the lanes
//! (international freight tariffs) and the fees, each checked when built.
//! The config reads them (`src/config/landed.rs`); demo mode has examples
//! (`demo.rs`).

use super::LandedError;
use super::units::{ExactRate, Percent, minor_text};
use crate::api::{Destination, DestinationError};
use crate::money::Currency;
use std::fmt;

/// Whose figure a setting is: the user's, or an example of demo mode (shown
/// as such wherever a cost uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Yours,
    Example,
}

impl Origin {
    pub fn word(self) -> &'static str {
        match self {
            Origin::Yours => "yours",
            Origin::Example => "example",
        }
    }
}

/// The forwarder's warehouse in China, where the seller ships to: the
/// division codes a freight estimate asks for (checked by the one rule,
/// [`Destination::new`]), and the user's own label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    pub destination: Destination,
    /// Free text, e.g. the forwarder's name (raw user text: sanitise before
    /// display).
    pub label: String,
}

impl Warehouse {
    /// A warehouse whose codes have the shape of one province, one of its
    /// cities and one of that city's districts (the shape only: whether the
    /// division exists is the provider's answer).
    pub fn new(
        province: &str,
        city: &str,
        district: &str,
        label: &str,
    ) -> Result<Warehouse, DestinationError> {
        Ok(Warehouse {
            destination: Destination::new(province, city, district)?,
            label: label.trim().to_string(),
        })
    }
}

/// Where a foreign amount's rate to yuan comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSource {
    /// The amount is in yuan.
    Yuan,
    /// The setting's own `rate`.
    Own,
    /// The user's `currency` + `rate` (same code).
    YourCurrency,
}

impl RateSource {
    pub fn words(self) -> &'static str {
        match self {
            RateSource::Yuan => "in yuan",
            RateSource::Own => "at the lane's rate",
            RateSource::YourCurrency => "at your currency's rate",
        }
    }
}

/// The currency of a lane's fees (or of the de minimis threshold) with its
/// exact rate and where the rate comes from: yuan needs none; the user's own
/// currency may use the user's rate; any other needs its own.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedIn {
    pub currency: Currency,
    pub rate: ExactRate,
    pub rate_source: RateSource,
}

impl PricedIn {
    pub fn yuan() -> PricedIn {
        PricedIn {
            currency: Currency {
                code: "CNY".into(),
                rate: 1.0,
            },
            rate: ExactRate::YUAN,
            rate_source: RateSource::Yuan,
        }
    }

    /// `code` with its `own_rate` (CNY per unit), or the user's rate when
    /// the user's currency is the same code, or 1 for yuan.
    pub fn new(
        code: &str,
        own_rate: Option<f64>,
        yours: Option<&Currency>,
    ) -> Result<PricedIn, LandedError> {
        let code = crate::money::parse_code(code).map_err(LandedError::Currency)?;
        let (rate, rate_source) = match (own_rate, yours) {
            (Some(r), _) => (r, RateSource::Own),
            (None, _) if code == "CNY" => return Ok(PricedIn::yuan()),
            (None, Some(y)) if y.code == code => (y.rate, RateSource::YourCurrency),
            (None, _) => return Err(LandedError::NoRate { code }),
        };
        let currency = Currency::new(&code, rate).map_err(LandedError::Rate)?;
        let rate = ExactRate::of(&currency).ok_or_else(|| {
            LandedError::Rate("use a rate of at least 0.000001 yuan per unit".into())
        })?;
        Ok(PricedIn {
            currency,
            rate,
            rate_source,
        })
    }

    /// `amount` of this currency (12.5 → 1250 cents), at most the currency's
    /// decimals.
    pub fn minor(&self, amount: f64) -> Result<u64, LandedError> {
        let decimals = u32::try_from(self.currency.decimals()).unwrap_or(2);
        super::units::fixed(amount, decimals).ok_or(LandedError::Amount {
            code: self.currency.code.clone(),
            decimals,
        })
    }
}

/// Volumetric divisors accepted: cm³ per kg (5000, 6000, 8000 are usual;
/// 1000 is sea freight's "one cubic metre is a tonne").
pub const DIVISOR_RANGE: (u32, u32) = (1000, 10_000);

/// An international freight tariff of the user's forwarder.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// `air`, `sea`, as the user names it (`--lane NAME`).
    pub name: String,
    /// Volumetric weight in kg is L×W×H in cm divided by this.
    pub divisor: u32,
    /// The fees' currency and its rate to yuan.
    pub priced_in: PricedIn,
    /// Per shipment, in minor units of `priced_in`.
    pub base_fee: u64,
    /// Per chargeable kg, in minor units of `priced_in`.
    pub per_kg_fee: u64,
    /// The least a shipment costs, in minor units of `priced_in`.
    pub min_fee: u64,
    /// When the user last checked these fees (`YYYY-MM-DD`).
    pub rates_checked: Option<jiff::civil::Date>,
    pub origin: Origin,
}

impl Lane {
    /// A lane name: 1 to 24 ASCII letters, digits, `-` or `_` (it is typed
    /// after `--lane` and shown in a column).
    pub fn check_name(name: &str) -> Result<String, LandedError> {
        let name = name.trim();
        if (1..=24).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(name.to_string())
        } else {
            Err(LandedError::LaneName)
        }
    }

    pub fn check_divisor(divisor: u32) -> Result<u32, LandedError> {
        let (lo, hi) = DIVISOR_RANGE;
        if (lo..=hi).contains(&divisor) {
            Ok(divisor)
        } else {
            Err(LandedError::Divisor)
        }
    }

    /// The date the fees were checked: `YYYY-MM-DD`.
    pub fn check_date(text: &str) -> Result<jiff::civil::Date, LandedError> {
        text.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| LandedError::Date)
    }

    /// The tariff in one line: `air: 3.00 USD + 6.50 USD/kg, at least
    /// 15.00 USD, ÷6000, checked 2026-12-01 (example)`.
    pub fn summary(&self) -> String {
        let c = &self.priced_in.currency;
        let mut text = format!(
            "{}: {} + {}/kg, at least {}, ÷{}",
            self.name,
            minor_text(self.base_fee, c),
            minor_text(self.per_kg_fee, c),
            minor_text(self.min_fee, c),
            self.divisor
        );
        if let Some(d) = self.rates_checked {
            text.push_str(&format!(", checked {d}"));
        }
        if self.origin == Origin::Example {
            text.push_str(" (example)");
        }
        text
    }
}

/// A percentage setting and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub percent: Percent,
    pub origin: Origin,
}

/// Below (or at) this value of a lot, no duty or VAT is due.
#[derive(Debug, Clone, PartialEq)]
pub struct DeMinimis {
    /// In minor units of `priced_in`.
    pub amount: u64,
    pub priced_in: PricedIn,
    pub origin: Origin,
}

impl fmt::Display for DeMinimis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&minor_text(self.amount, &self.priced_in.currency))
    }
}

/// A cost per piece the user adds (packaging, QC), in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    pub name: String,
    pub fen_per_piece: u64,
    pub origin: Origin,
}

/// The fees a landed cost needs besides the lane. A fee not set is not
/// zero: the cost says it is missing (set `agent_fee_pct = 0` for none).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fees {
    /// Of goods plus domestic freight.
    pub agent: Option<Share>,
    /// Of the customs value.
    pub duty: Option<Share>,
    /// Of the customs value plus duty.
    pub vat: Option<Share>,
    /// None: duty and VAT are due on any value.
    pub de_minimis: Option<DeMinimis>,
    pub extras: Vec<Extra>,
}

impl Fees {
    /// Whether any fee here is an example (demo mode).
    pub fn uses_examples(&self) -> bool {
        [self.agent, self.duty, self.vat]
            .iter()
            .flatten()
            .any(|s| s.origin == Origin::Example)
            || self
                .de_minimis
                .as_ref()
                .is_some_and(|d| d.origin == Origin::Example)
            || self.extras.iter().any(|e| e.origin == Origin::Example)
    }
}

/// Everything the user set for landed costs (or demo mode's examples).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    pub warehouse: Option<Warehouse>,
    pub lanes: Vec<Lane>,
    /// The lane used when none is named (`lane =` / `TUSOU_LANE`).
    pub default_lane: Option<String>,
    pub fees: Fees,
    /// Yuan per kg (in fen) for domestic freight when the provider gives no
    /// estimate.
    pub domestic_fen_per_kg: Option<u64>,
}

/// Why the seller's freight is not asked without a warehouse.
pub const NO_WAREHOUSE: &str = "no warehouse set ([landed.warehouse] in config.toml)";

/// How to set a lane, for the hint of live mode without one.
pub const HOW_TO_SET_A_LANE: &str = "no lanes set: add one to config.toml, e.g.\n\
[[landed.lanes]]\nname = \"air\"\ndivisor = 6000\ncurrency = \"USD\"\nrate = 7.1\n\
base_fee = 3.0\nper_kg_fee = 6.5\nmin_fee = 15.0\nrates_checked = \"2026-12-01\"";

impl Settings {
    /// The lane named `name`, else the default lane, else the only one. The
    /// error says what exists, or how to set one.
    pub fn lane(&self, name: Option<&str>) -> Result<&Lane, LandedError> {
        if self.lanes.is_empty() {
            return Err(LandedError::NoLanes);
        }
        let wanted = name.or(self.default_lane.as_deref());
        match wanted {
            Some(w) => {
                self.lanes
                    .iter()
                    .find(|l| l.name == w)
                    .ok_or_else(|| LandedError::UnknownLane {
                        name: w.to_string(),
                        known: self.lane_names(),
                    })
            }
            None if self.lanes.len() == 1 => Ok(&self.lanes[0]),
            None => Err(LandedError::WhichLane {
                known: self.lane_names(),
            }),
        }
    }

    fn lane_names(&self) -> String {
        self.lanes
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether any setting here is an example.
    pub fn uses_examples(&self) -> bool {
        self.lanes.iter().any(|l| l.origin == Origin::Example) || self.fees.uses_examples()
    }
}
