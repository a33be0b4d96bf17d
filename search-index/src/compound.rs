//! Compound words: Finnish and Swedish write them as one word, so a reader searching
//! `terapia` should also find the pages that say only `perheterapiaa` or `psykoterapia`, and
//! `suojelu` the ones about `lastensuojelu`.
//!
//! Done in the export, on the index's own terms: a term that ends in another term of the index
//! (stem or surface form) lends that term its documents, at [`PART_WEIGHT`] of their score, so
//! the pages using the word itself still rank first. Nothing changes in ranking at query time,
//! so the browser, the CLI and `serve` agree without a dictionary of compounds; the engine
//! uses [`ends_in`] only to mark the compounds in excerpts.

/// A compound's documents count half under its last part.
pub const PART_WEIGHT: f32 = 0.5;
/// Letters before the last part: shorter heads are inflection or prefixes, not words.
const MIN_HEAD: usize = 3;
/// Letters of the last part: shorter tails match by accident (`-muus`, `-alue`).
const MIN_PART: usize = 5;

/// Whether the language writes compounds closed (English does not).
pub fn applies(lang: &str) -> bool {
    matches!(lang, "fi" | "sv")
}

/// Words that end other words by inflection, not composition (`ammattilaisille` is not a
/// compound of `sille`, nor `vanhemmuutta` of `uutta`, nor `behandlingen` of `ingen`): the
/// function words of Snowball's stop lists with five letters or more, folded as the analyzer
/// folds them, the forms of `uusi` that `-uus` nouns end in, and `ingår` (folded `ingar`, as
/// `-ningar` nouns end). Never a compound's last part.
const NOT_PARTS: &[&str] = &[
    // Finnish
    "eivat", "haneen", "hanella", "hanelle", "hanelta", "hanen", "hanessa", "hanesta", "hanet",
    "hanta", "heidan", "heidat", "heihin", "heilla", "heille", "heilta", "heissa", "heista",
    "heita", "johon", "joiden", "joihin", "joiksi", "joilla", "joille", "joilta", "joina",
    "joissa", "joista", "joita", "joksi", "jolla", "jolle", "jolta", "jonka", "jossa", "josta",
    "jotka", "kanssa", "keiden", "keihin", "keiksi", "keilla", "keille", "keilta", "keina",
    "keissa", "keista", "keita", "keneen", "keneksi", "kenella", "kenelle", "kenelta", "kenen",
    "kenena", "kenessa", "kenesta", "kenet", "ketka", "koska", "meidan", "meidat", "meihin",
    "meilla", "meille", "meilta", "meissa", "meista", "meita", "mihin", "miksi", "milla", "mille",
    "milta", "minka", "minua", "minulla", "minulle", "minulta", "minun", "minussa", "minusta",
    "minut", "minuun", "missa", "mista", "mitka", "mukaan", "mutta", "naiden", "naihin", "naiksi",
    "nailla", "naille", "nailta", "naina", "naissa", "naista", "naita", "niiden", "niihin",
    "niiksi", "niilla", "niille", "niilta", "niina", "niissa", "niista", "niita", "noiden",
    "noihin", "noiksi", "noilla", "noille", "noilta", "noina", "noissa", "noista", "noita",
    "olimme", "olisi", "olisimme", "olisin", "olisit", "olisitte", "olisivat", "olitte", "olivat",
    "olleet", "ollut", "siihen", "siina", "siita", "siksi", "silla", "sille", "silta", "sinua",
    "sinulla", "sinulle", "sinulta", "sinun", "sinussa", "sinusta", "sinut", "sinuun", "tahan",
    "talla", "talle", "talta", "taman", "tassa", "tasta", "uudella", "uudelle", "uuden", "uudessa",
    "uudesta", "uudet", "uuteen", "uutta", "vaikka", "vasta", // Swedish
    "blivit", "deras", "denna", "detta", "efter", "eller", "hennes", "honom", "ingar", "ingen",
    "kunde", "mellan", "mycket", "nagon", "nagot", "nagra", "sadan", "sadana", "sadant", "samma",
    "sedan", "sjalv", "skulle", "under",
];

/// The last parts `word` may lend to, longest first: a word of letters only, split after at
/// least [`MIN_HEAD`] letters with at least [`MIN_PART`] left, and never a [`NOT_PARTS`] word.
/// The one rule for the export's lending and the engine's marking.
fn candidate_parts(word: &str) -> impl Iterator<Item = &str> {
    let letters = word.chars().count();
    let whole = word.chars().all(char::is_alphabetic);
    word.char_indices()
        .enumerate()
        .filter(move |&(head, _)| whole && head >= MIN_HEAD && letters - head >= MIN_PART)
        .map(move |(_, (at, _))| &word[at..])
        .filter(|part| !NOT_PARTS.contains(part))
}

/// The last parts `word` (a folded query word) may end in, longest first, by the rule
/// [`parts`] lends by, where the head ends as Finnish and Swedish first parts do (a vowel,
/// `-n`, `-s`): what a query for an unknown compound (`perheväkivalta`) falls back to.
pub fn last_parts(word: &str) -> impl Iterator<Item = &str> {
    candidate_parts(word).filter(move |part| {
        word[..word.len() - part.len()].ends_with(['a', 'e', 'i', 'o', 'u', 'y', 'n', 's'])
    })
}

/// Whether `word` (an analyzed term) is a compound whose last part is `part`, by the rule
/// [`parts`] lends by.
pub fn ends_in(word: &str, part: &str) -> bool {
    word.len() > part.len() && word.ends_with(part) && candidate_parts(word).any(|p| p == part)
}

/// Pairs (compound, part) of indexes into `terms` (sorted, distinct): every term that ends in
/// another term by [`candidate_parts`]. A compound of several parts lends to each:
/// `lastensuojeluilmoitus` to `suojeluilmoitus` and to `ilmoitus`, when the index has them.
pub fn parts(terms: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        for part in candidate_parts(term) {
            if let Ok(j) = terms.binary_search(&part) {
                out.push((i, j));
            }
        }
    }
    out
}

/// Adds a compound's (document, score) pairs to its part's at `weight` ([`PART_WEIGHT`]; the
/// inflection rule lends forms to base forms the same way); a document with both keeps the
/// higher score. Both lists are sorted by document, and so is the result.
pub fn lend(part: &mut Vec<(u32, f32)>, compound: &[(u32, f32)], weight: f32) {
    let mut merged = Vec::with_capacity(part.len() + compound.len());
    let (mut a, mut b) = (part.iter().peekable(), compound.iter().peekable());
    loop {
        match (a.peek(), b.peek()) {
            (Some(&&(da, sa)), Some(&&(db, sb))) if da == db => {
                merged.push((da, sa.max(sb * weight)));
                a.next();
                b.next();
            }
            (Some(&&(da, sa)), Some(&&(db, _))) if da < db => {
                merged.push((da, sa));
                a.next();
            }
            (_, Some(&&(db, sb))) => {
                merged.push((db, sb * weight));
                b.next();
            }
            (Some(&&(da, sa)), None) => {
                merged.push((da, sa));
                a.next();
            }
            (None, None) => break,
        }
    }
    *part = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_ending_in_another_lends_to_it_and_short_tails_do_not() {
        let terms = [
            "alue",
            "ilmoitus",
            "lastensuojelu",
            "lastensuojeluilmoitus",
            "perheterap",
            "suojelu",
            "suojeluilmoitus",
            "terap",
            "terapia",
            "toimialue",
            "uutta",
            "vanhemmuus",
            "vanhemmuutta",
            "x2terapia",
        ];
        let named: Vec<(&str, &str)> = parts(&terms)
            .into_iter()
            .map(|(c, p)| (terms[c], terms[p]))
            .collect();
        assert_eq!(
            named,
            [
                ("lastensuojelu", "suojelu"),
                ("lastensuojeluilmoitus", "suojeluilmoitus"),
                ("lastensuojeluilmoitus", "ilmoitus"),
                ("perheterap", "terap"),
                ("suojeluilmoitus", "ilmoitus"),
            ]
        );
    }

    #[test]
    fn ends_in_follows_the_lending_rule() {
        assert!(ends_in("lastensuojelu", "suojelu"));
        assert!(ends_in("perheterap", "terap"));
        assert!(
            !ends_in("suojelu", "suojelu"),
            "a word is not its own compound"
        );
        assert!(!ends_in("toimialue", "alue"), "part too short");
        assert!(!ends_in("osuojelu", "suojelu"), "head too short");
        assert!(
            !ends_in("ammattilaisille", "sille"),
            "an inflection, not a part"
        );
        assert!(!ends_in("x2terapia", "terapia"));
    }

    #[test]
    fn lending_merges_by_document_at_half_weight_keeping_the_higher_score() {
        let mut part = vec![(1, 1.0), (4, 0.2), (9, 3.0)];
        lend(
            &mut part,
            &[(0, 2.0), (4, 1.0), (5, 4.0), (9, 2.0), (12, 1.0)],
            PART_WEIGHT,
        );
        assert_eq!(
            part,
            [(0, 1.0), (1, 1.0), (4, 0.5), (5, 2.0), (9, 3.0), (12, 0.5)]
        );
    }
}
