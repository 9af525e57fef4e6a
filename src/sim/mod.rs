//! Simulator of both provider APIs.
pub mod artwork;
pub mod catalog;
pub mod similarity;
