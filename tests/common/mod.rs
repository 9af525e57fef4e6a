//! What several loopback test files share: a simulator on 127.0.0.1:0 and a
//! client for it with the demo credentials, a short timeout and no retries;
//! distinct catalog pictures to search.

// Each test file that shares this module uses only some of it.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tusou::api::{
    Client, ClientSettings, DajiSaasSettings, ProviderKind, ProviderSettings, RetryPolicy,
};
use tusou::backend::demo_provider;
use tusou_sim::{SimConfig, SimCredentials, SimHandle};

pub(crate) async fn start(config: SimConfig) -> SimHandle {
    tusou_sim::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("simulator starts")
}

pub(crate) fn client(kind: ProviderKind, sim: &SimHandle) -> Client {
    let mut s = ClientSettings::new(demo_provider(
        kind,
        &SimCredentials::demo(),
        &sim.base_url(),
    ));
    s.timeout = Duration::from_secs(10);
    s.retry = RetryPolicy::none();
    Client::new(s).expect("client builds")
}

/// [`client`] with retries, their waits short (10–20 ms), so fault tests
/// see the retries quickly.
pub(crate) fn retrying_client(kind: ProviderKind, sim: &SimHandle) -> Client {
    let mut s = ClientSettings::new(demo_provider(
        kind,
        &SimCredentials::demo(),
        &sim.base_url(),
    ));
    s.timeout = Duration::from_secs(10);
    s.retry = RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    };
    Client::new(s).expect("client builds")
}

/// A DajiSaaS client for a hand-made server at `base_url` (made-up
/// credentials), no retries, the reply awaited at most `timeout`.
pub(crate) fn dajisaas_client_at(base_url: String, timeout: Duration) -> Client {
    let mut s = ClientSettings::new(ProviderSettings::DajiSaas(DajiSaasSettings {
        base_url,
        app_key: "key".into(),
        app_secret: tusou::secret::Secret::new("secret-value"),
        debug_send_secret: false,
    }));
    s.timeout = timeout;
    s.retry = RetryPolicy::none();
    Client::new(s).expect("client builds")
}

/// `n` distinct catalog pictures in `dir/photos/` (the catalog re-lists
/// some pictures under several offers: those copies are left out, so `n`
/// photos are `n` uploads).
pub(crate) fn distinct_photos(dir: &Path, n: usize) -> PathBuf {
    let photos = dir.join("photos");
    let all = dir.join("all");
    std::fs::create_dir_all(&photos).expect("photos directory");
    let written =
        tusou_sim::write_samples(&SimConfig::default(), &all, n * 2).expect("samples written");
    let mut seen = std::collections::HashSet::new();
    for path in written {
        if seen.len() == n {
            break;
        }
        let bytes = std::fs::read(&path).expect("sample read");
        if seen.insert(bytes) {
            let name = path.file_name().expect("sample name");
            std::fs::rename(&path, photos.join(name)).expect("sample moved");
        }
    }
    assert_eq!(seen.len(), n, "distinct catalog pictures");
    photos
}
