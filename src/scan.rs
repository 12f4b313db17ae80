//! Looking through text eight bytes at a time, for the loops that copy or check long texts and
//! only care about a few byte values (escaping, control characters), and for the tokenizers
//! that look for where a word or a run of plain ASCII ends: a word of eight bytes that holds
//! none of them is passed over at once, and the first that does is found without a branch per
//! byte. The `any_*` tests tell whether a word holds such a byte; the byte masks (a high bit
//! per byte, read little-endian, so `trailing_zeros() / 8` is the first) tell which.

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

/// Non-zero exactly when some byte of `word` is `a` or `b`, two values that differ in one bit
/// (one test: that bit is masked off).
#[inline]
pub fn any_equal_either(word: u64, a: u8, b: u8) -> u64 {
    debug_assert_eq!((a ^ b).count_ones(), 1);
    any_equal(word & (ONES * u64::from(!(a ^ b))), a & b)
}

/// The high bit of each byte of `word` that is at least `a`, for bytes below 0x80: adding
/// 0x80 - a sets the high bit exactly then, and never carries into the next byte. The high
/// bits of bytes from 0x80 on say nothing.
#[inline]
fn at_least(word: u64, a: u8) -> u64 {
    ((word & !HIGHS) + u64::from(0x80 - a) * ONES) & HIGHS
}

/// The high bit of each non-ASCII byte of `word`.
#[inline]
pub fn non_ascii(word: u64) -> u64 {
    word & HIGHS
}

/// The high bit of each byte of `word` that is not an ASCII letter or digit (non-ASCII bytes
/// included).
#[inline]
pub fn not_alphanumeric(word: u64) -> u64 {
    let folded = word | (0x20 * ONES);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digit = at_least(word, b'0') & !at_least(word, b'9' + 1);
    !((letter | digit) & !word) & HIGHS
}

/// The high bit of each byte of `word` that is a space or below it (white space, most control
/// characters) or non-ASCII: all but the letters, digits and punctuation of ASCII, and DEL.
#[inline]
pub fn at_most_space_or_non_ascii(word: u64) -> u64 {
    non_ascii(word) | (!at_least(word, b'!') & HIGHS)
}

/// The high bit of each byte of `word` that is a space (0x20).
#[inline]
pub fn spaces(word: u64) -> u64 {
    !at_least(word ^ (0x20 * ONES), 1) & !word & HIGHS
}

/// 2,000 texts of 24 pieces each, drawn from `pieces` by a generator started at `seed`: for
/// tests that hold a loop working eight bytes at a time to the same loop a byte at a time, with
/// every piece falling at every offset of a word.
#[cfg(test)]
pub(crate) fn texts_to_scan(pieces: &[&str], mut seed: u64) -> Vec<String> {
    (0..2000)
        .map(|_| {
            (0..24)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    pieces[(seed >> 33) as usize % pieces.len()]
                })
                .collect()
        })
        .collect()
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
                    for (x, y) in [(b'"', b'&'), (b'<', b'>')] {
                        assert_eq!(
                            any_equal_either(word, x, y) != 0,
                            bytes.contains(&x) || bytes.contains(&y),
                            "{bytes:?} has {x:#x} or {y:#x}"
                        );
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

    #[test]
    fn byte_masks_mark_exactly_the_bytes_of_their_class() {
        // Every byte value at every place, among neighbours of every class.
        for fill in [b'a', b'Z', b'5', b' ', b'!', 0x00, 0x7f, 0x80, 0xff] {
            for b in 0..=255u8 {
                for at in 0..8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let word = u64::from_le_bytes(bytes);
                    for (k, &x) in bytes.iter().enumerate() {
                        let marked = |mask: u64| mask >> (8 * k + 7) & 1 == 1;
                        assert_eq!(marked(not_alphanumeric(word)), !x.is_ascii_alphanumeric());
                        assert_eq!(marked(non_ascii(word)), !x.is_ascii());
                        assert_eq!(marked(spaces(word)), x == b' ');
                        assert_eq!(
                            marked(at_most_space_or_non_ascii(word)),
                            x <= b' ' || x >= 0x80,
                            "{x:#x}"
                        );
                    }
                }
            }
        }
    }
}
