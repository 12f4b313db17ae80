//! Looking through text eight bytes at a time, for the loops that copy or check long texts and
//! only care about a few byte values (escaping, control characters): a word of eight bytes
//! that holds none of them is passed over at once.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `bytes` from `at` on as one word, when there are eight.
#[inline]
pub fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let eight: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(eight))
}

/// Non-zero exactly when some byte of `word` is below `n` (`n` at most 0x80).
#[inline]
pub fn any_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// Non-zero exactly when some byte of `word` is `b`.
#[inline]
pub fn any_equal(word: u64, b: u8) -> u64 {
    any_below(word ^ (ONES * u64::from(b)), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_tell_exactly_whether_a_byte_is_there() {
        // Every byte value at every place of a word, among neighbours that borrow or not.
        for fill in [0x00u8, 0x01, 0x20, 0x41, 0x7f, 0x80, 0xff] {
            for b in 0..=255u8 {
                for at in 0..8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let word = u64::from_le_bytes(bytes);
                    for n in [0x01u8, 0x20, 0x80] {
                        let expected = bytes.iter().any(|&x| x < n);
                        assert_eq!(any_below(word, n) != 0, expected, "{bytes:?} below {n:#x}");
                    }
                    for probe in [b'<', b'"', 0x7f, 0xe2, 0x00] {
                        let expected = bytes.contains(&probe);
                        assert_eq!(
                            any_equal(word, probe) != 0,
                            expected,
                            "{bytes:?} has {probe:#x}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            word_at(b"abcdefgh", 0),
            Some(u64::from_le_bytes(*b"abcdefgh"))
        );
        assert_eq!(word_at(b"abcdefgh", 1), None);
    }
}
