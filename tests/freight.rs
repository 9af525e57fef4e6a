//! Domestic freight over loopback HTTP: the DajiSaaS estimate against the
//! simulator (signed, computed, retried, paced), odd replies from a bare
//! server (missing and bad fields, an oversized body), and the
//! signed-header provider sending nothing.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tusou::api::{
    ApiError, Client, ClientSettings, Destination, ErrorKind, FreightOutcome, FreightQuery, Price,
    ProviderKind, RetryPolicy,
};
use tusou::backend::demo_provider;
use tusou_sim::catalog::OfferDetail as SimDetail;
use tusou_sim::{FaultKind, Faults, SimConfig, SimCredentials};

const PATH: &str = "/alibaba/product/freightEstimate";

fn guangzhou() -> Destination {
    Destination::new("440000", "440100", "440111").expect("valid codes")
}

/// A query for `n` pieces of the offer's first SKU (none for an offer without).
fn query(id: &str, d: &SimDetail, n: u64) -> FreightQuery {
    FreightQuery {
        offer_id: id.to_string(),
        destination: guangzhou(),
        total: n,
        skus: d
            .skus
            .first()
            .map(|s| vec![(s.sku_id.to_string(), n)])
            .unwrap_or_default(),
    }
}

#[tokio::test]
async fn freight_is_signed_and_matches_the_sellers_template() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let (mut free, mut priced) = (0, 0);
    for id in tusou_sim::catalog_offer_ids(&config, 30) {
        let d = tusou_sim::catalog_detail(&config, &id).expect("in the catalog");
        for n in [1, 37] {
            let got = client
                .freight_estimate(&query(&id, &d, n))
                .await
                .expect("estimate");
            let sku = d.skus.first();
            match d.freight_fen(&[(sku, n)]) {
                None => {
                    free += 1;
                    assert!(
                        matches!(got.outcome(), FreightOutcome::Free { .. }),
                        "{id}: {:?}",
                        got.outcome()
                    );
                }
                Some(fen) => {
                    priced += 1;
                    assert_eq!(
                        got.outcome(),
                        FreightOutcome::Priced {
                            total: Price(fen),
                            for_pieces: n
                        },
                        "{id}"
                    );
                    assert_eq!(got.first_fee, Some(Price(d.freight.first_fee_fen)));
                }
            }
        }
    }
    assert!(free > 0 && priced > 0, "free {free}, priced {priced}");
    let sent: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == PATH)
        .collect();
    assert_eq!(sent.len(), 60);
    assert!(
        sent.iter()
            .all(|r| r.status == 200 && r.field("sign").is_some())
    );
    assert_eq!(sent[0].field("toCountryCode"), Some("440111"));
    assert_eq!(sim.stats().freights, 60);
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
    let client = Client::new(settings).expect("client builds");
    let id = &tusou_sim::catalog_offer_ids(&config, 1)[0];
    let d = tusou_sim::catalog_detail(&config, id).expect("in the catalog");
    let err = client
        .freight_estimate(&query(id, &d, 5))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert_eq!(sim.stats().freights, 0);
}

#[tokio::test]
async fn unknown_offers_and_skus_are_rejected_and_bad_queries_not_sent() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let ids = tusou_sim::catalog_offer_ids(&config, 60);
    let unknown = FreightQuery {
        offer_id: "1".into(),
        destination: guangzhou(),
        total: 3,
        skus: Vec::new(),
    };
    let err = client.freight_estimate(&unknown).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(err.to_string().contains(tusou_sim::MSG_UNKNOWN_OFFER));
    let with_skus = ids
        .iter()
        .find(|id| tusou_sim::catalog_detail(&config, id).is_some_and(|d| !d.skus.is_empty()))
        .expect("an offer with SKUs");
    let bad_sku = FreightQuery {
        offer_id: with_skus.clone(),
        destination: guangzhou(),
        total: 3,
        skus: vec![("999".into(), 3)],
    };
    let err = client.freight_estimate(&bad_sku).await.unwrap_err();
    assert!(err.to_string().contains(tusou_sim::MSG_BAD_SKU), "{err}");
    // Lines that do not add up are refused unsent.
    let before = sim.requests().len();
    let uneven = FreightQuery {
        total: 4,
        ..bad_sku
    };
    let err = client.freight_estimate(&uneven).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(sim.requests().len(), before);
}

#[tokio::test]
async fn the_simulator_refuses_codes_that_do_not_nest() {
    // Signed by hand, since tusou's own Destination would not let these through.
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let creds = SimCredentials::demo();
    // Building a tusou client installs the TLS provider reqwest needs.
    let _ = common::client(ProviderKind::DajiSaas, &sim);
    let id = tusou_sim::catalog_offer_ids(&config, 1)[0].clone();
    let sign = tusou::api::sign::dajisaas_sign(
        [
            ("appKey", Some(creds.app_key.as_str())),
            ("offerId", Some(id.as_str())),
            ("toProvinceCode", Some("330000")),
            ("toCityCode", Some("440100")),
            ("toCountryCode", Some("440111")),
            ("totalNum", Some("2")),
            ("logisticsSkuNumModels", Some("[]")),
        ],
        &creds.app_secret,
    );
    let body = serde_json::json!({
        "appKey": creds.app_key, "offerId": id.parse::<u64>().unwrap(),
        "toProvinceCode": "330000", "toCityCode": "440100", "toCountryCode": "440111",
        "totalNum": 2, "logisticsSkuNumModels": [], "sign": sign,
    });
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("{}{PATH}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(reply["code"], 400, "{reply}");
    assert_eq!(reply["message"], tusou_sim::MSG_BAD_ADDRESS);
    // The same body with nesting codes passes the signature and the check.
    assert!(Destination::new("330000", "440100", "440111").is_err());
}

#[tokio::test]
async fn faults_on_the_freight_endpoint_are_retried() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    sim.set_faults(Faults {
        kinds: vec![FaultKind::TruncatedBody, FaultKind::ServerError],
        rate: 1.0,
        first_n: Some(2),
        ..Faults::default()
    });
    let client = common::retrying_client(ProviderKind::DajiSaas, &sim);
    let id = &tusou_sim::catalog_offer_ids(&config, 1)[0];
    let d = tusou_sim::catalog_detail(&config, id).expect("in the catalog");
    client
        .freight_estimate(&query(id, &d, 2))
        .await
        .expect("third attempt passes");
    assert_eq!(sim.stats().freights, 1);
    assert_eq!(sim.requests().iter().filter(|r| r.path == PATH).count(), 3);
}

#[tokio::test]
async fn freight_requests_share_the_clients_pacer() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let mut settings = ClientSettings::new(demo_provider(
        ProviderKind::DajiSaas,
        &SimCredentials::demo(),
        &sim.base_url(),
    ));
    settings.rate = Some(4.0);
    settings.retry = RetryPolicy::none();
    let client = Client::new(settings).expect("client builds");
    let ids = tusou_sim::catalog_offer_ids(&config, 4);
    let started = Instant::now();
    for id in &ids {
        let d = tusou_sim::catalog_detail(&config, id).expect("in the catalog");
        client.offer_detail(id, "en").await.expect("detail");
        client
            .freight_estimate(&query(id, &d, 3))
            .await
            .expect("estimate");
    }
    // Eight requests at 4/s: at least 7 periods of 250 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(1700),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(client.pacer().map(|p| p.sent()), Some(8));
    assert!(sim.stats().max_per_second <= 4, "{:?}", sim.stats());
}

#[tokio::test]
async fn the_signed_header_provider_has_no_freight_and_sends_nothing() {
    let sim = common::start(SimConfig::default()).await;
    let client = common::client(ProviderKind::SignedHeader, &sim);
    assert!(!client.capabilities().freight_estimate);
    let q = FreightQuery {
        offer_id: "612345678901".into(),
        destination: guangzhou(),
        total: 5,
        skus: Vec::new(),
    };
    let err = client.freight_estimate(&q).await.unwrap_err();
    assert!(matches!(err, ApiError::NoFreight { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("no freight from this provider"));
    assert!(sim.requests().is_empty(), "nothing was sent");
}

/// A server answering every request with `head` then `body`.
async fn fixed_server(head: &'static str, body: String) -> String {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (head, body) = (head, body.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16384];
                let _ = sock.read(&mut buf).await;
                let head = head.replace("{len}", &body.len().to_string());
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            });
        }
    });
    format!("http://{addr}")
}

fn bare_client(base_url: String) -> Client {
    common::dajisaas_client_at(base_url, Duration::from_secs(10))
}

const OK_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n";

fn bare_query() -> FreightQuery {
    FreightQuery {
        offer_id: "612345678901".into(),
        destination: guangzhou(),
        total: 10,
        skus: Vec::new(),
    }
}

#[tokio::test]
async fn missing_and_bad_fields_are_unknown_never_zero() {
    for body in [
        r#"{"code":200,"data":{"freePostage":false}}"#,
        r#"{"code":200,"data":{"freight":"n/a","freePostage":"false"}}"#,
        r#"{"code":200,"data":{"freight":null,"templateType":2}}"#,
    ] {
        let client = bare_client(fixed_server(OK_HEAD, body.to_string()).await);
        let got = client.freight_estimate(&bare_query()).await.expect("read");
        assert!(
            matches!(got.outcome(), FreightOutcome::Unknown { .. }),
            "{body}: {:?}",
            got.outcome()
        );
    }
    let client = bare_client(
        fixed_server(
            OK_HEAD,
            r#"{"code":200,"data":{"freight":8.5,"freePostage":0}}"#.into(),
        )
        .await,
    );
    let got = client.freight_estimate(&bare_query()).await.expect("read");
    assert_eq!(
        got.outcome(),
        FreightOutcome::Priced {
            total: Price(850),
            for_pieces: 10
        }
    );
    let client = bare_client(fixed_server(OK_HEAD, r#"{"code":200,"data":[1]}"#.into()).await);
    let err = client.freight_estimate(&bare_query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

#[tokio::test]
async fn an_oversized_reply_stops_at_the_cap() {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n";
    let client = bare_client(fixed_server(head, String::new()).await);
    let err = client.freight_estimate(&bare_query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
}
