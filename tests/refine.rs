//! Refining an image search by words over loopback HTTP: DajiSaaS sends
//! `keyword` and `auxiliaryText` (signed like every parameter) and the
//! simulator ranks titles holding them first; the signed-header provider,
//! which takes neither, refuses them before sending anything.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use tusou::api::{ApiError, ErrorKind, ImageRef, Offer, ProviderKind, SearchParams};
use tusou_sim::{SimConfig, SimHandle};

const QUERY_PATHS: [&str; 2] = [
    "/alibaba/product/imageQuery",
    "/v2/alibaba/product/image/query",
];

fn picture(sim: &SimHandle, config: &SimConfig) -> ImageRef {
    let id = &tusou_sim::catalog_offer_ids(config, 1)[0];
    let file = tusou_sim::catalog_picture_file(config, id).expect("picture");
    ImageRef::Address(format!("{}/img/ibank/{file}", sim.base_url()))
}

fn holds(o: &Offer, word: &str) -> bool {
    let w = word.to_lowercase();
    o.title.to_lowercase().contains(&w)
        || o.title_en
            .as_deref()
            .is_some_and(|t| t.to_lowercase().contains(&w))
}

fn queries(sim: &SimHandle) -> Vec<tusou_sim::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| QUERY_PATHS.contains(&r.path.as_str()))
        .collect()
}

#[tokio::test]
async fn dajisaas_sends_keyword_and_hint_signed_and_the_words_rank_first() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let image = picture(&sim, &config);
    let plain = SearchParams {
        page_size: Some(50),
        ..SearchParams::default()
    };
    let page = client.search_page(&image, &plain, 1).await.expect("plain");
    // A word from a title low on the plain page.
    let low = page.offers.last().expect("offers");
    let word = low
        .title_en
        .as_deref()
        .and_then(|t| t.split_whitespace().find(|w| w.len() >= 5))
        .expect("an English word")
        .to_string();

    let refined = SearchParams {
        keyword: Some(word.clone()),
        hint: Some("热卖的".into()),
        ..plain.clone()
    };
    let got = client
        .search_page(&image, &refined, 1)
        .await
        .expect("refined");
    assert!(holds(&got.offers[0], &word), "{word:?} ranks first");
    let first_miss = got
        .offers
        .iter()
        .position(|o| !holds(o, &word))
        .unwrap_or(got.offers.len());
    assert!(
        got.offers[first_miss..].iter().all(|o| !holds(o, &word)),
        "every offer holding {word:?} comes before the others"
    );
    assert_eq!(
        got.total_records, page.total_records,
        "words reorder, never drop"
    );

    let sent = queries(&sim);
    let last = sent.last().expect("a query");
    assert_eq!(last.status, 200, "the simulator checked the sign over them");
    assert_eq!(last.field("keyword"), Some(word.as_str()));
    assert_eq!(last.field("auxiliaryText"), Some("热卖的"));
    assert!(last.field("sign").is_some());
    assert_eq!(sent[0].field("keyword"), None, "absent words are not sent");
}

#[tokio::test]
async fn the_signed_header_provider_refuses_keyword_and_hint_unsent() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::SignedHeader, &sim);
    let image = picture(&sim, &config);
    let cases = [
        (
            "keyword",
            SearchParams {
                keyword: Some("cotton".into()),
                ..SearchParams::default()
            },
        ),
        (
            "hint",
            SearchParams {
                hint: Some("hot".into()),
                ..SearchParams::default()
            },
        ),
    ];
    for (what, params) in cases {
        // The same refusal is there to ask before any picture is handled.
        assert!(matches!(
            client.check_search(&params),
            Err(ApiError::NotTaken { .. })
        ));
        let err = client
            .search_page(&image, &params, 1)
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
        assert!(
            matches!(err.last(), ApiError::NotTaken { what: w, .. } if *w == what),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(what) && message.contains("nothing was sent"),
            "{message}"
        );
    }
    assert!(queries(&sim).is_empty(), "nothing reached the provider");
    // Without the words the same search goes through.
    let page = client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect("plain search");
    assert!(!page.offers.is_empty());
}

#[tokio::test]
async fn words_that_cannot_be_sent_are_refused_before_sending() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let image = picture(&sim, &config);
    for params in [
        SearchParams {
            keyword: Some("a\u{1b}[31mb".into()),
            ..SearchParams::default()
        },
        SearchParams {
            hint: Some("字".repeat(tusou::api::MAX_REFINE_CHARS + 1)),
            ..SearchParams::default()
        },
        SearchParams {
            keyword: Some("   ".into()),
            ..SearchParams::default()
        },
    ] {
        assert!(client.check_search(&params).is_err());
        let err = client
            .search_page(&image, &params, 1)
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    }
    assert_eq!(
        client.check_search(&SearchParams {
            keyword: Some("cotton".into()),
            hint: Some("hot".into()),
            ..SearchParams::default()
        }),
        Ok(())
    );
    assert!(queries(&sim).is_empty(), "nothing was sent");
}
