//! Landed cost on cursor rest (issue 24), against a standalone simulator
//! whose counters (`GET /_sim/stats`) the bench reads, with a quantity of
//! 500 and a lane set, 150 ms per request:
//!
//! * landed_rest_details / landed_rest_freights: requests from setting the
//!   quantity (the rows on screen are asked at once) through resting on 40
//!   rows going down, then on the same 40 rows going up (nothing new is
//!   asked);
//! * landed_second_session_details / _freights: the app started again on
//!   the same history store, the same walk: both are the store's (younger
//!   than a day), 0 requests;
//! * landed_rest_key_p50/p99_ms: key → highlighted row moved while the
//!   details and estimates arrive (real binary in a pty).

use super::ExternalSim;
use super::detail::{control, steps};
use super::session::*;
use std::time::Duration;

/// A lane and a warehouse in config.toml: live mode has none of its own.
const LANDED: &str = r#"
[landed]
lane = "air"
[landed.warehouse]
province = "330000"
city = "330700"
district = "330782"
label = "bench"
[[landed.lanes]]
name = "air"
divisor = 6000
currency = "USD"
rate = 7.1
base_fee = 3
per_kg_fee = 6.5
min_fee = 15
rates_checked = "2026-12-01"
"#;

/// The simulator's (details, freight estimates) counters.
fn counters(sim: &ExternalSim) -> (u64, u64) {
    let stats: serde_json::Value =
        serde_json::from_str(&control(sim, "GET", "/_sim/stats", "")).expect("stats JSON");
    (
        stats["details"].as_u64().expect("a details counter"),
        stats["freights"].as_u64().expect("a freights counter"),
    )
}

/// Searches, sets quantity 500 in Filters, and walks 40 rows down and back
/// up, resting 600 ms on each; answers the requests each way and the key
/// latencies.
fn walk(sim: &ExternalSim, data: &std::path::Path) -> ((u64, u64), (u64, u64), Vec<f64>) {
    let mut session = spawn_with_config(
        &Options {
            latency_ms: 0,
            page_size: 50,
            graphics: "halfblocks",
            big: None,
            picture: true,
            external_sim: Some(sim.base_url.clone()),
            data_dir: Some(data.to_path_buf()),
        },
        LANDED,
    );
    session.search();
    // Counted from before the quantity is set: setting it asks the rows on
    // screen at once.
    let start = counters(sim);
    // Filters: the quantity row (the sixth), 500, apply; the lane is the
    // config's.
    session.send(b"f");
    for _ in 0..5 {
        session.send(b"\x1b[B");
    }
    session.send(b"500\r");
    session.wait("the landed column", Duration::from_secs(10), |s| {
        s.parser.screen().contents().contains("landed")
    });
    session.send(b"g");
    std::thread::sleep(Duration::from_millis(800));
    let top = session
        .with(|s| s.obs.highlight)
        .expect("a highlighted row");
    let pace = Duration::from_millis(600);
    let mut lat = steps(&mut session, b"j", top, 40, pace);
    std::thread::sleep(Duration::from_millis(1500));
    let down = counters(sim);
    lat.extend(steps(&mut session, b"k", top + 40, 40, pace));
    std::thread::sleep(Duration::from_millis(1500));
    let up = counters(sim);
    lat.sort_by(f64::total_cmp);
    drop(session);
    (
        (down.0 - start.0, down.1 - start.1),
        (up.0 - down.0, up.1 - down.1),
        lat,
    )
}

pub(crate) fn landed_on_rest() {
    let sim = ExternalSim::start();
    control(&sim, "POST", "/_sim/faults", r#"{"latency_ms": 150}"#);
    let data = tempfile::tempdir().expect("tempdir");
    let (down, up, lat) = walk(&sim, data.path());
    eprintln!(
        "landed: quantity 500, lane air, 40 rows down resting 600 ms each (150 ms a request): \
         {} details and {} freight estimates; 40 rows back up: {} and {}; key → row p50 {:.2} ms, p99 {:.2} ms",
        down.0,
        down.1,
        up.0,
        up.1,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
    );
    result("landed_rest_details", down.0 as f64);
    result("landed_rest_freights", down.1 as f64);
    result("landed_rest_back_up_requests", (up.0 + up.1) as f64);
    result("landed_rest_key_p50_ms", percentile(&lat, 0.5));
    result("landed_rest_key_p99_ms", percentile(&lat, 0.99));
    // The same walk in a new session on the same store: all kept.
    let (again, again_up, _) = walk(&sim, data.path());
    eprintln!(
        "landed: the same walk after a restart on the same store: {} details and {} freight estimates (down), {} and {} (up)",
        again.0, again.1, again_up.0, again_up.1
    );
    result(
        "landed_second_session_details",
        (again.0 + again_up.0) as f64,
    );
    result(
        "landed_second_session_freights",
        (again.1 + again_up.1) as f64,
    );
    assert!(down.1 <= down.0, "more estimates than details");
    assert_eq!(up, (0, 0), "the way back up asked again");
    assert_eq!(
        (again.0 + again_up.0, again.1 + again_up.1),
        (0, 0),
        "a restart within the day asked again"
    );
    drop(sim);
}
