//! `region`: the subject box(es) to search for, as 1688's image search
//! takes them: `x1,x2,y1,y2` = xmin, xmax, ymin, ymax in pixels of the
//! picture the provider received; several boxes joined by `;`.

use crate::text::clean;

/// One box, in pixels: `x1 <= x < x2`, `y1 <= y < y2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x1: u32,
    pub x2: u32,
    pub y1: u32,
    pub y2: u32,
}

impl Region {
    pub fn width(&self) -> u32 {
        self.x2 - self.x1
    }

    pub fn height(&self) -> u32 {
        self.y2 - self.y1
    }
}

/// More boxes than this in one `region` are refused.
pub const MAX_BOXES: usize = 16;

/// Parses and validates every box against a `width`×`height` picture.
/// `Ok(None)` when `region` is absent or blank. Errors are the message of a
/// code-400 reply.
pub fn parse(region: Option<&str>, width: u32, height: u32) -> Result<Option<Vec<Region>>, String> {
    let Some(text) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let shown = clean(text, 80);
    let boxes: Vec<&str> = text.split(';').map(str::trim).collect();
    if boxes.len() > MAX_BOXES {
        return Err(format!(
            "region框数过多 invalid region \"{shown}\": at most {MAX_BOXES} boxes joined by ';'"
        ));
    }
    let mut out = Vec::with_capacity(boxes.len());
    for b in boxes {
        let nums: Option<Vec<u32>> = b.split(',').map(|p| p.trim().parse::<u32>().ok()).collect();
        let Some([x1, x2, y1, y2]) = nums.as_deref().and_then(|n| <[u32; 4]>::try_from(n).ok())
        else {
            return Err(format!(
                "region格式错误，应为x1,x2,y1,y2 invalid region \"{shown}\": each box is x1,x2,y1,y2 = xmin,xmax,ymin,ymax in whole pixels"
            ));
        };
        if x1 >= x2 || y1 >= y2 {
            return Err(format!(
                "region面积为零或坐标颠倒 invalid region \"{shown}\": a box needs x1 < x2 and y1 < y2 (order x1,x2,y1,y2 = xmin,xmax,ymin,ymax)"
            ));
        }
        if x2 > width || y2 > height {
            return Err(format!(
                "region超出图片范围 invalid region \"{shown}\": a box lies outside the {width}x{height} picture"
            ));
        }
        out.push(Region { x1, x2, y1, y2 });
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_xmin_xmax_ymin_ymax() {
        // 1688's own example value, on a picture it fits.
        let r = parse(Some("266,799,48,581"), 800, 600).unwrap().unwrap();
        assert_eq!(
            r,
            vec![Region {
                x1: 266,
                x2: 799,
                y1: 48,
                y2: 581
            }]
        );
        assert_eq!((r[0].width(), r[0].height()), (533, 533));
        // A tall narrow box is valid only in this order.
        let r = parse(Some("10,20,0,90"), 100, 100).unwrap().unwrap();
        assert_eq!((r[0].width(), r[0].height()), (10, 90));
    }

    #[test]
    fn several_boxes_all_validated() {
        let r = parse(Some("0,10,0,10; 5,50,5,50"), 50, 50)
            .unwrap()
            .unwrap();
        assert_eq!(r.len(), 2);
        assert!(parse(Some("0,10,0,10;5,60,5,50"), 50, 50).is_err());
        assert!(parse(Some("0,10,0,10;"), 50, 50).is_err());
    }

    #[test]
    fn absent_or_blank_is_none() {
        assert_eq!(parse(None, 10, 10), Ok(None));
        assert_eq!(parse(Some("  "), 10, 10), Ok(None));
    }

    #[test]
    fn bad_boxes_are_rejected_with_a_clear_message() {
        for (bad, says) in [
            ("1,2,3", "x1,x2,y1,y2"),
            ("a,b,c,d", "x1,x2,y1,y2"),
            ("-1,5,0,5", "x1,x2,y1,y2"),
            ("1.5,5,0,5", "x1,x2,y1,y2"),
            ("5,5,0,9", "x1 < x2"),
            ("0,9,5,5", "y1 < y2"),
            ("8,2,0,9", "x1 < x2"),
            // An x1,y1,x2,y2 box read in the right order: xmin = xmax.
            ("1,1,8,8", "x1 < x2"),
            ("0,11,0,5", "outside the 10x10"),
            ("0,5,0,11", "outside the 10x10"),
            ("20,30,20,30", "outside"),
        ] {
            let err = parse(Some(bad), 10, 10).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(err.contains("region"), "{err}");
        }
        let many = vec!["0,1,0,1"; MAX_BOXES + 1].join(";");
        assert!(parse(Some(&many), 10, 10).is_err());
    }

    #[test]
    fn echoed_text_is_sanitised_and_cut() {
        let hostile = format!("\u{1b}[2J{}", "9".repeat(500));
        let err = parse(Some(&hostile), 10, 10).unwrap_err();
        assert!(!err.contains('\u{1b}'));
        assert!(err.chars().count() < 300);
    }
}
