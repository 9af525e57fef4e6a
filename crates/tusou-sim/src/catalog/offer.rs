//! One catalog offer: its fields, and its shape in each provider's wire
//! format.

use super::seller::SimSeller;
use super::vocab::Pair;
use crate::artwork::{Art, Shape};
use crate::wire::{DajiItem, DajiPriceInfo, Price, SignedItem, SignedPriceInfo};

/// One synthetic offer, in the simulator's own units.
#[derive(Debug, Clone)]
pub struct CatalogOffer {
    pub offer_id: u64,
    /// The offer id of the first listing of this offer's picture (its own id
    /// unless it is a re-listing).
    pub group: u64,
    pub offer_map_id: String,
    pub subject: String,
    pub subject_trans: String,
    pub category_id: u64,
    pub price_fen: u64,
    pub jxhy_price_fen: Option<u64>,
    pub pf_jxhy_price_fen: Option<u64>,
    /// Dropshipping price.
    pub consign_price_fen: u64,
    pub is_jxhy: bool,
    /// Percent, 0..=60.
    pub repurchase_rate: u8,
    pub month_sold: u64,
    pub is_one_psale: bool,
    pub is_one_psale_free_post: bool,
    pub certified_factory: bool,
    pub no_reason_7d_return: bool,
    pub ship_in_today: bool,
    pub ship_in_24_hours: bool,
    pub ship_in_48_hours: bool,
    pub new_7: bool,
    pub new_30: bool,
    pub selection_1688: bool,
    /// `super_factory`, `tp_member`, `powerful_merchants`.
    pub seller_identities: Vec<String>,
    /// The seller's company name (`companyName`).
    pub company_name: String,
    /// Who lists it: one of the catalog's sellers, shared by many offers.
    pub seller: std::sync::Arc<SimSeller>,
    pub art: Art,
    /// The picture file this listing shows (shared with the listing it
    /// copies when the seller re-used that file).
    pub picture: Picture,
    pub(super) colour: Pair,
}

/// A picture file as 1688's CDN names it, and how its JPEG is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// `O1CN01…_!!<uploader's member id>-0-cib`, without the extension.
    pub file: String,
    /// Side of the served JPEG in pixels.
    pub side: u32,
    /// Its JPEG quality.
    pub quality: u8,
}

impl Picture {
    /// The file name with its extension, as in the picture's address.
    pub fn file_name(&self) -> String {
        format!("{}.jpg", self.file)
    }

    /// The served JPEG of `art` in this file's size and quality.
    pub fn jpeg(&self, art: &Art) -> Vec<u8> {
        crate::artwork::render_jpeg_with(art, self.side, self.quality)
    }
}

impl CatalogOffer {
    /// The product type (one per silhouette the artwork draws).
    pub fn product_type(&self) -> Shape {
        self.art.shape
    }

    /// Whether this offer re-lists another offer's picture.
    pub fn is_relisting(&self) -> bool {
        self.group != self.offer_id
    }

    /// Whether the picture shown is another listing's, copied: the very file,
    /// or a re-encoded upload of it (not a new photo of the product).
    pub fn is_copy_of(&self, other: &CatalogOffer) -> bool {
        self.group == other.group && self.art == other.art
    }
}

fn yuan(fen: u64) -> String {
    Price(fen).to_string()
}

impl CatalogOffer {
    /// The picture's address on the simulator at `base_url`, shaped as
    /// alicdn's: `/img/ibank/O1CN01…_!!<member>-0-cib.jpg`.
    pub fn image_url(&self, base_url: &str) -> String {
        format!("{base_url}/img/ibank/{}", self.picture.file_name())
    }

    /// The offer as a DajiSaaS image-query item.
    pub fn to_daji_item(&self, base_url: &str) -> DajiItem {
        DajiItem {
            image_url: self.image_url(base_url),
            subject: self.subject.clone(),
            subject_trans: self.subject_trans.clone(),
            offer_map_id: self.offer_map_id.clone(),
            is_jxhy: self.is_jxhy,
            price_info: DajiPriceInfo {
                price: yuan(self.price_fen),
                jxhy_price: self.jxhy_price_fen.map(yuan),
                pf_jxhy_price: self.pf_jxhy_price_fen.map(yuan),
                consign_price: yuan(self.consign_price_fen),
            },
            repurchase_rate: format!("{}%", self.repurchase_rate),
            month_sold: self.month_sold,
            offer_id: self.offer_id,
            is_one_psale: self.is_one_psale,
            seller_identities: self.seller_identities.clone(),
            company_name: self.company_name.clone(),
            trade_score: self.seller.trade_score_wire(),
            seller_data_info: self.seller.item_data_info(),
            product_simple_shipping_info: self.seller.item_shipping_info(self.guarantee()),
        }
    }

    /// `shippingTimeGuarantee`: the fastest of its shipping flags.
    fn guarantee(&self) -> Option<&'static str> {
        if self.ship_in_24_hours {
            Some("shipIn24Hours")
        } else if self.ship_in_48_hours {
            Some("shipIn48Hours")
        } else {
            None
        }
    }

    /// The offer as a signed-header item: the seed's eight fields only.
    pub fn to_signed_item(&self, base_url: &str) -> SignedItem {
        SignedItem {
            image_url: self.image_url(base_url),
            subject: self.subject.clone(),
            subject_trans: self.subject_trans.clone(),
            offer_map_id: self.offer_map_id.clone(),
            is_jxhy: self.is_jxhy,
            price_info: SignedPriceInfo {
                price: yuan(self.price_fen),
                jxhy_price: self.jxhy_price_fen.map(yuan),
                pf_jxhy_price: self.pf_jxhy_price_fen.map(yuan),
            },
            repurchase_rate: format!("{}%", self.repurchase_rate),
            month_sold: self.month_sold,
        }
    }
}
