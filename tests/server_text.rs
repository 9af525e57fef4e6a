//! Text from a server is data: a provider's error message carrying terminal
//! escapes (an OSC 52 clipboard write, a screen clear) reaches `tusou search`'s
//! stderr only as plain text.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

/// A provider that refuses everything with a hostile message; answers its base URL.
fn hostile_provider() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        // Bounded: a handful of requests (upload attempts), then it stops.
        for stream in listener.incoming().take(16) {
            let Ok(mut sock) = stream else { continue };
            let mut buf = [0u8; 64 * 1024];
            let _ = sock.read(&mut buf);
            let body = r#"{"code":400,"message":"bad \u001b]52;c;SGVsbG8=\u0007\u001b[2J\u009b31m picture","data":null,"traceId":"t\u001b[1m1"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(reply.as_bytes());
        }
    });
    format!("http://{addr}")
}

#[test]
fn escapes_in_a_provider_message_never_reach_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = dir.path().join("photo.png");
    image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 90]))
        .save(&photo)
        .expect("write photo");
    let out = Command::new(env!("CARGO_BIN_EXE_tusou"))
        .args(["search", photo.to_str().expect("utf-8 path")])
        .env("TUSOU_CONFIG_DIR", dir.path().join("config"))
        .env("TUSOU_CACHE_DIR", dir.path().join("cache"))
        .env("TUSOU_DATA_DIR", dir.path().join("data"))
        .env("TUSOU_PROVIDER", "dajisaas")
        .env("TUSOU_DAJI_BASE_URL", hostile_provider())
        .env("TUSOU_APP_KEY", "key-1234")
        .env("TUSOU_APP_SECRET", "secret-5678")
        .env_remove("TUSOU_ACCESS_KEY")
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "rejected request: {stderr}");
    assert!(
        stderr.contains("bad"),
        "the message is still said: {stderr}"
    );
    assert!(stderr.contains("picture"), "{stderr}");
    for (name, c) in [("ESC", '\u{1b}'), ("BEL", '\u{7}'), ("CSI", '\u{9b}')] {
        assert!(!stderr.contains(c), "{name} reached stderr: {stderr:?}");
    }
    assert!(!stderr.contains("secret-5678"));
}
