//! QR codes: an address as an inline SVG image, for a printed page to lead back to
//! the site. The qrcode crate encodes the address; this module draws its modules
//! as one SVG path, a row's run of dark modules at a time, which keeps the image a
//! few kilobytes. Uses nothing else of the crate.

use std::fmt::Write;

use qrcode::{Color, EcLevel, QrCode};

/// The light modules around a code that a reader needs to find it.
const QUIET_ZONE: usize = 4;

/// The QR code of `address` as an `<svg>` element to put in a page, drawn with
/// its quiet zone on white, hidden from screen readers (a page prints the address
/// beside it). `None` for an address too long for a QR code.
pub fn svg(address: &str) -> Option<String> {
    // Medium correction survives a crease or a smudge on a printed page.
    let code = QrCode::with_error_correction_level(address.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (y, row) in code.to_colors().chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            if x > start {
                let (left, top, run) = (start + QUIET_ZONE, y + QUIET_ZONE, x - start);
                let _ = write!(path, "M{left} {top}h{run}v1h-{run}z");
            }
            x += 1;
        }
    }
    let size = width + 2 * QUIET_ZONE;
    Some(format!(
        "<svg class=\"qr-code\" aria-hidden=\"true\" focusable=\"false\" \
         xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" \
         fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_an_svg_element_hidden_from_screen_readers() {
        let svg = svg("https://www.example.gov.uk/start-for-life/").unwrap();
        assert!(svg.starts_with("<svg class=\"qr-code\" aria-hidden=\"true\""));
        assert!(svg.ends_with("</svg>"));
        // Version 3 (29 modules) holds this address, with 4 light modules each side.
        assert!(svg.contains("viewBox=\"0 0 37 37\""));
        // The finder pattern's top row: 7 dark modules, inside the quiet zone.
        assert!(svg.contains("M4 4h7v1h-7z"));
    }

    #[test]
    fn the_same_address_makes_the_same_code() {
        let address = "https://saltmarsh-vale.example/babies/";
        assert_eq!(svg(address), svg(address));
        assert_ne!(svg(address), svg("https://brackenford.example/"));
    }

    #[test]
    fn an_address_too_long_for_a_code_has_none() {
        assert_eq!(svg(&"a".repeat(5000)), None);
    }
}
