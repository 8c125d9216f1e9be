//! Text helpers shared by the understanding code: normalisation (full-width to half-width, ASCII
//! lower case), clause boundaries and substring search over `char` slices.

/// `text` with full-width ASCII folded to half-width, the ideographic space to a space and ASCII
/// letters lower-cased. One output `char` per input `char`, so positions carry over.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold).collect()
}

fn fold(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Whether `c` ends a clause (punctuation, line breaks).
pub fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | '!'
            | '?'
            | ';'
            | ':'
            | '\n'
            | '\r'
            | '\t'
            | '，'
            | '。'
            | '！'
            | '？'
            | '；'
            | '：'
            | '、'
            | '…'
            | '~'
            | '～'
    )
}

/// A CJK ideograph (the basic block and extension A).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Start positions of `needle` in `hay` (both as chars), left to right, overlapping allowed.
pub fn find_all(hay: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    hay.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect()
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[char], needle: &[char]) -> bool {
    !needle.is_empty() && needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether the ASCII word ending at `end` (exclusive) may end here: the next char is not a
/// letter or digit.
pub fn ascii_word_ends(chars: &[char], end: usize) -> bool {
    chars.get(end).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Whether an ASCII word may start at `start`: the previous char is not a letter or digit.
pub fn ascii_word_starts(chars: &[char], start: usize) -> bool {
    start == 0 || chars.get(start - 1).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// The clause around `pos`: `(start, end)` with `end` exclusive.
pub fn clause_at(chars: &[char], pos: usize) -> (usize, usize) {
    let start = chars.get(..pos).and_then(|b| b.iter().rposition(|c| is_clause_break(*c))).map_or(0, |i| i + 1);
    let end =
        chars.get(pos..).and_then(|a| a.iter().position(|c| is_clause_break(*c))).map_or(chars.len(), |i| pos + i);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_folds_and_ascii_lowers() {
        assert_eq!(normalize("ＹＨ２０２６！Ａb　x"), "yh2026!ab x");
        assert_eq!(normalize("煤气味！！"), "煤气味!!");
    }

    #[test]
    fn clauses_split_on_punctuation() {
        let c: Vec<char> = "昨天着过火，现在灭了".chars().collect();
        assert_eq!(clause_at(&c, 1), (0, 5));
        assert_eq!(clause_at(&c, 7), (6, 10));
    }

    #[test]
    fn search_finds_every_occurrence() {
        let h: Vec<char> = "aXaXa".chars().collect();
        assert_eq!(find_all(&h, &['a', 'X']), vec![0, 2]);
        assert!(contains(&h, &['X', 'a']));
        assert!(!contains(&h, &[]));
    }
}
