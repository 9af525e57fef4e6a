//! What a batch searches: every picture in a directory (`-r`: and below),
//! or the paths and image URLs of a list — a `.txt` (one per line) or a
//! `.csv` whose other columns (SKU, name, …) are the user's own and go
//! into the sheet beside each photo.

use crate::fs::{read_text_capped, shown};
use crate::image::looks_like_image;
use std::path::{Path, PathBuf};

/// Photos one job takes at most.
pub const MAX_PHOTOS: usize = 100_000;
/// A list file's size at most.
const MAX_LIST_BYTES: u64 = 16 * 1024 * 1024;
/// Directories below the given one that `-r` walks at most.
const MAX_DEPTH: usize = 32;
/// Column names that name the photo in a CSV (case-insensitive).
const PHOTO_COLUMNS: [&str; 8] = [
    "path",
    "file",
    "image",
    "photo",
    "picture",
    "url",
    "image_url",
    "source",
];

/// A job's inputs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The directory or list, absolute: part of the job's identity.
    pub input: String,
    /// The user's own CSV columns, in order.
    pub user_columns: Vec<String>,
    /// (path or URL, the user's values) per photo.
    pub items: Vec<(String, Vec<String>)>,
}

/// Why there is nothing to run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    #[error("{0}: no such file or directory")]
    Missing(String),
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{0}: no pictures (.jpg, .png, .webp, …) in it{1}")]
    Empty(String, &'static str),
    #[error("{0}: use a directory, a .csv or a .txt list")]
    Kind(String),
    #[error("{path}: more than {MAX_PHOTOS} photos; split the list")]
    TooMany { path: String },
    #[error("{path} line {line}: {reason}")]
    Line {
        path: String,
        line: usize,
        reason: String,
    },
}

/// Reads the inputs at `path` (a directory, `.csv` or `.txt`).
pub fn collect(path: &Path, recursive: bool) -> Result<Inputs, InputError> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let name = shown(&abs);
    let meta = std::fs::metadata(&abs).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::Missing(name.clone()),
        _ => InputError::Unreadable {
            path: name.clone(),
            reason: e.to_string(),
        },
    })?;
    let inputs = if meta.is_dir() {
        directory(&abs, recursive)?
    } else {
        let ext = abs
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let text = || {
            read_text_capped(&abs, MAX_LIST_BYTES).map_err(|e| InputError::Unreadable {
                path: name.clone(),
                reason: e.to_string(),
            })
        };
        let base = abs.parent().unwrap_or(Path::new("/"));
        match ext.as_deref() {
            Some("csv") => csv_list(&text()?, base, &name)?,
            Some("txt" | "list") => txt_list(&text()?, base),
            _ => return Err(InputError::Kind(name)),
        }
    };
    if inputs.1.len() > MAX_PHOTOS {
        return Err(InputError::TooMany { path: name });
    }
    if inputs.1.is_empty() {
        let hint = if meta.is_dir() && !recursive {
            " (add -r for its subdirectories)"
        } else {
            ""
        };
        return Err(InputError::Empty(name, hint));
    }
    let (user_columns, items) = inputs;
    Ok(Inputs {
        input: abs.to_string_lossy().into_owned(),
        user_columns,
        items,
    })
}

/// (the user's columns, (source, values) per photo).
type Listed = (Vec<String>, Vec<(String, Vec<String>)>);

/// Pictures by name, sorted, hidden files and directories skipped, symlinked
/// directories not followed (no loops).
fn directory(dir: &Path, recursive: bool) -> Result<Listed, InputError> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| InputError::Unreadable {
            path: shown(&d),
            reason: e.to_string(),
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if recursive && depth < MAX_DEPTH {
                    stack.push((path, depth + 1));
                }
            } else if looks_like_image(name) {
                found.push(path);
                if found.len() > MAX_PHOTOS {
                    return Err(InputError::TooMany { path: shown(dir) });
                }
            }
        }
    }
    found.sort();
    Ok((
        Vec::new(),
        found
            .into_iter()
            .map(|p: PathBuf| (p.to_string_lossy().into_owned(), Vec::new()))
            .collect(),
    ))
}

/// A path relative to the list's directory, or a URL as it is.
fn resolve(entry: &str, base: &Path) -> String {
    let entry = entry.trim();
    if crate::text::is_url(entry) {
        return entry.to_string();
    }
    let path = match entry.strip_prefix("~/").zip(dirs::home_dir()) {
        Some((rest, home)) => home.join(rest),
        None => PathBuf::from(entry),
    };
    let path = if path.is_relative() {
        base.join(path)
    } else {
        path
    };
    path.to_string_lossy().into_owned()
}

/// One path or URL per line; blank lines and `#` comments skipped.
fn txt_list(text: &str, base: &Path) -> Listed {
    let items = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| (resolve(l, base), Vec::new()))
        .collect();
    (Vec::new(), items)
}

/// A CSV with a header row: the photo column is the one named path, file,
/// image, photo, picture, url, image_url or source (else the first); the
/// others are the user's. A first row that is itself a photo means no
/// header: the columns are then "column 2", "column 3", …
fn csv_list(text: &str, base: &Path, name: &str) -> Result<Listed, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| InputError::Line {
            path: name.to_string(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        if rows.len() > MAX_PHOTOS + 1 {
            return Err(InputError::TooMany {
                path: name.to_string(),
            });
        }
        rows.push(record.iter().map(str::to_string).collect::<Vec<_>>());
    }
    let Some(first) = rows.first() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let is_photo = |s: &str| crate::text::is_url(s) || looks_like_image(s);
    let (header, body): (Vec<String>, &[Vec<String>]) = if first.iter().any(|c| is_photo(c)) {
        let width = rows.iter().map(Vec::len).max().unwrap_or(1);
        let names = (1..=width)
            .map(|i| {
                if i == 1 {
                    "photo".into()
                } else {
                    format!("column {i}")
                }
            })
            .collect();
        (names, &rows[..])
    } else {
        (first.clone(), &rows[1..])
    };
    let photo = header
        .iter()
        .position(|h| PHOTO_COLUMNS.contains(&h.to_ascii_lowercase().as_str()))
        .or_else(|| {
            // No header names it: the first column whose first value is a photo.
            body.first()
                .and_then(|row| row.iter().position(|c| is_photo(c)))
        })
        .unwrap_or(0);
    let user_columns: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != photo)
        .map(|(_, h)| h.clone())
        .collect();
    let mut items = Vec::new();
    for row in body {
        let Some(source) = row.get(photo).filter(|s| !s.is_empty()) else {
            continue;
        };
        let values = (0..header.len())
            .filter(|i| *i != photo)
            .map(|i| row.get(i).cloned().unwrap_or_default())
            .collect();
        items.push((resolve(source, base), values));
    }
    Ok((user_columns, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_gives_its_pictures_sorted_and_r_goes_below() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in ["b.jpg", "a.PNG", "notes.txt", ".hidden.jpg", "sub/c.webp"] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let flat = collect(d, false).unwrap();
        let names: Vec<_> = flat
            .items
            .iter()
            .map(|(s, _)| {
                Path::new(s)
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a.PNG", "b.jpg"]);
        assert_eq!(collect(d, true).unwrap().items.len(), 3);
        let empty = tempfile::tempdir().unwrap();
        std::fs::create_dir(empty.path().join("deeper")).unwrap();
        let err = collect(empty.path(), false).unwrap_err();
        assert!(err.to_string().contains("add -r"), "{err}");
    }

    #[test]
    fn a_csv_keeps_the_users_columns_and_resolves_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("list.csv");
        std::fs::write(
            &list,
            "\u{feff}SKU,Photo,Name\nA-1,shoe.jpg,Red shoe\nA-2,https://x.test/m.png,\"Mug, blue\"\nA-3,,no photo\n",
        )
        .unwrap();
        let got = collect(&list, false).unwrap();
        assert_eq!(got.user_columns, ["SKU", "Name"]);
        assert_eq!(got.items.len(), 2);
        assert_eq!(
            got.items[0],
            (
                dir.path().join("shoe.jpg").to_string_lossy().into_owned(),
                vec!["A-1".to_string(), "Red shoe".to_string()]
            )
        );
        assert_eq!(got.items[1].0, "https://x.test/m.png");
        assert_eq!(got.items[1].1, ["A-2", "Mug, blue"]);
        // No header: the first row is a photo.
        std::fs::write(&list, "/p/1.jpg,x\n/p/2.jpg,y\n").unwrap();
        let got = collect(&list, false).unwrap();
        assert_eq!(got.user_columns, ["column 2"]);
        assert_eq!(got.items.len(), 2);
    }

    #[test]
    fn a_txt_list_skips_blanks_and_comments() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("list.txt");
        std::fs::write(
            &list,
            "# photos\n\n/abs/a.jpg\nrel/b.jpg\nhttp://x.test/c.jpg\n",
        )
        .unwrap();
        let got = collect(&list, false).unwrap();
        let sources: Vec<_> = got.items.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(
            sources,
            [
                "/abs/a.jpg".to_string(),
                dir.path().join("rel/b.jpg").to_string_lossy().into_owned(),
                "http://x.test/c.jpg".to_string()
            ]
        );
        let other = dir.path().join("list.json");
        std::fs::write(&other, "[]").unwrap();
        assert!(matches!(collect(&other, false), Err(InputError::Kind(_))));
        assert!(matches!(
            collect(&dir.path().join("nope"), false),
            Err(InputError::Missing(_))
        ));
    }
}
