//! Provider answers kept in the store over loopback HTTP (`tusou::kept`):
//! a freight estimate or an offer's detail asked again within a day sends
//! nothing, a stale one is asked again, another question (quantity) is
//! asked, a refresh asks, and an error is not kept.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use tusou::api::{Destination, FreightQuery, ProviderKind};
use tusou::kept::{FRESH_SECS, freight_estimate, offer_detail};
use tusou::store::{Opened, Store};
use tusou_sim::SimConfig;

fn query(id: &str, sku: Option<String>, n: u64) -> FreightQuery {
    FreightQuery {
        offer_id: id.to_string(),
        destination: Destination::new("440000", "440100", "440111").expect("valid codes"),
        total: n,
        skus: sku.map(|s| vec![(s, n)]).unwrap_or_default(),
    }
}

fn store_at(path: &std::path::Path) -> Store {
    match Store::open(path, None) {
        Opened::On { store, .. } => store,
        Opened::Off { reason } => panic!("store off: {reason}"),
    }
}

/// Moves every kept estimate `secs` into the past, as time passing would.
fn age_by(path: &std::path::Path, secs: i64) {
    let conn = rusqlite::Connection::open(path).expect("db opens");
    let n = conn
        .execute("UPDATE freights SET fetched_at = fetched_at - ?1", [secs])
        .expect("aged");
    assert!(n > 0, "something was kept");
}

#[tokio::test]
async fn a_second_ask_within_a_day_sends_nothing_and_a_stale_one_asks_again() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tusou.db");
    let store = store_at(&path);
    let id = tusou_sim::catalog_offer_ids(&config, 1)[0].clone();
    let detail = tusou_sim::catalog_detail(&config, &id).expect("in the catalog");
    let sku = detail.skus.first().map(|s| s.sku_id.to_string());
    let q = query(&id, sku.clone(), 500);

    let first = freight_estimate(&client, Some(&store), "dajisaas", &q)
        .await
        .expect("estimate");
    assert_eq!(sim.stats().freights, 1);
    let again = freight_estimate(&client, Some(&store), "dajisaas", &q)
        .await
        .expect("kept estimate");
    assert_eq!(sim.stats().freights, 1, "the kept one answered");
    assert_eq!(again.outcome(), first.outcome());
    assert_eq!(again.first_fee, first.first_fee);

    // Another process (a later run) reads the same file.
    let later = store_at(&path);
    freight_estimate(&client, Some(&later), "dajisaas", &q)
        .await
        .expect("kept estimate");
    assert_eq!(sim.stats().freights, 1, "kept across runs");

    // Another quantity is another question.
    freight_estimate(
        &client,
        Some(&store),
        "dajisaas",
        &query(&id, sku.clone(), 37),
    )
    .await
    .expect("estimate");
    assert_eq!(sim.stats().freights, 2);

    // A day later: asked again, and the new answer kept.
    age_by(&path, FRESH_SECS);
    freight_estimate(&client, Some(&store), "dajisaas", &q)
        .await
        .expect("estimate");
    assert_eq!(sim.stats().freights, 3, "a stale one is asked again");
    freight_estimate(&client, Some(&store), "dajisaas", &q)
        .await
        .expect("kept estimate");
    assert_eq!(sim.stats().freights, 3, "the new answer kept");

    // Without a store, every ask is sent.
    freight_estimate(&client, None, "dajisaas", &q)
        .await
        .expect("estimate");
    assert_eq!(sim.stats().freights, 4);
}

#[tokio::test]
async fn an_error_is_not_kept() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_at(&dir.path().join("tusou.db"));
    // An offer the simulator does not know: refused each time it is asked.
    let q = query("999999999999", None, 5);
    for sent in 1..=2 {
        let err = freight_estimate(&client, Some(&store), "dajisaas", &q).await;
        assert!(err.is_err(), "{err:?}");
        assert_eq!(
            sim.requests()
                .iter()
                .filter(|r| r.path == "/alibaba/product/freightEstimate")
                .count(),
            sent,
            "asked again"
        );
    }
    assert_eq!(store.freight("dajisaas", &q).expect("readable"), None);
}

#[tokio::test]
async fn a_detail_kept_less_than_a_day_ago_is_the_stores_and_a_refresh_asks() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tusou.db");
    let store = store_at(&path);
    let id = tusou_sim::catalog_offer_ids(&config, 1)[0].clone();

    let (first, at) = offer_detail(&client, Some(&store), "dajisaas", &id, "en", false)
        .await
        .expect("detail");
    assert_eq!(sim.stats().details, 1);
    assert!(at > 0);
    // A later run on the same file: the store's copy, no request.
    let later = store_at(&path);
    let (again, kept_at) = offer_detail(&client, Some(&later), "dajisaas", &id, "en", false)
        .await
        .expect("kept detail");
    assert_eq!(sim.stats().details, 1, "the kept one answered");
    assert_eq!(again.min_order, first.min_order);
    assert_eq!(kept_at, at);
    // A refresh asks the provider, and keeps the new answer.
    offer_detail(&client, Some(&store), "dajisaas", &id, "en", true)
        .await
        .expect("detail");
    assert_eq!(sim.stats().details, 2);
    // A day later: asked again.
    let conn = rusqlite::Connection::open(&path).expect("db opens");
    conn.execute(
        "UPDATE details SET fetched_at = fetched_at - ?1",
        [FRESH_SECS],
    )
    .expect("aged");
    offer_detail(&client, Some(&store), "dajisaas", &id, "en", false)
        .await
        .expect("detail");
    assert_eq!(sim.stats().details, 3);
    // Without a store (history off): every ask is the provider's.
    offer_detail(&client, None, "dajisaas", &id, "en", false)
        .await
        .expect("detail");
    assert_eq!(sim.stats().details, 4);
}
