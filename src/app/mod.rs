//! Application state, messages and the pure `update` function.

pub mod action;
pub use action::Action;
