//! Unit tests of the keymap: key names, layering, problems, help.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::key::name_of;
use super::load::{DEFAULT_KEYMAP, DEFAULT_KEYMAP_NAME};
use super::parse::parse_layer;
use super::*;

fn key(s: &str) -> KeyEvent {
    match parse_key(s) {
        Ok(k) => k,
        Err(e) => panic!("{s}: {e}"),
    }
}

fn user(text: &str) -> (Keymap, Vec<KeymapProblem>) {
    Keymap::from_toml_str(text, Path::new("/cfg/keymap.toml"))
}

#[test]
fn defaults_parse_without_problems_and_bind_every_action() {
    let (lines, problems) = parse_layer(DEFAULT_KEYMAP, Path::new(DEFAULT_KEYMAP_NAME));
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(lines.is_some_and(|l| !l.is_empty()));
    let keymap = Keymap::defaults();
    for &action in Action::ALL {
        let bound = KeyContext::all()
            .iter()
            .any(|&c| !keymap.keys_for(c, action).is_empty());
        assert!(bound, "{} has no default key", action.name());
    }
}

#[test]
fn key_names_round_trip() {
    for name in [
        "ctrl-d",
        "shift-tab",
        "pagedown",
        "f1",
        "f12",
        "?",
        "G",
        "g",
        "space",
        "alt-enter",
        "ctrl-alt-x",
        "esc",
        "backspace",
        "~",
        "-",
        "ctrl--",
        "ctrl-space",
    ] {
        let k = key(name);
        assert_eq!(key_name(&k), name);
        assert_eq!(key(&key_name(&k)), k);
    }
}

#[test]
fn key_names_aliases_and_case() {
    assert_eq!(key("backtab"), key("shift-tab"));
    assert_eq!(key("SHIFT-Tab"), key("shift-tab"));
    assert_eq!(key("Ctrl-d"), key("ctrl-d"));
    assert_ne!(key("ctrl-D"), key("ctrl-d"));
    assert_eq!(key("PageDown"), key("pagedown"));
    assert_eq!(key("F1"), key("f1"));
    assert_eq!(key("shift-g"), key("G"));
    assert_eq!(key("shift-?"), key("?"));
    assert_eq!(key("alt-ctrl-x"), key("ctrl-alt-x"));
    assert_ne!(key("g"), key("G"));
    for bad in ["", "ctrl-", "f13", "f0", "pagedwn", "hyper-", "a-b"] {
        assert!(parse_key(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn events_are_normalised() {
    let keymap = Keymap::defaults();
    let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(
        keymap.actions(KeyContext::Results, &shift_g),
        &[Action::Bottom]
    );
    let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(
        keymap.actions(KeyContext::Picker, &back_tab),
        &[Action::PrevPane]
    );
    let shift_tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT);
    assert_eq!(
        keymap.actions(KeyContext::Picker, &shift_tab),
        &[Action::PrevPane]
    );
    let question = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
    assert_eq!(
        keymap.actions(KeyContext::Global, &question),
        &[Action::Help]
    );
    assert_eq!(key_name(&shift_g), "G");
    assert_eq!(key_name(&back_tab), "shift-tab");
}

#[test]
fn context_falls_back_to_global() {
    let keymap = Keymap::defaults();
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("enter")),
        &[Action::Open]
    );
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("enter")),
        &[Action::OpenLink]
    );
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("q")),
        &[Action::Quit]
    );
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("enter")),
        &[] as &[Action]
    );
    assert_eq!(
        keymap.actions(KeyContext::Filters, &key("x")),
        &[] as &[Action]
    );
    assert_eq!(
        keymap.keys_for(KeyContext::Filters, Action::Quit),
        vec!["ctrl-c", "q"]
    );
}

#[test]
fn override_applies_key_by_key() {
    let (keymap, problems) = user("[global]\n\"q\" = [\"help\"]\n");
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("q")),
        &[Action::Help]
    );
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("ctrl-c")),
        &[Action::Quit]
    );
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("?")),
        &[Action::Help]
    );
    assert_eq!(keymap.keys_for(KeyContext::Global, Action::Help)[0], "q");
    assert_eq!(
        keymap.keys_for(KeyContext::Global, Action::Quit),
        vec!["ctrl-c"]
    );
}

#[test]
fn string_and_several_actions() {
    let (keymap, problems) =
        user("[results]\nx = \"export\"\n\"ctrl-y\" = [\"copy_link\", \"open_link\"]\n");
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("x")),
        &[Action::Export]
    );
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("ctrl-y")),
        &[Action::CopyLink, Action::OpenLink]
    );
}

#[test]
fn empty_list_unbinds() {
    let (keymap, problems) = user("[global]\n\"q\" = []\n[results]\n\"enter\" = []\n");
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("q")),
        &[] as &[Action]
    );
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("q")),
        &[] as &[Action]
    );
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("enter")),
        &[] as &[Action]
    );
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("o")),
        &[Action::OpenLink]
    );
}

fn one_problem(text: &str) -> KeymapProblem {
    let (_, mut problems) = user(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.remove(0)
}

#[test]
fn malformed_toml_gives_line_and_pure_defaults() {
    let text = "[global]\n\"q\" = [\"help\"]\n\"x\" = [quit]\n";
    let (keymap, problems) = user(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert_eq!(p.line, Some(3));
    assert_eq!(p.key.as_deref(), Some("x"));
    assert!(p.message.starts_with("invalid TOML"), "{p}");
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("q")),
        &[Action::Quit]
    );
}

#[test]
fn unknown_action() {
    let p = one_problem("# mine\n\n[global]\n\"ctrl-q\" = [\"quitt\"]\n");
    assert_eq!(p.line, Some(4));
    assert_eq!(p.key.as_deref(), Some("ctrl-q"));
    assert_eq!(p.message, "unknown action \"quitt\"");
    assert_eq!(
        p.to_string(),
        "/cfg/keymap.toml:4: key \"ctrl-q\": unknown action \"quitt\""
    );
}

#[test]
fn unknown_key_name_keeps_good_lines() {
    let (keymap, problems) = user("[picker]\n\"ctrl-pgdwn\" = \"open\"\n\"z\" = \"search\"\n");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].line, Some(2));
    assert_eq!(problems[0].key.as_deref(), Some("ctrl-pgdwn"));
    assert!(problems[0].message.contains("unknown key name"));
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("z")),
        &[Action::Search]
    );
}

#[test]
fn unknown_context() {
    let p = one_problem("[global]\n\"z\" = \"quit\"\n\n[pikcer]\n\"z\" = \"open\"\n");
    assert_eq!(p.line, Some(4));
    assert!(p.message.contains("unknown context [pikcer]"), "{p}");
    assert_eq!(p.key, None);
}

#[test]
fn binding_outside_a_section() {
    let p = one_problem("\"q\" = \"help\"\n");
    assert_eq!(p.line, Some(1));
    assert_eq!(p.key.as_deref(), Some("q"));
}

#[test]
fn wrong_value_type() {
    let p = one_problem("[global]\n\"q\" = 3\n");
    assert_eq!(p.line, Some(2));
    assert!(p.message.contains("found integer"), "{p}");
}

#[test]
fn conflict_in_one_context() {
    let text = "[global]\n\"ctrl-d\" = \"page_down\"\n\"CTRL-d\" = \"quit\"\n";
    let (keymap, problems) = user(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert_eq!(p.line, Some(3));
    assert_eq!(p.key.as_deref(), Some("CTRL-d"));
    assert!(
        p.message.contains("conflicts with \"ctrl-d\" on line 2"),
        "{p}"
    );
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("ctrl-d")),
        &[Action::PageDown]
    );
    // The same key in different contexts, or twice with the same actions, is fine.
    let (_, problems) =
        user("[global]\n\"G\" = \"top\"\n\"shift-g\" = \"top\"\n[results]\n\"G\" = \"bottom\"\n");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn same_key_written_twice_is_a_conflict_not_a_broken_file() {
    let text =
        "[global]\n\"x\" = \"quit\"\n\n[results]\n\"x\" = \"export\"\n\"x\" = [\"retry\"] # oops\n";
    let (keymap, problems) = user(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert_eq!(p.line, Some(6));
    assert_eq!(p.key.as_deref(), Some("x"));
    assert_eq!(
        p.message,
        "conflicts with \"x\" on line 5 in [results] (export vs retry); keeping line 5"
    );
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("x")),
        &[Action::Export]
    );
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("x")),
        &[Action::Quit]
    );
    // Written twice with the same actions: harmless.
    let (keymap, problems) = user("[results]\nx = \"export\"\nx = [\"export\"]\n");
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("x")),
        &[Action::Export]
    );
    // Written twice, the second with an unknown action: that is the problem.
    let p = one_problem("[results]\nx = \"export\"\nx = \"exprt\"\n");
    assert_eq!(
        (p.line, p.message.as_str()),
        (Some(3), "unknown action \"exprt\"")
    );
}

#[test]
fn section_opened_twice_is_merged() {
    let text = "[global]\nx = \"quit\"\n[picker]\nz = \"open\"\n[global]\nw = \"help\"\n";
    let (keymap, problems) = user(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].line, Some(5));
    assert!(problems[0].message.contains("[global] appears twice"));
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("x")),
        &[Action::Quit]
    );
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("w")),
        &[Action::Help]
    );
    assert_eq!(
        keymap.actions(KeyContext::Picker, &key("z")),
        &[Action::Open]
    );
}

#[test]
fn several_problems_are_all_reported_in_line_order() {
    let text = "[global]\n\"ctrl-q\" = \"quitt\"\n\"hyperr-x\" = \"quit\"\n[nope]\n[results]\n\"k\" = \"retry\"\n";
    let (keymap, problems) = user(text);
    let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![Some(2), Some(3), Some(4)], "{problems:#?}");
    assert_eq!(
        keymap.actions(KeyContext::Results, &key("k")),
        &[Action::Retry]
    );
    assert!(Keymap::load_strict(None).is_ok());
}

#[test]
fn load_reads_the_file_and_strict_refuses_problems() {
    let dir = std::env::temp_dir().join(format!("tusou-keymap-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("keymap.toml");
    let write = |text: &str| {
        if let Err(e) = std::fs::write(&path, text) {
            panic!("writing {}: {e}", path.display());
        }
    };
    write("[global]\n\"q\" = \"help\"\n");
    let (keymap, problems) = Keymap::load(Some(&path));
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("q")),
        &[Action::Help]
    );
    assert!(Keymap::load_strict(Some(&path)).is_ok());
    write("[global]\n\"q\" = \"hepl\"\n");
    match Keymap::load_strict(Some(&path)) {
        Ok(_) => panic!("strict load accepted an unknown action"),
        Err(problems) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].file, path);
            assert_eq!(problems[0].line, Some(2));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_filters_section_binds_no_text_keys() {
    // While a filter field is edited the TUI only consults the keymap for
    // non-text keys; space is bound for flag rows, where nothing is edited.
    let keymap = Keymap::defaults();
    for &(code, modifiers) in keymap.contexts[KeyContext::Filters.index()].keys() {
        let text_key = matches!(code, KeyCode::Char(c) if c != ' ')
            && !modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        assert!(
            !text_key,
            "[filters] binds text key {}",
            name_of((code, modifiers))
        );
    }
}

#[test]
fn duplicate_with_escaped_quote_in_key() {
    let p = one_problem("[results]\n\"\\\"\" = \"export\"\n\"\\\"\" = \"retry\"\n");
    assert_eq!((p.line, p.key.as_deref()), (Some(3), Some("\"")), "{p}");
    assert!(p.message.starts_with("conflicts with"), "{p}");
}

#[test]
fn problem_display_omits_missing_parts() {
    let p = KeymapProblem {
        file: PathBuf::from("/etc/k.toml"),
        line: None,
        key: None,
        message: "cannot read".into(),
    };
    assert_eq!(p.to_string(), "/etc/k.toml: cannot read");
    let p = KeymapProblem { line: Some(3), ..p };
    assert_eq!(p.to_string(), "/etc/k.toml:3: cannot read");
}

#[test]
fn help_entries_follow_the_live_keymap() {
    let (keymap, _) = user("[results]\n\"x\" = \"export\"\n");
    let entries = keymap.help_entries();
    let export = entries
        .iter()
        .find(|e| e.context == KeyContext::Results && e.action == Action::Export);
    assert_eq!(
        export.map(|e| e.keys.clone()),
        Some(vec!["x".into(), "e".into()])
    );
    assert!(
        entries
            .iter()
            .all(|e| !e.keys.is_empty() && !e.description.is_empty())
    );
}

#[test]
fn load_missing_file_is_defaults() {
    let dir = std::env::temp_dir().join("tusou-keymap-test-missing");
    let (keymap, problems) = Keymap::load(Some(&dir.join("nope.toml")));
    assert!(problems.is_empty());
    assert_eq!(
        keymap.actions(KeyContext::Global, &key("q")),
        &[Action::Quit]
    );
    assert!(Keymap::load_strict(None).is_ok());
}

/// A keymap that unbinds both ways out: reported (so `--strict-keymap`
/// refuses it), and ctrl-c still quits in every pane.
#[test]
fn ctrl_c_always_quits() {
    let text = "[global]\n\"q\" = []\n\"ctrl-c\" = []\n[results]\n\"ctrl-c\" = [\"help\"]\n";
    let (keymap, problems) = user(text);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_eq!(problems[0].line, Some(3));
    assert_eq!(problems[1].line, Some(5));
    assert!(
        problems[0].to_string().contains("ctrl-c always quits"),
        "{}",
        problems[0]
    );
    for &context in KeyContext::all() {
        assert_eq!(
            keymap.actions(context, &key("ctrl-c")),
            &[Action::Quit],
            "{context}"
        );
        assert_eq!(keymap.actions(context, &key("q")), &[] as &[Action]);
    }
    assert_eq!(
        keymap.keys_for(KeyContext::Global, Action::Quit),
        vec!["ctrl-c"]
    );
    // Binding it to quit again is fine.
    let (_, problems) = user("[picker]\n\"ctrl-c\" = [\"quit\"]\n");
    assert!(problems.is_empty(), "{problems:#?}");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keymap.toml");
    std::fs::write(&path, text).expect("write");
    let strict = Keymap::load_strict(Some(&path));
    assert!(strict.is_err(), "--strict-keymap refuses it");
}

/// Escapes in the file name and in the file's keys never reach output.
#[test]
fn problems_are_sanitised() {
    let (_, problems) = Keymap::from_toml_str(
        "[global]\n\"\\u001b]52;c;ZXZpbA==\\u0007\" = \"quit\"\n",
        Path::new("/cfg\x1b[2J/keymap.toml"),
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let text = problems[0].to_string();
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
}

/// A keymap that is a FIFO or a device is reported, never read.
#[cfg(unix)]
#[test]
fn special_files_are_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("keymap.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
    let (_, problems) = Keymap::load(Some(&link));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].to_string().contains("not a regular file"),
        "{}",
        problems[0]
    );
}
