//! One offer's landed cost at a quantity: the inputs, the pure arithmetic,
//! and the breakdown with each component's source. See the module doc of
//! `landed` for the formula and the rounding.

use super::LandedError;
use super::lanes::{Fees, Lane, Origin};
use super::units::{div_round, kg_text, minor_text, minor_to_fen_ratio, yuan_text};
use crate::api::Price;
use crate::money::Currency;

/// Where a weight or a size comes from (the detail's `pkgSizeSource` and
/// friends, or the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureSource {
    Measured,
    Merchant,
    Predicted,
    /// The provider's, without saying how it was had.
    Provider,
    Yours,
}

impl FigureSource {
    pub fn words(self) -> &'static str {
        match self {
            FigureSource::Measured => "measured",
            FigureSource::Merchant => "merchant's figure",
            FigureSource::Predicted => "predicted",
            FigureSource::Provider => "provider's figure",
            FigureSource::Yours => "yours",
        }
    }
}

/// One piece's weight, packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weight {
    pub grams: u64,
    pub source: FigureSource,
}

/// One piece's packed size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub length_mm: u64,
    pub width_mm: u64,
    pub height_mm: u64,
    pub source: FigureSource,
}

impl Dims {
    fn cubic_mm(&self) -> Option<u128> {
        u128::from(self.length_mm)
            .checked_mul(u128::from(self.width_mm))?
            .checked_mul(u128::from(self.height_mm))
    }
}

/// The seller's freight to the warehouse, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomesticFreight {
    /// A quoted total for `for_qty` pieces (scaled to the quantity when it
    /// is another), e.g. the provider's estimate.
    Quote {
        total_fen: u64,
        for_qty: u64,
        source: String,
    },
    /// The seller ships free (`source` says who says so).
    Free { source: String },
    /// The user's fallback yuan per kg of actual weight.
    UserRate { fen_per_kg: u64 },
    /// Not known, and why ("no freight from this provider").
    Unknown { why: String },
}

impl DomesticFreight {
    /// The provider's estimate when there is one, else the user's fallback
    /// rate (`domestic_per_kg`), else unknown with `why`.
    pub fn or_fallback(
        estimate: Option<DomesticFreight>,
        fallback_fen_per_kg: Option<u64>,
        why: &str,
    ) -> DomesticFreight {
        match (estimate, fallback_fen_per_kg) {
            (Some(e), _) => e,
            (None, Some(fen_per_kg)) => DomesticFreight::UserRate { fen_per_kg },
            (None, None) => DomesticFreight::Unknown {
                why: why.to_string(),
            },
        }
    }
}

/// The seller's minimum order and whether the caller found a mixed batch
/// (several SKUs, as the seller allows) that reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Minimum {
    pub min_order: Option<u64>,
    pub mixed_batch_reaches: bool,
}

/// What is known of one offer, for the chosen SKU at the quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferInputs {
    /// Pieces ordered (N).
    pub quantity: u64,
    /// One piece's price at N: the tier's, or the SKU's own.
    pub unit_price: Option<Price>,
    /// Where that price comes from ("tier 100+", "SKU red / XL").
    pub unit_price_source: String,
    pub minimum: Minimum,
    pub weight: Option<Weight>,
    pub dims: Option<Dims>,
    pub domestic: DomesticFreight,
}

/// A known amount in fen, or why it is not known. Never a zero standing in
/// for an unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    Known(Price),
    Unknown(String),
}

impl Amount {
    pub fn known(&self) -> Option<Price> {
        match self {
            Amount::Known(p) => Some(*p),
            Amount::Unknown(_) => None,
        }
    }
}

/// The minimum order at the quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinimumStatus {
    /// N reaches it (or the offer has none).
    Met,
    /// N is below it and no mixed batch reaches it: the seller may refuse.
    Below { min: u64 },
    /// N alone is below it, but a mixed batch reaches it.
    MixedBatch { min: u64 },
    /// The minimum is not known.
    Unknown,
}

/// Which weight the forwarder charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightBasis {
    Actual,
    Volumetric,
    /// No size known: only the actual weight could be used.
    ActualNoSize,
}

/// Chargeable weight: the larger of actual and volumetric, per piece and
/// for the lot (grams, rounded for display; the arithmetic is exact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chargeable {
    pub actual_g: u64,
    pub volumetric_g: Option<u64>,
    pub basis: WeightBasis,
    pub per_piece_g: u64,
    pub lot_g: u64,
    pub source: String,
}

/// A component of the cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Goods,
    Domestic,
    International,
    AgentFee,
    Duty,
    Vat,
    Extra(String),
}

impl Item {
    pub fn label(&self) -> &str {
        match self {
            Item::Goods => "unit price",
            Item::Domestic => "domestic freight",
            Item::International => "international freight",
            Item::AgentFee => "agent fee",
            Item::Duty => "duty",
            Item::Vat => "VAT",
            Item::Extra(name) => name,
        }
    }
}

/// One row of the breakdown: the amount per piece and for the lot, and
/// where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub item: Item,
    pub per_piece: Amount,
    pub lot: Amount,
    pub source: String,
}

/// The landed cost per piece: known, or what is missing ("no weight").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Total {
    Known { per_piece: Price, lot: Price },
    Unknown(Vec<String>),
}

impl Total {
    pub fn per_piece(&self) -> Option<Price> {
        match self {
            Total::Known { per_piece, .. } => Some(*per_piece),
            Total::Unknown(_) => None,
        }
    }

    /// For a cell: the per-piece cost in the user's currency (yuan without
    /// one), or `? no weight` naming the first thing missing.
    pub fn text(&self, currency: Option<&Currency>) -> String {
        match (self, currency) {
            (Total::Known { per_piece, .. }, Some(c)) => c.convert(*per_piece),
            (Total::Known { per_piece, .. }, None) => format!("¥{per_piece}"),
            (Total::Unknown(missing), _) => match missing.first() {
                Some(first) => format!("? {first}"),
                None => "?".to_string(),
            },
        }
    }
}

/// An offer's landed cost at N by a lane, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub quantity: u64,
    pub lane: String,
    /// The lane or a fee used is an example (demo mode): say so.
    pub uses_examples: bool,
    pub minimum: MinimumStatus,
    /// `Err(why)` when the weight is not known.
    pub chargeable: Result<Chargeable, String>,
    /// Goods, domestic and international freight of the lot: what duty and
    /// the de minimis rule look at.
    pub customs_value: Amount,
    pub lines: Vec<Line>,
    pub total: Total,
}

/// The things missing, in order, each once.
#[derive(Default)]
struct Missing(Vec<String>);

impl Missing {
    fn add(&mut self, what: &str) -> Amount {
        if !self.0.iter().any(|m| m == what) {
            self.0.push(what.to_string());
        }
        Amount::Unknown(what.to_string())
    }
}

/// Fen from a `u128`, or the overflow noted as missing.
fn fen(value: Option<u128>, missing: &mut Missing) -> Amount {
    match value.and_then(|v| u64::try_from(v).ok()) {
        Some(v) => Amount::Known(Price(v)),
        None => missing.add("amount too large"),
    }
}

fn lot_fen(amount: &Amount) -> Option<u128> {
    amount.known().map(|p| u128::from(p.fen()))
}

/// The weight the lane charges for the lot, as the exact fraction
/// `(grams numerator, denominator)`, and its explanation.
fn chargeable(
    quantity: u64,
    weight: Option<Weight>,
    dims: Option<Dims>,
    divisor: u32,
) -> Result<(Chargeable, u128, u128), String> {
    let Some(weight) = weight else {
        return Err("no weight".into());
    };
    let n = u128::from(quantity);
    let actual = u128::from(weight.grams);
    let too_large = || "weight too large".to_string();
    let divisor = u128::from(divisor);
    // Volumetric grams of a piece = L×W×H mm³ / divisor (cm³ per kg).
    let volume = dims.and_then(|d| d.cubic_mm().map(|v| (v, d)));
    let actual_times_divisor = actual.checked_mul(divisor).ok_or_else(too_large)?;
    let (basis, numerator, denominator) = match volume {
        Some((mm3, _)) if mm3 > actual_times_divisor => (WeightBasis::Volumetric, mm3, divisor),
        Some(_) => (WeightBasis::Actual, actual, 1),
        None => (WeightBasis::ActualNoSize, actual, 1),
    };
    let lot_numerator = numerator.checked_mul(n).ok_or_else(too_large)?;
    let grams = |num: u128| div_round(num, denominator).and_then(|g| u64::try_from(g).ok());
    let per_piece_g = grams(numerator).ok_or_else(too_large)?;
    let lot_g = grams(lot_numerator).ok_or_else(too_large)?;
    let volumetric_g: Option<u64> =
        volume.and_then(|(mm3, _)| div_round(mm3, divisor)?.try_into().ok());
    let mut source = format!(
        "weight {}, {}",
        kg_text(weight.grams.into()),
        weight.source.words()
    );
    match (volume, volumetric_g) {
        (Some((_, d)), Some(v)) => source.push_str(&format!(
            "; volumetric {} ({}×{}×{} mm ÷ {divisor}, {})",
            kg_text(v.into()),
            d.length_mm,
            d.width_mm,
            d.height_mm,
            d.source.words()
        )),
        _ => source.push_str("; no size, so volumetric weight not checked"),
    }
    source.push_str(match basis {
        WeightBasis::Volumetric => ": volumetric is charged",
        _ => ": actual is charged",
    });
    source.push_str(&format!("; lot {}", kg_text(lot_g.into())));
    let info = Chargeable {
        actual_g: weight.grams,
        volumetric_g,
        basis,
        per_piece_g,
        lot_g,
        source,
    };
    Ok((info, lot_numerator, denominator))
}

/// The lot's domestic freight in fen, and its source.
fn domestic(
    inputs: &OfferInputs,
    weight: Option<Weight>,
    missing: &mut Missing,
) -> (Amount, String) {
    let n = inputs.quantity;
    match &inputs.domestic {
        DomesticFreight::Quote {
            total_fen,
            for_qty,
            source,
        } => {
            if *for_qty == 0 {
                return (
                    missing.add("no domestic freight"),
                    format!("a quote for 0 pcs, {source}"),
                );
            }
            let total = u128::from(*total_fen);
            let quoted = format!("domestic {} for {for_qty} pcs, {source}", yuan_text(total));
            if *for_qty == n {
                (fen(Some(total), missing), quoted)
            } else {
                let scaled = total
                    .checked_mul(u128::from(n))
                    .and_then(|t| div_round(t, u128::from(*for_qty)));
                (fen(scaled, missing), format!("{quoted}, scaled to {n} pcs"))
            }
        }
        DomesticFreight::Free { source } => (
            Amount::Known(Price(0)),
            format!("free shipping to the warehouse, {source}"),
        ),
        DomesticFreight::UserRate { fen_per_kg } => {
            let rate = format!("{}/kg", yuan_text((*fen_per_kg).into()));
            let Some(w) = weight else {
                return (
                    missing.add("no weight"),
                    format!("{rate} by actual weight, yours: no weight"),
                );
            };
            let grams = u128::from(w.grams) * u128::from(n);
            let value = grams
                .checked_mul(u128::from(*fen_per_kg))
                .and_then(|v| div_round(v, 1000));
            (
                fen(value, missing),
                format!(
                    "{rate} × {} actual, your fallback rate (no estimate from the provider)",
                    kg_text(grams)
                ),
            )
        }
        DomesticFreight::Unknown { why } => (
            missing.add("no domestic freight"),
            format!("domestic freight unknown: {why}"),
        ),
    }
}

/// The lot's international freight in fen: the larger of the minimum fee
/// and base + per-kg × chargeable kg, at the lane currency's exact rate.
fn international(
    lane: &Lane,
    weight: &Result<(Chargeable, u128, u128), String>,
    missing: &mut Missing,
) -> (Amount, String) {
    let c = &lane.priced_in.currency;
    let tariff = format!(
        "{}: max({}, {} + {}/kg × chargeable kg)",
        lane.name,
        minor_text(lane.min_fee, c),
        minor_text(lane.base_fee, c),
        minor_text(lane.per_kg_fee, c)
    );
    let (numerator, denominator) = match weight {
        Ok((_, n, d)) => (*n, *d),
        Err(why) => return (missing.add(why), format!("{tariff}: {why}")),
    };
    // Minor units of the lane's currency, as the fraction total / per_g_den.
    let per_g_den = denominator * 1000;
    let by_weight = u128::from(lane.per_kg_fee)
        .checked_mul(numerator)
        .and_then(|w| {
            u128::from(lane.base_fee)
                .checked_mul(per_g_den)?
                .checked_add(w)
        });
    let minimum = u128::from(lane.min_fee).checked_mul(per_g_den);
    let (Some(by_weight), Some(minimum)) = (by_weight, minimum) else {
        return (missing.add("amount too large"), tariff);
    };
    let min_wins = minimum > by_weight;
    let charged = by_weight.max(minimum);
    let in_fen = minor_to_fen_ratio(charged, c, lane.priced_in.rate)
        .and_then(|(num, den)| div_round(num, den.checked_mul(per_g_den)?));
    let charged_minor = div_round(charged, per_g_den)
        .and_then(|m| u64::try_from(m).ok())
        .map(|m| minor_text(m, c))
        .unwrap_or_else(|| "?".into());
    let mut source = format!("{tariff} = {charged_minor}");
    if min_wins {
        source.push_str(" (the minimum fee)");
    }
    if c.code != "CNY" {
        source.push_str(&format!(
            " {} {} ¥/{}",
            lane.priced_in.rate_source.words(),
            c.rate,
            c.code
        ));
    }
    if let Some(d) = lane.rates_checked {
        source.push_str(&format!(", fees checked {d}"));
    }
    source.push_str(&format!(", {}", lane.origin.word()));
    (fen(in_fen, missing), source)
}

/// The landed cost of one offer at N by `lane` with `fees`: pure, exact
/// (integer fen, each lot component rounded half up once; per piece is the
/// lot's amount divided by N, rounded half up).
pub fn landed_cost(
    inputs: &OfferInputs,
    lane: &Lane,
    fees: &Fees,
) -> Result<Breakdown, LandedError> {
    let n = inputs.quantity;
    if n == 0 {
        return Err(LandedError::ZeroQuantity);
    }
    let mut missing = Missing::default();
    let mut lines: Vec<(Item, Amount, String)> = Vec::new();

    let goods = match inputs.unit_price {
        Some(p) => fen(u128::from(p.fen()).checked_mul(u128::from(n)), &mut missing),
        None => missing.add("no unit price"),
    };
    let goods_source = match inputs.unit_price {
        Some(p) => format!("¥{p} each at {n} pcs, {}", inputs.unit_price_source),
        None => format!("no unit price at {n} pcs ({})", inputs.unit_price_source),
    };
    lines.push((Item::Goods, goods.clone(), goods_source));

    let (domestic, domestic_source) = domestic(inputs, inputs.weight, &mut missing);
    lines.push((Item::Domestic, domestic.clone(), domestic_source));

    let weight = chargeable(n, inputs.weight, inputs.dims, lane.divisor);
    let (international, international_source) = international(lane, &weight, &mut missing);
    lines.push((
        Item::International,
        international.clone(),
        international_source,
    ));

    let goods_and_domestic = lot_fen(&goods).zip(lot_fen(&domestic)).map(|(g, d)| g + d);
    let agent = match (fees.agent, goods_and_domestic) {
        (None, _) => (
            missing.add("no agent fee % (agent_fee_pct)"),
            "agent fee not set: agent_fee_pct in [landed], 0 for none".to_string(),
        ),
        (Some(share), base) => {
            let words = format!(
                "agent {} of goods + domestic, {}",
                share.percent,
                share.origin.word()
            );
            match base {
                Some(b) => (fen(share.percent.of(b), &mut missing), words),
                None => (
                    Amount::Unknown("needs goods and domestic freight".into()),
                    words,
                ),
            }
        }
    };
    lines.push((Item::AgentFee, agent.0, agent.1));

    let customs = match (lot_fen(&goods), lot_fen(&domestic), lot_fen(&international)) {
        (Some(g), Some(d), Some(i)) => Amount::Known(Price(
            u64::try_from(g + d + i).map_err(|_| LandedError::TooLarge)?,
        )),
        _ => Amount::Unknown("needs goods and both freights".into()),
    };
    let customs_fen = lot_fen(&customs);
    // None: under the threshold; Some(words) otherwise.
    let exempt = match (&fees.de_minimis, customs_fen) {
        (Some(t), Some(value)) => {
            let c = &t.priced_in.currency;
            let (num, den) = minor_to_fen_ratio(t.amount.into(), c, t.priced_in.rate)
                .ok_or(LandedError::TooLarge)?;
            // value ≤ threshold, compared exactly: value × den ≤ num.
            let under = value.checked_mul(den).is_some_and(|v| v <= num);
            under.then(|| {
                format!(
                    "none: customs value {} is not above the de minimis {t} ({})",
                    yuan_text(value),
                    t.origin.word()
                )
            })
        }
        _ => None,
    };
    let duty = match (fees.duty, customs_fen, &exempt) {
        (None, _, _) => (
            missing.add("no duty % (duty_pct)"),
            "duty not set: duty_pct in [landed], 0 for none".to_string(),
        ),
        (Some(_), Some(_), Some(why)) => (Amount::Known(Price(0)), format!("duty {why}")),
        (Some(s), Some(v), None) => (
            fen(s.percent.of(v), &mut missing),
            format!(
                "duty {} of customs value {}, {}",
                s.percent,
                yuan_text(v),
                s.origin.word()
            ),
        ),
        (Some(s), None, _) => (
            Amount::Unknown("needs the customs value".into()),
            format!("duty {}, {}", s.percent, s.origin.word()),
        ),
    };
    let vat = match (fees.vat, customs_fen, lot_fen(&duty.0), &exempt) {
        (None, ..) => (
            missing.add("no VAT % (vat_pct)"),
            "VAT not set: vat_pct in [landed], 0 for none".to_string(),
        ),
        (Some(_), Some(_), _, Some(why)) => (Amount::Known(Price(0)), format!("VAT {why}")),
        (Some(s), Some(v), Some(d), None) => (
            fen(s.percent.of(v + d), &mut missing),
            format!(
                "VAT {} of customs value + duty {}, {}",
                s.percent,
                yuan_text(v + d),
                s.origin.word()
            ),
        ),
        (Some(s), ..) => (
            Amount::Unknown("needs the customs value and duty".into()),
            format!("VAT {}, {}", s.percent, s.origin.word()),
        ),
    };
    lines.push((Item::Duty, duty.0, duty.1));
    lines.push((Item::Vat, vat.0, vat.1));

    for extra in &fees.extras {
        let lot = fen(
            u128::from(extra.fen_per_piece).checked_mul(u128::from(n)),
            &mut missing,
        );
        let source = format!(
            "{} {} each, {}",
            extra.name,
            yuan_text(extra.fen_per_piece.into()),
            extra.origin.word()
        );
        lines.push((Item::Extra(extra.name.clone()), lot, source));
    }

    let lines: Vec<Line> = lines
        .into_iter()
        .map(|(item, lot, source)| Line {
            per_piece: match &lot {
                Amount::Known(p) => div_round(p.fen().into(), n.into())
                    .and_then(|v| u64::try_from(v).ok())
                    .map_or_else(
                        || Amount::Unknown("amount too large".into()),
                        |v| Amount::Known(Price(v)),
                    ),
                Amount::Unknown(why) => Amount::Unknown(why.clone()),
            },
            item,
            lot,
            source,
        })
        .collect();

    let total = if missing.0.is_empty() {
        let lot: Option<u128> = lines
            .iter()
            .map(|l| lot_fen(&l.lot))
            .try_fold(0u128, |sum, v| sum.checked_add(v?));
        let lot = lot
            .and_then(|v| u64::try_from(v).ok())
            .ok_or(LandedError::TooLarge)?;
        let per_piece = div_round(lot.into(), n.into())
            .and_then(|v| u64::try_from(v).ok())
            .ok_or(LandedError::TooLarge)?;
        Total::Known {
            per_piece: Price(per_piece),
            lot: Price(lot),
        }
    } else {
        Total::Unknown(missing.0)
    };

    let minimum = match inputs.minimum {
        Minimum {
            min_order: None, ..
        } => MinimumStatus::Unknown,
        Minimum {
            min_order: Some(min),
            ..
        } if n >= min => MinimumStatus::Met,
        Minimum {
            min_order: Some(min),
            mixed_batch_reaches: true,
        } => MinimumStatus::MixedBatch { min },
        Minimum {
            min_order: Some(min),
            mixed_batch_reaches: false,
        } => MinimumStatus::Below { min },
    };
    let uses_examples = lane.origin == Origin::Example || fees.uses_examples();

    Ok(Breakdown {
        quantity: n,
        lane: lane.name.clone(),
        uses_examples,
        minimum,
        chargeable: weight.map(|(c, _, _)| c),
        customs_value: customs,
        lines,
        total,
    })
}
