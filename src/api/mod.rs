//! Provider clients, signing and models.
//!
//! Two providers wrap 1688's image search: DajiSaaS (upload → `imageId`, then
//! query; `sign` parameter) and the signed-header provider (image in every
//! query; `signature` header). Both normalise into [`models::ResultPage`].

pub mod error;
pub mod models;
pub mod sign;

pub use error::{ApiError, ErrorKind, Redactor};
pub use models::{
    FilterFlag, ImageRef, Offer, Price, ResultPage, SearchParams, Sort, SortField, SortOrder,
};

pub mod client;
pub use client::{Client, ProviderKind};
