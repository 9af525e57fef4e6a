//! The cells every format shares: which columns there are, what they are
//! called, and each cell's value, with all outside text sanitised here once.

use super::model::{Match, PhotoOutcome, PhotoResult, SheetInput};
use crate::api::Offer;
use crate::money::Currency;
use crate::text::sanitize;

/// What a photo's search came to, as the status columns say it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PhotoStatus {
    Ok,
    Failed(String),
    Pending,
}

impl PhotoStatus {
    pub(crate) fn of(outcome: &PhotoOutcome) -> PhotoStatus {
        match outcome {
            PhotoOutcome::Done { .. } => PhotoStatus::Ok,
            PhotoOutcome::Failed { reason } => PhotoStatus::Failed(sanitize(reason)),
            PhotoOutcome::Pending => PhotoStatus::Pending,
        }
    }

    /// The word alone: "ok", "failed", "pending".
    pub(crate) fn word(&self) -> &'static str {
        match self {
            PhotoStatus::Ok => "ok",
            PhotoStatus::Failed(_) => "failed",
            PhotoStatus::Pending => "pending",
        }
    }

    /// With the reason, for the Photos sheet: "failed: not an image".
    pub(crate) fn label(&self) -> String {
        match self {
            PhotoStatus::Failed(reason) => format!("failed: {reason}"),
            other => other.word().to_string(),
        }
    }
}

/// The photo's user values, sanitised, exactly one per user column (a short
/// or long list from the input is padded or cut, so columns never shift).
pub(crate) fn user_values(photo: &PhotoResult, columns: usize) -> Vec<String> {
    (0..columns)
        .map(|i| {
            photo
                .user_values
                .get(i)
                .map(|v| sanitize(v))
                .unwrap_or_default()
        })
        .collect()
}

/// Where an offer's link cell on the Photos sheet points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkCell {
    /// A clickable http(s) address.
    Url(String),
    /// Text to find the offer by, when there is no address.
    Text(String),
    Empty,
}

/// The offer's page; else its handle ("offerMapId …"), which the provider
/// can look up; else its picture's address.
pub(crate) fn link_cell(offer: &Offer) -> LinkCell {
    if let Some(link) = offer.link() {
        return LinkCell::Url(link);
    }
    let handle = offer.offer_map_id.as_deref().map(sanitize);
    if let Some(handle) = handle.filter(|h| !h.trim().is_empty()) {
        return LinkCell::Text(format!("offerMapId {handle}"));
    }
    if let Some(picture) = offer.picture_link() {
        return LinkCell::Url(sanitize(&picture));
    }
    match offer.image_url.as_deref().map(sanitize) {
        Some(text) if !text.trim().is_empty() => LinkCell::Text(text),
        _ => LinkCell::Empty,
    }
}

/// One match's values, sanitised.
#[derive(Debug, Clone)]
pub(crate) struct MatchCells {
    pub(crate) rank: usize,
    pub(crate) title_en: Option<String>,
    pub(crate) title: String,
    /// Yuan.
    pub(crate) price: Option<f64>,
    /// In the user's currency, rounded to its decimals.
    pub(crate) converted: Option<f64>,
    pub(crate) month_sold: Option<u64>,
    /// Percent, e.g. 41.0.
    pub(crate) repurchase: Option<f64>,
    pub(crate) badges: String,
    /// The offer's 1688 page.
    pub(crate) link: Option<String>,
    pub(crate) offer_id: Option<String>,
    pub(crate) offer_map_id: Option<String>,
    pub(crate) image_url: Option<String>,
    /// From the offer's detail, when known.
    pub(crate) moq: Option<u64>,
    pub(crate) tiers: Option<String>,
    pub(crate) ship_from: Option<String>,
    /// The seller columns ([`crate::export::seller::SELLER_COLUMNS`]), from
    /// the offer and its detail, sanitised; "" where unknown.
    pub(crate) seller: [String; 14],
    /// At the user's quantity: the unit price, or why there is none.
    pub(crate) unit_cost: Option<Result<f64, String>>,
    /// By the lane: the landed cost per piece in yuan, and in the user's
    /// currency, or `? what is missing`.
    pub(crate) landed: Option<Result<f64, String>>,
    pub(crate) landed_converted: Option<Result<f64, String>>,
    /// Its same-product group ("g3") and the group's spread.
    pub(crate) same_group: Option<String>,
    pub(crate) same_product: Option<String>,
}

impl MatchCells {
    pub(crate) fn new(m: &Match, currency: Option<&Currency>, quantity: Option<u64>) -> MatchCells {
        let offer = &m.offer;
        let detail = m.detail.as_ref();
        let unit_cost = detail.zip(quantity).map(|(d, q)| {
            use crate::api::AtQuantity;
            match d.unit_price_at(q) {
                AtQuantity::BelowMinimum(min) => Err(format!("below MOQ {min}")),
                at => at
                    .price()
                    .map(|p| p.fen() as f64 / 100.0)
                    .ok_or_else(|| "no price tiers".to_string()),
            }
        });
        let text = |s: &Option<String>| s.as_deref().map(sanitize).filter(|s| !s.trim().is_empty());
        use crate::export::landed::LandedCost;
        let landed_in = |convert: &dyn Fn(crate::api::Price) -> Option<f64>| {
            m.landed.as_ref().map(|cost| match cost {
                LandedCost::Known(p) => convert(*p).ok_or_else(|| cost.yuan_text()),
                LandedCost::Unknown(_) => Err(cost.yuan_text()),
            })
        };
        let landed = landed_in(&|p| Some(p.fen() as f64 / 100.0));
        let landed_converted = currency.and_then(|c| {
            landed_in(&|p| {
                let amount = c.amount(p);
                amount.is_finite().then(|| round_to(amount, c.decimals()))
            })
        });
        MatchCells {
            rank: m.rank,
            title_en: text(&offer.title_en),
            title: sanitize(&offer.title),
            price: offer.price.map(|p| p.fen() as f64 / 100.0),
            converted: currency.zip(offer.price).and_then(|(c, p)| {
                let amount = c.amount(p);
                amount.is_finite().then(|| round_to(amount, c.decimals()))
            }),
            month_sold: offer.month_sold,
            repurchase: offer
                .repurchase_rate
                .filter(|r| r.is_finite())
                .map(|r| round_to(f64::from(r), 2)),
            badges: offer
                .badges
                .iter()
                .map(|b| sanitize(b))
                .filter(|b| !b.trim().is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            link: offer.link(),
            offer_id: text(&offer.offer_id),
            offer_map_id: text(&offer.offer_map_id),
            image_url: text(&offer.image_url),
            moq: detail.and_then(|d| d.min_order),
            tiers: detail
                .map(|d| sanitize(&d.tiers_line()))
                .filter(|t| !t.trim().is_empty()),
            ship_from: detail
                .and_then(|d| d.ship_from.as_deref())
                .map(sanitize)
                .filter(|t| !t.trim().is_empty()),
            seller: crate::export::seller::seller_cells(
                crate::export::seller::offer_seller(offer, detail).as_ref(),
            ),
            unit_cost,
            landed,
            landed_converted,
            same_group: m.same.map(|g| format!("g{}", g.group)),
            same_product: m
                .same
                .map(|g| crate::export::same::spread_label(g.count, g.from)),
        }
    }

    /// The English title, then the original on its own line.
    pub(crate) fn both_titles(&self) -> String {
        match &self.title_en {
            Some(en) if *en != self.title => format!("{en}\n{}", self.title),
            _ => self.title.clone(),
        }
    }
}

/// `x` rounded to `decimals` places, so a number cell holds what it shows
/// (f32 repurchase rates otherwise read 41.20000076).
fn round_to(x: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(2));
    (x * scale).round() / scale
}

/// A column of the Photos sheet; `slot` is the 1-based match number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhotoColumn {
    Index,
    Photo,
    Source,
    User(usize),
    Status,
    Found,
    Picture(usize),
    Title(usize),
    Price(usize),
    Converted(usize),
    Sold(usize),
    Repurchase(usize),
    Badges(usize),
    Link(usize),
}

/// The Photos sheet's columns, in order.
pub(crate) fn photo_columns(input: &SheetInput) -> Vec<PhotoColumn> {
    use PhotoColumn::*;
    let mut columns = vec![Index, Photo, Source];
    columns.extend((0..input.user_columns.len()).map(User));
    columns.extend([Status, Found]);
    for slot in 1..=input.top {
        columns.extend([Picture(slot), Title(slot), Price(slot)]);
        if input.currency.is_some() {
            columns.push(Converted(slot));
        }
        columns.extend([Sold(slot), Repurchase(slot), Badges(slot), Link(slot)]);
    }
    columns
}

impl PhotoColumn {
    pub(crate) fn header(self, input: &SheetInput) -> String {
        use PhotoColumn::*;
        match self {
            Index => "#".into(),
            Photo => "photo".into(),
            Source => "source".into(),
            User(i) => user_label(input, i),
            Status => "status".into(),
            Found => "found".into(),
            Picture(k) => format!("{k} picture"),
            Title(k) => format!("{k} title"),
            Price(k) => format!("{k} price ¥"),
            Converted(k) => format!("{k} price {}", currency_code(input)),
            Sold(k) => format!("{k} sold/mo"),
            Repurchase(k) => format!("{k} repurchase"),
            Badges(k) => format!("{k} badges"),
            Link(k) => format!("{k} link"),
        }
    }
}

/// A column of the Matches sheet and of the CSV and JSONL files (those two
/// also have `Status` and `Reason`, so photos without matches show).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchColumn {
    Photo,
    Source,
    User(usize),
    Status,
    Reason,
    Rank,
    TitleEn,
    Title,
    Price,
    Converted,
    Sold,
    Repurchase,
    Badges,
    Link,
    OfferId,
    OfferMapId,
    ImageUrl,
    /// A seller column: its place in [`crate::export::seller::SELLER_COLUMNS`].
    Seller(usize),
    Moq,
    Tiers,
    ShipFrom,
    UnitCost,
    /// With a lane: its label, the landed cost in yuan and in the user's
    /// currency.
    Lane,
    Landed,
    LandedConverted,
    /// The match's same-product group among the photo's, and its spread.
    SameGroup,
    SameProduct,
}

/// The flat columns, in order; `with_status` for CSV and JSONL.
#[cfg(test)]
pub(crate) fn match_columns(input: &SheetInput, with_status: bool) -> Vec<MatchColumn> {
    match_columns_with(input, with_status, any_detail(input))
}

/// [`match_columns`] for a sheet written photo by photo, where whether any
/// match has its detail (`details`) is known before the photos are.
pub(crate) fn match_columns_with(
    input: &SheetInput,
    with_status: bool,
    details: bool,
) -> Vec<MatchColumn> {
    use MatchColumn::*;
    let mut columns = vec![Photo, Source];
    columns.extend((0..input.user_columns.len()).map(User));
    if with_status {
        columns.extend([Status, Reason]);
    }
    columns.extend([Rank, TitleEn, Title, Price]);
    if input.currency.is_some() {
        columns.push(Converted);
    }
    columns.extend([
        Sold, Repurchase, Badges, Link, OfferId, OfferMapId, ImageUrl,
    ]);
    columns.extend((0..crate::export::seller::SELLER_COLUMNS.len()).map(Seller));
    if input.quantity.is_some() || details {
        columns.extend([Moq, Tiers, ShipFrom]);
    }
    if input.quantity.is_some() {
        columns.push(UnitCost);
        if input.lane.is_some() {
            columns.extend([Lane, Landed]);
            if input.currency.is_some() {
                columns.push(LandedConverted);
            }
        }
    }
    columns.extend([SameGroup, SameProduct]);
    columns
}

/// Does any match carry its detail?
pub(crate) fn any_detail(input: &SheetInput) -> bool {
    input.photos.iter().any(|p| match &p.outcome {
        PhotoOutcome::Done { matches, .. } => matches.iter().any(|m| m.detail.is_some()),
        _ => false,
    })
}

impl MatchColumn {
    /// The header on the Matches sheet, for reading.
    pub(crate) fn label(self, input: &SheetInput) -> String {
        use MatchColumn::*;
        match self {
            Photo => "photo #".into(),
            SameGroup => "same product group".into(),
            SameProduct => "same product".into(),
            Price => "price ¥".into(),
            Converted => format!("price {}", currency_code(input)),
            Sold => "sold/mo".into(),
            Repurchase => "repurchase %".into(),
            Moq => "MOQ".into(),
            ShipFrom => "ship from".into(),
            UnitCost => format!("unit cost ¥ @{}", input.quantity.unwrap_or(0)),
            Landed => format!("landed ¥ @{}", input.quantity.unwrap_or(0)),
            LandedConverted => format!(
                "landed {} @{}",
                currency_code(input),
                input.quantity.unwrap_or(0)
            ),
            User(i) => user_label(input, i),
            Seller(i) => crate::export::seller::SELLER_LABELS
                .get(i)
                .copied()
                .unwrap_or_default()
                .into(),
            other => other.fixed_key().into(),
        }
    }

    /// The name of a column other than the user's, in CSV and JSONL: the
    /// names the search export uses.
    fn fixed_key(self) -> &'static str {
        use MatchColumn::*;
        match self {
            Photo => "photo",
            Source => "source",
            User(_) => "",
            Status => "status",
            Reason => "reason",
            Rank => "rank",
            TitleEn => "title_en",
            Title => "title",
            Price => "price",
            // Replaced by the currency's own name (`price_usd`) in `keys`.
            Converted => "price_converted",
            Sold => "month_sold",
            Repurchase => "repurchase_rate",
            Badges => "badges",
            Link => "link",
            OfferId => "offer_id",
            OfferMapId => "offer_map_id",
            ImageUrl => "image_url",
            Seller(i) => crate::export::seller::SELLER_COLUMNS
                .get(i)
                .copied()
                .unwrap_or_default(),
            Moq => "moq",
            Tiers => "tiers",
            ShipFrom => "ship_from",
            UnitCost => "unit_cost",
            Lane => "lane",
            Landed => "landed_cost",
            // Replaced by the currency's own name (`landed_cost_usd`) in `keys`.
            LandedConverted => "landed_cost_converted",
            SameGroup => crate::export::same::SAME_COLUMNS[0],
            SameProduct => crate::export::same::SAME_COLUMNS[1],
        }
    }
}

/// CSV headers and JSON keys for `columns`: the fixed names, the currency's
/// `price_usd`, and the user's names made unique — a user column called
/// "title" or two called "SKU" would otherwise clash in a JSON object — by
/// a `user_` prefix and then a number.
pub(crate) fn keys(input: &SheetInput, columns: &[MatchColumn]) -> Vec<String> {
    let mut taken: Vec<String> = columns
        .iter()
        .filter(|c| !matches!(c, MatchColumn::User(_)))
        .map(|c| match c {
            MatchColumn::Converted => converted_key(input),
            MatchColumn::LandedConverted => landed_converted_key(input),
            other => other.fixed_key().to_string(),
        })
        .collect();
    columns
        .iter()
        .map(|column| match column {
            MatchColumn::User(i) => {
                let key = unique_key(&user_label(input, *i), &taken);
                taken.push(key.clone());
                key
            }
            MatchColumn::Converted => converted_key(input),
            MatchColumn::LandedConverted => landed_converted_key(input),
            other => other.fixed_key().to_string(),
        })
        .collect()
}

/// `landed_cost_usd`, as the search export names it.
fn landed_converted_key(input: &SheetInput) -> String {
    crate::export::landed::LandedColumns::keys(input.currency.as_ref())
        .pop()
        .filter(|k| k != "landed_cost")
        .unwrap_or_else(|| "landed_cost_converted".into())
}

fn unique_key(wanted: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == wanted) {
        return wanted.to_string();
    }
    let prefixed = format!("user_{wanted}");
    if !taken.contains(&prefixed) {
        return prefixed;
    }
    (2..)
        .map(|n| format!("{prefixed}_{n}"))
        .find(|k| !taken.contains(k))
        .unwrap_or(prefixed)
}

fn converted_key(input: &SheetInput) -> String {
    input
        .currency
        .as_ref()
        .map_or_else(|| "price_converted".into(), Currency::column)
}

fn currency_code(input: &SheetInput) -> String {
    input
        .currency
        .as_ref()
        .map(|c| c.code.clone())
        .unwrap_or_default()
}

/// The user's column name, sanitised; an empty one is called by position.
fn user_label(input: &SheetInput, i: usize) -> String {
    let name = input
        .user_columns
        .get(i)
        .map(|n| sanitize(n))
        .unwrap_or_default();
    if name.trim().is_empty() {
        format!("column {}", i + 1)
    } else {
        name
    }
}

/// One row of the flat layout: a match, or a photo with none.
pub(crate) struct FlatRow<'a> {
    pub(crate) photo: &'a PhotoResult,
    pub(crate) user_values: &'a [String],
    pub(crate) status: &'a PhotoStatus,
    pub(crate) hit: Option<&'a MatchCells>,
}

/// A cell's value, typed, for each writer to render its own way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Count(u64),
    /// A number shown with this many decimals.
    Decimal(f64, usize),
    /// A percent as written, e.g. 41.0 for "41%".
    Percent(f64),
    /// An address, clickable where the format allows.
    Link(String),
    Empty,
}

impl FlatRow<'_> {
    pub(crate) fn value(&self, column: MatchColumn, input: &SheetInput) -> Value {
        use MatchColumn::*;
        let text = |s: &Option<String>| s.clone().map_or(Value::Empty, Value::Text);
        let hit = self.hit;
        match column {
            Photo => Value::Count(self.photo.index as u64),
            Source => Value::Text(sanitize(&self.photo.source)),
            User(i) => self
                .user_values
                .get(i)
                .map_or(Value::Empty, |v| Value::Text(v.clone())),
            Status => Value::Text(self.status.word().into()),
            Reason => match (self.status, hit) {
                (PhotoStatus::Failed(reason), _) => Value::Text(reason.clone()),
                (PhotoStatus::Ok, None) => Value::Text("no matches".into()),
                _ => Value::Empty,
            },
            Rank => hit.map_or(Value::Empty, |h| Value::Count(h.rank as u64)),
            TitleEn => hit.map_or(Value::Empty, |h| text(&h.title_en)),
            Title => hit.map_or(Value::Empty, |h| Value::Text(h.title.clone())),
            Price => hit
                .and_then(|h| h.price)
                .map_or(Value::Empty, |p| Value::Decimal(p, 2)),
            Converted => {
                let decimals = input.currency.as_ref().map_or(2, Currency::decimals);
                hit.and_then(|h| h.converted)
                    .map_or(Value::Empty, |p| Value::Decimal(p, decimals))
            }
            Sold => hit
                .and_then(|h| h.month_sold)
                .map_or(Value::Empty, Value::Count),
            Repurchase => hit
                .and_then(|h| h.repurchase)
                .map_or(Value::Empty, Value::Percent),
            Badges => match hit {
                Some(h) if !h.badges.is_empty() => Value::Text(h.badges.clone()),
                _ => Value::Empty,
            },
            Link => hit
                .and_then(|h| h.link.clone())
                .map_or(Value::Empty, Value::Link),
            OfferId => hit.map_or(Value::Empty, |h| text(&h.offer_id)),
            OfferMapId => hit.map_or(Value::Empty, |h| text(&h.offer_map_id)),
            ImageUrl => hit.map_or(Value::Empty, |h| text(&h.image_url)),
            Seller(i) => hit
                .and_then(|h| h.seller.get(i))
                .map_or(Value::Empty, |v| seller_value(i, v)),
            Moq => hit.and_then(|h| h.moq).map_or(Value::Empty, Value::Count),
            Tiers => hit.map_or(Value::Empty, |h| text(&h.tiers)),
            ShipFrom => hit.map_or(Value::Empty, |h| text(&h.ship_from)),
            UnitCost => match hit.and_then(|h| h.unit_cost.clone()) {
                Some(Ok(cost)) => Value::Decimal(cost, 2),
                Some(Err(why)) => Value::Text(why),
                None => Value::Empty,
            },
            Lane => match (hit, &input.lane) {
                (Some(_), Some(lane)) => Value::Text(sanitize(lane)),
                _ => Value::Empty,
            },
            Landed => match hit.and_then(|h| h.landed.clone()) {
                Some(Ok(cost)) => Value::Decimal(cost, 2),
                Some(Err(why)) => Value::Text(why),
                None => Value::Empty,
            },
            LandedConverted => match hit.and_then(|h| h.landed_converted.clone()) {
                Some(Ok(cost)) => {
                    Value::Decimal(cost, input.currency.as_ref().map_or(2, Currency::decimals))
                }
                Some(Err(why)) => Value::Text(why),
                None => Value::Empty,
            },
            SameGroup => hit.map_or(Value::Empty, |h| text(&h.same_group)),
            SameProduct => hit.map_or(Value::Empty, |h| text(&h.same_product)),
        }
    }
}

/// A seller cell, typed: counts and scores as numbers, rates as percents,
/// the rest as text.
fn seller_value(column: usize, value: &str) -> Value {
    use crate::export::seller::{SELLER_COLUMNS, SELLER_KINDS, SellerCellKind};
    if value.is_empty() {
        return Value::Empty;
    }
    let rate = SELLER_COLUMNS
        .get(column)
        .is_some_and(|name| name.ends_with("_pct"));
    match (SELLER_KINDS.get(column), value.parse::<f64>()) {
        (Some(SellerCellKind::Count), Ok(_)) => value
            .parse::<u64>()
            .map_or_else(|_| Value::Text(value.to_string()), Value::Count),
        (Some(SellerCellKind::Number), Ok(x)) if rate => Value::Percent(x),
        (Some(SellerCellKind::Number), Ok(x)) => Value::Decimal(x, 2),
        _ => Value::Text(value.to_string()),
    }
}

/// A photo's status, user values and match cells, worked out once for
/// every row and sheet that shows them.
pub(crate) struct PreparedPhoto<'a> {
    pub(crate) photo: &'a PhotoResult,
    pub(crate) user_values: Vec<String>,
    pub(crate) status: PhotoStatus,
    pub(crate) total: Option<u64>,
    pub(crate) matches: Vec<(&'a Match, MatchCells)>,
}

impl<'a> PreparedPhoto<'a> {
    pub(crate) fn new(photo: &'a PhotoResult, input: &SheetInput) -> PreparedPhoto<'a> {
        let (total, matches) = match &photo.outcome {
            PhotoOutcome::Done { total, matches } => (
                *total,
                matches
                    .iter()
                    .map(|m| {
                        (
                            m,
                            MatchCells::new(m, input.currency.as_ref(), input.quantity),
                        )
                    })
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        PreparedPhoto {
            photo,
            user_values: user_values(photo, input.user_columns.len()),
            status: PhotoStatus::of(&photo.outcome),
            total,
            matches,
        }
    }

    /// One flat row per match; `with_empty` adds one for a photo without
    /// matches (failed, pending, or none found), so none goes missing.
    pub(crate) fn flat_rows(&self, with_empty: bool) -> Vec<FlatRow<'_>> {
        let row = |hit| FlatRow {
            photo: self.photo,
            user_values: &self.user_values,
            status: &self.status,
            hit,
        };
        if self.matches.is_empty() {
            return if with_empty {
                vec![row(None)]
            } else {
                Vec::new()
            };
        }
        self.matches
            .iter()
            .map(|(_, cells)| row(Some(cells)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Price;

    fn offer() -> Offer {
        Offer {
            title: "国潮男装t恤".into(),
            ..Offer::default()
        }
    }

    #[test]
    fn link_prefers_the_offer_page_then_the_handle_then_the_picture() {
        let mut o = offer();
        o.offer_id = Some("123".into());
        o.offer_map_id = Some("map-1".into());
        o.image_url = Some("https://cbu01.alicdn.com/a.jpg".into());
        assert_eq!(
            link_cell(&o),
            LinkCell::Url("https://detail.1688.com/offer/123.html".into())
        );
        o.offer_id = None;
        assert_eq!(link_cell(&o), LinkCell::Text("offerMapId map-1".into()));
        o.offer_map_id = Some("  ".into());
        assert_eq!(
            link_cell(&o),
            LinkCell::Url("https://cbu01.alicdn.com/a.jpg".into())
        );
        o.image_url = Some("javascript:alert(1)".into());
        assert_eq!(link_cell(&o), LinkCell::Text("javascript:alert(1)".into()));
        o.image_url = None;
        assert_eq!(link_cell(&o), LinkCell::Empty);
    }

    #[test]
    fn link_text_is_sanitised() {
        let mut o = offer();
        o.offer_map_id = Some("id\x1b[31m7".into());
        assert_eq!(link_cell(&o), LinkCell::Text("offerMapId id7".into()));
    }

    fn input(user_columns: &[&str], top: usize, currency: Option<Currency>) -> SheetInput {
        SheetInput {
            user_columns: user_columns.iter().map(|s| s.to_string()).collect(),
            photos: Vec::new(),
            top,
            currency,
            quantity: None,
            lane: None,
        }
    }

    #[test]
    fn photo_columns_name_each_match_slot() {
        let usd = Currency::new("usd", 7.1).ok();
        let input = input(&["SKU", ""], 2, usd);
        let headers: Vec<String> = photo_columns(&input)
            .into_iter()
            .map(|c| c.header(&input))
            .collect();
        assert_eq!(
            headers[..8],
            [
                "#",
                "photo",
                "source",
                "SKU",
                "column 2",
                "status",
                "found",
                "1 picture"
            ]
        );
        assert_eq!(
            headers[8..15],
            [
                "1 title",
                "1 price ¥",
                "1 price USD",
                "1 sold/mo",
                "1 repurchase",
                "1 badges",
                "1 link"
            ]
        );
        assert_eq!(headers.len(), 7 + 2 * 8);
        assert_eq!(headers.last().map(String::as_str), Some("2 link"));
    }

    #[test]
    fn photo_columns_without_currency_have_no_converted_price() {
        let input = input(&[], 1, None);
        let columns = photo_columns(&input);
        assert!(
            !columns
                .iter()
                .any(|c| matches!(c, PhotoColumn::Converted(_)))
        );
        assert_eq!(columns.len(), 5 + 7);
    }

    #[test]
    fn flat_keys_keep_user_columns_from_clashing() {
        let usd = Currency::new("USD", 7.1).ok();
        let input = input(&["SKU", "title", "SKU", "user_SKU", "SKU"], 1, usd);
        let columns = match_columns(&input, true);
        let keys = keys(&input, &columns);
        assert_eq!(
            keys[..9],
            [
                "photo",
                "source",
                "SKU",
                "user_title",
                "user_SKU",
                "user_user_SKU",
                "user_SKU_2",
                "status",
                "reason"
            ]
        );
        assert!(keys.contains(&"price_usd".to_string()));
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "{keys:?}");
    }

    #[test]
    fn match_cells_round_and_sanitise() {
        let mut o = offer();
        o.title_en = Some("Tee\x1b]0;evil\x07 shirt".into());
        o.price = Some(Price(1650));
        o.repurchase_rate = Some(41.2);
        o.badges = vec!["a\tb".into(), "".into(), "c".into()];
        let m = Match {
            rank: 3,
            offer: o,
            thumb: None,
            detail: None,
            landed: None,
            same: None,
        };
        let usd = Currency::new("USD", 7.1).ok();
        let cells = MatchCells::new(&m, usd.as_ref(), None);
        assert_eq!(cells.title_en.as_deref(), Some("Tee shirt"));
        assert_eq!(cells.both_titles(), "Tee shirt\n国潮男装t恤");
        assert_eq!(cells.price, Some(16.5));
        assert_eq!(cells.converted, Some(2.32));
        assert_eq!(cells.repurchase, Some(41.2));
        assert_eq!(cells.badges, "a b, c");
    }

    #[test]
    fn a_photo_without_matches_still_has_a_flat_row() {
        let input = input(&["SKU"], 3, None);
        let photo = PhotoResult {
            index: 4,
            source: "a.jpg".into(),
            user_values: Vec::new(),
            query_thumb: None,
            outcome: PhotoOutcome::Done {
                total: Some(0),
                matches: Vec::new(),
            },
        };
        let prepared = PreparedPhoto::new(&photo, &input);
        assert_eq!(prepared.user_values, [""], "padded to the user columns");
        assert!(prepared.flat_rows(false).is_empty(), "nothing on Matches");
        let rows = prepared.flat_rows(true);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(
            row.value(MatchColumn::Status, &input),
            Value::Text("ok".into())
        );
        assert_eq!(
            row.value(MatchColumn::Reason, &input),
            Value::Text("no matches".into())
        );
        assert_eq!(row.value(MatchColumn::Rank, &input), Value::Empty);
        assert_eq!(row.value(MatchColumn::Photo, &input), Value::Count(4));
    }

    #[test]
    fn status_labels() {
        let failed = PhotoStatus::of(&PhotoOutcome::Failed {
            reason: "not an\nimage".into(),
        });
        assert_eq!(failed.label(), "failed: not an image");
        assert_eq!(failed.word(), "failed");
        assert_eq!(PhotoStatus::of(&PhotoOutcome::Pending).label(), "pending");
    }

    #[test]
    fn a_detail_gives_moq_tiers_ship_from_and_the_unit_cost_at_the_quantity() {
        let raw = serde_json::json!({
            "offerId": 7, "minOrderQuantity": "100",
            "productSaleInfo": {"priceRangeList": [
                {"startQuantity": 100, "price": "5.00"},
                {"startQuantity": 1000, "price": "4.50", "promotionPrice": "4.20"}]},
            "productShippingInfo": {"sendGoodsAddressText": "=Yiwu\u{1b}[2J"}
        });
        let detail = crate::api::OfferDetail::from_value(raw).unwrap();
        let m = Match {
            rank: 1,
            offer: Offer::default(),
            thumb: None,
            detail: Some(detail),
            landed: None,
            same: None,
        };
        let at = |q| MatchCells::new(&m, None, q);
        let cells = at(Some(1500));
        assert_eq!(cells.moq, Some(100));
        assert!(cells.tiers.as_deref().unwrap_or("").contains("1000+"));
        assert!(!cells.ship_from.as_deref().unwrap_or("").contains('\u{1b}'));
        assert_eq!(cells.unit_cost, Some(Ok(4.2)));
        assert_eq!(at(Some(500)).unit_cost, Some(Ok(5.0)));
        assert_eq!(at(Some(10)).unit_cost, Some(Err("below MOQ 100".into())));
        assert_eq!(at(None).unit_cost, None);
        // The columns: detail ones once a detail is known, unit cost with a quantity.
        let mut input = input(&[], 1, None);
        input.photos.push(PhotoResult {
            index: 1,
            source: "a.jpg".into(),
            user_values: vec![],
            query_thumb: None,
            outcome: PhotoOutcome::Done {
                total: Some(1),
                matches: vec![m.clone()],
            },
        });
        let columns = match_columns(&input, true);
        assert!(columns.contains(&MatchColumn::Moq) && !columns.contains(&MatchColumn::UnitCost));
        input.quantity = Some(10);
        let columns = match_columns(&input, true);
        // The unit cost, then the same-product columns, last.
        let keys = keys(&input, &columns);
        assert_eq!(
            keys[keys.len() - 3..],
            ["unit_cost", "same_product_group", "same_product"]
        );
    }

    #[test]
    fn a_lane_adds_the_landed_cost_known_or_what_is_missing() {
        use crate::export::landed::LandedCost;
        let usd = Currency::new("USD", 7.1).ok();
        let mut input = input(&[], 1, usd);
        let hit = |landed| Match {
            rank: 1,
            offer: offer(),
            thumb: None,
            detail: None,
            landed,
            same: None,
        };
        // Without a lane (or a quantity) there are no landed columns.
        input.quantity = Some(500);
        assert!(!match_columns(&input, true).contains(&MatchColumn::Landed));
        input.lane = Some("air (example)".into());
        let columns = match_columns(&input, true);
        let keys = keys(&input, &columns);
        assert_eq!(
            keys[keys.len() - 5..keys.len() - 2],
            ["lane", "landed_cost", "landed_cost_usd"]
        );
        assert_eq!(MatchColumn::Landed.label(&input), "landed ¥ @500");

        let photo = |m: Match| PhotoResult {
            index: 1,
            source: "a.jpg".into(),
            user_values: vec![],
            query_thumb: None,
            outcome: PhotoOutcome::Done {
                total: Some(1),
                matches: vec![m],
            },
        };
        let known = photo(hit(Some(LandedCost::Known(Price(1594)))));
        let prepared = PreparedPhoto::new(&known, &input);
        let row = &prepared.flat_rows(true)[0];
        assert_eq!(
            row.value(MatchColumn::Lane, &input),
            Value::Text("air (example)".into())
        );
        assert_eq!(
            row.value(MatchColumn::Landed, &input),
            Value::Decimal(15.94, 2)
        );
        assert_eq!(
            row.value(MatchColumn::LandedConverted, &input),
            Value::Decimal(2.25, 2)
        );
        let unknown = photo(hit(Some(LandedCost::Unknown("no weight".into()))));
        let prepared = PreparedPhoto::new(&unknown, &input);
        let row = &prepared.flat_rows(true)[0];
        for column in [MatchColumn::Landed, MatchColumn::LandedConverted] {
            assert_eq!(
                row.value(column, &input),
                Value::Text("? no weight".into()),
                "never a zero"
            );
        }
    }
}
