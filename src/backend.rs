//! The search backend the app and `tusou search` run against: a live
//! provider from the configuration, or — with no credentials — the built-in
//! simulator started in-process ("demo", behind the default `demo` feature).

use crate::api::Client;
#[cfg(feature = "demo")]
use crate::api::{ProviderKind, ProviderSettings};
use crate::config::Config;
use crate::store::{Opened, Store};
#[cfg(feature = "demo")]
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
#[cfg(feature = "demo")]
use tusou_sim::{Faults, Latency, SimConfig, SimCredentials, SimHandle};

/// The demo was needed (no credentials) or asked for (`--demo`), but this
/// build has no simulator: a configuration error (exit 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
// Only a build without the simulator constructs these.
#[cfg_attr(feature = "demo", allow(dead_code))]
pub(crate) enum DemoUnavailable {
    #[error(
        "no credentials configured, and this build has no demo simulator (built without the `demo` feature)"
    )]
    NoCredentials,
    #[error(
        "--demo needs the built-in simulator, and this build has none (built without the `demo` feature)"
    )]
    Forced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendMode {
    /// The in-process simulator; every screen that shows results says "demo".
    Demo,
    Live,
}

/// How the demo simulator should behave.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Force the demo even when credentials are configured.
    pub force: bool,
    /// Latency added to every simulated API request.
    pub latency: Option<Duration>,
}

/// The search backend: a ready client, the run's history store, and what
/// the UI should say about both. Keeps the in-process
/// simulator (if any) alive for as long as it lives.
pub struct SearchBackend {
    pub client: Client,
    pub mode: BackendMode,
    /// Short label for the status bar, e.g. "demo · built-in simulator" or
    /// "live · dajisaas".
    pub label: String,
    /// The history store, when history is on for this run.
    pub store: Option<Store>,
    /// Why history is off for this run, when it is.
    pub history_off: Option<String>,
    /// Things to tell the user about the store (a corrupt file kept aside,
    /// an old cache imported). Already sanitised.
    pub store_notices: Vec<String>,
    /// The name searches and offers are stored under: "dajisaas",
    /// "signed-header", or for the demo "demo-dajisaas" /
    /// "demo-signed-header" (demo offers never mix with live ones).
    pub provider_name: String,
    #[cfg(feature = "demo")]
    _sim: Option<SimHandle>,
}

/// The run's store, split as the backend keeps it.
struct RunStore {
    store: Option<Store>,
    off: Option<String>,
    notices: Vec<String>,
}

impl RunStore {
    fn open(config: &Config) -> RunStore {
        match crate::store::for_run(config.data_dir.as_deref(), config.cache_dir.as_deref()) {
            Opened::On { store, notices } => RunStore {
                store: Some(store),
                off: None,
                notices,
            },
            Opened::Off { reason } => RunStore {
                store: None,
                off: Some(reason),
                notices: Vec::new(),
            },
        }
    }
}

impl SearchBackend {
    /// A backend around an existing client (tests, embedding), with no
    /// store; its provider name is the client's (with "demo-" in demo
    /// mode).
    pub fn new(client: Client, mode: BackendMode, label: impl Into<String>) -> Self {
        let provider_name = provider_name(client.provider().name(), mode);
        SearchBackend {
            client,
            mode,
            label: label.into(),
            store: None,
            history_off: Some("history is off: no store for this backend".into()),
            store_notices: Vec::new(),
            provider_name,
            #[cfg(feature = "demo")]
            _sim: None,
        }
    }

    /// This backend with the run's store.
    fn with_store(mut self, run: RunStore) -> Self {
        self.store = run.store;
        self.history_off = run.off;
        self.store_notices = run.notices;
        self
    }

    /// The live provider from `config`, or the in-process simulator when no
    /// credentials are configured (or the demo is forced). Without the
    /// `demo` feature, those cases fail with [`DemoUnavailable`].
    pub async fn start(config: &Config, demo: &DemoOptions) -> anyhow::Result<SearchBackend> {
        match (config.provider(), demo.force) {
            (Some(provider), false) => {
                let name = provider.name();
                let run = RunStore::open(config);
                let mut settings = config.client_settings(provider);
                settings.image_ids = run.store.as_ref().map(Store::image_ids);
                let client = Client::new(settings)?;
                Ok(
                    SearchBackend::new(client, BackendMode::Live, format!("live · {name}"))
                        .with_store(run),
                )
            }
            #[cfg(feature = "demo")]
            _ => SearchBackend::start_demo(config, demo).await,
            #[cfg(not(feature = "demo"))]
            (_, forced) => Err(if forced {
                DemoUnavailable::Forced
            } else {
                DemoUnavailable::NoCredentials
            }
            .into()),
        }
    }

    #[cfg(feature = "demo")]
    async fn start_demo(config: &Config, demo: &DemoOptions) -> anyhow::Result<SearchBackend> {
        let credentials = SimCredentials::demo();
        let defaults = SimConfig::default();
        let sim_config = SimConfig {
            credentials: credentials.clone(),
            faults: Faults {
                latency: demo.latency.map_or(Latency::None, Latency::Fixed),
                ..Faults::default()
            },
            // Demo-only knobs for benchmarks (many thousands of results),
            // read and range-checked with the config (`TUSOU_DEMO_*`).
            catalog_size: config.demo_catalog_size.unwrap_or(defaults.catalog_size),
            max_results: config.demo_max_results.unwrap_or(defaults.max_results),
            ..defaults
        };
        let handle =
            tusou_sim::spawn(sim_config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let provider = demo_provider(
            config.provider_choice.unwrap_or_default(),
            &credentials,
            &handle.base_url(),
        );
        // The client gets no image-id store: demo ids must not mix with a
        // live account's. History works, under a "demo-" provider name.
        let mut settings = config.client_settings(provider);
        // The in-process simulator is no provider to spare: unpaced (a batch
        // still keeps its own rate).
        settings.rate = None;
        let client = Client::new(settings)?;
        let mut backend =
            SearchBackend::new(client, BackendMode::Demo, "demo · built-in simulator")
                .with_store(RunStore::open(config));
        backend._sim = Some(handle);
        Ok(backend)
    }
}

/// The name a provider's searches and offers are stored under.
fn provider_name(name: &str, mode: BackendMode) -> String {
    match mode {
        BackendMode::Live => name.to_string(),
        BackendMode::Demo => format!("demo-{name}"),
    }
}

/// Provider settings that talk to a simulator at `base_url` with its demo
/// credentials.
#[cfg(feature = "demo")]
pub fn demo_provider(
    kind: ProviderKind,
    credentials: &SimCredentials,
    base_url: &str,
) -> ProviderSettings {
    kind.demo_settings(credentials, base_url)
}
