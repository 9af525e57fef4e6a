//! Parsing one keymap file into valid bindings and problems (bad names,
//! wrong types, keys bound twice), each with its line.

use std::collections::HashMap;
use std::path::Path;

use super::KeyContext;
use super::action::Action;
use super::key::{KeyId, normalise, parse_key};
use super::problem::KeymapProblem;
use crate::text::line_of;

/// One valid `"key" = [actions]` line.
#[derive(Debug)]
pub(super) struct ParsedLine {
    pub(super) context: KeyContext,
    pub(super) key: KeyId,
    pub(super) actions: Vec<Action>,
    /// 1-based line in its file.
    pub(super) line: usize,
}

/// The key at the start of a `key = value` line, for syntax-error messages.
fn key_on_line(line: &str) -> Option<String> {
    let line = line.trim_start();
    let (key, after) = if let Some(quoted) = line.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else if let Some(quoted) = line.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(line.len());
        (&line[..end], &line[end..])
    };
    (!key.is_empty() && after.trim_start().starts_with('=')).then(|| key.to_string())
}

/// Parse one keymap file. `None` when it is not valid TOML (the problems
/// then say why); otherwise the valid lines in file order.
///
/// A key written twice in one section is a TOML error, but it is reported
/// like any other conflict (the first line wins) rather than discarding the
/// whole file; so is a section opened twice (its bindings are merged).
pub(super) fn parse_layer(
    text: &str,
    file: &Path,
) -> (Option<Vec<ParsedLine>>, Vec<KeymapProblem>) {
    let problem = |offset: usize, key: Option<&str>, message: String| KeymapProblem {
        file: file.to_path_buf(),
        line: Some(line_of(text, offset)),
        key: key.map(str::to_string),
        message,
    };
    let line_text = |offset: usize| text.lines().nth(line_of(text, offset) - 1).unwrap_or("");

    let (document, errors) = toml::de::DeTable::parse_recoverable(text);
    let mut duplicates = Vec::new();
    let mut syntax = Vec::new();
    for e in &errors {
        match e.span() {
            Some(span) if e.message() == "duplicate key" => duplicates.push(span.start),
            span => {
                let offset = span.map_or(0, |s| s.start);
                let key = key_on_line(line_text(offset));
                let message = format!("invalid TOML: {}", e.message().trim().replace('\n', "; "));
                syntax.push(problem(offset, key.as_deref(), message));
            }
        }
    }
    if !syntax.is_empty() {
        return (None, syntax);
    }

    let mut problems = Vec::new();
    // Every binding of a known context, sorted by position in the file below.
    let mut entries = Vec::new();
    for (name, value) in document.get_ref().iter() {
        let name_offset = name.span().start;
        let Some(table) = value.get_ref().as_table() else {
            problems.push(problem(
                name_offset,
                Some(name.get_ref()),
                "bindings must be inside a [global], [picker], [filters] or [results] section"
                    .to_string(),
            ));
            continue;
        };
        let Some(context) = KeyContext::from_name(name.get_ref()) else {
            problems.push(problem(
                name_offset,
                None,
                format!(
                    "unknown context [{}] (expected global, picker, filters or results)",
                    name.get_ref()
                ),
            ));
            continue;
        };
        for (raw_key, value) in table.iter() {
            entries.push((
                raw_key.span().start,
                context,
                raw_key.get_ref().as_ref(),
                value.get_ref(),
            ));
        }
    }
    entries.sort_by_key(|(offset, ..)| *offset);

    let mut lines = Vec::new();
    // (context, key) → (offset, raw key, actions) of the first line binding it.
    let mut seen: HashMap<(KeyContext, KeyId), (usize, &str, Vec<Action>)> = HashMap::new();
    for (offset, context, raw, value) in entries {
        let key = match parse_key(raw) {
            Ok(k) => normalise(k.code, k.modifiers),
            Err(message) => {
                problems.push(problem(offset, Some(raw), message));
                continue;
            }
        };
        let actions = match parse_actions(value) {
            Ok(a) => a,
            Err(message) => {
                problems.push(problem(offset, Some(raw), message));
                continue;
            }
        };
        if let Some((first_offset, first_raw, first_actions)) = seen.get(&(context, key)) {
            if *first_actions != actions {
                let message = conflict(
                    first_raw,
                    line_of(text, *first_offset),
                    context,
                    Some((first_actions, &actions)),
                );
                problems.push(problem(offset, Some(raw), message));
            }
            continue;
        }
        seen.insert((context, key), (offset, raw, actions.clone()));
        lines.push(ParsedLine {
            context,
            key,
            actions,
            line: line_of(text, offset),
        });
    }

    // Keys and sections the TOML parser saw twice (it kept the first).
    for offset in duplicates {
        let here = line_text(offset);
        let trimmed = here.trim_start();
        if trimmed.starts_with('[') {
            let name = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(|c| c == '"' || c == '\'');
            problems.push(problem(
                offset,
                None,
                format!("section [{name}] appears twice; the bindings of both are used"),
            ));
            continue;
        }
        // This line is usually a small TOML document by itself (unless its
        // value spans several lines): read its key and value with the parser.
        let alone = toml::de::DeTable::parse(here).ok();
        let alone = alone.as_ref().and_then(|doc| doc.get_ref().iter().next());
        let raw = match (alone, key_on_line(here)) {
            (Some((k, _)), _) => k.get_ref().to_string(),
            (None, Some(k)) => k,
            (None, None) => {
                problems.push(problem(offset, None, "duplicate key".to_string()));
                continue;
            }
        };
        // The section this line is in: the last header above it.
        let header_line = text
            .get(..offset)
            .unwrap_or(text)
            .lines()
            .rev()
            .map(str::trim_start)
            .find(|l| l.starts_with('['));
        let context = header_line.and_then(|h| {
            let name = h.trim_start_matches('[').split(']').next()?.trim();
            KeyContext::from_name(name.trim_matches(|c| c == '"' || c == '\''))
        });
        let Some(context) = context else {
            // Outside any section, or in an unknown one: already reported.
            continue;
        };
        if parse_key(&raw).is_err() {
            // The first occurrence already says so.
            continue;
        }
        // The first occurrence, as the parser kept it.
        let first = document
            .get_ref()
            .get(context.name())
            .and_then(|t| t.get_ref().as_table())
            .and_then(|t| t.iter().find(|(k, _)| k.get_ref().as_ref() == raw));
        let Some((first_key, first_value)) = first else {
            problems.push(problem(
                offset,
                Some(&raw),
                format!("bound twice in [{context}]; keeping the first"),
            ));
            continue;
        };
        let first_line = line_of(text, first_key.span().start);
        let first_actions = parse_actions(first_value.get_ref()).ok();
        let this_actions = alone.map(|(_, v)| parse_actions(v.get_ref()));
        match (first_actions, this_actions) {
            (_, Some(Err(message))) => problems.push(problem(offset, Some(&raw), message)),
            (Some(a), Some(Ok(b))) if a == b => {}
            (Some(a), Some(Ok(b))) => problems.push(problem(
                offset,
                Some(&raw),
                conflict(&raw, first_line, context, Some((&a, &b))),
            )),
            _ => problems.push(problem(
                offset,
                Some(&raw),
                conflict(&raw, first_line, context, None),
            )),
        }
    }

    problems.sort_by_key(|p| p.line);
    (Some(lines), problems)
}

fn conflict(
    first_raw: &str,
    first_line: usize,
    context: KeyContext,
    actions: Option<(&[Action], &[Action])>,
) -> String {
    let what = match actions {
        Some((a, b)) => format!(" ({} vs {})", action_list(a), action_list(b)),
        None => String::new(),
    };
    format!(
        "conflicts with {first_raw:?} on line {first_line} in [{context}]{what}; keeping line {first_line}"
    )
}

fn action_list(actions: &[Action]) -> String {
    if actions.is_empty() {
        "[]".to_string()
    } else {
        actions
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `"action"` or `["action", …]` → actions; every name must be known.
fn parse_actions(value: &toml::de::DeValue<'_>) -> Result<Vec<Action>, String> {
    let one = |v: &toml::de::DeValue<'_>| -> Result<Action, String> {
        match v.as_str() {
            Some(name) => name.parse::<Action>(),
            None => Err(format!(
                "expected an action name (a string), found {}",
                v.type_str()
            )),
        }
    };
    if let Some(array) = value.as_array() {
        array.iter().map(|v| one(v.get_ref())).collect()
    } else if value.is_str() {
        one(value).map(|a| vec![a])
    } else {
        Err(format!(
            "expected an action name or a list of action names, found {}",
            value.type_str()
        ))
    }
}
