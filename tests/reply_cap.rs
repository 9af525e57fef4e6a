//! A provider reply is read while it streams and stops at a cap: a huge or
//! endless body is a typed "too large" error, and memory stays bounded.
//!
//! One test in this binary on purpose: it reads the process's own peak RSS
//! (`VmHWM` in /proc/self/status), which other tests running in parallel
//! threads would disturb.

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tusou::api::{ApiError, Client, ErrorKind, ImageRef, SearchParams};

/// How much the streaming server sends at most (finite, so that a client
/// without a cap fills memory visibly but not the machine).
const HUGE: usize = 256 * 1024 * 1024;

/// Peak resident set of this process so far, in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// Answers every request with a JSON-looking reply: either announcing a
/// 4 GiB length and sending nothing, or streaming `HUGE` bytes of an
/// array that never ends (no length, close-delimited).
async fn huge_server(announce: bool) -> String {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = vec![0u8; 8192];
                let _ = sock.read(&mut head).await;
                if announce {
                    let _ = sock
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n",
                        )
                        .await;
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    return;
                }
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"code\":200,\"data\":{\"data\":[",
                    )
                    .await;
                let chunk = "{\"subject\":\"x\"},".repeat(4096);
                let mut sent = 0;
                while sent < HUGE {
                    if sock.write_all(chunk.as_bytes()).await.is_err() {
                        return; // the client hung up: what a cap does
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    format!("http://{addr}")
}

fn client(base_url: String) -> Client {
    common::dajisaas_client_at(base_url, Duration::from_secs(20))
}

#[tokio::test]
async fn huge_replies_stop_at_the_cap_with_memory_bounded() {
    let image = ImageRef::Id("1".into());
    let params = SearchParams::default();

    // A close-delimited body that goes on: reading stops at the cap.
    let before = vm_hwm_kib();
    let err = client(huge_server(false).await)
        .search_page(&image, &params, 1)
        .await
        .expect_err("too large");
    let grew_mib = (vm_hwm_kib().saturating_sub(before)) as f64 / 1024.0;
    eprintln!(
        "peak RSS grew by {grew_mib:.1} MiB reading a {} MiB reply",
        HUGE >> 20
    );
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert!(
        matches!(&err, ApiError::TooLarge { what, .. } if what.contains("reply")),
        "{err}"
    );
    assert!(
        matches!(&err, ApiError::TooLarge { limit, .. } if *limit == 8 << 20),
        "{err:?}"
    );
    assert!(
        grew_mib < 48.0,
        "peak RSS grew by {grew_mib:.1} MiB for an 8 MiB cap"
    );

    // A length over the cap is refused before any body is read.
    let err = client(huge_server(true).await)
        .search_page(&image, &params, 1)
        .await
        .expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
}
