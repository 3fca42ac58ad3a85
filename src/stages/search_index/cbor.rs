//! CBOR written byte by byte, for the search index's words, which write a value
//! for each place of each word of each page: a value's head, in the shortest form, as
//! minicbor's encoder writes it, without an encoder that checks for and reports
//! an error on every write to memory. Uses nothing else in the crate.

/// CBOR's major types that the index's words hold.
pub const CBOR_UNSIGNED: u8 = 0;
pub const CBOR_NEGATIVE: u8 = 1;
pub const CBOR_TEXT: u8 = 3;
pub const CBOR_ARRAY: u8 = 4;

/// A CBOR value's head, of `major` type and with `value`, in its shortest form, as
/// minicbor writes it.
pub fn cbor_head(bytes: &mut Vec<u8>, major: u8, value: u64) {
    let major = major << 5;
    match value {
        0..=23 => bytes.push(major | value as u8),
        24..=0xff => bytes.extend_from_slice(&[major | 24, value as u8]),
        0x100..=0xffff => {
            bytes.push(major | 25);
            bytes.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            bytes.push(major | 26);
            bytes.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            bytes.push(major | 27);
            bytes.extend_from_slice(&value.to_be_bytes());
        }
    }
}

/// A CBOR text string.
pub fn cbor_text(bytes: &mut Vec<u8>, text: &str) {
    cbor_head(bytes, CBOR_TEXT, text.len() as u64);
    bytes.extend_from_slice(text.as_bytes());
}

/// An array of integers.
pub fn cbor_integers(bytes: &mut Vec<u8>, integers: &[i32]) {
    cbor_head(bytes, CBOR_ARRAY, integers.len() as u64);
    for &integer in integers {
        match u64::try_from(integer) {
            Ok(value) => cbor_head(bytes, CBOR_UNSIGNED, value),
            // CBOR writes -1 - n for a negative integer n.
            Err(_) => cbor_head(bytes, CBOR_NEGATIVE, (-1 - i64::from(integer)) as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_written_as_minicbor_writes_it() {
        let edges = [0, 23, 24, 255, 256, 65_535, 65_536, 1 << 32, u64::MAX];
        for value in edges.into_iter().chain([u64::from(u32::MAX)]) {
            let mut ours = Vec::new();
            cbor_head(&mut ours, CBOR_UNSIGNED, value);
            assert_eq!(ours, minicbor::to_vec(value).unwrap(), "{value}");
            ours.clear();
            cbor_head(&mut ours, CBOR_ARRAY, value);
            let mut theirs = Vec::new();
            minicbor::Encoder::new(&mut theirs).array(value).unwrap();
            assert_eq!(ours, theirs, "array of {value}");
        }
        let mut ours = Vec::new();
        cbor_text(&mut ours, "crème");
        assert_eq!(ours, minicbor::to_vec("crème").unwrap());
    }

    #[test]
    fn integers_are_written_as_minicbor_writes_them() {
        let integers = [
            0,
            1,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            -1,
            -24,
            -25,
            -256,
            -257,
            -65_536,
            -65_537,
            i32::MAX,
            i32::MIN,
        ];
        for count in [0, 1, integers.len()] {
            let mut ours = Vec::new();
            cbor_integers(&mut ours, &integers[..count]);
            assert_eq!(ours, minicbor::to_vec(&integers[..count]).unwrap());
        }
    }
}
