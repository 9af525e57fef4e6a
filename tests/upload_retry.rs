//! 1688's upload sometimes answers code 200 with an empty or "0" imageId; the
//! client must retry once with a smaller re-encode. A tiny stub server plays
//! that part over loopback.
#![allow(clippy::unwrap_used)] // test helpers: a failure should be loud

use axum::extract::{Multipart, State};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::{Arc, Mutex};
use tusou::api::{
    Client, ClientSettings, DajiSaasSettings, ErrorKind, ImageRef, ProviderSettings, RetryPolicy,
};
use tusou::image::{PrepareOptions, prepare};
use tusou::secret::Secret;

#[derive(Clone, Default)]
struct Seen {
    sizes: Arc<Mutex<Vec<usize>>>,
    always_empty: bool,
}

async fn upload(State(seen): State<Seen>, mut form: Multipart) -> Json<serde_json::Value> {
    let mut size = 0;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("image_base64") {
            size = field.text().await.map(|t| t.len()).unwrap_or(0);
        }
    }
    let n = {
        let mut sizes = seen.sizes.lock().unwrap();
        sizes.push(size);
        sizes.len()
    };
    let id = if n == 1 || seen.always_empty {
        "0"
    } else {
        "1164408192156408878"
    };
    Json(serde_json::json!({
        "code": 200, "message": "操作成功", "data": {"imageId": id},
        "timestamp": 1724224057972u64, "traceId": "6b9849c1a5b0"
    }))
}

async fn stub(seen: Seen) -> String {
    let app = Router::new()
        .route("/alibaba/upload/image", post(upload))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}")
}

fn noisy_photo() -> Vec<u8> {
    // Noise defeats JPEG compression, so the compact copy is large and the
    // shrunk one is visibly smaller.
    let img = image::RgbImage::from_fn(1000, 800, |x, y| {
        let v = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) as u8;
        image::Rgb([v, v.wrapping_mul(3), v.wrapping_add(90)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn client(base_url: String) -> Client {
    let mut s = ClientSettings::new(ProviderSettings::DajiSaas(DajiSaasSettings {
        base_url,
        app_key: "k".into(),
        app_secret: Secret::new("secret-value"),
        debug_send_secret: false,
    }));
    s.retry = RetryPolicy::none();
    Client::new(s).unwrap()
}

#[tokio::test]
async fn empty_image_id_is_retried_once_with_a_smaller_copy() {
    let seen = Seen::default();
    let base = stub(seen.clone()).await;
    let photo = prepare(&noisy_photo(), &PrepareOptions::default()).unwrap();
    let image = client(base).resolve_image(&photo).await.unwrap();
    assert_eq!(image, ImageRef::Id("1164408192156408878".into()));
    let sizes = seen.sizes.lock().unwrap().clone();
    assert_eq!(sizes.len(), 2);
    assert!(sizes[1] < sizes[0], "retry sent a smaller copy: {sizes:?}");
}

#[tokio::test]
async fn the_smaller_re_upload_is_said_out_loud() {
    let seen = Seen::default();
    let base = stub(seen.clone()).await;
    let photo = prepare(&noisy_photo(), &PrepareOptions::default()).unwrap();
    let uploaded = client(base).resolve_prepared(&photo).await.unwrap();
    assert_eq!(uploaded.notes.len(), 1, "{:?}", uploaded.notes);
    assert!(
        uploaded.notes[0].contains("gave no image id")
            && uploaded.notes[0].contains("smaller copy"),
        "{:?}",
        uploaded.notes
    );
    // The size the provider holds is the smaller copy's, for region scaling.
    assert!(uploaded.size.0 < photo.width || uploaded.size.1 < photo.height);
}

#[tokio::test]
async fn persistent_empty_image_id_is_an_upload_error() {
    let seen = Seen {
        always_empty: true,
        ..Seen::default()
    };
    let base = stub(seen.clone()).await;
    let photo = prepare(&noisy_photo(), &PrepareOptions::default()).unwrap();
    let err = client(base).resolve_image(&photo).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Upload);
    assert_eq!(seen.sizes.lock().unwrap().len(), 2, "exactly one retry");
}
