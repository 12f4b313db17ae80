//! A guess at the language of an article's text, for `language:` when `--language` is absent.
//!
//! Script first: a text mostly in CJK characters is Chinese, Japanese (when it has kana) or
//! Korean (Hangul); one mostly in Cyrillic is Russian. A Latin text is told apart by its most
//! common short words (English, French, German, Spanish), English when in doubt.

use crate::text::is_cjk;

/// The BCP 47 tag of the language `text` is most likely written in.
pub fn detect(text: &str) -> &'static str {
    let (mut han, mut kana, mut hangul, mut cyrillic, mut latin) = (0usize, 0, 0, 0, 0);
    for c in text.chars() {
        match c as u32 {
            0x3040..=0x30FF | 0x31F0..=0x31FF => kana += 1,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => hangul += 1,
            0x0400..=0x04FF => cyrillic += 1,
            _ if c.is_alphabetic() && is_cjk(c) => han += 1,
            _ if c.is_alphabetic()
                && (c.is_ascii_alphabetic() || ('\u{c0}'..='\u{24f}').contains(&c)) =>
            {
                latin += 1
            }
            _ => {}
        }
    }
    let cjk = han + kana + hangul;
    // A CJK character carries about as much as a Latin word: weigh letters by that.
    let latin_words = latin / 5;
    if cjk > 0 && cjk * 10 >= (cjk + latin_words) * 3 {
        return if hangul * 2 > cjk {
            "ko"
        } else if kana * 20 > cjk {
            "ja"
        } else {
            "zh"
        };
    }
    if cyrillic > latin {
        return "ru";
    }
    latin_language(text)
}

fn latin_language(text: &str) -> &'static str {
    const WORDS: [(&str, &[&str]); 4] = [
        (
            "en",
            &[
                "the", "and", "of", "to", "is", "that", "with", "for", "was", "on",
            ],
        ),
        (
            "fr",
            &[
                "le", "les", "et", "des", "est", "une", "du", "dans", "pour", "au",
            ],
        ),
        (
            "de",
            &[
                "der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "zu",
            ],
        ),
        (
            "es",
            &[
                "el", "los", "las", "y", "que", "del", "por", "una", "con", "se",
            ],
        ),
    ];
    let mut counts = [0usize; 4];
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
    {
        for (i, (_, list)) in WORDS.iter().enumerate() {
            if list.contains(&word.as_str()) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], i == 0)).unwrap_or(0);
    if counts[best] == 0 {
        "en"
    } else {
        WORDS[best].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_words() {
        assert_eq!(
            detect("重庆市委六届四次全会召开，会议审议通过了决定。"),
            "zh"
        );
        assert_eq!(
            detect("The plenary session of the committee was held in Chongqing."),
            "en"
        );
        assert_eq!(detect("2024年重庆GDP增长6.1%，the Chongqing economy"), "zh");
        assert_eq!(detect("東京で会議が開かれました。"), "ja");
        assert_eq!(detect("회의가 열렸다"), "ko");
        assert_eq!(detect("Заседание прошло в Москве"), "ru");
        assert_eq!(
            detect("Le conseil a adopté les mesures et la loi est entrée en vigueur"),
            "fr"
        );
        assert_eq!(
            detect("Die Regierung hat das Gesetz mit der Mehrheit beschlossen"),
            "de"
        );
        assert_eq!(detect("12345"), "en");
        assert_eq!(
            detect(
                "Chongqing (重庆) held its session on the reform of the state-owned enterprises."
            ),
            "en"
        );
    }
}
