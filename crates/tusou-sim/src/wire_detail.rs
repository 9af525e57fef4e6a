//! DajiSaaS's offer detail (`GET /alibaba/product/queryProductDetail`) as the
//! simulator writes it, from the protocol notes: `data` carries `offerId`,
//! `subject`, `subjectTrans`, `minOrderQuantity`, `productImage.images[]`,
//! `productSaleInfo{amountOnSale, quoteType, priceRangeList[]}`,
//! `productShippingInfo{sendGoodsAddressText, shippingTimeGuarantee}`,
//! `sellerOpenId` and `soldOut` (the count sold). Independent of the
//! client's types.

use serde::Serialize;

/// A count as real payloads send it: most often a number, sometimes text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Count {
    Number(u64),
    Text(String),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailImages {
    pub images: Vec<String>,
}

/// One price tier: from `startQuantity` pieces on, `price` (yuan as text),
/// and a `promotionPrice` while a promotion runs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceRange {
    pub start_quantity: Count,
    pub price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_price: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SaleInfo {
    pub amount_on_sale: Count,
    /// 1: priced by quantity tiers; 0: one price whatever the quantity.
    pub quote_type: u8,
    pub price_range_list: Vec<PriceRange>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingInfo {
    pub send_goods_address_text: String,
    /// e.g. `shipIn48Hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_time_guarantee: Option<String>,
}

/// `data` of a detail reply. Optional parts are left out of some offers, as
/// real payloads do.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DajiDetail {
    pub offer_id: u64,
    pub subject: String,
    pub subject_trans: String,
    pub min_order_quantity: Count,
    pub product_image: DetailImages,
    pub product_sale_info: SaleInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_shipping_info: Option<ShippingInfo>,
    pub seller_open_id: String,
    pub sold_out: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_serialise_as_numbers_or_text() {
        let tier = PriceRange {
            start_quantity: Count::Text("50".into()),
            price: "3.20".into(),
            promotion_price: None,
        };
        let v = serde_json::to_value(&tier).unwrap();
        assert_eq!(v, serde_json::json!({"startQuantity":"50","price":"3.20"}));
        assert_eq!(
            serde_json::to_value(Count::Number(2)).unwrap(),
            serde_json::json!(2)
        );
    }
}
