//! The arithmetic on hand-computed cases; each test shows its sums.

use super::*;
use crate::api::Price;
use crate::money::Currency;

fn cny_lane(divisor: u32, base: u64, per_kg: u64, min: u64) -> Lane {
    Lane {
        name: "test".into(),
        divisor,
        priced_in: PricedIn::yuan(),
        base_fee: base,
        per_kg_fee: per_kg,
        min_fee: min,
        rates_checked: None,
        origin: Origin::Yours,
    }
}

fn share(percent: f64) -> Option<Share> {
    Some(Share {
        percent: Percent::new(percent, 500).unwrap(),
        origin: Origin::Yours,
    })
}

/// Agent, duty and VAT all set, no de minimis, no extras.
fn fees(agent: f64, duty: f64, vat: f64) -> Fees {
    Fees {
        agent: share(agent),
        duty: share(duty),
        vat: share(vat),
        de_minimis: None,
        extras: Vec::new(),
    }
}

fn weight(grams: u64) -> Option<Weight> {
    Some(Weight {
        grams,
        source: FigureSource::Merchant,
    })
}

fn dims(l: u64, w: u64, h: u64) -> Option<Dims> {
    Some(Dims {
        length_mm: l,
        width_mm: w,
        height_mm: h,
        source: FigureSource::Measured,
    })
}

fn free() -> DomesticFreight {
    DomesticFreight::Free {
        source: "seller's free shipping".into(),
    }
}

fn offer(n: u64, unit_fen: u64, w: Option<Weight>, d: Option<Dims>) -> OfferInputs {
    OfferInputs {
        quantity: n,
        unit_price: Some(Price(unit_fen)),
        unit_price_source: format!("tier {n}+"),
        minimum: Minimum::default(),
        weight: w,
        dims: d,
        domestic: free(),
    }
}

fn lot(b: &Breakdown, item: &Item) -> Amount {
    b.lines
        .iter()
        .find(|l| &l.item == item)
        .map(|l| l.lot.clone())
        .unwrap()
}

fn source(b: &Breakdown, item: &Item) -> String {
    b.lines
        .iter()
        .find(|l| &l.item == item)
        .map(|l| l.source.clone())
        .unwrap()
}

fn known(fen: u64) -> Amount {
    Amount::Known(Price(fen))
}

#[test]
fn volumetric_weight_above_actual_is_charged() {
    // 100 pcs at ¥5.00; 200 g each, 300×200×100 mm = 6,000,000 mm³ ÷ 6000
    // = 1000 g volumetric > 200 g actual, so 1 kg a piece, 100 kg the lot.
    // International: ¥10.00 + ¥8.00/kg × 100 kg = ¥810.00 (over the ¥50 minimum).
    // Domestic ¥30.00 for 100 pcs. Fees 0 %.
    // Lot: 500.00 + 30.00 + 810.00 = ¥1340.00; per piece ¥13.40.
    let mut o = offer(100, 500, weight(200), dims(300, 200, 100));
    o.domestic = DomesticFreight::Quote {
        total_fen: 3000,
        for_qty: 100,
        source: "provider's estimate".into(),
    };
    let b = landed_cost(&o, &cny_lane(6000, 1000, 800, 5000), &fees(0.0, 0.0, 0.0)).unwrap();
    let c = b.chargeable.clone().unwrap();
    assert_eq!(c.basis, WeightBasis::Volumetric);
    assert_eq!(
        (c.volumetric_g, c.per_piece_g, c.lot_g),
        (Some(1000), 1000, 100_000)
    );
    assert!(
        c.source.contains("weight 0.2 kg, merchant's figure"),
        "{}",
        c.source
    );
    assert!(c.source.contains("volumetric is charged"), "{}", c.source);
    assert_eq!(lot(&b, &Item::International), known(81_000));
    assert_eq!(
        source(&b, &Item::Domestic),
        "domestic ¥30.00 for 100 pcs, provider's estimate"
    );
    assert_eq!(
        b.total,
        Total::Known {
            per_piece: Price(1340),
            lot: Price(134_000)
        }
    );
    // Per piece: international ¥810.00 ÷ 100 = ¥8.10.
    let line = b
        .lines
        .iter()
        .find(|l| l.item == Item::International)
        .unwrap();
    assert_eq!(line.per_piece, known(810));
}

#[test]
fn the_minimum_fee_applies_to_a_light_lot() {
    // 10 pcs at ¥2.00, 100 g, no size: 1 kg the lot (actual only, said so).
    // ¥10.00 + ¥8.00 × 1 = ¥18.00 < ¥50.00 minimum → ¥50.00.
    // Lot: 20.00 + 0 (free) + 50.00 = ¥70.00; per piece ¥7.00.
    let b = landed_cost(
        &offer(10, 200, weight(100), None),
        &cny_lane(6000, 1000, 800, 5000),
        &fees(0.0, 0.0, 0.0),
    )
    .unwrap();
    assert_eq!(lot(&b, &Item::International), known(5000));
    assert!(source(&b, &Item::International).contains("(the minimum fee)"));
    let c = b.chargeable.clone().unwrap();
    assert_eq!(c.basis, WeightBasis::ActualNoSize);
    assert!(c.source.contains("no size"), "{}", c.source);
    assert_eq!(b.total.per_piece(), Some(Price(700)));
}

fn with_de_minimis_150_eur() -> Fees {
    // 150.00 EUR at 7.7 ¥/EUR = ¥1155.00.
    Fees {
        de_minimis: Some(DeMinimis {
            amount: 15_000,
            priced_in: PricedIn::new("EUR", Some(7.7), None).unwrap(),
            origin: Origin::Yours,
        }),
        ..fees(0.0, 10.0, 20.0)
    }
}

#[test]
fn de_minimis_spares_duty_and_vat_up_to_the_threshold() {
    // Freight: 100 pcs × 50 g = 5 kg × ¥10.00/kg = ¥50.00; domestic free.
    let lane = cny_lane(6000, 0, 1000, 0);
    let f = with_de_minimis_150_eur();
    // ¥10.00 each: customs 1000 + 50 = ¥1050.00 ≤ ¥1155.00 → no duty, no VAT.
    // Per piece ¥1050.00 ÷ 100 = ¥10.50.
    let b = landed_cost(&offer(100, 1000, weight(50), None), &lane, &f).unwrap();
    assert_eq!(b.customs_value, known(105_000));
    assert_eq!(lot(&b, &Item::Duty), known(0));
    assert_eq!(lot(&b, &Item::Vat), known(0));
    assert!(source(&b, &Item::Duty).contains("de minimis 150.00 EUR"));
    assert_eq!(b.total.per_piece(), Some(Price(1050)));
    // ¥11.05 each: customs 1105 + 50 = ¥1155.00, exactly the threshold: spared.
    let b = landed_cost(&offer(100, 1105, weight(50), None), &lane, &f).unwrap();
    assert_eq!(lot(&b, &Item::Duty), known(0));
    // ¥11.10 each: customs 1110 + 50 = ¥1160.00 > ¥1155.00.
    // Duty 10 % = ¥116.00; VAT 20 % × (1160 + 116) = ¥255.20.
    // Lot 1160 + 116 + 255.20 = ¥1531.20; per piece 15.312 → ¥15.31.
    let b = landed_cost(&offer(100, 1110, weight(50), None), &lane, &f).unwrap();
    assert_eq!(lot(&b, &Item::Duty), known(11_600));
    assert_eq!(lot(&b, &Item::Vat), known(25_520));
    assert_eq!(
        b.total,
        Total::Known {
            per_piece: Price(1531),
            lot: Price(153_120)
        }
    );
}

#[test]
fn below_the_minimum_order_is_flagged_and_a_mixed_batch_reaches_it() {
    // 300 pcs of a SKU whose offer wants 500: flagged, still costed
    // (¥1.00 + 300 × 100 g = 30 kg × ¥1.00/kg = ¥30.00 → ¥0.10 a piece = ¥1.10).
    let lane = cny_lane(6000, 0, 100, 0);
    let mut o = offer(300, 100, weight(100), None);
    o.minimum = Minimum {
        min_order: Some(500),
        mixed_batch_reaches: false,
    };
    let b = landed_cost(&o, &lane, &fees(0.0, 0.0, 0.0)).unwrap();
    assert_eq!(b.minimum, MinimumStatus::Below { min: 500 });
    assert_eq!(b.total.per_piece(), Some(Price(110)));
    // The caller found other SKUs of the offer that make up 500 together.
    o.minimum.mixed_batch_reaches = true;
    let b = landed_cost(&o, &lane, &fees(0.0, 0.0, 0.0)).unwrap();
    assert_eq!(b.minimum, MinimumStatus::MixedBatch { min: 500 });
    o.quantity = 500;
    let b = landed_cost(&o, &lane, &fees(0.0, 0.0, 0.0)).unwrap();
    assert_eq!(b.minimum, MinimumStatus::Met);
    o.minimum.min_order = None;
    let b = landed_cost(&o, &lane, &fees(0.0, 0.0, 0.0)).unwrap();
    assert_eq!(b.minimum, MinimumStatus::Unknown);
}

#[test]
fn a_sku_priced_apart_from_the_tiers_uses_its_own_price() {
    // 100 pcs × 100 g = 10 kg × ¥10.00/kg = ¥100.00 → ¥1.00 a piece.
    // Tier price ¥5.00 → ¥6.00; the SKU's own ¥6.20 → ¥7.20.
    let lane = cny_lane(6000, 0, 1000, 0);
    let tier = offer(100, 500, weight(100), None);
    let sku = OfferInputs {
        unit_price: Some(Price(620)),
        unit_price_source: "SKU red / XL".into(),
        ..tier.clone()
    };
    let f = fees(0.0, 0.0, 0.0);
    let b = landed_cost(&tier, &lane, &f).unwrap();
    assert_eq!(b.total.per_piece(), Some(Price(600)));
    let b = landed_cost(&sku, &lane, &f).unwrap();
    assert_eq!(b.total.per_piece(), Some(Price(720)));
    assert_eq!(
        source(&b, &Item::Goods),
        "¥6.20 each at 100 pcs, SKU red / XL"
    );
}

#[test]
fn a_missing_weight_is_unknown_never_zero() {
    // No weight: neither the fallback domestic rate nor the lane can price
    // it, so the total is unknown, "no weight" listed once.
    let mut o = offer(100, 500, None, dims(100, 100, 100));
    o.domestic = DomesticFreight::UserRate { fen_per_kg: 800 };
    let b = landed_cost(&o, &cny_lane(6000, 0, 1000, 0), &fees(5.0, 5.0, 20.0)).unwrap();
    assert_eq!(b.total, Total::Unknown(vec!["no weight".into()]));
    assert_eq!(b.total.text(None), "? no weight");
    assert_eq!(lot(&b, &Item::Goods), known(50_000));
    assert!(matches!(lot(&b, &Item::International), Amount::Unknown(_)));
    assert!(matches!(lot(&b, &Item::Duty), Amount::Unknown(_)));
    assert!(b.chargeable.is_err());
    // With the weight, the fallback rate prices the domestic leg:
    // 100 × 250 g = 25 kg × ¥8.00 = ¥200.00.
    o.weight = weight(250);
    let b = landed_cost(&o, &cny_lane(6000, 0, 1000, 0), &fees(5.0, 5.0, 20.0)).unwrap();
    assert_eq!(lot(&b, &Item::Domestic), known(20_000));
    assert!(source(&b, &Item::Domestic).contains("your fallback rate"));
}

#[test]
fn free_freight_is_zero_and_unknown_freight_is_not() {
    // 10 pcs at ¥3.00, 100 g → 1 kg × ¥10.00 = ¥10.00; lot ¥40.00 → ¥4.00.
    let lane = cny_lane(6000, 0, 1000, 0);
    let f = fees(0.0, 0.0, 0.0);
    let mut o = offer(10, 300, weight(100), None);
    let b = landed_cost(&o, &lane, &f).unwrap();
    assert_eq!(lot(&b, &Item::Domestic), known(0));
    assert!(source(&b, &Item::Domestic).contains("free shipping"));
    assert_eq!(b.total.per_piece(), Some(Price(400)));
    o.domestic = DomesticFreight::or_fallback(None, None, "no freight from this provider");
    let b = landed_cost(&o, &lane, &f).unwrap();
    assert_eq!(b.total, Total::Unknown(vec!["no domestic freight".into()]));
    assert!(source(&b, &Item::Domestic).contains("no freight from this provider"));
}

#[test]
fn fees_in_another_currency_are_converted_exactly() {
    // Lane in USD at 7.1 ¥/USD: 3.00 + 6.50/kg, min 15.00, ÷6000.
    // 200 pcs at ¥4.00, 300 g, 200×150×100 mm = 3,000,000 ÷ 6000 = 500 g
    // volumetric → 100 kg the lot. 3.00 + 6.50 × 100 = 653.00 USD × 7.1
    // = ¥4636.30. Domestic ¥40.00 for 200. Goods ¥800.00.
    // Agent 5 % × (800 + 40) = ¥42.00. Customs 800 + 40 + 4636.30 = ¥5476.30.
    // Duty 4 % = 219.052 → ¥219.05. VAT 0 %. Packaging ¥0.30 × 200 = ¥60.00.
    // Lot 800 + 40 + 4636.30 + 42 + 219.05 + 0 + 60 = ¥5797.35;
    // per piece 28.98675 → ¥28.99; in USD 28.99 ÷ 7.1 = 4.083 → US$4.08.
    let lane = Lane {
        name: "air".into(),
        priced_in: PricedIn::new("USD", Some(7.1), None).unwrap(),
        ..cny_lane(6000, 300, 650, 1500)
    };
    let mut o = offer(200, 400, weight(300), dims(200, 150, 100));
    o.domestic = DomesticFreight::Quote {
        total_fen: 4000,
        for_qty: 200,
        source: "provider's estimate".into(),
    };
    let mut f = fees(5.0, 4.0, 0.0);
    f.extras.push(Extra {
        name: "packaging".into(),
        fen_per_piece: 30,
        origin: Origin::Yours,
    });
    let b = landed_cost(&o, &lane, &f).unwrap();
    assert_eq!(lot(&b, &Item::International), known(463_630));
    assert!(
        source(&b, &Item::International).contains("= 653.00 USD at the lane's rate 7.1 ¥/USD"),
        "{}",
        source(&b, &Item::International)
    );
    assert_eq!(lot(&b, &Item::AgentFee), known(4_200));
    assert_eq!(b.customs_value, known(547_630));
    assert_eq!(lot(&b, &Item::Duty), known(21_905));
    assert_eq!(lot(&b, &Item::Extra("packaging".into())), known(6_000));
    assert_eq!(
        b.total,
        Total::Known {
            per_piece: Price(2899),
            lot: Price(579_735)
        }
    );
    let usd = Currency::new("USD", 7.1).unwrap();
    assert_eq!(b.total.text(Some(&usd)), "US$4.08");
    assert_eq!(b.total.text(None), "¥28.99");
}

#[test]
fn unset_fees_are_missing_not_zero() {
    let b = landed_cost(
        &offer(10, 300, weight(100), None),
        &cny_lane(6000, 0, 1000, 0),
        &Fees::default(),
    )
    .unwrap();
    assert_eq!(
        b.total,
        Total::Unknown(vec![
            "no agent fee % (agent_fee_pct)".into(),
            "no duty % (duty_pct)".into(),
            "no VAT % (vat_pct)".into(),
        ])
    );
}

#[test]
fn a_quote_for_another_quantity_is_scaled_and_zero_pieces_refused() {
    // ¥12.00 for 500 pcs, asked for 1000: ¥24.00.
    let mut o = offer(1000, 100, weight(10), None);
    o.domestic = DomesticFreight::Quote {
        total_fen: 1200,
        for_qty: 500,
        source: "provider's estimate".into(),
    };
    let lane = cny_lane(6000, 0, 0, 0);
    let b = landed_cost(&o, &lane, &fees(0.0, 0.0, 0.0)).unwrap();
    assert_eq!(lot(&b, &Item::Domestic), known(2400));
    assert!(source(&b, &Item::Domestic).ends_with("scaled to 1000 pcs"));
    o.quantity = 0;
    assert_eq!(
        landed_cost(&o, &lane, &fees(0.0, 0.0, 0.0)),
        Err(LandedError::ZeroQuantity)
    );
}

#[test]
fn readme_worked_example() {
    // README, "Landed cost": 500 pcs at ¥3.20, 180 g, 150×100×80 mm
    // (1,200,000 mm³ ÷ 6000 = 200 g volumetric > 180 g) → 100 kg the lot.
    // Demo's `air`: 3.00 + 6.50 × 100 = 653.00 USD × 7.1 = ¥4636.30.
    // Domestic ¥25.00 for 500. Goods ¥1600.00. Agent 5 % × 1625 = ¥81.25.
    // Customs 1600 + 25 + 4636.30 = ¥6261.30 > de minimis ¥1155.00.
    // Duty 5 % = 313.065 → ¥313.07. VAT 20 % × 6574.37 = 1314.874 → ¥1314.87.
    // Lot 1600 + 25 + 4636.30 + 81.25 + 313.07 + 1314.87 = ¥7970.49;
    // per piece 15.94098 → ¥15.94.
    let settings = Settings::default().with_demo_examples();
    let lane = settings.lane(None).unwrap();
    let mut o = offer(500, 320, weight(180), dims(150, 100, 80));
    o.domestic = DomesticFreight::Quote {
        total_fen: 2500,
        for_qty: 500,
        source: "provider's estimate".into(),
    };
    let b = landed_cost(&o, lane, &settings.fees).unwrap();
    assert!(b.uses_examples);
    assert_eq!(lot(&b, &Item::International), known(463_630));
    assert_eq!(lot(&b, &Item::AgentFee), known(8_125));
    assert_eq!(lot(&b, &Item::Duty), known(31_307));
    assert_eq!(lot(&b, &Item::Vat), known(131_487));
    assert_eq!(
        b.total,
        Total::Known {
            per_piece: Price(1594),
            lot: Price(797_049)
        }
    );
    assert!(source(&b, &Item::Duty).ends_with("example"));
}

#[test]
fn lanes_are_chosen_by_name_default_or_alone() {
    let demo = Settings::default().with_demo_examples();
    let names: Vec<&str> = demo.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["air", "sea"]);
    assert!(demo.lanes.iter().all(|l| l.origin == Origin::Example));
    assert!(demo.uses_examples());
    assert_eq!(demo.lane(Some("sea")).map(|l| l.divisor), Ok(8000));
    assert_eq!(demo.lane(None).map(|l| l.name.as_str()), Ok("air"));
    let err = demo.lane(Some("rail")).unwrap_err().to_string();
    assert!(err.contains("air, sea"), "{err}");
    let live = Settings::default();
    let err = live.lane(Some("air")).unwrap_err().to_string();
    assert!(
        err.contains("[[landed.lanes]]") && err.contains("divisor"),
        "{err}"
    );
    assert!(!live.uses_examples());
}

#[test]
fn warehouse_codes_have_the_shape_of_nested_divisions() {
    use crate::api::DestinationError as E;
    let w = Warehouse::new("440000", "440300", "440306", " forwarder ").unwrap();
    assert_eq!(w.destination.district(), "440306");
    assert_eq!(w.label, "forwarder");
    let err = |p, c, d| Warehouse::new(p, c, d, "").unwrap_err();
    assert!(matches!(
        err("440300", "440300", "440306"),
        E::NotAProvince(_)
    ));
    assert!(matches!(
        err("440000", "450300", "450306"),
        E::CityOutsideProvince { .. }
    ));
    assert!(matches!(err("440000", "440301", "440306"), E::NotACity(_)));
    assert!(matches!(
        err("440000", "440300", "440406"),
        E::DistrictOutsideCity { .. }
    ));
    assert!(matches!(
        err("44000", "440300", "440306"),
        E::NotSixDigits {
            field: "province",
            ..
        }
    ));
    assert!(matches!(
        err("440000", "440300", "44030６"),
        E::NotSixDigits {
            field: "district",
            ..
        }
    ));
}
