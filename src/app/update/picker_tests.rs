//! The picker's path line and listing: pasting a whole path, clearing the
//! line, opening what could not be read, a long listing opening at its top.

use super::*;
use crate::app::events::key_to_msgs;

fn path_line(s: &State) -> &str {
    s.picker.path_input.as_ref().map_or("", |l| l.value())
}

fn picker_at(dir: &str) -> State {
    let mut s = state();
    init(&mut s, Start::Dir(dir.into()), PathBuf::from("/"));
    s.focus = Pane::Picker;
    s
}

#[test]
fn a_pasted_absolute_path_or_address_replaces_the_path_line() {
    let mut s = picker_at("/cwd");
    act(&mut s, Action::EnterPath);
    assert_eq!(path_line(&s), "/cwd/");
    update(&mut s, Msg::Paste("/abs/pic.jpg".into()));
    assert_eq!(path_line(&s), "/abs/pic.jpg");
    update(&mut s, Msg::Paste(" https://example.com/a.jpg\n".into()));
    assert_eq!(path_line(&s), "https://example.com/a.jpg");
    // A relative name is typed where the caret is, as before.
    act(&mut s, Action::Cancel);
    act(&mut s, Action::EnterPath);
    update(&mut s, Msg::Paste("pic.jpg".into()));
    assert_eq!(path_line(&s), "/cwd/pic.jpg");
}

#[test]
fn ctrl_u_clears_the_path_line() {
    let mut s = picker_at("/cwd");
    act(&mut s, Action::EnterPath);
    let key = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    for msg in key_to_msgs(&s, &key) {
        update(&mut s, msg);
    }
    assert_eq!(path_line(&s), "");
    assert!(s.picker.path_input.is_some(), "the line stays open");
}

#[test]
fn a_file_that_could_not_be_read_says_why() {
    let mut s = picker_at("/d");
    let mut unread = entry("locked.jpg", false, false);
    unread.unread = Some(crate::fs::ReadError::Io {
        path: "/d/locked.jpg".into(),
        kind: std::io::ErrorKind::PermissionDenied,
        reason: "permission denied".into(),
    });
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: vec![unread, entry("notes.txt", false, false)],
            done: true,
            error: None,
        },
    );
    assert!(act(&mut s, Action::Open).is_empty());
    assert!(
        status(&s).contains(
            "locked.jpg is not a recognised image: cannot read /d/locked.jpg: permission denied"
        ),
        "{}",
        status(&s)
    );
    // A file read and found not to be a picture is still refused here.
    let mut s = picker_at("/d");
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: vec![entry("notes.txt", false, false)],
            done: true,
            error: None,
        },
    );
    assert!(act(&mut s, Action::Open).is_empty());
    assert!(status(&s).contains("not a recognised image"));
}

#[test]
fn a_long_listing_opens_at_its_top() {
    let mut s = picker_at("/d");
    let batch = |names: &[&str]| names.iter().map(|n| entry(n, false, true)).collect();
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: batch(&["m.jpg", "n.jpg"]),
            done: false,
            error: None,
        },
    );
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: batch(&["a.jpg", "b.jpg"]),
            done: true,
            error: None,
        },
    );
    assert_eq!(s.picker.cursor, 0);
    assert_eq!(s.picker.offset, 0);
    assert_eq!(s.picker.selected().map(|e| e.name.as_str()), Some("a.jpg"));
}
