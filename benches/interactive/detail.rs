//! Offer detail on cursor rest, against a standalone simulator whose
//! request counters (`GET /_sim/stats`) the bench reads:
//!
//! * detail_fast_scroll_requests: detail requests while 40 rows are
//!   scrolled at 30 ms a key (faster than the 300 ms rest): 0 expected.
//! * detail_rest_fetch_p50/p99_ms vs detail_rest_cached_p50/p99_ms: key →
//!   highlighted row moved, one key every 600 ms with 150 ms per request (so
//!   each row rests, its detail is fetched and drawn before the next key),
//!   down 40 rows (each detail fetched) and back up (each detail already in
//!   memory, no request). The fast phase's keys land while the rest is
//!   being counted (the tick running).

use super::ExternalSim;
use super::session::*;
use std::io::{Read, Write};
use std::time::Duration;

/// One plain HTTP/1.0 request to the simulator's control routes (bounded);
/// answers the body.
pub(crate) fn control(sim: &ExternalSim, method: &str, path: &str, body: &str) -> String {
    let authority = sim.base_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).expect("connect to the simulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("request");
    let mut reply = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut reply)
        .expect("read the reply");
    let reply = String::from_utf8_lossy(&reply);
    reply
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// The simulator's detail counter.
fn details(sim: &ExternalSim) -> u64 {
    let stats: serde_json::Value =
        serde_json::from_str(&control(sim, "GET", "/_sim/stats", "")).expect("stats JSON");
    stats["details"].as_u64().expect("a details counter")
}

/// Key → the highlight on `want`, `n` keys of `key` at `pace`, from `from`.
pub(crate) fn steps(
    session: &mut Session,
    key: &[u8],
    from: u16,
    n: u16,
    pace: Duration,
) -> Vec<f64> {
    let mut lat = Vec::new();
    for i in 1..=n {
        let want = if key == b"j" { from + i } else { from - i };
        let sent = session.send(key);
        let at = session.wait("the selection to move", Duration::from_secs(5), |s| {
            s.obs.highlight == Some(want) && s.changed_at >= sent
        });
        lat.push(ms(at - sent));
        std::thread::sleep(pace);
    }
    lat.sort_by(f64::total_cmp);
    lat
}

pub(crate) fn detail_on_rest() {
    let sim = ExternalSim::start();
    let mut session = spawn(&Options {
        latency_ms: 0,
        page_size: 50,
        graphics: "halfblocks",
        big: None,
        picture: true,
        external_sim: Some(sim.base_url.clone()),
        data_dir: None,
    });
    session.search();
    session.send(b"g");
    std::thread::sleep(Duration::from_millis(800));
    // The first offer's screen row (under the column header when shown).
    let top = session
        .with(|s| s.obs.highlight)
        .expect("a highlighted row");
    assert!(top <= RESULTS_TOP + 1, "the cursor is at the top ({top})");
    let before = details(&sim);

    // Fast: 40 rows down and back at 30 ms a key; read the counter at once.
    let fast = Duration::from_millis(30);
    let mut ticking = steps(&mut session, b"j", top, 40, fast);
    ticking.extend(steps(&mut session, b"k", top + 40, 40, fast));
    ticking.sort_by(f64::total_cmp);
    let during = details(&sim) - before;
    std::thread::sleep(Duration::from_millis(800));
    let after_rest = details(&sim) - before;
    eprintln!(
        "detail: 80 keys at 30 ms: {during} detail requests while scrolling, {after_rest} once the cursor rested"
    );
    result("detail_fast_scroll_requests", during as f64);
    result("detail_fast_scroll_p50_ms", percentile(&ticking, 0.5));
    result("detail_fast_scroll_p99_ms", percentile(&ticking, 0.99));

    // Resting: each row's detail fetched on the way down (150 ms a
    // request, in before the next key: a key on a row whose detail is in
    // flight cancels it), from memory on the way up.
    control(&sim, "POST", "/_sim/faults", r#"{"latency_ms": 150}"#);
    let pace = Duration::from_millis(600);
    let start = details(&sim);
    let fetching = steps(&mut session, b"j", top, 40, pace);
    let fetched = details(&sim) - start;
    let cached = steps(&mut session, b"k", top + 40, 40, pace);
    let refetched = details(&sim) - start - fetched;
    eprintln!(
        "detail: resting 600 ms per row (150 ms a request): {fetched} details fetched on 40 rows down (p50 {:.2} ms, p99 {:.2} ms); \
         {refetched} on the way back up, from memory (p50 {:.2} ms, p99 {:.2} ms)",
        percentile(&fetching, 0.5),
        percentile(&fetching, 0.99),
        percentile(&cached, 0.5),
        percentile(&cached, 0.99),
    );
    assert_eq!(during, 0, "scrolling fast fetched details");
    assert!(fetched >= 40, "resting fetched {fetched} of 40 details");
    result("detail_rest_fetched", fetched as f64);
    result("detail_rest_fetch_p50_ms", percentile(&fetching, 0.5));
    result("detail_rest_fetch_p99_ms", percentile(&fetching, 0.99));
    result("detail_rest_cached_p50_ms", percentile(&cached, 0.5));
    result("detail_rest_cached_p99_ms", percentile(&cached, 0.99));
    // The app goes before the simulator it talks to.
    drop(session);
    drop(sim);
}
