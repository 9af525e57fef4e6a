//! Demo mode's example lanes and fees, so a new user sees landed costs at
//! once. Every one is marked [`Origin::Example`], which the screen shows.
//! Live mode never gets them.

use super::lanes::{DeMinimis, Lane, Origin, PricedIn, Settings, Share, Warehouse};
use super::units::Percent;

/// The day the example fees were written (they are plausible, not quoted).
const EXAMPLES_WRITTEN: jiff::civil::Date = jiff::civil::date(2026, 12, 1);

/// `air`: 3.00 USD + 6.50 USD/kg, at least 15.00 USD, ÷6000, at 7.1 ¥/USD.
/// `sea`: ¥12.00/kg, at least ¥150.00, ÷8000.
pub fn example_lanes() -> Vec<Lane> {
    // A checked constant: the fallback to yuan is never taken (the README
    // example's test would fail).
    let usd = PricedIn::new("USD", Some(7.1), None).unwrap_or_else(|_| PricedIn::yuan());
    vec![
        Lane {
            name: "air".into(),
            divisor: 6000,
            priced_in: usd,
            base_fee: 300,
            per_kg_fee: 650,
            min_fee: 1500,
            rates_checked: Some(EXAMPLES_WRITTEN),
            origin: Origin::Example,
        },
        Lane {
            name: "sea".into(),
            divisor: 8000,
            priced_in: PricedIn::yuan(),
            base_fee: 0,
            per_kg_fee: 1200,
            min_fee: 15_000,
            rates_checked: Some(EXAMPLES_WRITTEN),
            origin: Origin::Example,
        },
    ]
}

fn example_share(basis_points: u32) -> Option<Share> {
    Percent::new(f64::from(basis_points) / 100.0, 100)
        .ok()
        .map(|percent| Share {
            percent,
            origin: Origin::Example,
        })
}

impl Settings {
    /// Demo mode: the user's own settings, with the examples where the user
    /// set nothing — the `air` and `sea` lanes (default `air`), agent 5 %,
    /// duty 5 %, VAT 20 %, de minimis 150.00 EUR at 7.7 ¥/EUR.
    pub fn with_demo_examples(mut self) -> Settings {
        if self.lanes.is_empty() {
            self.lanes = example_lanes();
            if self.default_lane.is_none() {
                self.default_lane = Some("air".into());
            }
        }
        if self.warehouse.is_none() {
            // Yiwu, where many forwarders keep a warehouse (codes of the
            // shape 1688 asks for; the simulator quotes freight to any).
            self.warehouse =
                Warehouse::new("330000", "330700", "330782", "example: a forwarder in Yiwu").ok();
        }
        let fees = &mut self.fees;
        fees.agent = fees.agent.or_else(|| example_share(500));
        fees.duty = fees.duty.or_else(|| example_share(500));
        fees.vat = fees.vat.or_else(|| example_share(2000));
        if fees.de_minimis.is_none() {
            fees.de_minimis =
                PricedIn::new("EUR", Some(7.7), None)
                    .ok()
                    .map(|priced_in| DeMinimis {
                        amount: 15_000,
                        priced_in,
                        origin: Origin::Example,
                    });
        }
        self
    }
}
