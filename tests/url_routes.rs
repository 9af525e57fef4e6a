//! Searching from a URL that is not 1688's: the client downloads the picture
//! itself (size cap while streaming, redirects bounded, content sniffed) and
//! searches with it as with a file. A small picture host runs in the test,
//! on loopback, beside the simulator.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use common::client;
use std::net::Ipv4Addr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tusou::api::{
    ErrorKind, ImageRef, ImageSource, ProviderKind, ResolveError, Route, SearchParams,
};
use tusou::image::PrepareOptions;
use tusou_sim::{self as sim, SimConfig, SimHandle};

async fn start_sim() -> (SimHandle, SimConfig) {
    let config = SimConfig::default();
    (common::start(config.clone()).await, config)
}

/// What the picture host answers on a path.
#[derive(Clone)]
enum Reply {
    /// 200 with this body and its length.
    Body(Vec<u8>),
    /// 200 with a Content-Length over the cap, and no body sent.
    Announced(u64),
    /// 200 with no length, then bytes forever (until the client hangs up).
    Endless,
    /// 302 to the same path: a redirect loop.
    Loop,
}

/// Serves `reply` on every request to a loopback port; answers the base URL.
async fn picture_host(reply: Reply) -> String {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let _ = sock.read(&mut head).await;
                let _ = match reply {
                    Reply::Body(body) => {
                        let h = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = sock.write_all(h.as_bytes()).await;
                        sock.write_all(&body).await
                    }
                    Reply::Announced(n) => {
                        let h = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n"
                        );
                        sock.write_all(h.as_bytes()).await
                    }
                    Reply::Endless => {
                        let h = "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nConnection: close\r\n\r\n";
                        let _ = sock.write_all(h.as_bytes()).await;
                        // A JPEG start, then zeros: only the cap stops it.
                        let _ = sock.write_all(&[0xFF, 0xD8, 0xFF, 0xE0]).await;
                        let chunk = vec![0u8; 64 * 1024];
                        // Bounded by the client hanging up, and by a count.
                        let mut sent = 0u64;
                        while sent < 200 * 1024 * 1024 {
                            if sock.write_all(&chunk).await.is_err() {
                                break;
                            }
                            sent += chunk.len() as u64;
                        }
                        Ok(())
                    }
                    Reply::Loop => {
                        let h = "HTTP/1.1 302 Found\r\nLocation: /again.jpg\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                        sock.write_all(h.as_bytes()).await
                    }
                };
            });
        }
    });
    format!("http://{addr}")
}

/// A catalog photo's bytes (a real JPEG the simulator knows).
fn catalog_jpeg(config: &SimConfig, index: usize) -> (String, Vec<u8>) {
    let id = sim::catalog_offer_ids(config, index + 1)[index].clone();
    let jpeg = sim::catalog_image(config, &id).expect("catalog image");
    (id, jpeg)
}

#[tokio::test]
async fn a_url_that_is_not_1688s_is_downloaded_uploaded_and_searched() {
    let (sim, config) = start_sim().await;
    let (offer_id, jpeg) = catalog_jpeg(&config, 4);
    let host = picture_host(Reply::Body(jpeg)).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let source = ImageSource::Url(format!("{host}/shop/photo.jpg"));
    let resolved = client
        .resolve_source(&source, &PrepareOptions::default())
        .await
        .expect("resolves");
    assert!(
        matches!(&resolved.route, Route::Downloaded { host, .. } if host == "127.0.0.1"),
        "{:?}",
        resolved.route
    );
    assert!(
        matches!(resolved.image, ImageRef::Id(_)),
        "uploaded: {:?}",
        resolved.image
    );
    assert!(
        resolved.summary.contains("downloaded it from 127.0.0.1"),
        "{}",
        resolved.summary
    );
    let page = client
        .search_page(&resolved.image, &SearchParams::default(), 1)
        .await
        .expect("query");
    assert_eq!(page.offers[0].offer_id.as_deref(), Some(offer_id.as_str()));
    // The provider saw an upload, and a query by id: never the foreign URL.
    let requests = sim.requests();
    assert!(requests.iter().any(|r| r.path == "/alibaba/upload/image"));
    let query = requests
        .iter()
        .find(|r| r.path == "/alibaba/product/imageQuery")
        .expect("a query");
    assert!(query.fields.iter().any(|(k, _)| k == "imageId"));
    assert!(
        !query
            .fields
            .iter()
            .any(|(_, v)| v.contains("/shop/photo.jpg"))
    );
}

#[tokio::test]
async fn the_signed_header_provider_gets_a_downloaded_picture_inline() {
    let (sim, config) = start_sim().await;
    let (offer_id, jpeg) = catalog_jpeg(&config, 2);
    let host = picture_host(Reply::Body(jpeg)).await;
    let client = client(ProviderKind::SignedHeader, &sim);
    let resolved = client
        .resolve_source(
            &ImageSource::Url(format!("{host}/p.jpg")),
            &PrepareOptions::default(),
        )
        .await
        .expect("resolves");
    assert!(matches!(resolved.image, ImageRef::Base64(_)));
    let page = client
        .search_page(&resolved.image, &SearchParams::default(), 1)
        .await
        .expect("query");
    let file = sim::catalog_picture_file(&config, &offer_id).expect("picture file");
    assert_eq!(
        page.offers[0]
            .image_url
            .as_deref()
            .map(|u| u.ends_with(&format!("/img/ibank/{file}"))),
        Some(true)
    );
}

#[tokio::test]
async fn a_body_announced_over_the_cap_is_refused_without_reading() {
    let (sim, _) = start_sim().await;
    let host = picture_host(Reply::Announced(21 * 1024 * 1024)).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let err = client
        .resolve_source(
            &ImageSource::Url(format!("{host}/big.jpg")),
            &PrepareOptions::default(),
        )
        .await
        .expect_err("too large");
    let ResolveError::Api(api) = &err else {
        panic!("wrong error: {err}")
    };
    assert_eq!(api.kind(), ErrorKind::TooLarge);
    assert!(err.to_string().contains("picture too large"), "{err}");
    assert!(sim.requests().is_empty(), "nothing reached the provider");
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let (sim, _) = start_sim().await;
    let host = picture_host(Reply::Endless).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let err = client
        .resolve_source(
            &ImageSource::Url(format!("{host}/endless.jpg")),
            &PrepareOptions::default(),
        )
        .await
        .expect_err("too large");
    assert!(
        matches!(&err, ResolveError::Api(api) if api.kind() == ErrorKind::TooLarge),
        "{err}"
    );
    assert!(err.to_string().contains("stopped reading at"), "{err}");
}

#[tokio::test]
async fn a_web_page_is_not_taken_for_a_picture() {
    let (sim, _) = start_sim().await;
    let host = picture_host(Reply::Body(b"<!doctype html><title>shop</title>".to_vec())).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let err = client
        .resolve_source(
            &ImageSource::Url(format!("{host}/item.html")),
            &PrepareOptions::default(),
        )
        .await
        .expect_err("not a picture");
    assert!(matches!(err, ResolveError::Image(_)), "{err}");
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn redirect_loops_are_bounded() {
    let (sim, _) = start_sim().await;
    let host = picture_host(Reply::Loop).await;
    let client = client(ProviderKind::DajiSaas, &sim);
    let err = client
        .resolve_source(
            &ImageSource::Url(format!("{host}/a.jpg")),
            &PrepareOptions::default(),
        )
        .await
        .expect_err("loop");
    assert!(err.to_string().to_lowercase().contains("redirect"), "{err}");
}
