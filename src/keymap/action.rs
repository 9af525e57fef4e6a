//! Named actions: the only thing key bindings produce. Names are read straight
//! from keymap.toml in snake_case (`"ctrl-d" = ["page_down"]`); each has a
//! description the help overlay shows.

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ($( $(#[$meta:meta])* $variant:ident => $name:literal, $desc:literal; )+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $( $(#[$meta])* $variant, )+
        }

        impl Action {
            /// Every action, in help-overlay order.
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )+ ];

            /// The snake_case name used in keymap.toml.
            pub fn name(self) -> &'static str {
                match self { $( Action::$variant => $name, )+ }
            }

            /// One line for the help overlay.
            pub(crate) fn description(self) -> &'static str {
                match self { $( Action::$variant => $desc, )+ }
            }
        }
    };
}

actions! {
    // Moving around
    MoveUp => "move_up", "Move the cursor up";
    MoveDown => "move_down", "Move the cursor down";
    PageUp => "page_up", "Move up one screen";
    PageDown => "page_down", "Move down one screen";
    Top => "top", "Go to the first row";
    Bottom => "bottom", "Go to the last loaded row";
    NextPane => "next_pane", "Focus the next pane";
    PrevPane => "prev_pane", "Focus the previous pane";
    FocusPicker => "focus_picker", "Focus the file picker";
    FocusFilters => "focus_filters", "Focus the filters";
    FocusResults => "focus_results", "Focus the results";
    FocusHistory => "focus_history", "Show the history of searches";
    FocusShortlist => "focus_shortlist", "Show the shortlist (starred offers)";
    // File picker
    Open => "open", "Open the directory, or search with the highlighted image";
    Search => "search", "Search with the highlighted image";
    ParentDir => "parent_dir", "Go to the parent directory";
    HomeDir => "home_dir", "Go to the home directory";
    ToggleHidden => "toggle_hidden", "Show or hide hidden files";
    FilterFiles => "filter_files", "Type to filter the list (fuzzy)";
    EnterPath => "enter_path", "Type or paste a path or an image URL";
    BatchDirectory => "batch_directory", "Search every picture in the highlighted directory into a sheet (batch)";
    // Filters
    ApplyFilters => "apply_filters", "Apply the filters and search again from page 1";
    CycleSort => "cycle_sort", "Cycle the sort order";
    ToggleFlag => "toggle_flag", "Toggle the highlighted filter flag";
    ClearFilters => "clear_filters", "Clear all filters";
    // Results
    CopyLink => "copy_link", "Copy the offer's 1688 link (OSC 52, works over SSH)";
    CopyTitle => "copy_title", "Copy the offer's title";
    OpenLink => "open_link", "Open the offer's link in a browser";
    Export => "export", "Export loaded results to CSV and JSON";
    Retry => "retry", "Retry the last failed request";
    MoreLikeThis => "more_like_this", "Search with the offer's picture (more like this)";
    Back => "back", "Back to the results before (breadcrumbs), without a request";
    ToggleGrouping => "toggle_grouping", "Group offers with the same picture (one product, many sellers)";
    ExpandGroup => "expand_group", "Show or hide the sellers of the highlighted group";
    SplitGroup => "split_group", "Split the highlighted group: its sellers listed apart, for good";
    ToggleGallery => "toggle_gallery", "Show the results as a gallery of pictures, or as a list";
    MoveLeft => "move_left", "Gallery: move the cursor left";
    MoveRight => "move_right", "Gallery: move the cursor right";
    // Crop (the box around the product to search for)
    Crop => "crop", "Crop: draw a box around the product in the picture and search only that";
    CropLeft => "crop_left", "Crop: move the box left";
    CropRight => "crop_right", "Crop: move the box right";
    CropUp => "crop_up", "Crop: move the box up";
    CropDown => "crop_down", "Crop: move the box down";
    CropNarrower => "crop_narrower", "Crop: make the box narrower";
    CropWider => "crop_wider", "Crop: make the box wider";
    CropShorter => "crop_shorter", "Crop: make the box shorter";
    CropTaller => "crop_taller", "Crop: make the box taller";
    CropGrow => "crop_grow", "Crop: grow the box evenly";
    CropShrink => "crop_shrink", "Crop: shrink the box evenly";
    CropCentre => "crop_centre", "Crop: move the box to the centre";
    CropReset => "crop_reset", "Crop: the whole picture";
    CropNextSubject => "crop_next_subject", "Crop: the box on the next subject the provider detected";
    CropPrevSubject => "crop_prev_subject", "Crop: the box on the previous detected subject";
    CropSearch => "crop_search", "Crop: search with the box";
    FetchDetail => "fetch_detail", "Fetch the offer's detail now (minimum order, price tiers, ship-from)";
    NextPicture => "next_picture", "Show the detail's next picture";
    NextSku => "next_sku", "Choose the offer's next SKU (variant): its price, weight and freight";
    PrevSku => "prev_sku", "Choose the offer's previous SKU (variant)";
    ToggleCost => "toggle_cost", "Detail: the landed-cost breakdown and the SKUs, or the offer";
    SellerOffers => "seller_offers", "List only the selected offer's seller's offers, or every seller again";
    // Shortlist and history
    Star => "star", "Star the offer (add to the shortlist), or unstar it";
    EditNote => "edit_note", "Edit the starred offer's note";
    CycleStatus => "cycle_status", "Cycle the starred offer's status (to ask, sample ordered, rejected, ordered)";
    Refresh => "refresh", "Search the stored search again with the provider";
    DeleteEntry => "delete_entry", "Delete the highlighted history entry";
    // Watches
    FocusWatches => "focus_watches", "Show the watches and their last runs";
    WatchSearch => "watch_search", "Watch the search on screen: run it again every day, say what changed";
    // Anywhere
    Help => "help", "Show or hide this help";
    Cancel => "cancel", "Close the overlay, leave the input, or cancel";
    Quit => "quit", "Quit tusou";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown action {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for a in Action::ALL {
            assert_eq!(a.name().parse::<Action>(), Ok(*a));
            assert!(!a.description().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
        assert!("no_such_action".parse::<Action>().is_err());
    }
}
