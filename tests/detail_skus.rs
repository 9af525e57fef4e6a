//! The detail's SKUs, package weights, mixed-batch rule and quote type over
//! loopback HTTP, against the simulator's own model of each offer.
#![cfg(feature = "demo")] // uses the demo credentials helper

mod common;

use tusou::api::{
    AtQuantity, OrderCheck, Price, PriceFrom, ProviderKind, QuoteType, SizeSource, Weight,
    WeightFrom,
};
use tusou_sim::SimConfig;
use tusou_sim::catalog::{PackSource, Pricing, WeightStyle};

#[tokio::test]
async fn skus_weights_and_mix_rules_arrive_as_the_simulator_made_them() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let (mut per_sku, mut missing, mut old, mut text) = (0, 0, 0, 0);
    for id in tusou_sim::catalog_offer_ids(&config, 80) {
        let want = tusou_sim::catalog_detail(&config, &id).expect("in the catalog");
        let got = client.offer_detail(&id, "en").await.expect("detail");
        let ids: Vec<String> = want.skus.iter().map(|s| s.sku_id.to_string()).collect();
        let got_ids: Vec<&str> = got.skus.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(got_ids, ids, "{id}");
        let quote = match want.pricing {
            Pricing::Tiers => QuoteType::ByQuantity,
            Pricing::PerSku => QuoteType::PerSku,
            Pricing::SkusTiered => QuoteType::SkusByQuantity,
        };
        assert_eq!(got.quote_type, Some(quote), "{id}");
        for (s, w) in got.skus.iter().zip(&want.skus) {
            assert_eq!(s.price.map(|p| p.0), w.price_fen, "{id}");
            assert_eq!(s.stock, Some(w.stock));
            assert_eq!(s.attributes.len(), 2);
            assert!(s.spec_id.is_some());
        }
        // The unit price for the first SKU at the minimum order.
        if let Some(first) = want.skus.first() {
            let sku_id = first.sku_id.to_string();
            let (at, from) = got.unit_price_for(Some(&sku_id), want.min_order);
            if want.pricing == Pricing::PerSku {
                per_sku += 1;
                assert_eq!(from, PriceFrom::Sku);
                assert_eq!(at, AtQuantity::Price(Price(first.price_fen.unwrap_or(0))));
            } else {
                assert_eq!(from, PriceFrom::Tier);
                assert_eq!(at, got.unit_price_at(want.min_order));
            }
        }
        // The weight chain and its source.
        let sku_id = want.skus.first().map(|s| s.sku_id.to_string());
        let weight = got.weight_for(sku_id.as_deref());
        let expected_g = want.skus.first().map_or(want.weight_g, |s| s.weight_g);
        if want.no_shipping || want.weight_style == WeightStyle::Missing {
            missing += 1;
            assert_eq!(weight, Weight::Unknown, "{id}");
        } else if want.weight_style == WeightStyle::OldGramsOnly {
            old += 1;
            assert_eq!(
                weight,
                Weight::Known {
                    grams: expected_g,
                    from: WeightFrom::OldList
                },
                "{id}"
            );
        } else {
            text += usize::from(want.counts_as_text);
            assert_eq!(weight.grams(), Some(expected_g), "{id}: {weight:?}");
            let source = want.source.map(|s| match s {
                PackSource::Measured => SizeSource::Measured,
                PackSource::Merchant => SizeSource::Merchant,
                PackSource::Predicted => SizeSource::Predicted,
            });
            let from = if want.skus.is_empty() {
                WeightFrom::Offer(source)
            } else {
                WeightFrom::Sku(source)
            };
            assert_eq!(
                weight,
                Weight::Known {
                    grams: expected_g,
                    from
                },
                "{id}"
            );
            let dims = got.shipping.offer.dims.expect("dims");
            assert_eq!(
                (dims.length_mm, dims.width_mm, dims.height_mm),
                want.dims_mm
            );
        }
        // The mixed-batch rule.
        match want.mix {
            None => assert_eq!(got.mix, None),
            Some(m) => {
                let rule = got.mix.expect("mix rule");
                assert_eq!(rule.allowed, m.general);
                assert_eq!(rule.min_pieces, Some(m.min_pieces).filter(|n| *n > 0));
                assert_eq!(
                    rule.min_amount.map(|p| p.0),
                    Some(m.min_amount_fen).filter(|n| *n > 0)
                );
            }
        }
        assert_eq!(got.batch, want.batch);
        assert_eq!(got.unit.as_deref(), Some("Piece"));
    }
    assert!(
        per_sku > 0 && missing > 0 && old > 0 && text > 0,
        "{per_sku} {missing} {old} {text}"
    );
}

#[tokio::test]
async fn several_skus_mix_to_the_minimum_only_when_the_seller_allows() {
    let config = SimConfig::default();
    let sim = common::start(config.clone()).await;
    let client = common::client(ProviderKind::DajiSaas, &sim);
    let ids = tusou_sim::catalog_offer_ids(&config, 400);
    let find = |allowed: bool| {
        ids.iter()
            .find(|id| {
                tusou_sim::catalog_detail(&config, id).is_some_and(|d| {
                    d.skus.len() >= 2
                        && d.min_order >= 4
                        && d.mix.is_some_and(|m| {
                            m.general == allowed && m.min_amount_fen == 0 && m.min_pieces != 1
                        })
                })
            })
            .cloned()
    };
    let mixing = find(true).expect("an offer that mixes");
    let d = client.offer_detail(&mixing, "en").await.expect("detail");
    // mixNumber when the rule has one, else the minimum order, together.
    let rule = d.mix.expect("a mix rule");
    let min = rule.min_pieces.or(d.min_order).expect("a minimum");
    let (a, b) = (d.skus[0].id.clone(), d.skus[1].id.clone());
    let half = min / 2;
    let lines = [(Some(a.as_str()), half), (Some(b.as_str()), min - half)];
    assert_eq!(d.check_order(&lines), OrderCheck::MixedPieces);
    let short = [(Some(a.as_str()), half), (Some(b.as_str()), min - half - 1)];
    assert!(!d.check_order(&short).meets());
    if let Some(strict) = find(false) {
        let d = client.offer_detail(&strict, "en").await.expect("detail");
        let min = d.min_order.expect("a minimum");
        let (a, b) = (d.skus[0].id.clone(), d.skus[1].id.clone());
        let lines = [
            (Some(a.as_str()), min / 2),
            (Some(b.as_str()), min - min / 2),
        ];
        assert!(matches!(
            d.check_order(&lines),
            OrderCheck::Below { mixed: false, .. }
        ));
    }
}
