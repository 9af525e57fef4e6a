//! Why a search step failed, typed: what the UI says, and whether retry helps.

/// Why a search step failed, typed so the UI can say what to do about it
/// (retry, check credentials, fix a field, pick another picture).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: FailureKind,
    /// The whole message, raw: sanitise to show.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The provider or the network failed.
    Api(crate::api::ErrorKind),
    /// The picture itself (unreadable, not an image, too large…).
    Picture,
    /// A bug-class failure (a task died).
    Internal,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// Worth pressing retry for: the same request may succeed later.
    pub(crate) fn retryable(&self) -> bool {
        matches!(self.kind, FailureKind::Api(kind) if kind.is_retryable())
    }
}

impl From<crate::api::ApiError> for Failure {
    fn from(e: crate::api::ApiError) -> Self {
        Failure {
            kind: FailureKind::Api(e.kind()),
            message: e.to_string(),
        }
    }
}

impl From<crate::api::ResolveError> for Failure {
    fn from(e: crate::api::ResolveError) -> Self {
        use crate::api::ResolveError;
        let kind = match &e {
            ResolveError::Api(api) => FailureKind::Api(api.kind()),
            ResolveError::Image(_) => FailureKind::Picture,
            ResolveError::Task(_) => FailureKind::Internal,
        };
        Failure {
            kind,
            message: e.to_string(),
        }
    }
}
