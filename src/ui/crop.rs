//! Crop mode: the picture as large as the screen allows, in half blocks,
//! outside the box dimmed, the box's edge bright, the detected subjects
//! numbered; under it what the box is and the keys. In kitty the picture is
//! the terminal's own, and so is the box: a mostly transparent picture
//! placed over it (moving the box sends that, never the photo).

use super::Theme;
use crate::api::PixelBox;
use crate::app::crop::{CellPixels, View, describe, whole};
use crate::app::layout::{crop_areas, crop_view};
use crate::app::state::{CropPicture, CropState, State, Thumb};
use crate::image::overlay::CropFrame;
use crate::keymap::{Action, KeyContext};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget as _};

const UPPER_HALF: &str = "▀";
/// The box's edge.
const EDGE: [u8; 3] = [255, 214, 0];
/// A detected subject's edge (dotted).
const SUBJECT: [u8; 3] = [0, 200, 230];

pub fn render(buf: &mut Buffer, state: &State, pictures: &mut super::Pictures) {
    let Some(crop) = state.crop.as_ref() else {
        return;
    };
    let theme = Theme::of(state);
    let areas = crop_areas(state);
    if areas.outer.is_empty() {
        return;
    }
    Clear.render(areas.outer, buf);
    let name = crate::text::sanitize(&crop.source.label());
    let mut title = vec![Span::styled(
        " Crop ",
        theme.accent().add_modifier(Modifier::BOLD),
    )];
    title.push(Span::raw(format!("· {name} ")));
    if let Some(p) = &crop.picture {
        title.push(Span::styled(
            format!("· {}×{} ", p.width, p.height),
            theme.dim(),
        ));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(title))
        .render(areas.outer, buf);
    let (Some(picture), Some(view)) = (crop.picture.as_ref(), crop_view(state)) else {
        let text = match &crop.error {
            Some(e) => Line::styled(
                format!("Cannot crop this picture: {}", crate::text::sanitize(e)),
                theme.error(),
            ),
            None => Line::raw(format!("{} Loading the picture…", super::spinner(state))),
        };
        Paragraph::new(vec![text, Line::styled(leave_hint(state), theme.dim())])
            .wrap(ratatui::widgets::Wrap { trim: true })
            .render(areas.picture, buf);
        return;
    };
    let kitty = crate::app::layout::crop_thumb(state)
        .filter(|k| matches!(state.thumbs.get(k), Some(Thumb::Encoded { .. })));
    if let Some(key) = kitty {
        // The box, the dimming and the subjects are kitty's too: a picture
        // over this one (`frame_over`), so the cells stay blank.
        pictures.push((key, view.area));
        render_info(buf, areas.info, state, crop, picture);
        return;
    }
    if theme.color {
        draw_picture(buf, &view, picture, crop);
        if view.cell == CellPixels::HALF_BLOCKS {
            mark_corners(buf, view.cells_of(crop.selection));
        } else {
            // Sampled at cell centres (the kitty picture is on its way):
            // the edge's pixels may fall between samples, so a frame.
            draw_frame(buf, view.cells_of(crop.selection));
        }
    } else {
        draw_outline(buf, &view, crop.selection);
    }
    for (i, b) in crop.subjects.iter().enumerate() {
        let at = view.cells_of(*b);
        let style = if crop.subject == Some(i) {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            theme
                .accent()
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        };
        if !at.is_empty() {
            // Beside the corner mark, when the box has room for both.
            let x = if at.width > 3 { at.x + 1 } else { at.x };
            buf.set_string(x, at.y, format!("{}", i + 1), style);
        }
    }
    render_info(buf, areas.info, state, crop, picture);
}

/// kitty: crop mode's box to draw over its picture, when that picture is
/// among those the frame placed (`drawn`).
pub(crate) fn frame_over<'a>(
    state: &State,
    drawn: &'a super::Pictures,
) -> Option<(&'a crate::app::state::ThumbKey, CropFrame)> {
    let crop = state.crop.as_ref()?;
    let picture = crop.picture.as_ref()?;
    let key = crate::app::layout::crop_thumb(state)?;
    let (key, _) = drawn.iter().find(|(k, _)| *k == key)?;
    let bounds = |b: PixelBox| (b.x1, b.y1, b.x2, b.y2);
    Some((
        key,
        CropFrame {
            picture: picture.size(),
            selection: bounds(crop.selection),
            subjects: crop.subjects.iter().map(|b| bounds(*b)).collect(),
            chosen: crop.subject,
            cell: (state.cell_size.width, state.cell_size.height),
        },
    ))
}

/// Each cell's two pixels, sampled from the preview; outside the box
/// dimmed, its edge bright, detected subjects dotted.
fn draw_picture(buf: &mut Buffer, view: &View, picture: &CropPicture, crop: &CropState) {
    let (pw, ph) = picture.preview.dimensions();
    let (sw, sh) = view.shown;
    if pw == 0 || ph == 0 || sw == 0 || sh == 0 {
        return;
    }
    let sel = view.to_screen(crop.selection);
    let subjects: Vec<_> = crop.subjects.iter().map(|b| view.to_screen(*b)).collect();
    let pixel = |x: u32, y: u32| -> Option<[u8; 3]> {
        if x >= sw || y >= sh {
            return None;
        }
        let px = (u64::from(x) * u64::from(pw) / u64::from(sw)) as u32;
        let py = (u64::from(y) * u64::from(ph) / u64::from(sh)) as u32;
        let mut c = picture.preview.get_pixel_checked(px, py)?.0;
        let inside = |b: (u32, u32, u32, u32)| x >= b.0 && x < b.2 && y >= b.1 && y < b.3;
        let on_edge = |b: (u32, u32, u32, u32)| {
            inside(b) && (x == b.0 || x + 1 == b.2 || y == b.1 || y + 1 == b.3)
        };
        if on_edge(sel) {
            return Some(EDGE);
        }
        if subjects.iter().any(|s| on_edge(*s)) && (x + y).is_multiple_of(2) {
            return Some(SUBJECT);
        }
        if !inside(sel) {
            c = c.map(|v| (u16::from(v) * 35 / 100) as u8);
        }
        Some(c)
    };
    let rgb = |c: [u8; 3]| Color::Rgb(c[0], c[1], c[2]);
    // A cell's two half-block pixels: the centres of its top and bottom
    // halves in screen pixels (with half blocks, exactly its two pixels).
    let (cw, ch) = (view.cell.w.max(1), view.cell.h.max(1));
    for row in 0..view.area.height {
        for col in 0..view.area.width {
            let x = u32::from(col) * cw + cw / 2;
            let y = u32::from(row) * ch;
            let Some(top) = pixel(x, y + ch / 4) else {
                continue;
            };
            let at = (view.area.x + col, view.area.y + row);
            if let Some(cell) = buf.cell_mut(at) {
                cell.set_symbol(UPPER_HALF).set_fg(rgb(top));
                match pixel(x, y + (3 * ch) / 4) {
                    Some(bottom) => cell.set_bg(rgb(bottom)),
                    None => cell.set_bg(Color::Reset),
                };
            }
        }
    }
}

/// Corner glyphs over the box's corner cells (the pixel under each stays
/// as background): the box reads even where its colour does not stand out.
fn mark_corners(buf: &mut Buffer, at: Rect) {
    if at.width < 2 || at.height < 2 {
        return;
    }
    let (l, t, r, b) = (at.x, at.y, at.right() - 1, at.bottom() - 1);
    for (x, y, glyph) in [(l, t, "┏"), (r, t, "┓"), (l, b, "┗"), (r, b, "┛")] {
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_symbol(glyph)
                .set_fg(Color::Rgb(EDGE[0], EDGE[1], EDGE[2]));
        }
    }
}

/// The box as a bright frame of line characters (over a kitty picture,
/// which is placed under the text).
fn draw_frame(buf: &mut Buffer, at: Rect) {
    let edge = Style::new()
        .fg(Color::Rgb(EDGE[0], EDGE[1], EDGE[2]))
        .add_modifier(Modifier::BOLD);
    if at.width >= 2 && at.height >= 2 {
        Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Thick)
            .border_style(edge)
            .render(at, buf);
    } else {
        for row in at.y..at.bottom() {
            for col in at.x..at.right() {
                if let Some(cell) = buf.cell_mut((col, row)) {
                    cell.set_symbol("█").set_style(edge);
                }
            }
        }
    }
}

/// Without colours: the picture's extent dotted, the box as a frame.
fn draw_outline(buf: &mut Buffer, view: &View, selection: PixelBox) {
    for row in 0..view.area.height {
        for col in 0..view.area.width {
            if let Some(cell) = buf.cell_mut((view.area.x + col, view.area.y + row)) {
                cell.set_symbol("·");
            }
        }
    }
    let at = view.cells_of(selection);
    if at.width >= 2 && at.height >= 2 {
        Clear.render(at, buf);
        Block::default()
            .borders(Borders::ALL)
            .border_style(Style::new().add_modifier(Modifier::BOLD))
            .render(at, buf);
    } else {
        for row in at.y..at.bottom() {
            for col in at.x..at.right() {
                if let Some(cell) = buf.cell_mut((col, row)) {
                    cell.set_symbol("█");
                }
            }
        }
    }
}

fn render_info(buf: &mut Buffer, area: Rect, state: &State, crop: &CropState, p: &CropPicture) {
    if area.is_empty() {
        return;
    }
    let theme = Theme::of(state);
    let b = crop.selection;
    let mut spans = vec![
        Span::raw("box "),
        Span::styled(describe(b), theme.price().add_modifier(Modifier::BOLD)),
    ];
    if b == whole(p.size()) {
        spans.push(Span::styled(" (the whole picture)", theme.dim()));
    }
    let n = crop.subjects.len();
    let subjects = match (crop.subject, n) {
        (_, 0) => String::new(),
        (Some(i), _) => format!(" · subject {} of {n}", i + 1),
        (None, 1) => " · 1 subject detected".to_string(),
        (None, _) => format!(" · {n} subjects detected"),
    };
    spans.push(Span::styled(subjects, theme.accent()));
    let mut lines = vec![Line::from(spans)];
    let keys: Vec<Span> = hints(state)
        .into_iter()
        .flat_map(|(k, label)| {
            [
                Span::styled(k, Style::new().add_modifier(Modifier::BOLD)),
                Span::styled(format!(" {label}  "), theme.dim()),
            ]
        })
        .collect();
    lines.push(Line::from(keys));
    if area.height == 1 {
        // One line: the keys matter more than the box's figures.
        lines.swap(0, 1);
    }
    Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(area, buf);
}

fn leave_hint(state: &State) -> String {
    let key = state.key_hint(KeyContext::Crop, Action::Cancel);
    format!("{key} to leave")
}

/// The key hints: the first key bound to each crop action ("hjkl move"
/// when there is one action each way).
pub(crate) fn hints(state: &State) -> Vec<(String, &'static str)> {
    use Action::*;
    let groups: [(&[Action], &'static str); 8] = [
        (&[CropSearch], "search"),
        (&[Cancel], "leave"),
        (&[CropLeft, CropDown, CropUp, CropRight], "move"),
        (&[CropNarrower, CropTaller, CropShorter, CropWider], "size"),
        (&[CropGrow, CropShrink], "grow/shrink"),
        (&[CropNextSubject], "next subject"),
        (&[CropCentre], "centre"),
        (&[CropReset], "whole"),
    ];
    groups
        .into_iter()
        .filter_map(|(actions, label)| {
            let keys: Vec<String> = actions
                .iter()
                .filter_map(|a| {
                    state
                        .keymap
                        .keys_for(KeyContext::Crop, *a)
                        .into_iter()
                        .next()
                })
                .collect();
            if keys.is_empty() {
                return None;
            }
            let single = keys.iter().all(|k| k.chars().count() == 1);
            Some((keys.join(if single { "" } else { "/" }), label))
        })
        .collect()
}
