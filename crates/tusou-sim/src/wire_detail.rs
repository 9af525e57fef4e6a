//! DajiSaaS's offer detail (`GET /alibaba/product/queryProductDetail`) as the
//! simulator writes it, from the protocol notes: `data` carries `offerId`,
//! `subject`, `subjectTrans`, `minOrderQuantity`, `productImage.images[]`,
//! `productSaleInfo{amountOnSale, quoteType, priceRangeList[]}`,
//! `productShippingInfo{sendGoodsAddressText, shippingTimeGuarantee}`,
//! `sellerOpenId` and `soldOut` (the count sold); and, from the official
//! `product.search.queryProductDetail` field table, `productSkuInfos[]`,
//! the package sizes (`weight` kg, `length`/`width`/`height` cm,
//! `pkgSizeSource`, `skuShippingDetails[]` in kg, the old
//! `skuShippingInfoList[]` in grams), `sellerMixSetting`, `batchNumber` and
//! `unitInfo`. Independent of the client's types.

use serde::Serialize;

/// A count as real payloads send it: most often a number, sometimes text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Count {
    Number(u64),
    Text(String),
}

/// A decimal as real payloads send it: a number, or text (`"0.42"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Decimal {
    Number(f64),
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
    /// 0: no SKUs, priced by quantity tiers; 1: priced per SKU (the one
    /// range is the cheapest SKU at the minimum); 2: SKUs priced by tiers.
    pub quote_type: Count,
    pub price_range_list: Vec<PriceRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_info: Option<UnitInfo>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitInfo {
    pub unit: String,
    pub trans_unit: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuAttribute {
    pub attribute_id: u64,
    pub attribute_name: String,
    pub attribute_name_trans: String,
    pub value: String,
    pub value_trans: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku_image_url: Option<String>,
}

/// One `productSkuInfos[]` entry; `skuId` a JSON number as documented (Long).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuInfo {
    pub sku_id: u64,
    pub spec_id: String,
    /// Yuan as text; absent for offers priced by tiers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    pub amount_on_sale: Count,
    pub sku_attributes: Vec<SkuAttribute>,
}

/// `skuShippingDetails[]`: `skuId` as text (the new list types it String), kg and cm.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuShippingDetail {
    pub sku_id: String,
    pub weight: Decimal,
    pub length: Decimal,
    pub width: Decimal,
    pub height: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pkg_size_source: Option<String>,
}

/// `skuShippingInfoList[]` (old): `skuId` a number, `weight` whole grams.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuShippingInfo {
    pub sku_id: u64,
    pub spec_id: String,
    pub weight: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SellerMixSetting {
    pub general_hunpi: bool,
    /// Yuan, whole; 0 when the rule sets none.
    pub mix_amount: Count,
    pub mix_number: Count,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingInfo {
    pub send_goods_address_text: String,
    /// e.g. `shipIn48Hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_time_guarantee: Option<String>,
    /// kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Decimal>,
    /// cm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<Decimal>,
    /// `官方测量`, `商家自填`, `预测-同款放大`, or null.
    pub pkg_size_source: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sku_shipping_details: Vec<SkuShippingDetail>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sku_shipping_info_list: Vec<SkuShippingInfo>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_sku_infos: Vec<SkuInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_mix_setting: Option<SellerMixSetting>,
    /// Pieces per lot; null on most offers, as in a real reply.
    pub batch_number: Option<u64>,
    /// The seller's shop name.
    pub company_name: String,
    /// Seller identities as names (`超级工厂`, `诚信通`…), as the official
    /// detail table's example writes them.
    pub offer_identities: Vec<String>,
    /// The seller's scores and percents (fractions in text, `"0.4666"`).
    pub seller_data_info: serde_json::Value,
    /// `[{certificateName, certificateCode, certificatePhotoList[]}]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificate_list: Vec<serde_json::Value>,
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
