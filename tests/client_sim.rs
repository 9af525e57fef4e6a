//! The real clients against the simulator over loopback HTTP.
#![cfg(feature = "demo")] // uses the demo credentials helper

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tusou::api::{
    ApiError, Client, ClientSettings, ErrorKind, ImageRef, Price, ProviderKind, ProviderSettings,
    RetryPolicy, SearchParams,
};
use tusou::backend::demo_provider;
use tusou::image::{PrepareOptions, prepare};
use tusou_sim::{self as sim, FaultKind, Faults, SimConfig, SimCredentials, SimHandle};

const BOTH: [ProviderKind; 2] = [ProviderKind::DajiSaas, ProviderKind::SignedHeader];

async fn start_sim() -> (SimHandle, SimConfig) {
    let config = SimConfig::default();
    let handle = sim::spawn(config.clone(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("simulator starts");
    (handle, config)
}

fn settings(kind: ProviderKind, sim: &SimHandle) -> ClientSettings {
    let mut s = ClientSettings::new(demo_provider(
        kind,
        &SimCredentials::demo(),
        &sim.base_url(),
    ));
    s.timeout = Duration::from_secs(10);
    s.retry = RetryPolicy::none();
    s
}

fn client(kind: ProviderKind, sim: &SimHandle) -> Client {
    Client::new(settings(kind, sim)).expect("client builds")
}

/// A catalog offer's own picture, prepared the way the app prepares photos.
fn catalog_photo(config: &SimConfig, index: usize) -> (String, tusou::image::PreparedImage) {
    let ids = sim::catalog_offer_ids(config, index + 1);
    let id = ids[index].clone();
    let jpeg = sim::catalog_image(config, &id).expect("catalog image");
    let prepared = prepare(&jpeg, &PrepareOptions::default()).expect("prepares");
    (id, prepared)
}

#[tokio::test]
async fn upload_then_query_by_image_id_finds_itself_first() {
    let (sim, config) = start_sim().await;
    let client = client(ProviderKind::DajiSaas, &sim);
    for index in [0, 7, 123] {
        let (id, photo) = catalog_photo(&config, index);
        let image = client.resolve_image(&photo).await.expect("upload");
        assert!(matches!(image, ImageRef::Id(_)), "{image:?}");
        let page = client
            .search_page(&image, &SearchParams::default(), 1)
            .await
            .expect("query");
        assert_eq!(page.offers[0].offer_id.as_deref(), Some(id.as_str()));
        assert!(page.total_records > 20);
        assert_eq!(page.current_page, 1);
    }
}

#[tokio::test]
async fn query_by_base64_finds_itself_first() {
    let (sim, config) = start_sim().await;
    let client = client(ProviderKind::SignedHeader, &sim);
    let (id, photo) = catalog_photo(&config, 42);
    let image = client.resolve_image(&photo).await.expect("resolve");
    assert!(matches!(image, ImageRef::Base64(_)));
    let page = client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("query");
    // Signed-header rows carry no offer id (the seed's eight fields only), so
    // the offer is known by its picture, and there is no 1688 link.
    let url = page.offers[0].image_url.as_deref().expect("image url");
    let file = sim::catalog_picture_file(&config, &id).expect("picture file");
    assert!(url.ends_with(&format!("/img/ibank/{file}")), "{url}");
    assert_eq!(page.offers[0].offer_id, None);
    assert!(page.offers[0].link().is_none());
}

/// The offer a search by the simulator's picture address put first, by its
/// picture (signed-header rows carry no offer id).
fn first_picture(page: &tusou::api::ResultPage) -> String {
    page.offers[0].image_url.clone().unwrap_or_default()
}

#[tokio::test]
async fn query_by_image_address_signed_header() {
    let (sim, config) = start_sim().await;
    let id = sim::catalog_offer_ids(&config, 10)[9].clone();
    let image = ImageRef::Address(format!("{}/img/{id}.jpg", sim.base_url()));
    let page = client(ProviderKind::SignedHeader, &sim)
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("query by address");
    let file = sim::catalog_picture_file(&config, &id).expect("picture file");
    assert!(first_picture(&page).ends_with(&format!("/img/ibank/{file}")));
}

/// DajiSaaS takes a picture link as `imageUrl` (the simulator ignores an
/// `imageAddress` there, as the provider would).
#[tokio::test]
async fn query_by_image_address_dajisaas() {
    let (sim, config) = start_sim().await;
    let id = sim::catalog_offer_ids(&config, 10)[9].clone();
    let image = ImageRef::Address(format!("{}/img/{id}.jpg", sim.base_url()));
    let page = client(ProviderKind::DajiSaas, &sim)
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("query by address");
    assert_eq!(page.offers[0].offer_id.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn pages_to_the_last_and_one_past_it() {
    let (sim, config) = start_sim().await;
    let (_, photo) = catalog_photo(&config, 3);
    for kind in BOTH {
        let client = client(kind, &sim);
        let image = client.resolve_image(&photo).await.expect("resolve");
        let params = SearchParams {
            page_size: Some(50),
            ..Default::default()
        };
        let first = client
            .search_page(&image, &params, 1)
            .await
            .expect("page 1");
        assert_eq!(first.page_size, 50);
        let last_no = first.total_pages;
        assert!(last_no > 1);
        let last = client
            .search_page(&image, &params, last_no)
            .await
            .expect("last page");
        let expected_rows = first.total_records - u64::from(last_no - 1) * 50;
        assert_eq!(last.offers.len() as u64, expected_rows);
        assert!(last.is_last());
        let past = client
            .search_page(&image, &params, last_no + 1)
            .await
            .expect("past the end is not an error");
        assert!(past.offers.is_empty());
        assert!(past.is_last());
        // Stable order: page 2 fetched twice is the same.
        let a = client.search_page(&image, &params, 2).await.expect("p2");
        let b = client
            .search_page(&image, &params, 2)
            .await
            .expect("p2 again");
        assert_eq!(a.offers, b.offers);
    }
}

#[tokio::test]
async fn price_range_respected_on_every_row() {
    let (sim, config) = start_sim().await;
    let (_, photo) = catalog_photo(&config, 5);
    let (min, max) = (Price(1000), Price(3000));
    for kind in BOTH {
        let client = client(kind, &sim);
        let image = client.resolve_image(&photo).await.expect("resolve");
        let params = SearchParams {
            price_start: Some(min),
            price_end: Some(max),
            page_size: Some(50),
            ..Default::default()
        };
        let mut seen = 0;
        for page in 1..=3 {
            let result = client
                .search_page(&image, &params, page)
                .await
                .expect("query");
            for offer in &result.offers {
                let price = offer.price.expect("every offer has a price");
                assert!(price >= min && price <= max, "{price} outside range");
                seen += 1;
            }
            if result.is_last() {
                break;
            }
        }
        assert!(seen > 0, "some offers in range");
    }
}

#[tokio::test]
async fn every_injected_fault_gives_the_right_error_kind() {
    let (sim, config) = start_sim().await;
    let (_, photo) = catalog_photo(&config, 1);
    let cases = [
        (FaultKind::RateLimit, ErrorKind::RateLimited),
        (FaultKind::ServerError, ErrorKind::Server),
        (FaultKind::MalformedJson, ErrorKind::Decode),
        (FaultKind::TruncatedBody, ErrorKind::Decode),
        (FaultKind::CodeError, ErrorKind::Server),
        (FaultKind::Timeout, ErrorKind::Timeout),
    ];
    for kind in BOTH {
        let client = client(kind, &sim);
        // A short timeout only where the stall is the fault under test, so a
        // loaded machine does not turn slow replies into false timeouts.
        let mut s = settings(kind, &sim);
        s.timeout = Duration::from_millis(700);
        let impatient = Client::new(s).expect("client");
        sim.set_faults(Faults::default());
        let image = client.resolve_image(&photo).await.expect("resolve");
        // Warm up: the catalog is built lazily on the first query.
        client
            .search_page(&image, &SearchParams::default(), 1)
            .await
            .expect("query without faults");
        for (fault, expected) in &cases {
            sim.set_faults(Faults {
                kinds: vec![*fault],
                rate: 1.0,
                retry_after_secs: 2,
                ..Faults::default()
            });
            let which = if *fault == FaultKind::Timeout {
                &impatient
            } else {
                &client
            };
            let err = which
                .search_page(&image, &SearchParams::default(), 1)
                .await
                .expect_err("fault must surface");
            assert_eq!(err.kind(), *expected, "{kind:?} {fault:?}: {err}");
            if let ApiError::RateLimited { retry_after } = &err {
                assert_eq!(*retry_after, Some(Duration::from_secs(2)));
            }
        }
        sim.set_faults(Faults::default());
    }
}

#[tokio::test]
async fn transient_faults_are_retried() {
    let (sim, config) = start_sim().await;
    let (_, photo) = catalog_photo(&config, 2);
    let mut s = settings(ProviderKind::SignedHeader, &sim);
    s.retry = RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    let client = Client::new(s).expect("client");
    let image = client.resolve_image(&photo).await.expect("resolve");
    sim.set_faults(Faults {
        kinds: vec![FaultKind::ServerError],
        rate: 1.0,
        first_n: Some(2),
        ..Faults::default()
    });
    let page = client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("third attempt succeeds");
    assert!(!page.offers.is_empty());
}

#[tokio::test]
async fn wrong_secret_is_rejected_by_the_signature_check() {
    let (sim, config) = start_sim().await;
    let (_, photo) = catalog_photo(&config, 4);
    let mut wrong = SimCredentials::demo();
    wrong.app_secret = "not-the-secret".into();
    wrong.secret_key = "not-the-secret".into();
    for kind in BOTH {
        let mut s = settings(kind, &sim);
        s.provider = demo_provider(kind, &wrong, &sim.base_url());
        let client = Client::new(s).expect("client");
        let result = match client.resolve_image(&photo).await {
            Ok(image) => client
                .search_page(&image, &SearchParams::default(), 1)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        let err = result.expect_err("wrong secret must fail");
        assert_eq!(err.kind(), ErrorKind::Auth, "{kind:?}: {err}");
        assert!(!err.to_string().contains("not-the-secret"));
    }
}

#[tokio::test]
async fn app_secret_never_on_the_wire_by_default() {
    let (sim, config) = start_sim().await;
    let (_, photo) = catalog_photo(&config, 6);
    let secret = SimCredentials::demo().app_secret;
    let client = client(ProviderKind::DajiSaas, &sim);
    let image = client.resolve_image(&photo).await.expect("upload");
    client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("query");
    let requests = sim.requests();
    assert!(requests.len() >= 2);
    for r in &requests {
        for (name, value) in r.fields.iter().chain(&r.headers) {
            assert_ne!(name, "appSecret", "{} {}", r.method, r.path);
            assert!(!value.contains(&secret), "secret in {name} of {}", r.path);
        }
        assert!(!r.path.contains(&secret));
    }

    // The explicit debug mode does send it.
    let mut s = settings(ProviderKind::DajiSaas, &sim);
    if let ProviderSettings::DajiSaas(d) = &mut s.provider {
        d.debug_send_secret = true;
    }
    let debug = Client::new(s).expect("client");
    let (_, other) = catalog_photo(&config, 8);
    debug.resolve_image(&other).await.expect("upload");
    let sent = sim
        .requests()
        .iter()
        .any(|r| r.fields.iter().any(|(n, _)| n == "appSecret"));
    assert!(sent);
}

#[tokio::test]
async fn same_photo_is_uploaded_once() {
    let (sim, config) = start_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, photo) = catalog_photo(&config, 9);
    let uploads = |sim: &SimHandle| {
        sim.requests()
            .iter()
            .filter(|r| r.path.ends_with("/upload/image"))
            .count()
    };
    let mut s = settings(ProviderKind::DajiSaas, &sim);
    s.image_ids = tusou::store::Store::open(&dir.path().join("tusou.db"), None)
        .store()
        .map(|st| st.image_ids());
    let first = Client::new(s.clone()).expect("client");
    let a = first.resolve_image(&photo).await.expect("upload");
    let b = first.resolve_image(&photo).await.expect("cached");
    assert_eq!(a, b);
    assert_eq!(uploads(&sim), 1);
    // A new client (a restart) reads the cache from disk.
    let second = Client::new(s).expect("client");
    assert_eq!(second.resolve_image(&photo).await.expect("cached"), a);
    assert_eq!(uploads(&sim), 1);
}
