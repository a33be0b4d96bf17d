//! Function words: the conjunctions, pronouns, auxiliaries and particles a query may hold
//! (`ja`, `och`, `at`) but no page is about. A query that has other words leaves them out
//! ([`crate::engine::Engine::parse`]): otherwise `netti ja peli` listed every page with `ja`
//! (all of them) as a page "lacking netti and peli", `lapsen ja perheen` required `ja` and
//! loaded its postings, and excerpts marked every `ja`. A query of function words only (`ja`)
//! is searched as typed, and so is a quoted phrase (`"lapsen ja perheen"`).
//!
//! Short lists on purpose: words that could be a topic (`yli`, `ennen`, `under`, `no`) are
//! not in them. Written folded and lowercased, as the analyzer folds a word (`että`: `etta`),
//! space-separated in one string (as a list of `&str` they cost the wasm 1.3 kB more); the
//! manifest carries them to the browser's loader.

const FI: &str =
    "ei eika eivat eli en etta han hanen he ja jo joka jolla jonka jos jossa jota jotka jotta \
    kuin kun me mika mina mita mutta myos ne niin ole oli olla on ovat se seka sen sina sita \
    tai tama taman te vaan vai";

const SV: &str =
    "ar att av da de den det eller en ett for fran han har hon hos hur i inte man med men nar \
    och ocksa om pa samt sig som till vad var vi vid";

const EN: &str =
    "a an and are as at be but by for from how if in into is it its of on or the this to was \
    what when with";

/// The function words of a language, space-separated (none for a language without a list).
pub fn of(lang: &str) -> &'static str {
    match lang {
        "fi" => FI,
        "sv" => SV,
        "en" => EN,
        _ => "",
    }
}

/// Whether `word`, lowercased and folded, is one of `list`'s.
pub fn contains(list: &str, word: &str) -> bool {
    list.split(' ').any(|w| w == word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::{fold, Analyzer, Lang};

    #[test]
    fn lists_are_sorted_folded_and_lowercase_words() {
        for lang in ["fi", "sv", "en"] {
            let list: Vec<&str> = of(lang).split(' ').collect();
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "{lang} sorted, no repeats"
            );
            for w in &list {
                assert!(!w.is_empty(), "{lang}: one space between words");
                assert_eq!(*w, fold(&w.to_lowercase()), "{lang}: {w}");
            }
        }
    }

    #[test]
    fn words_are_found_as_the_analyzer_folds_them() {
        // The engine compares a query word's folded surface form (its stem when the two are
        // one), so a listed word must be that form of the word as typed.
        for (lang, typed) in [
            ("fi", "Että"),
            ("fi", "ja"),
            ("sv", "på"),
            ("sv", "Och"),
            ("en", "The"),
        ] {
            let t = Analyzer::new(Lang::from_code(lang)).word(typed);
            let form = t.surface.unwrap_or(t.stem);
            assert!(contains(of(lang), &form), "{lang}: {typed} as {form}");
        }
        assert!(!contains(of("fi"), "lapsi"));
        assert!(!contains(of("de"), "und"), "no list, no function words");
    }
}
