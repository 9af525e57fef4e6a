//! The selected offer's link and title: copying them (OSC 52) and opening
//! the link in a browser.

use crate::api::{NO_OFFER_LINK, OfferLink};
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::keymap::Action;
use crate::keymap::KeyContext;

pub(super) fn copy_link(state: &mut State) -> Vec<Effect> {
    match state.selected_offer() {
        Some(o) => match o.best_link() {
            Some(OfferLink::Offer(link)) => {
                state.set_info(format!("Copied link {link}"));
                vec![Effect::Copy(link)]
            }
            Some(OfferLink::Picture(url)) => {
                state.set_info(format!(
                    "No offer link from this provider; copied the picture's URL {}",
                    crate::text::sanitize(&url)
                ));
                vec![Effect::Copy(url)]
            }
            None => {
                state.set_error(format!("This offer has no link: {NO_OFFER_LINK}"));
                Vec::new()
            }
        },
        None => {
            state.set_error("No offer selected");
            Vec::new()
        }
    }
}

pub(super) fn copy_title(state: &mut State) -> Vec<Effect> {
    match state.selected_offer() {
        Some(o) => {
            let title = crate::text::sanitize(&o.title);
            state.set_info(format!("Copied title {title}"));
            vec![Effect::Copy(title)]
        }
        None => {
            state.set_error("No offer selected");
            Vec::new()
        }
    }
}

pub(super) fn open_link(state: &mut State) -> Vec<Effect> {
    let Some(offer) = state.selected_offer() else {
        state.set_error("No offer selected");
        return Vec::new();
    };
    let link = match offer.best_link() {
        Some(OfferLink::Offer(link)) => link,
        Some(OfferLink::Picture(url)) => {
            state.set_info("No offer link from this provider; opening the offer's picture");
            url
        }
        None => {
            state.set_error(format!("This offer has no link: {NO_OFFER_LINK}"));
            return Vec::new();
        }
    };
    if !state.can_open {
        let key = state.key_hint(KeyContext::Results, Action::CopyLink);
        state.set_error(format!(
            "No local display to open a browser — press {key} to copy the link"
        ));
        return Vec::new();
    }
    vec![Effect::OpenLink(link)]
}

/// The browser was started, or could not be.
pub(super) fn opened(state: &mut State, result: Result<String, crate::app::msg::OpenError>) {
    match result {
        Ok(link) => state.set_info(format!("Opened {link}")),
        Err(e) => state.set_error(format!(
            "Could not open a browser: {e} — press {} to copy the link",
            state.key_hint(KeyContext::Results, Action::CopyLink)
        )),
    }
}
