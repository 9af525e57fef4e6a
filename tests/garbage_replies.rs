//! Replies that are not the documented shape are not data. A stub provider
//! on loopback answers each page with a body the test chooses.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tusou::api::{
    Client, ClientSettings, DajiSaasSettings, ErrorKind, ImageRef, ProviderSettings, RetryPolicy,
    SearchParams,
};
use tusou::secret::Secret;

#[derive(Clone)]
struct Stub {
    /// Body per `beginPage`.
    pages: Arc<HashMap<u32, String>>,
    hits: Arc<AtomicUsize>,
}

async fn query(State(stub): State<Stub>, Query(q): Query<HashMap<String, String>>) -> String {
    stub.hits.fetch_add(1, Ordering::SeqCst);
    let page: u32 = q.get("beginPage").and_then(|p| p.parse().ok()).unwrap_or(1);
    stub.pages.get(&page).cloned().unwrap_or_default()
}

async fn serve(pages: &[(u32, String)]) -> (Client, Arc<AtomicUsize>) {
    let stub = Stub {
        pages: Arc::new(pages.iter().cloned().collect()),
        hits: Arc::new(AtomicUsize::new(0)),
    };
    let hits = stub.hits.clone();
    let app = Router::new()
        .route("/alibaba/product/imageQuery", get(query))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let mut s = ClientSettings::new(ProviderSettings::DajiSaas(DajiSaasSettings {
        base_url: format!("http://{addr}"),
        app_key: "key".into(),
        app_secret: Secret::new("secret-value"),
        debug_send_secret: false,
    }));
    s.timeout = Duration::from_secs(5);
    s.retry = RetryPolicy {
        retries: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    (Client::new(s).expect("client"), hits)
}

/// A page of `n` well-formed offers, numbered from `first`.
fn offers(first: u32, n: u32) -> Vec<String> {
    (first..first + n)
        .map(|i| {
            format!(r#"{{"offerId":"{i}","subject":"offer {i}","priceInfo":{{"price":"1.00"}}}}"#)
        })
        .collect()
}

fn page_body(total_records: u32, total_page: u32, current: u32, items: &[String]) -> String {
    format!(
        r#"{{"code":200,"message":"ok","data":{{"totalRecords":{total_records},"totalPage":{total_page},"pageSize":20,"currentPage":{current},"data":[{}]}}}}"#,
        items.join(",")
    )
}

#[tokio::test]
async fn data_that_is_not_a_page_is_a_decode_error_not_zero_offers() {
    let (client, hits) = serve(&[(1, r#"{"code":200,"data":[1,2,3]}"#.into())]).await;
    let result = client
        .search_page(&ImageRef::Id("1".into()), &SearchParams::default(), 1)
        .await;
    let err = result.expect_err("[1,2,3] is not a page");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 3, "decode errors are retried");
}

#[tokio::test]
async fn an_empty_page_before_the_last_is_an_error_not_the_end() {
    let empty = page_body(100, 5, 4, &[]);
    let zero = page_body(0, 0, 4, &[]);
    for body in [empty, zero] {
        let (client, _) = serve(&[(4, body.clone())]).await;
        let err = client
            .search_page(&ImageRef::Id("1".into()), &SearchParams::default(), 4)
            .await
            .expect_err(&body);
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert!(err.to_string().contains("page 4 came back empty"), "{err}");
    }
    // Past the last page, and a search with no results: the ordinary end.
    let (client, _) = serve(&[(6, page_body(100, 5, 6, &[])), (1, page_body(0, 0, 1, &[]))]).await;
    for page in [6, 1] {
        let result = client
            .search_page(&ImageRef::Id("1".into()), &SearchParams::default(), page)
            .await
            .expect("the end is not an error");
        assert!(result.offers.is_empty() && result.is_last());
    }
}

#[tokio::test]
async fn one_malformed_offer_is_skipped_and_reported_not_the_page() {
    let mut items = offers(1, 19);
    items.insert(7, r#"["not","an","offer"]"#.into());
    let (client, _) = serve(&[(2, page_body(100, 5, 2, &items))]).await;
    let page = client
        .search_page(&ImageRef::Id("1".into()), &SearchParams::default(), 2)
        .await
        .expect("the page stands");
    assert_eq!(page.offers.len(), 19);
    assert!(!page.is_last());
    assert_eq!(page.notices.len(), 1, "{:?}", page.notices);
    assert!(
        page.notices[0].contains("skipped 1 of 20 items"),
        "{:?}",
        page.notices
    );
    assert!(page.notices[0].contains("item 8"), "{:?}", page.notices);
}

#[tokio::test]
async fn real_variations_are_still_read() {
    let body = r#"{"code":"200","msg":"成功","data":{"totalRecords":"40","totalPage":"2","pageSize":"20","currentPage":null,
        "data":[{"offerId":612345678901,"subject":"a","subjectTrans":null,"priceInfo":{"price":12.5,"jxhyPrice":null},
                 "monthSold":"42","repurchaseRate":"5%","isJxhy":1,"imageUrl":null}]}}"#;
    let (client, _) = serve(&[(1, body.into())]).await;
    let page = client
        .search_page(&ImageRef::Id("1".into()), &SearchParams::default(), 1)
        .await
        .expect("tolerated");
    assert_eq!(page.total_records, 40);
    assert_eq!(page.total_pages, 2);
    assert_eq!(page.offers.len(), 1);
    assert_eq!(page.offers[0].month_sold, Some(42));
    assert!(page.notices.is_empty());
}
