//! The seller columns every export shares (search results, the batch
//! sheet, the shortlist, `tusou suppliers`): who sells the offer and the
//! signals 1688 gives about them, one cell each, empty where unknown (never
//! zero). Server text is sanitised here.

use crate::api::{Rate, Score, Seller};
use crate::text::sanitize;

/// The columns' names (CSV headers, JSON keys), in order.
pub(crate) const SELLER_COLUMNS: [&str; 14] = [
    "seller_id",
    "company",
    "factory",
    "identities",
    "years",
    "trade_score",
    "service_score",
    "pickup_48h_pct",
    "pickup_24h_pct",
    "perfect_fulfilment_pct",
    "delayed_shipping_pct",
    "quality_refund_pct",
    "quality_return_pct",
    "repeat_buyers_pct",
];

/// The columns' headers in a workbook, for reading; same order.
pub(crate) const SELLER_LABELS: [&str; 14] = [
    "seller id",
    "company",
    "factory",
    "identities",
    "years on 1688",
    "trade score",
    "service score",
    "48 h pickup %",
    "24 h pickup %",
    "perfect fulfilment %",
    "delayed shipping %",
    "quality refunds %",
    "quality returns %",
    "repeat buyers %",
];

/// How a column's value is written where cells have types (XLSX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SellerCellKind {
    Text,
    /// A whole number.
    Count,
    /// A 0–5 score or a percent, with up to two decimals.
    Number,
}

/// Each column's kind, in [`SELLER_COLUMNS`]' order.
pub(crate) const SELLER_KINDS: [SellerCellKind; 14] = {
    use SellerCellKind::*;
    [
        Text, Text, Text, Text, Count, Number, Number, Number, Number, Number, Number, Number,
        Number, Number,
    ]
};

fn score(s: Option<Score>) -> String {
    s.map(Score::text).unwrap_or_default()
}

fn rate(r: Option<Rate>) -> String {
    r.map(Rate::percent_text).unwrap_or_default()
}

/// `yes`, `no`, or empty when the seller sent no identities.
pub(crate) fn factory_text(seller: &Seller) -> &'static str {
    match seller.is_factory() {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// The identities' labels, sanitised, joined by `|`.
pub(crate) fn identities_text(seller: &Seller) -> String {
    seller
        .identities
        .iter()
        .map(|i| sanitize(i.label()))
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

/// The cells of `seller` (all empty for `None`), in [`SELLER_COLUMNS`]'
/// order: sanitised text, scores as `4.5`, rates as percent (`92`,
/// `99.12`).
pub(crate) fn seller_cells(seller: Option<&Seller>) -> [String; 14] {
    let Some(s) = seller else {
        return Default::default();
    };
    let text = |t: &Option<String>| t.as_deref().map(sanitize).unwrap_or_default();
    [
        text(&s.open_id),
        text(&s.company),
        factory_text(s).to_string(),
        identities_text(s),
        s.tp_years.map(|y| y.to_string()).unwrap_or_default(),
        score(s.trade_score),
        score(s.composite_service),
        rate(s.pickup_48h_30d),
        rate(s.pickup_24h_30d),
        rate(s.perfect_fulfillment_30d),
        rate(s.delayed_shipping_7d),
        rate(s.quality_refund_30d),
        rate(s.quality_return_30d),
        rate(s.repeat_purchase),
    ]
}

/// The seller columns as named fields, for rows serialised whole (JSON,
/// flattened into the row); same names and order as [`SELLER_COLUMNS`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct SellerFields {
    pub seller_id: String,
    pub company: String,
    pub factory: String,
    pub identities: String,
    pub years: String,
    pub trade_score: String,
    pub service_score: String,
    pub pickup_48h_pct: String,
    pub pickup_24h_pct: String,
    pub perfect_fulfilment_pct: String,
    pub delayed_shipping_pct: String,
    pub quality_refund_pct: String,
    pub quality_return_pct: String,
    pub repeat_buyers_pct: String,
}

impl SellerFields {
    pub(crate) fn of(seller: Option<&Seller>) -> SellerFields {
        let [
            seller_id,
            company,
            factory,
            identities,
            years,
            trade_score,
            service_score,
            pickup_48h_pct,
            pickup_24h_pct,
            perfect_fulfilment_pct,
            delayed_shipping_pct,
            quality_refund_pct,
            quality_return_pct,
            repeat_buyers_pct,
        ] = seller_cells(seller);
        SellerFields {
            seller_id,
            company,
            factory,
            identities,
            years,
            trade_score,
            service_score,
            pickup_48h_pct,
            pickup_24h_pct,
            perfect_fulfilment_pct,
            delayed_shipping_pct,
            quality_refund_pct,
            quality_return_pct,
            repeat_buyers_pct,
        }
    }

    /// The cells in [`SELLER_COLUMNS`]' order.
    pub(crate) fn cells(&self) -> [&str; 14] {
        [
            &self.seller_id,
            &self.company,
            &self.factory,
            &self.identities,
            &self.years,
            &self.trade_score,
            &self.service_score,
            &self.pickup_48h_pct,
            &self.pickup_24h_pct,
            &self.perfect_fulfilment_pct,
            &self.delayed_shipping_pct,
            &self.quality_refund_pct,
            &self.quality_return_pct,
            &self.repeat_buyers_pct,
        ]
    }
}

/// One seller cell in a workbook: a number where the column holds numbers
/// and the value reads as one, else text (nothing when empty).
pub(crate) fn write_xlsx_cell(
    sheet: &mut super::xlsx::Cells<'_>,
    row: rust_xlsxwriter::RowNum,
    col: rust_xlsxwriter::ColNum,
    value: &str,
    kind: SellerCellKind,
    format: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match (kind, value.parse::<f64>()) {
        (SellerCellKind::Count | SellerCellKind::Number, Ok(n)) => {
            sheet.number(row, col, n, format)
        }
        _ => sheet.text(row, col, value, format),
    }
}

pub(crate) use crate::api::detail::offer_seller;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Identity;

    #[test]
    fn unknown_is_empty_and_text_is_sanitised() {
        assert!(seller_cells(None).iter().all(String::is_empty));
        assert!(
            seller_cells(Some(&Seller::default()))
                .iter()
                .all(String::is_empty)
        );
        let s = Seller {
            open_id: Some("BBB".into()),
            company: Some("甲\u{1b}[31m厂".into()),
            identities: vec![Identity::TpMember, Identity::Factory],
            tp_years: Some(7),
            trade_score: Score::from_hundredths(480),
            pickup_48h_30d: Rate::from_basis_points(9200),
            quality_refund_30d: Rate::from_basis_points(50),
            ..Seller::default()
        };
        let cells = seller_cells(Some(&s));
        let at = |name: &str| &cells[SELLER_COLUMNS.iter().position(|c| *c == name).unwrap()];
        assert_eq!(at("seller_id"), "BBB");
        assert!(!at("company").contains('\u{1b}'));
        assert_eq!(at("factory"), "yes");
        assert_eq!(at("identities"), "TP member|factory");
        assert_eq!(at("years"), "7");
        assert_eq!(at("trade_score"), "4.8");
        assert_eq!(at("pickup_48h_pct"), "92");
        assert_eq!(at("quality_refund_pct"), "0.5");
        assert_eq!(at("service_score"), "");
        let trader = Seller {
            identities: vec![Identity::PowerMerchant],
            ..Seller::default()
        };
        assert_eq!(factory_text(&trader), "no");
        assert_eq!(s.compact(true), "factory 7y 4.8");
        assert_eq!(trader.compact(true), "trader");
        assert_eq!(Seller::default().compact(true), "");
        // The named fields serialise under the columns' names, in order.
        let fields = SellerFields::of(Some(&s));
        assert_eq!(fields.cells(), cells.each_ref().map(String::as_str));
        let json = serde_json::to_value(&fields).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = SELLER_COLUMNS.to_vec();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "serde_json's map is sorted");
    }
}
