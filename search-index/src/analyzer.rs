//! The one analyzer, used by the build-time indexer and by the browser runtime alike:
//! split into words, lowercase, Snowball-stem, then fold diacritics (after stemming, since the
//! Finnish stemmer needs the real letters), so `aiti` meets `äiti`.

use rust_stemmers::{Algorithm, Stemmer};

/// A language the analyzer knows; anything else is analyzed without stemming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Fi,
    Sv,
    En,
    Other,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        match code {
            "fi" => Lang::Fi,
            "sv" => Lang::Sv,
            "en" => Lang::En,
            _ => Lang::Other,
        }
    }
}

/// Words longer than this are not indexed (ids, URLs, garbage); they cannot be typed anyway.
pub const MAX_WORD: usize = 40;

/// The terms a word is indexed and searched under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordTerms {
    /// The folded Snowball stem: the main term.
    pub stem: String,
    /// The folded lowercase surface form, when it differs from the stem.
    pub surface: Option<String>,
}

pub struct Analyzer {
    stemmer: Option<Stemmer>,
    /// Snowball's Finnish reads the `-si` of `lapsi` as the possessive suffix and stems it to
    /// `lap`, with `Lappi`, while `lapsen`, `lapset` and `lapsia` stem to `laps`: the bank's
    /// commonest word gets the stem of its other forms instead.
    finnish: bool,
}

impl Analyzer {
    pub fn new(lang: Lang) -> Analyzer {
        let algorithm = match lang {
            Lang::Fi => Some(Algorithm::Finnish),
            Lang::Sv => Some(Algorithm::Swedish),
            Lang::En => Some(Algorithm::English),
            Lang::Other => None,
        };
        Analyzer {
            stemmer: algorithm.map(Stemmer::create),
            finnish: lang == Lang::Fi,
        }
    }

    /// The terms for one word as it appears in text or in a query.
    pub fn word(&self, word: &str) -> WordTerms {
        let lower = word.to_lowercase();
        let stem = match &self.stemmer {
            Some(_) if self.finnish && lower == "lapsi" => "laps".to_string(),
            Some(s) => s.stem(&lower).into_owned(),
            None => lower.clone(),
        };
        let stem = fold(&stem);
        let surface = fold(&lower);
        WordTerms {
            surface: (surface != stem).then_some(surface),
            stem,
        }
    }
}

/// Maps letters with diacritics to their base letter (`ä`→`a`, `ö`→`o`, `å`→`a`).
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// One letter of [`fold`].
pub fn fold_char(c: char) -> char {
    match c {
        'ä' | 'å' | 'á' | 'à' | 'â' | 'ã' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'ü' | 'ú' | 'ù' | 'û' => 'u',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'š' => 's',
        'ž' => 'z',
        'ç' => 'c',
        'ñ' => 'n',
        c => c,
    }
}

/// Splits text into words: runs of letters and digits (a combining mark stays with its letter).
/// Yields (byte start, byte end) of each word.
pub fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut iter = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let start = loop {
            let (i, c) = iter.next()?;
            if c.is_alphanumeric() {
                break i;
            }
        };
        let mut end = text.len();
        while let Some(&(i, c)) = iter.peek() {
            if c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c) {
                iter.next();
            } else {
                end = i;
                break;
            }
        }
        Some((start, end))
    })
    .filter(|&(s, e)| e - s <= MAX_WORD * 4 && text[s..e].chars().count() <= MAX_WORD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_after_stemming() {
        let a = Analyzer::new(Lang::Fi);
        let t = a.word("Äiti");
        assert_eq!(t.stem, "aiti");
        assert_eq!(a.word("aiti").stem, t.stem);
        assert_eq!(
            a.word("lastensuojelussa").stem,
            a.word("lastensuojelu").stem
        );
    }

    #[test]
    fn lapsi_stems_with_its_other_forms_not_with_lappi() {
        let a = Analyzer::new(Lang::Fi);
        for w in ["lapsi", "Lapsi", "lapsen", "lapset", "lapsia"] {
            assert_eq!(a.word(w).stem, "laps", "{w}");
        }
        assert_ne!(a.word("Lappi").stem, a.word("lapsi").stem);
        assert_eq!(Analyzer::new(Lang::Sv).word("lapsi").stem, "lapsi");
    }

    #[test]
    fn splits_words() {
        let text = "OT-keskus, 12 v. ja äiti!";
        let w: Vec<&str> = words(text).map(|(s, e)| &text[s..e]).collect();
        assert_eq!(w, ["OT", "keskus", "12", "v", "ja", "äiti"]);
    }
}
