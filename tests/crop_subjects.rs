//! Detected subjects and searching one of them, over loopback: the
//! simulator reports `picRegionInfo` (DajiSaaS; the signed-header
//! provider's page keeps its seed's exact fields) for a scene of several
//! products, the client reads the boxes back into the user's pixels, and
//! searching one box finds that product first, on both providers.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use tusou::api::{ImageSource, ProviderKind, Region, SearchParams};
use tusou::image::PrepareOptions;
use tusou_sim::{self as sim, SimConfig};

#[tokio::test]
async fn each_detected_subject_of_a_scene_searches_for_its_own_product() {
    let config = SimConfig::default();
    let handle = common::start(config.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let scenes = sim::write_scenes(&config, dir.path(), 2).expect("scenes");
    assert_eq!(scenes.len(), 2);
    let (daji, signed) = (
        common::client(ProviderKind::DajiSaas, &handle),
        common::client(ProviderKind::SignedHeader, &handle),
    );
    for scene in &scenes {
        let name = scene.file_stem().unwrap().to_string_lossy().into_owned();
        let ids: Vec<String> = name.split('-').skip(1).map(String::from).collect();
        // The subjects, from DajiSaaS: the same copy goes to both providers.
        let resolved = daji
            .resolve_source(
                &ImageSource::File(scene.clone()),
                &PrepareOptions::default(),
            )
            .await
            .expect("resolves");
        let (source, sent) = (
            resolved.source_size.expect("source size"),
            resolved.sent_size.expect("sent size"),
        );
        let whole = daji
            .search_page(&resolved.image, &SearchParams::default(), 1)
            .await
            .expect("page");
        let subjects = whole.subjects.expect("picRegionInfo");
        assert_eq!(subjects.current, Some((0, sent.0, 0, sent.1)));
        let mut boxes = subjects.detected_in(sent, source);
        assert_eq!(boxes.len(), ids.len(), "{name}: {boxes:?}");
        boxes.sort_by_key(|b| b.x1);
        for (kind, client) in [
            (ProviderKind::DajiSaas, &daji),
            (ProviderKind::SignedHeader, &signed),
        ] {
            let resolved = client
                .resolve_source(
                    &ImageSource::File(scene.clone()),
                    &PrepareOptions::default(),
                )
                .await
                .expect("resolves");
            for (b, id) in boxes.iter().zip(&ids) {
                let region = Region(vec![*b]);
                let params = SearchParams {
                    region: Some(resolved.region_wire(&region).expect("inside")),
                    crop: Some(region.to_string()),
                    ..SearchParams::default()
                };
                let page = client
                    .search_page(&resolved.image, &params, 1)
                    .await
                    .expect("cropped page");
                let file = sim::catalog_picture_file(&config, id).expect("file");
                let first = page.offers[0].image_url.clone().unwrap_or_default();
                assert!(
                    first.ends_with(&format!("/img/ibank/{file}")),
                    "{kind:?} {name}: box {region} found {first}, not offer {id}'s picture {file}"
                );
                match kind {
                    // The reply says which region it searched.
                    ProviderKind::DajiSaas => {
                        let current = page.subjects.and_then(|s| s.current_in(sent, source));
                        let current = current.expect("current region");
                        assert!(
                            current.x1.abs_diff(b.x1) <= source.0 / 100 + 2,
                            "{current:?} vs {b:?}"
                        );
                    }
                    _ => assert_eq!(page.subjects, None, "the seed's fields only"),
                }
            }
        }
    }
}
