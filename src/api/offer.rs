//! The normalised model the UI and the headless search use: `Offer`, its
//! links, and `ResultPage`, built from a provider's page and checked.

use super::params::Price;
use super::seller::Seller;
use super::wire::{WireOffer, WireOffers, WirePage};
use serde::{Deserialize, Serialize};

/// One offer, normalised from either provider. Text fields are raw server
/// text: sanitise before display (`crate::text::sanitize`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Offer {
    /// Numeric 1688 offer id, where the payload carries one.
    pub offer_id: Option<String>,
    /// The provider's opaque offer handle.
    pub offer_map_id: Option<String>,
    /// Original (Chinese) title.
    pub title: String,
    /// Translated title.
    pub title_en: Option<String>,
    pub price: Option<Price>,
    /// Premium-supplier (精选货源) price, when different offers apply.
    pub jxhy_price: Option<Price>,
    /// Wholesale premium-supplier price.
    pub pf_jxhy_price: Option<Price>,
    pub month_sold: Option<u64>,
    /// Repurchase rate in percent, e.g. 41.0 for "41%".
    pub repurchase_rate: Option<f32>,
    pub badges: Vec<String>,
    pub image_url: Option<String>,
    pub category_id: Option<u64>,
    /// Who sells it, as far as the item says (identities, trade score,
    /// shipping rates, years, company); `None` when it says nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<Seller>,
}

impl Offer {
    /// The offer's 1688 page, where an offer id is known.
    pub fn link(&self) -> Option<String> {
        self.offer_id
            .as_deref()
            .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
            .map(|id| format!("https://detail.1688.com/offer/{id}.html"))
    }

    /// The offer's picture URL, when it is an http(s) address.
    pub fn picture_link(&self) -> Option<String> {
        self.image_url
            .as_deref()
            .map(str::trim)
            .filter(|u| crate::text::is_url(u))
            .map(str::to_string)
    }

    /// The picture to show in a small pane: alicdn's 300×300 copy where the
    /// picture is on alicdn (or has its `/img/ibank/` shape, as the
    /// simulator's do), a tenth of the bytes of the full picture; else the
    /// picture itself.
    pub(crate) fn thumbnail_url(&self) -> Option<String> {
        let url = self.image_url.as_deref()?.trim();
        Some(small_picture_url(url).unwrap_or_else(|| url.to_string()))
    }

    /// What the link actions use: the offer's page, or else its picture.
    pub(crate) fn best_link(&self) -> Option<OfferLink> {
        self.link()
            .map(OfferLink::Offer)
            .or_else(|| self.picture_link().map(OfferLink::Picture))
    }

    /// The lowest special price different from the list price, if any.
    pub(crate) fn special_price(&self) -> Option<Price> {
        [self.jxhy_price, self.pf_jxhy_price]
            .into_iter()
            .flatten()
            .filter(|p| Some(*p) != self.price)
            .min()
    }

    /// Title for list rows: the translation when present, else the original.
    pub(crate) fn display_title(&self) -> &str {
        self.title_en
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.title)
    }
}

/// `url` with alicdn's `_300x300.jpg` size suffix, when it names a whole
/// picture file on alicdn (no query, no size suffix yet); `None` otherwise.
pub(crate) fn small_picture_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/')?);
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let host = host.to_ascii_lowercase();
    let on_alicdn = host == "alicdn.com" || host.ends_with(".alicdn.com");
    if !(on_alicdn || path.starts_with("/img/ibank/")) || path.contains(['?', '#']) {
        return None;
    }
    let file = path.rsplit('/').next()?.to_ascii_lowercase();
    let picture = [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|ext| file.ends_with(ext));
    // `a.jpg_300x300.jpg`, `a.jpg_.webp`: already a sized copy.
    let sized = [".jpg_", ".jpeg_", ".png_", ".webp_"]
        .iter()
        .any(|ext| file.contains(ext));
    (picture && !sized).then(|| format!("{url}_300x300.jpg"))
}

/// A link for an offer: its 1688 page where a numeric offer id is known,
/// else its picture (the signed-header provider gives only `offerMapId`,
/// which no public document maps to a page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferLink {
    Offer(String),
    Picture(String),
}

/// Says why an offer has no page link (shown in the detail pane and status).
pub const NO_OFFER_LINK: &str = "no offer link: this provider sends only an opaque offerMapId, \
     which no public document maps to a 1688 page";

/// Parses "41%", "41", "0.41%" or "41.5 %" into percent.
fn parse_percent(s: &str) -> Option<f32> {
    let t = s.trim().trim_end_matches('%').trim();
    let v: f32 = t.parse().ok()?;
    v.is_finite().then_some(v).filter(|v| *v >= 0.0)
}

impl From<WireOffer> for Offer {
    fn from(w: WireOffer) -> Self {
        let seller = seller_of(&w);
        let price_info = w.price_info.unwrap_or_default();
        let parse_price = |s: Option<String>| s.and_then(|s| s.parse::<Price>().ok());
        let mut badges = Vec::new();
        let mut badge = |on: bool, name: &str| {
            if on {
                badges.push(name.to_string());
            }
        };
        badge(w.is_jxhy, "精选");
        badge(w.certified_factory, "factory");
        badge(w.ship_in_today, "ships today");
        badge(w.ship_in_24_hours && !w.ship_in_today, "24h");
        badge(
            w.ship_in_48_hours && !w.ship_in_24_hours && !w.ship_in_today,
            "48h",
        );
        badge(w.is_one_psale_free_post, "1pc free ship");
        badge(w.is_one_psale && !w.is_one_psale_free_post, "1pc");
        badge(w.no_reason_7d_return, "7d return");
        for identity in seller.iter().flat_map(|s| &s.identities) {
            let name = identity.label();
            if !name.trim().is_empty() && !badges.iter().any(|b| b == name) {
                badges.push(name.to_string());
            }
        }
        Offer {
            offer_id: w.offer_id.filter(|s| !s.is_empty()),
            offer_map_id: w.offer_map_id.filter(|s| !s.is_empty()),
            title: w.subject.unwrap_or_default(),
            title_en: w.subject_trans.filter(|s| !s.is_empty()),
            price: parse_price(price_info.price),
            jxhy_price: parse_price(price_info.jxhy_price),
            pf_jxhy_price: parse_price(price_info.pf_jxhy_price),
            month_sold: w.month_sold,
            repurchase_rate: w.repurchase_rate.as_deref().and_then(parse_percent),
            badges,
            image_url: w.image_url.filter(|s| !s.is_empty()),
            category_id: w.category_id,
            seller,
        }
    }
}

/// The item's seller signals, read by [`Seller::from_item`] from the
/// fields the wire form kept as sent.
fn seller_of(w: &WireOffer) -> Option<Seller> {
    let mut item = serde_json::Map::new();
    let mut put = |key: &str, v: Option<serde_json::Value>| {
        if let Some(v) = v {
            item.insert(key.to_string(), v);
        }
    };
    put("sellerIdentities", w.seller_identities.clone());
    put("tradeScore", w.trade_score.clone());
    put("sellerDataInfo", w.seller_data_info.clone());
    put(
        "productSimpleShippingInfo",
        w.product_simple_shipping_info.clone(),
    );
    put(
        "companyName",
        w.company_name.clone().map(serde_json::Value::String),
    );
    Seller::from_item(&item)
}

/// One page of results, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ResultPage {
    pub offers: Vec<Offer>,
    pub total_records: u64,
    pub total_pages: u32,
    pub page_size: u32,
    pub current_page: u32,
    /// Things the client did on the way that the user should hear about
    /// (e.g. an expired image id uploaded again). Not part of the reply.
    #[serde(skip)]
    pub notices: Vec<String>,
    /// The subjects the provider detected in the picture and the region it
    /// searched, when the reply says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<crate::api::Subjects>,
}

impl ResultPage {
    /// Normalises a page. Items that could not be read as offers are left
    /// out, and a notice says how many and why (the first reason).
    pub fn from_wire(page: WirePage, requested_page: u32, requested_size: u32) -> Self {
        let page_size = page
            .page_size
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(requested_size);
        let total_records = page.total_records.unwrap_or(0);
        let total_pages = page
            .total_page
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or_else(|| {
                u32::try_from(total_records.div_ceil(u64::from(page_size.max(1))))
                    .unwrap_or(u32::MAX)
            });
        let current_page = page
            .current_page
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(requested_page);
        let subjects = page
            .pic_region_info
            .as_ref()
            .and_then(crate::api::Subjects::from_json);
        let WireOffers { offers, malformed } = page.data;
        let mut notices = Vec::new();
        if let Some((index, reason)) = malformed.first() {
            let n = malformed.len();
            notices.push(format!(
                "page {current_page}: skipped {n} of {} {} that did not match the documented shape (item {}: {reason})",
                n + offers.len(),
                if n + offers.len() == 1 { "item" } else { "items" },
                index + 1,
            ));
        }
        ResultPage {
            offers: offers.into_iter().map(Offer::from).collect(),
            total_records,
            total_pages,
            page_size,
            current_page,
            notices,
            subjects,
        }
    }

    /// [`ResultPage::from_wire`], refusing a page that does not add up:
    /// - a list in which no item could be read as an offer;
    /// - an empty page where its totals say offers remain, or with totals
    ///   of zero past page 1 (the search had results to get this far).
    ///
    /// An empty page 1 with no results, or an empty page past the last, is
    /// the ordinary end. The error is the reason, for a `Decode` error.
    pub(crate) fn from_wire_checked(
        page: WirePage,
        requested_page: u32,
        requested_size: u32,
    ) -> Result<Self, String> {
        let unread = page.data.malformed.len();
        let first = page.data.malformed.first().map(|(_, r)| r.clone());
        let result = ResultPage::from_wire(page, requested_page, requested_size);
        if !result.offers.is_empty() {
            return Ok(result);
        }
        if unread > 0 {
            return Err(format!(
                "none of the {unread} items on page {requested_page} is an offer of the documented shape ({})",
                first.unwrap_or_default()
            ));
        }
        let (pages, records) = (result.total_pages, result.total_records);
        if requested_page == 1 && records == 0 {
            return Ok(result);
        }
        if pages >= 1 && requested_page > pages {
            return Ok(result);
        }
        Err(if pages == 0 || records == 0 {
            format!(
                "page {requested_page} came back empty with totals of zero, though the search had results to reach page {requested_page}"
            )
        } else {
            format!(
                "page {requested_page} came back empty although its reply says there are {pages} pages ({records} offers)"
            )
        })
    }

    /// True when no page comes after this one.
    pub fn is_last(&self) -> bool {
        self.current_page >= self.total_pages || self.offers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::Envelope;

    /// The signed-header seed's example reply, byte for byte.
    const QUERY_SEED: &str = include_str!("fixtures/query_seed.json");

    #[test]
    fn query_seed_parses_and_normalises() {
        let env: Envelope<WirePage> = serde_json::from_str(QUERY_SEED).unwrap();
        assert_eq!(env.code, 200);
        assert_eq!(env.message.as_deref(), Some("成功"));
        assert_eq!(
            env.trace_id.as_deref(),
            Some("09f06e9131854474b8ded98d94df98ae")
        );
        assert_eq!(env.develop_id.as_deref(), Some("1110890638347337996"));
        let page = ResultPage::from_wire(env.data.unwrap(), 1, 5);
        assert_eq!(page.total_records, 687);
        assert_eq!(page.total_pages, 137);
        assert_eq!(page.page_size, 5);
        assert_eq!(page.current_page, 1);
        assert_eq!(page.offers.len(), 5);
        let first = &page.offers[0];
        assert_eq!(
            first.title,
            "国潮男装t恤230g重磅短袖男女纯棉体恤宽松圆领团服打底衫衣服潮"
        );
        assert!(
            first
                .title_en
                .as_deref()
                .unwrap()
                .starts_with("T-shirt men's")
        );
        assert_eq!(first.price, Some(Price(1600)));
        assert_eq!(first.jxhy_price, None);
        assert_eq!(first.month_sold, Some(97822));
        assert_eq!(first.repurchase_rate, Some(5.0));
        assert_eq!(
            first.offer_map_id.as_deref(),
            Some("wmNAp5CyEQ2fatKAZGGMWQ")
        );
        assert_eq!(first.badges, vec!["精选".to_string()]);
        assert_eq!(first.link(), None, "the seed carries no numeric offer id");
        let second = &page.offers[1];
        assert_eq!(second.jxhy_price, Some(Price(586)));
        assert_eq!(second.special_price(), None, "same as the list price");
        assert!(!page.is_last());
    }

    #[test]
    fn tolerant_offer_fields() {
        let json = r#"{"subject":"x","priceInfo":{"price":12.5,"jxhyPrice":null},"monthSold":"42","repurchaseRate":null,"isJxhy":null,"offerId":123456}"#;
        let offer: Offer = serde_json::from_str::<WireOffer>(json).unwrap().into();
        assert_eq!(offer.price, Some(Price(1250)));
        assert_eq!(offer.month_sold, Some(42));
        assert_eq!(offer.repurchase_rate, None);
        assert_eq!(
            offer.link().as_deref(),
            Some("https://detail.1688.com/offer/123456.html")
        );
    }

    fn wire(json: &str) -> WirePage {
        let env: Envelope<WirePage> = serde_json::from_str(json).unwrap();
        env.data.unwrap()
    }

    #[test]
    fn a_malformed_offer_is_skipped_and_counted_not_the_page() {
        let page = wire(
            r#"{"code":200,"data":{"totalRecords":60,"totalPage":3,"currentPage":2,"data":[
                {"offerId":1,"subject":"a","priceInfo":{"price":"1.50"}},
                "garbage",
                {"offerId":"2","subject":"b","priceInfo":[1,2]},
                {"monthSold":5},
                {"offerId":3,"subject":null,"priceInfo":null,"monthSold":"7","isJxhy":"1"}
            ]}}"#,
        );
        let result = ResultPage::from_wire_checked(page, 2, 20).unwrap();
        let ids: Vec<_> = result.offers.iter().map(|o| o.offer_id.clone()).collect();
        assert_eq!(ids, [Some("1".into()), Some("3".into())]);
        assert_eq!(result.offers[1].month_sold, Some(7));
        assert_eq!(result.notices.len(), 1, "{:?}", result.notices);
        let notice = &result.notices[0];
        assert!(
            notice.starts_with("page 2: skipped 3 of 5 items"),
            "{notice}"
        );
        assert!(
            notice.contains("item 2: a string, not an offer"),
            "{notice}"
        );
    }

    #[test]
    fn a_page_of_nothing_but_garbage_is_an_error() {
        let page = wire(r#"{"code":200,"data":{"totalRecords":60,"data":[1,2,3]}}"#);
        let err = ResultPage::from_wire_checked(page, 1, 20).unwrap_err();
        assert!(err.contains("none of the 3 items on page 1"), "{err}");
    }

    #[test]
    fn an_empty_page_ends_the_list_only_where_the_totals_say_so() {
        let check = |json: &str, page: u32| ResultPage::from_wire_checked(wire(json), page, 20);
        // No results at all, on page 1: the ordinary empty search.
        assert!(check(r#"{"code":200,"data":{"totalRecords":0,"data":[]}}"#, 1).is_ok());
        assert!(check(r#"{"code":200,"data":{"data":null}}"#, 1).is_ok());
        // Past the last page: the end.
        assert!(
            check(
                r#"{"code":200,"data":{"totalRecords":60,"totalPage":3,"data":[]}}"#,
                4
            )
            .is_ok()
        );
        // Empty although the totals say there is more: an error.
        let err = check(
            r#"{"code":200,"data":{"totalRecords":60,"totalPage":3,"data":[]}}"#,
            2,
        )
        .unwrap_err();
        assert!(err.contains("page 2 came back empty although"), "{err}");
        assert!(check(r#"{"code":200,"data":{"totalRecords":60,"data":[]}}"#, 1).is_err());
        // totalPage 0 mid-stream: an error, not the end.
        let err = check(
            r#"{"code":200,"data":{"totalRecords":0,"totalPage":0,"data":[]}}"#,
            4,
        )
        .unwrap_err();
        assert!(
            err.contains("page 4 came back empty with totals of zero"),
            "{err}"
        );
    }

    #[test]
    fn thumbnails_use_alicdns_small_copy() {
        let small = |u: &str| {
            Offer {
                image_url: Some(u.to_string()),
                ..Offer::default()
            }
            .thumbnail_url()
        };
        let ali = "https://cbu01.alicdn.com/img/ibank/O1CN01Ab_!!22-0-cib.jpg";
        assert_eq!(small(ali), Some(format!("{ali}_300x300.jpg")));
        // The simulator's alicdn-shaped files get it too.
        let sim = "http://127.0.0.1:8688/img/ibank/O1CN01Ab_!!22-0-cib.jpg";
        assert_eq!(small(sim), Some(format!("{sim}_300x300.jpg")));
        // Already sized, not a picture file, a query, elsewhere: as they are.
        for same in [
            "https://cbu01.alicdn.com/img/ibank/O1CN01Ab.jpg_300x300.jpg",
            "https://cbu01.alicdn.com/img/ibank/O1CN01Ab.jpg_.webp",
            "https://cbu01.alicdn.com/img/ibank/O1CN01Ab",
            "https://cbu01.alicdn.com/img/ibank/O1CN01Ab.jpg?x=1",
            "https://example.com/a.jpg",
            "https://alicdn.com.evil.org/a.jpg",
            "ftp://cbu01.alicdn.com/a.jpg",
        ] {
            assert_eq!(small(same).as_deref(), Some(same), "{same}");
        }
        assert_eq!(
            Offer::default().thumbnail_url(),
            None,
            "no picture, no thumbnail"
        );
    }
}
