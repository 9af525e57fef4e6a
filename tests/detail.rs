//! Offer detail over loopback HTTP: the DajiSaaS client against the
//! simulator's detail endpoint (signed, read tolerantly, retried through
//! faults), and the signed-header provider saying it has none.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use tusou::api::{
    ApiError, AtQuantity, ClientSettings, ErrorKind, Price, ProviderKind, RetryPolicy,
};
use tusou::backend::demo_provider;
use tusou_sim::{FaultKind, Faults, SimConfig, SimCredentials};

#[tokio::test]
async fn detail_is_signed_and_parsed() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    for id in tusou_sim::catalog_offer_ids(&config, 40) {
        let expected = tusou_sim::catalog_detail(&config, &id).expect("in the catalog");
        let got = client.offer_detail(&id, "en").await.expect("detail");
        assert_eq!(got.offer_id.as_deref(), Some(id.as_str()));
        assert_eq!(got.min_order, Some(expected.min_order), "offer {id}");
        let tiers: Vec<(u64, u64, Option<u64>)> = got
            .tiers
            .iter()
            .map(|t| (t.start_quantity, t.price.0, t.promotion_price.map(|p| p.0)))
            .collect();
        assert_eq!(tiers, expected.tiers, "offer {id}");
        assert_eq!(got.stock, Some(expected.stock));
        assert_eq!(got.sold, Some(expected.sold));
        assert!(!got.images.is_empty());
        if expected.no_shipping {
            assert_eq!(got.ship_from, None);
        } else {
            assert_eq!(got.ship_from.as_deref(), Some(expected.ship_from.as_str()));
        }
        // The unit price below the minimum is refused, at it is the first tier's.
        assert_eq!(
            got.unit_price_at(expected.min_order),
            AtQuantity::Price(got.tiers[0].effective())
        );
        if expected.min_order > 1 {
            assert_eq!(
                got.unit_price_at(expected.min_order - 1),
                AtQuantity::BelowMinimum(expected.min_order)
            );
        }
    }
    // Every request carried a sign the simulator checked.
    let details: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/alibaba/product/queryProductDetail")
        .collect();
    assert_eq!(details.len(), 40);
    assert!(details.iter().all(|r| r.status == 200));
    assert!(
        details
            .iter()
            .all(|r| r.fields.iter().any(|(k, _)| k == "sign"))
    );
    assert_eq!(sim.stats().details, 40);
}

#[tokio::test]
async fn missing_fields_and_counts_as_text_are_tolerated() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let ids = tusou_sim::catalog_offer_ids(&config, 400);
    let find = |pick: fn(&tusou_sim::catalog::OfferDetail) -> bool| {
        ids.iter()
            .find(|id| tusou_sim::catalog_detail(&config, id).is_some_and(|d| pick(&d)))
            .cloned()
            .expect("the catalog has such an offer")
    };
    let no_shipping = find(|d| d.no_shipping);
    let got = client
        .offer_detail(&no_shipping, "en")
        .await
        .expect("detail");
    assert_eq!((got.ship_from, got.shipping_guarantee), (None, None));
    assert!(!got.tiers.is_empty());

    let as_text = find(|d| d.counts_as_text && d.min_order > 1);
    let expected = tusou_sim::catalog_detail(&config, &as_text).expect("in the catalog");
    let got = client.offer_detail(&as_text, "en").await.expect("detail");
    assert_eq!(got.min_order, Some(expected.min_order));
    assert_eq!(got.stock, Some(expected.stock));
    assert_eq!(got.tiers[0].price, Price(expected.tiers[0].1));
}

#[tokio::test]
async fn an_unknown_offer_is_a_rejected_request_and_bad_ids_are_not_sent() {
    let sim = common::start(SimConfig::default()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let err = client.offer_detail("1", "en").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(err.to_string().contains(tusou_sim::MSG_UNKNOWN_OFFER));
    let err = client.offer_detail("12&sign=x", "en").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        sim.requests()
            .iter()
            .filter(|r| r.path.contains("queryProductDetail"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let mut creds = SimCredentials::demo();
    creds.app_secret = "not-the-secret".into();
    let mut settings = ClientSettings::new(demo_provider(
        ProviderKind::DajiSaas,
        &creds,
        &sim.base_url(),
    ));
    settings.retry = RetryPolicy::none();
    let client = tusou::api::Client::new(settings).expect("client builds");
    let id = &tusou_sim::catalog_offer_ids(&config, 1)[0];
    let err = client.offer_detail(id, "en").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert_eq!(sim.stats().details, 0);
}

#[tokio::test]
async fn faults_on_the_detail_endpoint_are_retried() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    sim.set_faults(Faults {
        kinds: vec![FaultKind::TruncatedBody, FaultKind::CodeError],
        rate: 1.0,
        first_n: Some(2),
        ..Faults::default()
    });
    let client = common::retrying_client(ProviderKind::DajiSaas, &sim);
    let id = &tusou_sim::catalog_offer_ids(&config, 1)[0];
    let got = client
        .offer_detail(id, "en")
        .await
        .expect("third attempt passes");
    assert_eq!(got.offer_id.as_deref(), Some(id.as_str()));
    assert_eq!(sim.stats().details, 1);
}

#[tokio::test]
async fn signed_header_offers_say_no_detail() {
    let sim = common::start(SimConfig::default()).await;
    let client = common::client(ProviderKind::SignedHeader, &sim);
    let err = client.offer_detail("612345678901", "en").await.unwrap_err();
    assert!(matches!(err, ApiError::NoDetail { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("no detail from this provider"));
    assert!(sim.requests().is_empty(), "nothing was sent");
}

mod cli {
    use std::path::Path;
    use std::process::{Command, Output};
    use tusou_sim::SimConfig;

    fn tusou(args: &[&str], dirs: &Path) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tusou"))
            .args(args)
            .env("TUSOU_CONFIG_DIR", dirs.join("config"))
            .env("TUSOU_CACHE_DIR", dirs.join("cache"))
            .env("TUSOU_DATA_DIR", dirs.join("data"))
            .env_remove("TUSOU_APP_KEY")
            .env_remove("TUSOU_ACCESS_KEY")
            .env_remove("TUSOU_PROVIDER")
            .output()
            .expect("binary runs")
    }

    #[test]
    fn qty_adds_moq_tiers_and_the_unit_cost_at_that_quantity() {
        let dir = tempfile::tempdir().unwrap();
        let config = SimConfig::default();
        let id = tusou_sim::catalog_offer_ids(&config, 12)[11].clone();
        let photo = dir.path().join("photo.jpg");
        std::fs::write(&photo, tusou_sim::catalog_image(&config, &id).unwrap()).unwrap();
        let out = tusou(
            &[
                "search",
                photo.to_str().unwrap(),
                "--format",
                "json",
                "--page-size",
                "10",
                "--qty",
                "500",
            ],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let rows = rows.as_array().expect("array");
        assert_eq!(rows.len(), 10);
        for row in rows {
            let offer = row["offer_id"].as_str().unwrap();
            let expected = tusou_sim::catalog_detail(&config, offer).unwrap();
            assert_eq!(row["moq"], expected.min_order.to_string().as_str());
            assert_eq!(row["quantity"], "500");
            let unit = row["unit_cost"].as_str().unwrap();
            if expected.min_order > 500 {
                assert_eq!(unit, format!("below MOQ {}", expected.min_order));
            } else {
                // The last tier starting at or below 500, its promotion when lower.
                let (_, fen, promo) = expected
                    .tiers
                    .iter()
                    .rev()
                    .find(|t| t.0 <= 500)
                    .copied()
                    .unwrap();
                let fen = promo.filter(|p| *p < fen).unwrap_or(fen);
                assert_eq!(unit, format!("{}.{:02}", fen / 100, fen % 100), "{row}");
            }
            assert!(!row["tiers"].as_str().unwrap().is_empty());
        }
        // Without --qty the rows are as before.
        let out = tusou(
            &[
                "search",
                photo.to_str().unwrap(),
                "--format",
                "csv",
                "--page-size",
                "5",
            ],
            dir.path(),
        );
        let header = String::from_utf8_lossy(&out.stdout);
        assert!(!header.lines().next().unwrap().contains("moq"), "{header}");
    }

    #[test]
    fn qty_on_the_signed_header_provider_says_no_detail() {
        let dir = tempfile::tempdir().unwrap();
        let config = SimConfig::default();
        let id = tusou_sim::catalog_offer_ids(&config, 1)[0].clone();
        let photo = dir.path().join("photo.jpg");
        std::fs::write(&photo, tusou_sim::catalog_image(&config, &id).unwrap()).unwrap();
        let out = tusou(
            &[
                "search",
                photo.to_str().unwrap(),
                "--provider",
                "signed-header",
                "--format",
                "csv",
                "--page-size",
                "5",
                "--qty",
                "10",
            ],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("no detail from this provider"), "{stderr}");
        let csv = String::from_utf8_lossy(&out.stdout);
        assert!(csv.lines().next().unwrap().contains("unit_cost"), "{csv}");
    }
}
