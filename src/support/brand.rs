//! Council branding: reads a brand colour, measures the contrast of the header's
//! white text on it (WCAG 2.2 relative luminance), and finds the nearest darker shade
//! that passes when it is too light. Pure functions. Uses nothing else in the crate.

/// The contrast that normal-size text needs at WCAG 2.2 level AA.
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

/// A colour in sRGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

pub const WHITE: Colour = Colour {
    r: 255,
    g: 255,
    b: 255,
};

impl Colour {
    /// Reads `#rrggbb` or `#rgb`.
    pub fn parse(text: &str) -> Option<Colour> {
        let hex = text.trim().strip_prefix('#')?;
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect::<Option<_>>()?;
        match digits.as_slice() {
            [r, g, b] => Some(Colour {
                r: r * 17,
                g: g * 17,
                b: b * 17,
            }),
            [r1, r2, g1, g2, b1, b2] => Some(Colour {
                r: r1 * 16 + r2,
                g: g1 * 16 + g2,
                b: b1 * 16 + b2,
            }),
            _ => None,
        }
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// Relative luminance, from 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let [r, g, b] = [self.r, self.g, self.b].map(|c| to_linear(f64::from(c) / 255.0));
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }
}

fn to_linear(channel: f64) -> f64 {
    if channel <= 0.04045 {
        channel / 12.92
    } else {
        ((channel + 0.055) / 1.055).powf(2.4)
    }
}

fn from_linear(channel: f64) -> u8 {
    let srgb = if channel <= 0.0031308 {
        channel * 12.92
    } else {
        1.055 * channel.powf(1.0 / 2.4) - 0.055
    };
    (srgb * 255.0).round().clamp(0.0, 255.0) as u8
}

/// The contrast ratio between two colours, from 1 to 21.
pub fn contrast(a: Colour, b: Colour) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// The closest shade of `colour`, same hue, made darker only as far as needed for
/// white text on it to reach [`MIN_TEXT_CONTRAST`].
pub fn nearest_passing_shade(colour: Colour) -> Colour {
    let linear = [colour.r, colour.g, colour.b].map(|c| to_linear(f64::from(c) / 255.0));
    let mut scale = 1.0;
    loop {
        let [r, g, b] = linear.map(|c| from_linear(c * scale));
        let shade = Colour { r, g, b };
        if contrast(WHITE, shade) >= MIN_TEXT_CONTRAST || scale <= 0.0 {
            return shade;
        }
        scale -= 0.005;
    }
}

/// CSS that sets the theme's brand colour, appended to its stylesheet.
pub fn stylesheet(colour: Colour) -> String {
    format!("\n:root{{--brand:{}}}\n", colour.hex())
}

/// Ratios are shown rounded down, so a colour is never said to pass when it does not.
pub fn format_ratio(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_in_both_hex_forms() {
        assert_eq!(
            Colour::parse("#005EB8"),
            Some(Colour {
                r: 0,
                g: 94,
                b: 184
            })
        );
        assert_eq!(Colour::parse("#fff"), Some(WHITE));
        assert_eq!(Colour::parse("blue"), None);
        assert_eq!(Colour::parse("#12345"), None);
    }

    #[test]
    fn contrast_matches_the_wcag_formula() {
        assert_eq!(
            format_ratio(contrast(WHITE, Colour { r: 0, g: 0, b: 0 })),
            "21.00:1"
        );
        assert_eq!(
            format_ratio(contrast(WHITE, Colour::parse("#005eb8").unwrap())),
            "6.37:1"
        );
        assert_eq!(
            format_ratio(contrast(WHITE, Colour::parse("#767676").unwrap())),
            "4.54:1"
        );
    }

    #[test]
    fn a_light_colour_is_darkened_just_enough() {
        let light = Colour::parse("#4c9be8").unwrap();
        let shade = nearest_passing_shade(light);
        assert!(contrast(WHITE, shade) >= MIN_TEXT_CONTRAST);
        assert!(
            contrast(WHITE, shade) < MIN_TEXT_CONTRAST + 0.2,
            "{}",
            shade.hex()
        );
        assert!(shade.b > shade.r, "keeps its hue: {}", shade.hex());
    }
}
