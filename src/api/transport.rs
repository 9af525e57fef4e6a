//! The HTTP pool both providers send through, and how a provider request
//! becomes its envelope's `data` or a normalised page (errors redacted).

use super::error::{ApiError, Redactor};
use super::http;
use super::offer::ResultPage;
use super::wire::WirePage;
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Redirects followed at most, for every request (picture downloads included).
pub(crate) const MAX_REDIRECTS: usize = 5;

/// A provider endpoint's URL: its base URL (a trailing `/` or not) plus the
/// endpoint's path.
pub(crate) fn endpoint(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// The HTTP pool plus what every request needs to report errors safely.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) timeout: Duration,
    pub(crate) redactor: Redactor,
    /// The server's clock from the last provider reply: (server − local)
    /// in seconds, or why it could not be read.
    server_clock: Mutex<Option<Result<f64, ApiError>>>,
}

impl Transport {
    /// One pool for a client: its time limits, user agent and redirect
    /// bound; `redactor` hides the provider's secrets in errors.
    pub(crate) fn new(
        connect_timeout: Duration,
        timeout: Duration,
        redactor: Redactor,
    ) -> Result<Self, ApiError> {
        http::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .user_agent(concat!("tusou/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|e| ApiError::Network(format!("could not build HTTP client: {e}")))?;
        Ok(Transport {
            http,
            timeout,
            redactor,
            server_clock: Mutex::new(None),
        })
    }

    /// Sends a request and reads the provider envelope's `data` (the reply
    /// read up to [`http::MAX_REPLY_BYTES`] while it streams).
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let body = self.send_raw(request).await?;
        http::parse_envelope(&body, &self.redactor)
    }

    /// Sends a request; answers the body of a successful reply.
    /// Every reply's `Date` is kept for [`Transport::clock_offset`].
    async fn send_raw(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, ApiError> {
        let sent = SystemTime::now();
        let response = request
            .send()
            .await
            .map_err(|e| http::transport_error(e, self.timeout))?;
        let offset = clock_offset(&response, sent, SystemTime::now());
        if let Ok(mut clock) = self.server_clock.lock() {
            *clock = Some(offset);
        }
        http::read_reply(response, self.timeout, &self.redactor).await
    }

    /// The server's clock against this machine's from the last provider
    /// reply (whatever its status), as (server − local) seconds.
    pub(crate) fn clock_offset(&self) -> Result<f64, ApiError> {
        self.server_clock
            .lock()
            .ok()
            .and_then(|clock| clock.clone())
            .unwrap_or_else(|| Err(ApiError::Network("no reply from the server yet".into())))
    }

    /// Sends a query and normalises its page. A page that does not add up
    /// (empty although its totals say offers remain, or with no offer that
    /// could be read) is a `Decode` error, so it is retried and, failing
    /// that, reported rather than taken for the end of the results.
    pub(crate) async fn send_query(
        &self,
        request: reqwest::RequestBuilder,
        page: u32,
        page_size: u32,
    ) -> Result<ResultPage, ApiError> {
        let body = self.send_raw(request).await?;
        let data: WirePage = http::parse_envelope(&body, &self.redactor)?;
        ResultPage::from_wire_checked(data, page, page_size)
            .map_err(|reason| ApiError::decode(reason, &body, &self.redactor))
    }

    /// Sends an offer-detail request and reads its `data` tolerantly; a
    /// `data` that is not an object is a `Decode` error.
    pub(crate) async fn send_detail(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<super::detail::OfferDetail, ApiError> {
        let body = self.send_raw(request).await?;
        let data: serde_json::Value = http::parse_envelope(&body, &self.redactor)?;
        super::detail::OfferDetail::from_value(data)
            .map_err(|reason| ApiError::decode(reason, &body, &self.redactor))
    }
}

impl Transport {
    /// Sends a freight estimate for `pieces` and reads its `data`
    /// tolerantly; a `data` that is not an object is a `Decode` error.
    pub(crate) async fn send_freight(
        &self,
        request: reqwest::RequestBuilder,
        pieces: u64,
    ) -> Result<super::freight::FreightQuote, ApiError> {
        let body = self.send_raw(request).await?;
        let data: serde_json::Value = http::parse_envelope(&body, &self.redactor)?;
        super::freight::FreightQuote::from_value(data, pieces)
            .map_err(|reason| ApiError::decode(reason, &body, &self.redactor))
    }
}

/// (server − local) in seconds: the reply's `Date` against this machine's
/// clock at the middle of the round trip from `sent` to `received`. The
/// header has whole seconds, so the figure is good to about a second.
fn clock_offset(
    response: &reqwest::Response,
    sent: SystemTime,
    received: SystemTime,
) -> Result<f64, ApiError> {
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::Network("the server sent no Date header".into()))?;
    let server = httpdate::parse_http_date(date).map_err(|_| {
        ApiError::Network(format!(
            "the server's Date header is not an HTTP date: {:?}",
            crate::text::sanitize(date)
        ))
    })?;
    let half = received.duration_since(sent).unwrap_or_default() / 2;
    let local = sent + half;
    Ok(match server.duration_since(local) {
        Ok(ahead) => ahead.as_secs_f64(),
        Err(behind) => -behind.duration().as_secs_f64(),
    })
}
