//! Supplier signals over loopback HTTP: what the simulator's sellers send
//! on search items and in the detail (some fields missing, numbers as text,
//! JSON numbers or bare text) is what the client reads; and a stub
//! provider's wrong kinds are read tolerantly, never setting an item aside.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use axum::Router;
use axum::routing::get;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tusou::api::{Identity, ImageRef, ProviderKind, Rate, Score, SearchParams, Seller, SellerKey};
use tusou_sim::SimConfig;
use tusou_sim::catalog::{NumberStyle, SimSeller};

fn rate(bp: Option<u16>) -> Option<Rate> {
    bp.and_then(Rate::from_basis_points)
}

fn score(h: Option<u16>) -> Option<Score> {
    h.and_then(Score::from_hundredths)
}

fn identity(code: &str) -> Identity {
    Identity::parse(code).expect("a code")
}

/// A search by one of the simulator's own pictures: `pageSize` 50.
async fn first_page(
    kind: ProviderKind,
    sim: &tusou_sim::SimHandle,
    config: &SimConfig,
) -> Vec<tusou::api::Offer> {
    let client = common::client(kind, sim);
    let id = &tusou_sim::catalog_offer_ids(config, 1)[0];
    let file = tusou_sim::catalog_picture_file(config, id).expect("picture");
    let image = ImageRef::Address(format!("{}/img/ibank/{file}", sim.base_url()));
    let params = SearchParams {
        page_size: Some(50),
        ..SearchParams::default()
    };
    let mut offers = Vec::new();
    for page in 1..=3 {
        let got = client
            .search_page(&image, &params, page)
            .await
            .expect("page");
        offers.extend(got.offers);
    }
    offers
}

#[tokio::test]
async fn search_items_carry_the_simulators_sellers() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let offers = first_page(ProviderKind::DajiSaas, &sim, &config).await;
    assert_eq!(offers.len(), 150);
    let mut styles = HashSet::new();
    let (mut years_missing, mut rate_missing) = (0, 0);
    let mut per_company: HashMap<String, usize> = HashMap::new();
    for o in &offers {
        let id = o
            .offer_id
            .as_deref()
            .expect("DajiSaaS items carry an offer id");
        let want: SimSeller = tusou_sim::catalog_seller(&config, id).expect("in the catalog");
        let got: &Seller = o.seller.as_ref().expect("every item carries its seller");
        assert_eq!(got.company.as_deref(), Some(want.company.as_str()), "{id}");
        let ids: Vec<Identity> = want.identities.iter().map(|c| identity(c)).collect();
        assert_eq!(got.identities, ids, "{id}");
        assert_eq!(
            got.is_factory(),
            (!ids.is_empty()).then_some(want.factory),
            "{id}"
        );
        assert_eq!(got.tp_years, want.tp_years, "{id} ({:?})", want.style);
        assert_eq!(got.trade_score, score(want.trade_score), "{id}");
        assert_eq!(got.composite_service, score(want.composite_service), "{id}");
        assert_eq!(
            got.perfect_fulfillment_30d,
            rate(want.perfect_fulfillment_30d),
            "{id} ({:?})",
            want.style
        );
        assert_eq!(
            got.pickup_24h_30d,
            rate(want.pickup_24h_30d),
            "{id} ({:?})",
            want.style
        );
        assert_eq!(
            got.quality_return_30d,
            rate(want.quality_return_30d),
            "{id} ({:?})",
            want.style
        );
        assert_eq!(
            got.delayed_shipping_7d,
            rate(want.delayed_shipping_7d),
            "{id} ({:?})",
            want.style
        );
        // Search items carry no open id: the key is the company.
        assert_eq!(got.key(), Some(SellerKey::Company(want.company.clone())));
        styles.insert(format!("{:?}", want.style));
        years_missing += usize::from(want.tp_years.is_none());
        rate_missing += usize::from(want.pickup_24h_30d.is_none());
        *per_company.entry(want.company).or_default() += 1;
    }
    assert!(
        styles.len() >= 2,
        "more than one number style was exercised: {styles:?}"
    );
    assert!(years_missing + rate_missing > 0, "some fields were missing");
    assert!(
        per_company.values().any(|n| *n >= 2),
        "a seller carries several offers"
    );
}

#[tokio::test]
async fn the_signed_header_provider_sends_no_seller() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let offers = first_page(ProviderKind::SignedHeader, &sim, &config).await;
    assert!(!offers.is_empty());
    assert!(
        offers.iter().all(|o| o.seller.is_none()),
        "the seed's eight fields only"
    );
}

#[tokio::test]
async fn the_detail_carries_the_sellers_block() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let mut keys: HashMap<SellerKey, usize> = HashMap::new();
    let mut styles = HashSet::new();
    let mut null_48h = 0;
    for id in tusou_sim::catalog_offer_ids(&config, 300).iter().step_by(5) {
        let want = tusou_sim::catalog_seller(&config, id).expect("in the catalog");
        let got = client.offer_detail(id, "en").await.expect("detail");
        let s = got.seller.expect("the detail has a seller block");
        assert_eq!(s.open_id.as_deref(), Some(want.open_id.as_str()));
        assert_eq!(got.seller_open_id.as_deref(), Some(want.open_id.as_str()));
        assert_eq!(s.company.as_deref(), Some(want.company.as_str()));
        let ids: Vec<Identity> = want.identities.iter().map(|c| identity(c)).collect();
        assert_eq!(
            s.identities, ids,
            "{id}: the names in Chinese read as the codes"
        );
        assert_eq!(s.composite_service, score(want.composite_service), "{id}");
        assert_eq!(s.logistics, score(want.logistics), "{id}");
        assert_eq!(s.dispute, score(want.dispute), "{id}");
        assert_eq!(s.offer_experience, score(want.offer_experience), "{id}");
        assert_eq!(s.consulting, score(want.consulting), "{id}");
        assert_eq!(s.after_sales, score(want.after_sales), "{id}");
        assert_eq!(
            s.repeat_purchase,
            rate(want.repeat_purchase),
            "{id} ({:?})",
            want.style
        );
        assert_eq!(
            s.pickup_48h_30d,
            rate(want.pickup_48h_30d),
            "{id} ({:?})",
            want.style
        );
        assert_eq!(
            s.quality_refund_30d,
            rate(want.quality_refund_30d),
            "{id} ({:?})",
            want.style
        );
        assert_eq!(s.certificates.len(), want.certificates.len(), "{id}");
        for (c, (name, code)) in s.certificates.iter().zip(&want.certificates) {
            assert_eq!(c.name.as_deref(), Some(name.as_str()));
            assert_eq!(c.code.as_deref(), Some(code.as_str()));
        }
        styles.insert(want.style == NumberStyle::Numbers);
        null_48h += usize::from(want.pickup_48h_30d.is_none());
        *keys.entry(s.key().expect("a key")).or_default() += 1;
    }
    assert_eq!(styles.len(), 2, "text and JSON numbers both read");
    assert!(null_48h > 0, "a null percent read as unknown");
    assert!(
        keys.values().any(|n| *n >= 2),
        "offers share a seller open id"
    );
}

/// A stub DajiSaaS answering one page whose items send the signals in
/// every kind: documented, text numbers, wrong kinds, missing.
#[tokio::test]
async fn wrong_kinds_and_text_numbers_are_read_tolerantly() {
    let body = r#"{"code":200,"message":"ok","data":{"totalRecords":4,"totalPage":1,"pageSize":20,"currentPage":1,"data":[
        {"offerId":1,"subject":"documented","companyName":"甲厂","sellerIdentities":["super_factory","tp_member"],"tradeScore":"4.8",
         "sellerDataInfo":{"tpYear":9},"productSimpleShippingInfo":{"perfectFulfillmentRate30d":"99.12%","pickupWithin24hRate30d":"100%","qualityReturnRate30d":"1.23%","delayedShippingRate7d":"12.34%"}},
        {"offerId":2,"subject":"text and numbers","sellerIdentities":"tp_member-诚信通会员, new_code","tradeScore":4.5,
         "sellerDataInfo":{"tpYear":"3"},"productSimpleShippingInfo":{"perfectFulfillmentRate30d":0.95,"pickupWithin24hRate30d":"92","qualityReturnRate30d":"","delayedShippingRate7d":null}},
        {"offerId":3,"subject":"wrong kinds","sellerIdentities":{"a":1},"tradeScore":[5],
         "sellerDataInfo":"gold","productSimpleShippingInfo":{"perfectFulfillmentRate30d":"150%","pickupWithin24hRate30d":true,"qualityReturnRate30d":"-1%","delayedShippingRate7d":"soon"}},
        {"offerId":4,"subject":"nothing"}
    ]}}"#;
    let app = Router::new().route(
        "/alibaba/product/imageQuery",
        get(move || async move { body.to_string() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let client = common::dajisaas_client_at(format!("http://{addr}"), Duration::from_secs(5));
    let page = client
        .search_page(&ImageRef::Id("1".into()), &SearchParams::default(), 1)
        .await
        .expect("a page");
    assert_eq!(
        page.offers.len(),
        4,
        "no item is set aside for its seller fields"
    );
    assert!(page.notices.is_empty(), "{:?}", page.notices);

    let s = page.offers[0].seller.as_ref().expect("documented");
    assert_eq!(s.company.as_deref(), Some("甲厂"));
    assert_eq!(s.is_factory(), Some(true));
    assert_eq!(s.trade_score, Score::from_hundredths(480));
    assert_eq!(s.tp_years, Some(9));
    assert_eq!(s.perfect_fulfillment_30d, Rate::from_basis_points(9912));
    assert_eq!(s.pickup_24h_30d, Rate::from_basis_points(10_000));
    assert_eq!(s.quality_return_30d, Rate::from_basis_points(123));
    assert_eq!(s.delayed_shipping_7d, Rate::from_basis_points(1234));
    assert!(page.offers[0].badges.contains(&"super factory".to_string()));

    let s = page.offers[1].seller.as_ref().expect("text numbers");
    assert_eq!(
        s.identities,
        vec![Identity::TpMember, Identity::Other("new_code".into())],
        "an unknown code is kept as sent"
    );
    assert_eq!(s.is_factory(), Some(false));
    assert_eq!(s.trade_score, Score::from_hundredths(450));
    assert_eq!(s.tp_years, Some(3));
    assert_eq!(s.perfect_fulfillment_30d, Rate::from_basis_points(9500));
    assert_eq!(s.pickup_24h_30d, Rate::from_basis_points(9200));
    assert_eq!(s.quality_return_30d, None, "empty is unknown, not 0");
    assert_eq!(s.delayed_shipping_7d, None);

    // Wrong kinds and out-of-range values are absent, and then nothing is known.
    assert_eq!(page.offers[2].seller, None);
    assert_eq!(page.offers[3].seller, None);
}
