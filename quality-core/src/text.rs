//! Character classes and case folding exactly as Python 3.11 defines them.
//!
//! Tokens and their normal forms must be the ones `quality/normalize.py` makes, or the models (trained on
//! Python-normalised text) would be asked about words they never saw. Rust's Unicode tables are of another
//! Unicode version and define `\w` and `\s` differently, so the tables here are read off Python
//! (`tools/gen_unicode_tables.py`).

use crate::unicode_tables::{CASED, CASE_IGNORABLE, DIGIT, LOWER, SPACE, WORD};

/// How Python's `re` classes a character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharClass {
    /// `\w`: a letter, digit or '_' (`str.isalnum()` or '_').
    Word,
    /// `\s`.
    Space,
    /// Everything else: punctuation, symbols, marks, controls.
    Other,
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(low, high)| {
            if high < cp {
                std::cmp::Ordering::Less
            } else if low > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The class Python's `re` gives `c`.
pub fn char_class(c: char) -> CharClass {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() || c == '_' {
            CharClass::Word
        } else if matches!(c, ' ' | '\t'..='\r' | '\x1c'..='\x1f') {
            CharClass::Space
        } else {
            CharClass::Other
        };
    }
    if in_table(WORD, c) {
        CharClass::Word
    } else if in_table(SPACE, c) {
        CharClass::Space
    } else {
        CharClass::Other
    }
}

/// Python's `\w` (and `str.isalnum() or c == "_"`).
pub fn is_word(c: char) -> bool {
    char_class(c) == CharClass::Word
}

/// Python's `\d`: a decimal digit of any script.
pub fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(DIGIT, c)
}

fn lower_of(c: char) -> Option<&'static str> {
    LOWER
        .binary_search_by_key(&(c as u32), |&(cp, _)| cp)
        .ok()
        .map(|i| LOWER[i].1)
}

/// Python's `c.lower()` for one character other than capital sigma, appended to `out`.
pub fn push_lower(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(lower) = lower_of(c) {
        out.push_str(lower);
    } else {
        out.push(c);
    }
}

/// Whether `c.lower()` is one character (true of every character but a few, like "İ").
pub fn lowers_to_one_char(c: char) -> bool {
    c.is_ascii() || lower_of(c).is_none_or(|lower| lower.chars().count() == 1)
}

const CAPITAL_SIGMA: char = '\u{3A3}';

/// Python's `str.lower()`: full case mapping, and capital sigma final (ς) after a cased letter and not before
/// one, skipping case-ignorable characters on both sides.
pub fn lower(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == CAPITAL_SIGMA {
            out.push(if is_final_sigma(chars, i) { 'ς' } else { 'σ' });
        } else {
            push_lower(c, &mut out);
        }
    }
    out
}

fn is_final_sigma(chars: &[char], at: usize) -> bool {
    let before = chars[..at]
        .iter()
        .rev()
        .find(|&&c| !in_table(CASE_IGNORABLE, c));
    if !before.is_some_and(|&c| in_table(CASED, c)) {
        return false;
    }
    let after = chars[at + 1..]
        .iter()
        .find(|&&c| !in_table(CASE_IGNORABLE, c));
    !after.is_some_and(|&c| in_table(CASED, c))
}

/// The text Python would hold after replacing each lone surrogate by U+FFFD, from its "surrogatepass"
/// UTF-8 encoding (a surrogate is the three bytes ED A0..BF 80..BF): one character for one, so character
/// offsets stay those of the Python string.
pub fn from_surrogatepass_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let surrogate = rest.windows(3).position(|w| {
            w[0] == 0xED && (0xA0..=0xBF).contains(&w[1]) && (0x80..=0xBF).contains(&w[2])
        });
        let (valid, next) = match surrogate {
            Some(at) => (&rest[..at], Some(at + 3)),
            None => (rest, None),
        };
        out.push_str(&String::from_utf8_lossy(valid));
        match next {
            Some(skip) => {
                out.push('\u{FFFD}');
                rest = &rest[skip..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_python_not_rust() {
        // a combining mark is \w for Rust's regex, not for Python's
        assert_eq!(char_class('\u{301}'), CharClass::Other);
        assert_eq!(char_class('é'), CharClass::Word);
        assert_eq!(char_class('\u{1c}'), CharClass::Space);
        assert_eq!(char_class('\u{a0}'), CharClass::Space);
        assert_eq!(char_class('_'), CharClass::Word);
        assert_eq!(char_class('‿'), CharClass::Other);
        assert!(is_decimal('٣'));
        assert!(!is_decimal('²'));
    }

    #[test]
    fn lower_case_matches_python() {
        let word: Vec<char> = "ΟΔΟΣ".chars().collect();
        assert_eq!(lower(&word), "οδος");
        let alone: Vec<char> = "Σ".chars().collect();
        assert_eq!(lower(&alone), "σ");
        let dotted: Vec<char> = "İ".chars().collect();
        assert_eq!(lower(&dotted), "i\u{307}");
        assert!(!lowers_to_one_char('İ'));
        let modifier: Vec<char> = "ʰΣ".chars().collect();
        assert_eq!(lower(&modifier), "ʰσ");
    }

    #[test]
    fn surrogates_become_one_replacement_character_each() {
        let bytes = [b'a', 0xED, 0xA0, 0x80, b'b', 0xED, 0xBF, 0xBF];
        assert_eq!(from_surrogatepass_utf8(&bytes), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(from_surrogatepass_utf8("ñ€😀".as_bytes()), "ñ€😀");
    }
}
