//! The compiled core of `quality`.
//!
//! The modules below know nothing of Python: `tokenize` (tokens with character offsets and normal forms,
//! exactly as quality/normalize.py makes them), `lm` (one KenLM pass per paragraph; KenLM is behind it and
//! nowhere else), `text` (Python's character classes and case folding). This file holds the thin PyO3
//! bindings (`quality._core`, built by maturin with the `python` feature): conversions only, every call
//! guarded so that no panic and no Rust error crosses into Python as anything but an ordinary exception.

pub mod lm;
pub mod text;
pub mod tokenize;
mod unicode_tables;

/// The Unicode version of the character tables (Python 3.11's `unicodedata`).
pub use unicode_tables::UNICODE_VERSION;

#[cfg(feature = "python")]
mod python {
    use std::borrow::Cow;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::PathBuf;

    use pyo3::exceptions::{PyRuntimeError, PyValueError};
    use pyo3::prelude::*;
    use pyo3::types::{PyByteArray, PyBytes, PyList, PyString, PyTuple, PyType};

    use crate::lm::{LanguageModel, TokenScores};
    use crate::text::from_surrogatepass_utf8;
    use crate::tokenize::{tokenize, Token};

    /// Run `work`, turning an error into ValueError and a panic into RuntimeError (never PanicException,
    /// which `except Exception` would not catch: `quality filter` must go on with the next record).
    fn guarded<T>(what: &str, work: impl FnOnce() -> Result<T, String>) -> PyResult<T> {
        match catch_unwind(AssertUnwindSafe(work)) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(PyValueError::new_err(message)),
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".to_string());
                Err(PyRuntimeError::new_err(format!(
                    "quality core: internal error in {what}: {reason}"
                )))
            }
        }
    }

    /// The text of a Python str; lone surrogates (valid in JSON, not in UTF-8) become U+FFFD, one for one.
    fn text_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
        match text.to_str() {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(_) => {
                let encoded = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
                let bytes = encoded.cast::<PyBytes>()?;
                Ok(Cow::Owned(from_surrogatepass_utf8(bytes.as_bytes())))
            }
        }
    }

    fn tokens_to_python<'py>(py: Python<'py>, tokens: &[Token]) -> PyResult<Bound<'py, PyTuple>> {
        let norms = PyList::new(py, tokens.iter().map(|t| t.norm.as_str()))?;
        let starts = PyList::new(py, tokens.iter().map(|t| t.start))?;
        let ends = PyList::new(py, tokens.iter().map(|t| t.end))?;
        let words = PyList::new(py, tokens.iter().map(|t| t.is_word))?;
        PyTuple::new(
            py,
            [
                norms.into_any(),
                starts.into_any(),
                ends.into_any(),
                words.into_any(),
            ],
        )
    }

    fn scores_to_python<'py>(
        py: Python<'py>,
        scores: &TokenScores,
    ) -> PyResult<Bound<'py, PyTuple>> {
        // little arrays as bytes: numpy.frombuffer reads them without a Python object per token
        let logprob: Vec<u8> = scores
            .logprob
            .iter()
            .flat_map(|&p| f64::from(p).to_ne_bytes())
            .collect();
        let ngram: Vec<u8> = scores
            .ngram
            .iter()
            .flat_map(|&n| i32::from(n).to_ne_bytes())
            .collect();
        let oov: Vec<u8> = scores.oov.iter().map(|&o| u8::from(o)).collect();
        let unigram: Vec<u8> = scores
            .unigram
            .iter()
            .flat_map(|&p| f64::from(p).to_ne_bytes())
            .collect();
        PyTuple::new(
            py,
            [
                PyByteArray::new(py, &logprob).into_any(),
                PyByteArray::new(py, &ngram).into_any(),
                PyByteArray::new(py, &oov).into_any(),
                PyByteArray::new(py, &unigram).into_any(),
                f64::from(scores.eos).into_pyobject(py)?.into_any(),
            ],
        )
    }

    /// Tokens as instances of `token_type`, a tuple subclass of four fields (quality.normalize.Token), made
    /// with `tuple.__new__`: no Python-level `__new__` runs per token.
    fn tokens_as<'py>(
        py: Python<'py>,
        tokens: &[Token],
        token_type: &Bound<'py, PyType>,
    ) -> PyResult<Bound<'py, PyList>> {
        let tuple_new = py.get_type::<PyTuple>().getattr("__new__")?;
        let items = tokens
            .iter()
            .map(|t| {
                let fields = (t.norm.as_str(), t.start, t.end, t.is_word).into_pyobject(py)?;
                tuple_new.call1((token_type, fields))
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// tokenize(text, token_type) -> [token_type(norm, start, end, is_word), ...]: quality/normalize.py's tokens.
    #[pyfunction(name = "tokenize")]
    fn py_tokenize<'py>(
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        token_type: &Bound<'py, PyType>,
    ) -> PyResult<Bound<'py, PyList>> {
        let text = text_of(text)?;
        let tokens = guarded("tokenize", || Ok(tokenize(&text)))?;
        tokens_as(py, &tokens, token_type)
    }

    /// tokenize_batch(texts, token_type) -> [[token, ...], ...] in input order, tokenised with the GIL released.
    #[pyfunction(name = "tokenize_batch")]
    fn py_tokenize_batch<'py>(
        py: Python<'py>,
        texts: Vec<Bound<'py, PyString>>,
        token_type: &Bound<'py, PyType>,
    ) -> PyResult<Bound<'py, PyList>> {
        let texts: Vec<Cow<str>> = texts.iter().map(text_of).collect::<PyResult<_>>()?;
        let tokenised = py.detach(|| {
            guarded("tokenize_batch", || {
                Ok(texts.iter().map(|t| tokenize(t)).collect::<Vec<_>>())
            })
        })?;
        let items = tokenised
            .iter()
            .map(|tokens| tokens_as(py, tokens, token_type))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// A KenLM model file, memory-mapped lazily; safe to share between threads.
    #[pyclass(name = "LanguageModel", module = "quality._core", frozen)]
    struct PyLanguageModel {
        model: LanguageModel,
        path: String,
    }

    #[pymethods]
    impl PyLanguageModel {
        /// LanguageModel(path): open a KenLM model (ValueError naming the file when it is not one).
        #[new]
        fn new(path: PathBuf) -> PyResult<Self> {
            let display = path.display().to_string();
            let model = guarded("LanguageModel", || {
                LanguageModel::open(&path).map_err(|e| e.to_string())
            })?;
            Ok(Self {
                model,
                path: display,
            })
        }

        /// The n-gram order.
        #[getter]
        fn order(&self) -> u8 {
            self.model.order()
        }

        fn __repr__(&self) -> String {
            format!("LanguageModel({:?})", self.path)
        }

        /// Whether the model knows `word`.
        fn __contains__(&self, word: &Bound<'_, PyString>) -> PyResult<bool> {
            let word = text_of(word)?;
            guarded("contains", || {
                self.model.contains(&word).map_err(|e| e.to_string())
            })
        }

        /// score(words, bos=True, eos=True) -> log10 probability of the word list (kenlm's `Model.score`).
        #[pyo3(signature = (words, bos = true, eos = true))]
        fn score(&self, words: Vec<String>, bos: bool, eos: bool) -> PyResult<f64> {
            guarded("score", || {
                self.model
                    .score(&words, bos, eos)
                    .map(f64::from)
                    .map_err(|e| e.to_string())
            })
        }

        /// full_scores(words) -> (logprob, ngram, oov, unigram, eos): one pass over the words as a sentence.
        ///
        /// The first four are bytearrays of float64, int32, bool and float64 per word (for numpy.frombuffer).
        fn full_scores<'py>(
            &self,
            py: Python<'py>,
            words: Vec<Bound<'py, PyString>>,
        ) -> PyResult<Bound<'py, PyTuple>> {
            let words: Vec<Cow<str>> = words.iter().map(text_of).collect::<PyResult<_>>()?;
            let scores = py.detach(|| {
                guarded("full_scores", || {
                    self.model.score_sentence(&words).map_err(|e| e.to_string())
                })
            })?;
            scores_to_python(py, &scores)
        }

        /// score_texts(texts) -> [((norms, starts, ends, is_word), (logprob, ngram, oov, unigram, eos)), ...]
        ///
        /// Tokenises each text and makes one pass over it, many texts in one call with the GIL released;
        /// results in input order.
        fn score_texts<'py>(
            &self,
            py: Python<'py>,
            texts: Vec<Bound<'py, PyString>>,
        ) -> PyResult<Bound<'py, PyList>> {
            let texts: Vec<Cow<str>> = texts.iter().map(text_of).collect::<PyResult<_>>()?;
            let results = py.detach(|| {
                guarded("score_texts", || {
                    texts
                        .iter()
                        .map(|text| {
                            let tokens = tokenize(text);
                            let norms: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
                            let scores = self
                                .model
                                .score_sentence(&norms)
                                .map_err(|e| e.to_string())?;
                            Ok((tokens, scores))
                        })
                        .collect::<Result<Vec<_>, String>>()
                })
            })?;
            let items = results
                .iter()
                .map(|(tokens, scores)| {
                    let pair = [
                        tokens_to_python(py, tokens)?.into_any(),
                        scores_to_python(py, scores)?.into_any(),
                    ];
                    PyTuple::new(py, pair)
                })
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)
        }
    }

    #[pymodule]
    fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
        module.add_function(wrap_pyfunction!(py_tokenize, module)?)?;
        module.add_function(wrap_pyfunction!(py_tokenize_batch, module)?)?;
        module.add_class::<PyLanguageModel>()?;
        module.add("UNICODE_VERSION", crate::UNICODE_VERSION)?;
        Ok(())
    }
}
