//! The language model as the analysis sees it: one pass over a paragraph's tokens, as one sentence.
//!
//! KenLM is behind this module and nowhere else: the `kenlm-rs` crate compiles KenLM's query code (the same
//! `model.bin` files the Python `kenlm` module reads: trie, 8-bit quantised, memory-mapped lazily so worker
//! processes share the pages) and catches its C++ exceptions in its shim.

use std::fmt;
use std::path::Path;

use kenlm::{ArpaLoadComplain, Config, LoadMethod, Model, State, WordIndex};

/// Why a model could not be opened or queried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LmError(pub String);

impl fmt::Display for LmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LmError {}

impl From<kenlm::KenlmError> for LmError {
    fn from(err: kenlm::KenlmError) -> Self {
        LmError(err.to_string())
    }
}

/// What one pass says about each token of a paragraph scored as one sentence (`<s>` before, `</s>` after).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenScores {
    /// log10 P(token | its context).
    pub logprob: Vec<f32>,
    /// Length of the n-gram the model matched (1: it backed off to the unigram).
    pub ngram: Vec<u8>,
    /// Whether the token is unknown to the model.
    pub oov: Vec<bool>,
    /// log10 P(token) with no context (the unigram term of SLOR).
    pub unigram: Vec<f32>,
    /// log10 P(`</s>` | the last tokens).
    pub eos: f32,
}

/// A KenLM model, shared freely between threads (queries only read it).
pub struct LanguageModel {
    model: Model,
    null_context: State,
}

impl LanguageModel {
    /// Open a KenLM file (binary or ARPA); binary files are memory-mapped lazily.
    pub fn open(path: &Path) -> Result<Self, LmError> {
        let config = Config {
            load_method: LoadMethod::Lazy,
            arpa_complain: ArpaLoadComplain::None,
            show_progress: false,
            ..Config::default()
        };
        let model = Model::with_config(path, config).map_err(|err| {
            LmError(format!(
                "{}: not a usable KenLM model ({err})",
                path.display()
            ))
        })?;
        let null_context = model.null_context_state();
        Ok(Self {
            model,
            null_context,
        })
    }

    /// The model's n-gram order.
    pub fn order(&self) -> u8 {
        self.model.order()
    }

    /// The vocabulary index of `word` (the unknown word's for one the model does not know).
    pub fn index(&self, word: &str) -> Result<WordIndex, LmError> {
        if word.contains('\0') {
            // cannot cross KenLM's C interface, and no training text holds it
            return Ok(self.model.not_found_index());
        }
        Ok(self.model.index(word)?)
    }

    /// Whether the model knows `word`.
    pub fn contains(&self, word: &str) -> Result<bool, LmError> {
        Ok(self.index(word)? != self.model.not_found_index())
    }

    /// One pass over `words` as a sentence: what kenlm's Python `full_scores(" ".join(words))` gives, and
    /// each word's unigram log probability.
    pub fn score_sentence<S: AsRef<str>>(&self, words: &[S]) -> Result<TokenScores, LmError> {
        let unknown = self.model.not_found_index();
        let mut scores = TokenScores {
            logprob: Vec::with_capacity(words.len()),
            ngram: Vec::with_capacity(words.len()),
            oov: Vec::with_capacity(words.len()),
            unigram: Vec::with_capacity(words.len()),
            eos: 0.0,
        };
        let mut state = self.model.begin_sentence_state();
        let mut next = self.model.null_context_state();
        let mut scratch = self.model.null_context_state();
        for word in words {
            let index = self.index(word.as_ref())?;
            let full = self.model.base_full_score(&state, index, &mut next)?;
            scores.logprob.push(full.log_prob);
            scores.ngram.push(full.ngram_length);
            scores.oov.push(index == unknown);
            scores.unigram.push(
                self.model
                    .base_score(&self.null_context, index, &mut scratch)?,
            );
            std::mem::swap(&mut state, &mut next);
        }
        scores.eos = self
            .model
            .base_score(&state, self.model.end_sentence_index(), &mut next)?;
        Ok(scores)
    }

    /// log10 P(words), with or without `<s>` before and `</s>` after: kenlm's Python `Model.score`.
    pub fn score<S: AsRef<str>>(&self, words: &[S], bos: bool, eos: bool) -> Result<f32, LmError> {
        let mut state = if bos {
            self.model.begin_sentence_state()
        } else {
            self.model.null_context_state()
        };
        let mut next = self.model.null_context_state();
        let mut total = 0.0;
        for word in words {
            total += self
                .model
                .base_score(&state, self.index(word.as_ref())?, &mut next)?;
            std::mem::swap(&mut state, &mut next);
        }
        if eos {
            total += self
                .model
                .base_score(&state, self.model.end_sentence_index(), &mut next)?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shipped(lang: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("models")
            .join(lang)
            .join("model.bin")
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = LanguageModel::open(Path::new("/nonexistent/model.bin"))
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("/nonexistent/model.bin"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_model_is_an_error() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert!(LanguageModel::open(&path).is_err());
    }

    #[test]
    fn one_pass_scores_every_token_and_the_end() {
        let path = shipped("es");
        if !path.is_file() {
            return; // the crate outside the project: no shipped model to read
        }
        let model = LanguageModel::open(&path).expect("the shipped Spanish model opens");
        assert_eq!(model.order(), 5);
        let words = ["el", "gobierno", "dijo", "que", "zzqxv", "."];
        let scores = model.score_sentence(&words).expect("scores");
        assert_eq!(scores.logprob.len(), words.len());
        assert_eq!(scores.oov, vec![false, false, false, false, true, false]);
        assert!(scores.logprob.iter().all(|p| p.is_finite() && *p < 0.0));
        assert!(scores.eos < 0.0);
        // the one pass adds up to the sentence's score, </s> included
        let total: f32 = scores.logprob.iter().sum::<f32>() + scores.eos;
        let whole = model.score(&words, true, true).expect("scores");
        assert!((total - whole).abs() < 1e-4, "{total} vs {whole}");
        // unigram terms are the words scored alone
        let alone = model.score(&["gobierno"], false, false).expect("scores");
        assert_eq!(scores.unigram[1], alone);
        // a NUL cannot cross into KenLM: it is unknown, not an error
        assert!(!model.contains("a\0b").expect("no error"));
    }
}
