//! What several loopback test files share: a simulator on 127.0.0.1:0 and a
//! client for it with the demo credentials, a short timeout and no retries.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tusou::api::{Client, ClientSettings, ProviderKind, RetryPolicy};
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
