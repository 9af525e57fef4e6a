//! The providers' published contracts, over loopback against the simulator
//! (its own crate, with its own wire types: it cannot agree with a client bug).
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use common::{client, start};
use std::time::Duration;
use tusou::api::{ImageRef, ImageSource, ProviderKind, Region, SearchParams};
use tusou::image::PrepareOptions;
use tusou_sim::{self as sim, SimConfig};

fn catalog_id(config: &SimConfig, index: usize) -> String {
    sim::catalog_offer_ids(config, index + 1)[index].clone()
}

#[tokio::test]
async fn dajisaas_searches_a_1688_picture_by_image_url() {
    let config = SimConfig::default();
    let sim = start(config.clone()).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let id = catalog_id(&config, 3);
    // The simulator serves its catalog pictures where 1688 would (alicdn).
    let url = format!("{}/img/{id}.jpg", sim.base_url());
    let resolved = client
        .resolve_source(&ImageSource::Url(url.clone()), &PrepareOptions::default())
        .await
        .expect("by address");
    assert_eq!(resolved.image, ImageRef::Address(url.clone()));
    let page = client
        .search_page(&resolved.image, &SearchParams::default(), 1)
        .await
        .expect("query by imageUrl");
    assert_eq!(page.offers[0].offer_id.as_deref(), Some(id.as_str()));
    let requests = sim.requests();
    let query = requests
        .iter()
        .find(|r| r.path == "/alibaba/product/imageQuery")
        .expect("a query");
    assert_eq!(query.field("imageUrl"), Some(url.as_str()));
    assert_eq!(query.field("imageAddress"), None);
    assert!(requests.iter().all(|r| r.path != "/alibaba/upload/image"));
}

#[tokio::test]
async fn region_from_a_4000x3000_photo_is_scaled_into_the_prepared_copy_in_provider_order() {
    for kind in [ProviderKind::DajiSaas, ProviderKind::SignedHeader] {
        let sim = start(SimConfig::default()).await;
        let client = client(kind, &sim);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("photo-4000x3000.jpg");
        let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
            image::Rgb([(x / 16) as u8, (y / 12) as u8, 90])
        });
        img.save(&path).expect("write photo");
        let resolved = client
            .resolve_source(&ImageSource::File(path), &PrepareOptions::default())
            .await
            .expect("resolves");
        assert_eq!(resolved.source_size, Some((4000, 3000)));
        assert_eq!(resolved.sent_size, Some((1000, 750)));
        let region: Region = "1000,500,3000,2500".parse().expect("region");
        let wire = resolved.region_wire(&region).expect("inside");
        assert_eq!(wire, "250,750,125,625", "x1,x2,y1,y2 in the 1000×750 copy");
        let params = SearchParams {
            region: Some(wire.clone()),
            ..SearchParams::default()
        };
        client
            .search_page(&resolved.image, &params, 1)
            .await
            .expect("the provider accepts the region");
        let requests = sim.requests();
        let sent = requests
            .iter()
            .rev()
            .find_map(|r| r.field("region").map(str::to_string));
        assert_eq!(sent.as_deref(), Some(wire.as_str()), "{kind:?}");
        // A box outside the photo is refused before anything is sent.
        let outside: Region = "3000,2000,4500,2500".parse().expect("syntax");
        let err = resolved.region_wire(&outside).expect_err("outside");
        assert!(err.contains("outside the picture (4000×3000"), "{err}");
    }
}

#[tokio::test]
async fn an_expired_image_id_is_uploaded_again_once_and_the_search_succeeds() {
    let config = SimConfig::default();
    let sim = start(config.clone()).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let id = catalog_id(&config, 5);
    let jpeg = sim::catalog_image(&config, &id).expect("picture");
    let prepared = tusou::image::prepare(&jpeg, &PrepareOptions::default()).expect("prepares");
    let image = client.resolve_image(&prepared).await.expect("upload");
    let first = client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("page 1");
    assert!(first.notices.is_empty());
    // The provider forgets every id (as after its TTL).
    sim.forget_uploads();
    let second = client
        .search_page(&image, &SearchParams::default(), 2)
        .await
        .expect("page 2 after a re-upload");
    assert_eq!(second.current_page, 2);
    assert!(
        second
            .notices
            .iter()
            .any(|n| n.contains("uploaded it again")),
        "{:?}",
        second.notices
    );
    // Later pages with the old id go straight to the new one: one re-upload.
    client
        .search_page(&image, &SearchParams::default(), 3)
        .await
        .expect("page 3");
    let uploads = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/alibaba/upload/image")
        .count();
    assert_eq!(uploads, 2, "one upload, then exactly one re-upload");
    // The cache holds the fresh id: a new resolve does not upload again.
    client.resolve_image(&prepared).await.expect("cached");
    let uploads_after = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/alibaba/upload/image")
        .count();
    assert_eq!(uploads_after, 2);
}

#[tokio::test]
async fn ids_expire_after_the_simulators_ttl() {
    let config = SimConfig {
        id_ttl: Some(Duration::from_millis(200)),
        ..SimConfig::default()
    };
    let sim = start(config.clone()).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let id = catalog_id(&config, 1);
    let jpeg = sim::catalog_image(&config, &id).expect("picture");
    let prepared = tusou::image::prepare(&jpeg, &PrepareOptions::default()).expect("prepares");
    let image = client.resolve_image(&prepared).await.expect("upload");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let page = client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("re-uploaded after expiry");
    assert_eq!(page.offers[0].offer_id.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn signed_header_offers_have_no_offer_link_dajisaas_offers_do() {
    let config = SimConfig::default();
    let sim = start(config.clone()).await;
    let id = catalog_id(&config, 0);
    let jpeg = sim::catalog_image(&config, &id).expect("picture");
    let prepared = tusou::image::prepare(&jpeg, &PrepareOptions::default()).expect("prepares");
    for kind in [ProviderKind::DajiSaas, ProviderKind::SignedHeader] {
        let client = client(kind, &sim);
        let image = client.resolve_image(&prepared).await.expect("resolve");
        let page = client
            .search_page(&image, &SearchParams::default(), 1)
            .await
            .expect("query");
        let first = &page.offers[0];
        match kind {
            ProviderKind::DajiSaas => assert_eq!(
                first.link().as_deref(),
                Some(format!("https://detail.1688.com/offer/{id}.html").as_str())
            ),
            ProviderKind::SignedHeader => {
                assert!(page.offers.iter().all(|o| o.link().is_none()));
                assert!(first.offer_map_id.is_some());
                assert!(first.picture_link().is_some(), "the picture stands in");
            }
        }
    }
}
