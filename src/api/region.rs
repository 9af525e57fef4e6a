//! The `region` a search is narrowed to: boxes the user gives in the pixels of
//! *their* picture, checked against it, scaled to the copy the provider
//! receives and written in the provider's order `x1,x2,y1,y2` (xmin, xmax,
//! ymin, ymax; several boxes joined by `;`), as 1688's image search documents.

use std::fmt;
use std::str::FromStr;

/// A box in pixels of the user's picture: `[x1, x2)` × `[y1, y2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelBox {
    pub x1: u32,
    pub y1: u32,
    pub x2: u32,
    pub y2: u32,
}

/// How the user may write a box (`--help` and the README say the same).
const REGION_SYNTAX: &str = "X1,Y1,X2,Y2 (two corners) or WxH+X+Y (size and top-left corner), \
     in pixels of your picture; several boxes joined by ';'";

impl PixelBox {
    pub fn width(&self) -> u32 {
        self.x2.saturating_sub(self.x1)
    }

    pub fn height(&self) -> u32 {
        self.y2.saturating_sub(self.y1)
    }
}

impl fmt::Display for PixelBox {
    /// The user's corner form, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{},{}", self.x1, self.y1, self.x2, self.y2)
    }
}

impl FromStr for PixelBox {
    type Err = String;

    /// `X1,Y1,X2,Y2` or `WxH+X+Y`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let num = |v: &str| {
            v.trim().parse::<u32>().map_err(|_| {
                format!(
                    "region {t:?}: {:?} is not a whole number of pixels",
                    v.trim()
                )
            })
        };
        let b = if let Some((size, offset)) = t.split_once('+') {
            let (w, h) = size
                .split_once(['x', 'X'])
                .ok_or_else(|| format!("region {t:?}: use {REGION_SYNTAX}"))?;
            let (x, y) = offset
                .split_once('+')
                .ok_or_else(|| format!("region {t:?}: use {REGION_SYNTAX}"))?;
            let (w, h, x, y) = (num(w)?, num(h)?, num(x)?, num(y)?);
            let too_big = || format!("region {t:?} is too large");
            PixelBox {
                x1: x,
                y1: y,
                x2: x.checked_add(w).ok_or_else(too_big)?,
                y2: y.checked_add(h).ok_or_else(too_big)?,
            }
        } else {
            let parts: Vec<&str> = t.split(',').collect();
            let [x1, y1, x2, y2] = parts.as_slice() else {
                return Err(format!("region {t:?}: use {REGION_SYNTAX}"));
            };
            PixelBox {
                x1: num(x1)?,
                y1: num(y1)?,
                x2: num(x2)?,
                y2: num(y2)?,
            }
        };
        if b.x2 <= b.x1 || b.y2 <= b.y1 {
            return Err(format!(
                "region {t:?} has no area: the second corner must be right of and below the first"
            ));
        }
        Ok(b)
    }
}

/// One or more boxes, as the user wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region(pub Vec<PixelBox>);

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let boxes = s
            .split(';')
            .filter(|p| !p.trim().is_empty())
            .map(str::parse)
            .collect::<Result<Vec<PixelBox>, _>>()?;
        if boxes.is_empty() {
            return Err(format!("empty region: use {REGION_SYNTAX}"));
        }
        Ok(Region(boxes))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{b}")?;
        }
        Ok(())
    }
}

impl Region {
    /// Checks every box lies inside a `source` (width, height) picture, scales
    /// it to the `target` copy the provider receives and writes the wire form
    /// `x1,x2,y1,y2[;…]`. A box never shrinks below one target pixel.
    pub(crate) fn to_wire(&self, source: (u32, u32), target: (u32, u32)) -> Result<String, String> {
        let (sw, sh) = source;
        let (tw, th) = target;
        if sw == 0 || sh == 0 || tw == 0 || th == 0 {
            return Err("the picture has no size, so a region cannot be placed".into());
        }
        let mut out = Vec::with_capacity(self.0.len());
        for b in &self.0 {
            if b.x2 > sw || b.y2 > sh {
                return Err(format!(
                    "region {b} is outside the picture ({sw}×{sh} pixels): X2 must be at most {sw} and Y2 at most {sh}"
                ));
            }
            let (x1, x2) = scale_span(b.x1, b.x2, sw, tw);
            let (y1, y2) = scale_span(b.y1, b.y2, sh, th);
            out.push(format!("{x1},{x2},{y1},{y2}"));
        }
        Ok(out.join(";"))
    }
}

impl Region {
    /// The wire form without scaling or bounds (the provider receives the
    /// user's picture itself, whose size is not known here).
    pub(crate) fn to_wire_unchecked(&self) -> String {
        self.0
            .iter()
            .map(|b| format!("{},{},{},{}", b.x1, b.x2, b.y1, b.y2))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Boxes a reply names in the provider's order `x1,x2,y1,y2[;…]`, in pixels
/// of the copy it received, read tolerantly: spaces, a trailing `;`,
/// decimals (rounded outwards) and boxes given corner-first by mistake are
/// taken; a box that is not four numbers, has no area or is absurdly large
/// is skipped. At most [`MAX_REPLY_BOXES`] are kept.
pub fn parse_wire_boxes(text: &str) -> Vec<PixelBox> {
    text.split([';', '|'])
        .filter_map(|part| {
            let nums: Vec<f64> = part
                .split(',')
                .map(|n| n.trim().parse::<f64>().ok())
                .collect::<Option<Vec<f64>>>()?;
            let [x1, x2, y1, y2] = <[f64; 4]>::try_from(nums).ok()?;
            let ok = |v: f64| v.is_finite() && (0.0..=1.0e6).contains(&v);
            if !(ok(x1) && ok(x2) && ok(y1) && ok(y2)) {
                return None;
            }
            let (x1, x2) = (x1.min(x2), x1.max(x2));
            let (y1, y2) = (y1.min(y2), y1.max(y2));
            // Within 0..=1e6, so the casts cannot overflow.
            let b = PixelBox {
                x1: x1.floor() as u32,
                x2: x2.ceil() as u32,
                y1: y1.floor() as u32,
                y2: y2.ceil() as u32,
            };
            (b.width() > 0 && b.height() > 0).then_some(b)
        })
        .take(MAX_REPLY_BOXES)
        .collect()
}

/// Detected subjects beyond this many in one reply are ignored.
pub const MAX_REPLY_BOXES: usize = 16;

/// Maps a box in pixels of the `sent` copy back to the user's `source`
/// picture (the inverse of [`Region::to_wire`]'s scaling), clamped inside it.
pub fn box_to_source(b: PixelBox, sent: (u32, u32), source: (u32, u32)) -> Option<PixelBox> {
    let (tw, th) = sent;
    let (sw, sh) = source;
    if tw == 0 || th == 0 || sw == 0 || sh == 0 {
        return None;
    }
    let (x1, x2) = scale_span(b.x1.min(tw - 1), b.x2.min(tw), tw, sw);
    let (y1, y2) = scale_span(b.y1.min(th - 1), b.y2.min(th), th, sh);
    Some(PixelBox { x1, y1, x2, y2 })
}

/// What a reply said about the subjects of the searched picture
/// (`picRegionInfo`), in pixels of the copy the provider received.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Subjects {
    /// The region the provider searched (`currentRegion`).
    pub current: Option<(u32, u32, u32, u32)>,
    /// Detected subjects (`yoloCropRegion`), as (x1, x2, y1, y2).
    pub detected: Vec<(u32, u32, u32, u32)>,
}

impl Subjects {
    /// Reads `picRegionInfo` from any JSON shape a provider passes it in:
    /// an object with `currentRegion`/`yoloCropRegion` (strings or lists of
    /// strings), or the object as a JSON string. `None` when it names no box.
    pub fn from_json(value: &serde_json::Value) -> Option<Subjects> {
        use serde_json::Value;
        let value = match value {
            Value::String(s) => serde_json::from_str::<Value>(s).ok()?,
            v => v.clone(),
        };
        let boxes = |key: &str| -> Vec<PixelBox> {
            let field = value.get(key).or_else(|| {
                // Some wrappers change the case of the first letter.
                let mut k = key.to_string();
                let first = k.remove(0).to_ascii_uppercase();
                value.get(format!("{first}{k}"))
            });
            match field {
                Some(Value::String(s)) => parse_wire_boxes(s),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .flat_map(parse_wire_boxes)
                    .take(MAX_REPLY_BOXES)
                    .collect(),
                _ => Vec::new(),
            }
        };
        let tuple = |b: PixelBox| (b.x1, b.x2, b.y1, b.y2);
        let current = boxes("currentRegion").into_iter().next().map(tuple);
        let detected: Vec<_> = boxes("yoloCropRegion").into_iter().map(tuple).collect();
        (current.is_some() || !detected.is_empty()).then_some(Subjects { current, detected })
    }

    /// The detected boxes in pixels of the user's picture.
    pub fn detected_in(&self, sent: (u32, u32), source: (u32, u32)) -> Vec<PixelBox> {
        self.detected
            .iter()
            .filter_map(|&(x1, x2, y1, y2)| {
                box_to_source(PixelBox { x1, y1, x2, y2 }, sent, source)
            })
            .collect()
    }

    /// The detected boxes as the reply gives them (a picture the provider
    /// fetched by address: its pixels are the user's).
    pub fn detected_boxes(&self) -> Vec<PixelBox> {
        self.detected
            .iter()
            .map(|&(x1, x2, y1, y2)| PixelBox { x1, y1, x2, y2 })
            .collect()
    }

    /// The searched region as the reply gives it.
    pub fn current_box(&self) -> Option<PixelBox> {
        let (x1, x2, y1, y2) = self.current?;
        Some(PixelBox { x1, y1, x2, y2 })
    }

    /// The searched region in pixels of the user's picture.
    pub fn current_in(&self, sent: (u32, u32), source: (u32, u32)) -> Option<PixelBox> {
        let (x1, x2, y1, y2) = self.current?;
        box_to_source(PixelBox { x1, y1, x2, y2 }, sent, source)
    }
}

/// Maps `[a, b)` of a `from`-pixel axis onto a `to`-pixel axis: the start
/// rounds down, the end up, and the span keeps at least one pixel.
fn scale_span(a: u32, b: u32, from: u32, to: u32) -> (u32, u32) {
    let scale = |v: u32, up: bool| -> u32 {
        let num = u64::from(v) * u64::from(to);
        let den = u64::from(from);
        let q = if up { num.div_ceil(den) } else { num / den };
        u32::try_from(q.min(u64::from(to))).unwrap_or(to)
    };
    let start = scale(a, false).min(to.saturating_sub(1));
    let end = scale(b, true).max(start + 1).min(to);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_syntaxes_parse_to_the_same_box() {
        let corners: PixelBox = "1000,500,3000,2500".parse().unwrap();
        let geometry: PixelBox = "2000x2000+1000+500".parse().unwrap();
        assert_eq!(corners, geometry);
        assert_eq!(corners.width(), 2000);
    }

    #[test]
    fn a_4000x3000_photo_scales_to_its_1000x750_copy_in_provider_order() {
        let region: Region = "1000,500,3000,2500".parse().unwrap();
        // x: 1000..3000 → 250..750; y: 500..2500 → 125..625; order x1,x2,y1,y2.
        assert_eq!(
            region.to_wire((4000, 3000), (1000, 750)).unwrap(),
            "250,750,125,625"
        );
        // The whole picture maps to the whole copy.
        let all: Region = "0,0,4000,3000".parse().unwrap();
        assert_eq!(
            all.to_wire((4000, 3000), (1000, 750)).unwrap(),
            "0,1000,0,750"
        );
    }

    #[test]
    fn several_boxes_are_joined_with_semicolons() {
        let region: Region = "0,0,400,300; 400x300+3600+2700".parse().unwrap();
        assert_eq!(
            region.to_wire((4000, 3000), (1000, 750)).unwrap(),
            "0,100,0,75;900,1000,675,750"
        );
    }

    #[test]
    fn bad_boxes_are_refused_with_a_reason() {
        for (text, needle) in [
            ("10,10,10,20", "no area"),
            ("30,10,20,20", "no area"),
            ("0x10+5+5", "no area"),
            ("1,2,3", "use X1,Y1,X2,Y2"),
            ("a,b,c,d", "not a whole number"),
            ("-1,0,5,5", "not a whole number"),
            ("", "empty region"),
            ("4294967295x2+1+1", "too large"),
        ] {
            let err = text.parse::<Region>().unwrap_err();
            assert!(err.contains(needle), "{text:?} gave {err:?}");
        }
        let outside: Region = "0,0,4001,3000".parse().unwrap();
        let err = outside.to_wire((4000, 3000), (1000, 750)).unwrap_err();
        assert!(err.contains("outside the picture (4000×3000"), "{err}");
    }

    #[test]
    fn a_tiny_box_keeps_one_pixel_and_stays_inside() {
        let region: Region = "3999,2999,4000,3000".parse().unwrap();
        assert_eq!(
            region.to_wire((4000, 3000), (1000, 750)).unwrap(),
            "999,1000,749,750"
        );
        let odd: Region = "1,1,2,2".parse().unwrap();
        let wire = odd.to_wire((7, 5), (3, 2)).unwrap();
        assert_eq!(wire, "0,1,0,1");
    }

    #[test]
    fn unscaled_wire_form_is_in_provider_order() {
        let region: Region = "10,20,30,40;1x1+0+0".parse().unwrap();
        assert_eq!(region.to_wire_unchecked(), "10,30,20,40;0,1,0,1");
    }

    #[test]
    fn display_round_trips() {
        let region: Region = "1,2,3,4;5,6,7,8".parse().unwrap();
        assert_eq!(region.to_string().parse::<Region>().unwrap(), region);
    }

    #[test]
    fn reply_boxes_are_read_tolerantly() {
        let b =
            parse_wire_boxes(" 266,799,48,581 ; 10.4,20.6,0,90;;bad;1,2,3;5,5,0,9;799,266,581,48");
        assert_eq!(
            b,
            vec![
                PixelBox {
                    x1: 266,
                    x2: 799,
                    y1: 48,
                    y2: 581
                },
                PixelBox {
                    x1: 10,
                    x2: 21,
                    y1: 0,
                    y2: 90
                },
                PixelBox {
                    x1: 266,
                    x2: 799,
                    y1: 48,
                    y2: 581
                },
            ]
        );
        assert!(parse_wire_boxes("").is_empty());
        assert!(parse_wire_boxes("nan,1,0,1;-5,1,0,1;0,1e9,0,1").is_empty());
        let many = vec!["0,1,0,1"; 40].join(";");
        assert_eq!(parse_wire_boxes(&many).len(), MAX_REPLY_BOXES);
    }

    #[test]
    fn pic_region_info_in_any_shape() {
        let v = serde_json::json!({"currentRegion": "0,1000,0,750",
            "yoloCropRegion": "100,400,200,700;500,900,100,600"});
        let s = Subjects::from_json(&v).unwrap();
        assert_eq!(s.current, Some((0, 1000, 0, 750)));
        assert_eq!(s.detected, vec![(100, 400, 200, 700), (500, 900, 100, 600)]);
        // As a string holding the object, as lists, with a capital letter.
        let text = serde_json::Value::String(v.to_string());
        assert_eq!(Subjects::from_json(&text), Some(s.clone()));
        let lists = serde_json::json!({"YoloCropRegion": ["100,400,200,700", "500,900,100,600"]});
        assert_eq!(Subjects::from_json(&lists).unwrap().detected, s.detected);
        for nothing in [
            serde_json::json!({}),
            serde_json::json!(null),
            serde_json::json!(7),
            serde_json::json!({"yoloCropRegion": ""}),
            serde_json::json!("not json"),
        ] {
            assert_eq!(Subjects::from_json(&nothing), None, "{nothing}");
        }
        // Mapped back to a 4000×3000 picture sent as 1000×750.
        assert_eq!(
            s.detected_in((1000, 750), (4000, 3000))[0],
            PixelBox {
                x1: 400,
                x2: 1600,
                y1: 800,
                y2: 2800
            }
        );
        assert_eq!(
            s.current_in((1000, 750), (4000, 3000)),
            Some(PixelBox {
                x1: 0,
                x2: 4000,
                y1: 0,
                y2: 3000
            })
        );
    }

    #[test]
    fn a_box_maps_to_the_sent_copy_and_back() {
        for (source, sent) in [
            ((4000, 3000), (1000, 750)),
            ((640, 480), (640, 480)),
            ((3001, 7), (1000, 2)),
        ] {
            let region: Region = format!("0,0,{},{}", source.0 / 2, source.1)
                .parse()
                .unwrap();
            let wire = region.to_wire(source, sent).unwrap();
            let back = parse_wire_boxes(&wire)[0];
            let b = box_to_source(back, sent, source).unwrap();
            assert_eq!((b.x1, b.y1, b.y2), (0, 0, source.1), "{source:?}");
            assert!(
                b.x2 >= source.0 / 2 && b.x2 <= source.0,
                "{source:?}: {b:?}"
            );
        }
        assert_eq!(
            box_to_source(
                PixelBox {
                    x1: 0,
                    x2: 1,
                    y1: 0,
                    y2: 1
                },
                (0, 0),
                (5, 5)
            ),
            None
        );
    }
}
