//! Tokens with character offsets and normal forms, exactly as `quality/normalize.py` makes them.
//!
//! Python splits with one regular expression (links and addresses, words with inner apostrophes or hyphens,
//! any other non-space character alone) and normalises each token (NFC, unified quotes, lower case, digits
//! to 0). Here the same expression runs on a stand-in of the text with one ASCII byte per character: the
//! character's class under Python's `re` (word, space, other) or itself where the expression names it. So
//! byte offsets in the stand-in are character offsets in the text (Python's str indices), and Python's `\w`,
//! `\s` and `\b` hold exactly, whatever Unicode version Rust's own tables follow.

use std::sync::OnceLock;

use regex::bytes::Regex;
use unicode_normalization::{is_nfc, UnicodeNormalization};

use crate::text::{char_class, is_decimal, lower, lowers_to_one_char, push_lower, CharClass};

/// One token: its normalised form, where it stands in the text (character offsets), and whether it is a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What the language model sees.
    pub norm: String,
    /// Offset of the first character, in characters (Unicode code points).
    pub start: usize,
    /// Offset after the last character.
    pub end: usize,
    /// Letters or digits (not a link, address, mention, hashtag or punctuation).
    pub is_word: bool,
}

// Stand-ins for the characters the expression names that are not ASCII, and for all other characters.
const OTHER: u8 = 0x01;
const RIGHT_SINGLE_QUOTE: u8 = 0x02; // ’
const LEFT_DOUBLE_QUOTE: u8 = 0x03; // “
const RIGHT_DOUBLE_QUOTE: u8 = 0x04; // ”
const WORD: u8 = b'a'; // no literal of the expression holds an "a", so no stand-in can complete one

// quality/normalize.py's _TOKEN_RE with ’ “ ” spelled as their stand-ins; (?-u): ASCII classes on the stand-in
const PATTERN: &str = concat!(
    r#"(?-u)(?:https?://|www\.)[^\s<>"\x03\x04]*[^\s<>"\x03\x04.,;:!?)]"#,
    r#"|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+|[@#]\w+"#,
    r#"|\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:com|org|net|gov|edu|info|io)\b"#,
    r#"(?:/[^\s<>"\x03\x04]*[^\s<>"\x03\x04.,;:!?)])?"#,
    r#"|\w+(?:['\x02\-]\w+)*|[^\w\s]"#,
);

fn token_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    // the pattern is a constant: it compiles or no test passes
    REGEX.get_or_init(|| Regex::new(PATTERN).expect("the token pattern is valid"))
}

fn stand_in(c: char) -> u8 {
    match c {
        '’' => RIGHT_SINGLE_QUOTE,
        '“' => LEFT_DOUBLE_QUOTE,
        '”' => RIGHT_DOUBLE_QUOTE,
        '\x02'..='\x04' => OTHER,
        '\x1c'..='\x1f' => b' ', // \s for Python, not for an ASCII regex
        _ if c.is_ascii() => c as u8,
        _ => match char_class(c) {
            CharClass::Word => WORD,
            CharClass::Space => b' ',
            CharClass::Other => OTHER,
        },
    }
}

/// quality/normalize.py's _QUOTE_MAP: every quote variant means the same to a language model.
fn translate(c: char) -> char {
    match c {
        '“' | '”' | '„' | '«' | '»' => '"',
        '‘' | '’' | '‚' | '´' | '`' => '\'',
        '–' | '—' => '-',
        '…' => '.',
        '1'..='9' => '0',
        _ => c,
    }
}

/// One raw token's normal form: NFC, unified quotes, lower case, every decimal digit 0.
pub fn normalize_token(raw: &str) -> String {
    let translated: Vec<char> = raw.nfc().map(translate).collect();
    lower(&translated)
        .chars()
        .map(|c| if is_decimal(c) { '0' } else { c })
        .collect()
}

/// The whole text folded at once, when that keeps every character in place (quotes, case and digits map one
/// character to one nearly always): then each token's normal form is a slice of it. None where Python's
/// tokenize also folds token by token: text not in NFC, a capital sigma (its case depends on its
/// neighbours), or a character that lower-cases to two.
fn fold_whole(text: &str) -> Option<Vec<char>> {
    if text.contains('\u{3A3}') || !is_nfc(text) {
        return None;
    }
    let mut folded = Vec::with_capacity(text.len());
    let mut lowered = String::with_capacity(4);
    for c in text.chars() {
        let c = translate(c);
        if !lowers_to_one_char(c) {
            return None;
        }
        lowered.clear();
        push_lower(c, &mut lowered);
        let c = lowered.chars().next().unwrap_or(c);
        folded.push(if is_decimal(c) { '0' } else { c });
    }
    Some(folded)
}

/// Split `text` into tokens with character offsets into `text`, as quality/normalize.py's `tokenize` does.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let stand_ins: Vec<u8> = chars.iter().map(|&c| stand_in(c)).collect();
    let folded = fold_whole(text);
    let mut tokens = Vec::new();
    for found in token_regex().find_iter(&stand_ins) {
        let (start, end) = (found.start(), found.end());
        let norm = match &folded {
            Some(folded) => folded[start..end].iter().collect(),
            None => normalize_token(&chars[start..end].iter().collect::<String>()),
        };
        // every alternative for links, addresses, mentions and hashtags holds one of these; words never do
        let special = end - start > 1
            && found
                .as_bytes()
                .iter()
                .any(|b| matches!(b, b'.' | b'@' | b'#' | b'/'));
        let is_word = !special && char_class(chars[start]) == CharClass::Word;
        tokens.push(Token {
            norm,
            start,
            end,
            is_word,
        });
    }
    tokens
}

/// The exact string a language model is trained on and asked to score: the normal forms joined by spaces.
pub fn normalize_line(text: &str) -> String {
    let tokens = tokenize(text);
    let mut line = String::with_capacity(text.len());
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&token.norm);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn words_punctuation_and_offsets() {
        let tokens = tokenize("Él dijo: «¡Hola, d'Alembert!» 123");
        let got: Vec<(&str, usize, usize, bool)> = tokens
            .iter()
            .map(|t| (t.norm.as_str(), t.start, t.end, t.is_word))
            .collect();
        assert_eq!(
            got,
            vec![
                ("él", 0, 2, true),
                ("dijo", 3, 7, true),
                (":", 7, 8, false),
                ("\"", 9, 10, false),
                ("¡", 10, 11, false),
                ("hola", 11, 15, true),
                (",", 15, 16, false),
                ("d'alembert", 17, 27, true),
                ("!", 27, 28, false),
                ("\"", 28, 29, false),
                ("000", 30, 33, true),
            ]
        );
    }

    #[test]
    fn links_addresses_and_domains_are_single_tokens() {
        let tokens = tokenize(
            "see https://example.com/a?b=1. or Mail.me@x.org, #tag and casa.de www.Domain.com",
        );
        let specials: Vec<&str> = tokens
            .iter()
            .filter(|t| !t.is_word && t.end - t.start > 1)
            .map(|t| t.norm.as_str())
            .collect();
        assert_eq!(
            specials,
            vec![
                "https://example.com/a?b=0",
                "mail.me@x.org",
                "#tag",
                "www.domain.com"
            ]
        );
        assert_eq!(norms("casa.de"), vec!["casa", ".", "de"]);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let tokens = tokenize("😀 ñandú");
        assert_eq!((tokens[1].start, tokens[1].end), (2, 7));
        assert_eq!(tokens[0].norm, "😀");
    }

    #[test]
    fn combining_marks_split_words_as_in_python() {
        // "e" + U+0301 is not NFC: the mark is not \w for Python, so it is a token of its own
        let tokens = tokenize("cafe\u{301} x");
        let got: Vec<(usize, usize)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(got, vec![(0, 4), (4, 5), (6, 7)]);
    }

    #[test]
    fn final_sigma_and_dotted_capital_fold_per_token() {
        assert_eq!(norms("ΟΔΟΣ ΣΑΣ"), vec!["οδος", "σας"]);
        assert_eq!(norms("İstanbul"), vec!["i\u{307}stanbul"]);
    }

    #[test]
    fn any_text_gives_ordered_tokens_within_it() {
        // a small linear congruential generator: random characters from every plane, no dependency
        let mut seed: u64 = 12;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        for _ in 0..2000 {
            let length = next() % 60;
            let text: String = (0..length)
                .filter_map(|_| match next() % 4 {
                    0 => char::from_u32(next() % 0x80),
                    1 => char::from_u32(next() % 0x3000),
                    2 => char::from_u32(next() % 0x11_0000),
                    _ => Some(
                        ['.', '@', '#', '/', '\'', '’', '-', 'Σ', 'w', ' '][(next() % 10) as usize],
                    ),
                })
                .collect();
            let count = text.chars().count();
            let mut previous_end = 0;
            for token in tokenize(&text) {
                assert!(
                    previous_end <= token.start && token.start < token.end && token.end <= count,
                    "{text:?}"
                );
                assert!(!token.norm.is_empty());
                previous_end = token.end;
            }
        }
    }

    #[test]
    fn normalize_line_joins_normal_forms() {
        assert_eq!(normalize_line("“Sí” — dijo…"), "\" sí \" - dijo .");
        assert_eq!(normalize_line(""), "");
    }
}
