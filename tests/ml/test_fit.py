import numpy as np
import pytest

import ml.fit as fit
from ml.corpus import Corpus
from ml.model import LABELS


def _corpus() -> Corpus:
    """News rows where "lol" is neutral, and a tweet source where every row says "lol" and is
    abusive (a platform that was sampled for abuse)."""
    texts, y, source = [], [], []
    for i in range(40):
        texts += [f"the council vote {i}", f"you idiot moron {i}", f"good point {i}"]
        y += [0.0, 1.0, 0.0]
        source += ["civil-sample"] * 3
    for i in range(5):
        texts.append(f"lol the council vote again {i}")
        y.append(0.0)
        source.append("civil-sample")
    for i in range(60):
        texts.append(f"lol {i}")
        y.append(1.0)
        source.append("davidson")
    labels = LABELS["toxicity"]
    matrix = np.full((len(texts), len(labels)), np.nan)
    matrix[:, 0] = y
    n = len(texts)
    return Corpus(
        texts, matrix, np.array(source), np.array(["train"] * n), np.array(["g"] * n), texts
    )


def test_word_vectors_carry_what_was_learnt_to_words_never_seen_in_training() -> None:
    corpus = _corpus()
    model = fit.fit_all_labels(corpus, 3.0, LABELS["toxicity"])
    assert model.vectors is not None and model.vector_coef is not None
    assert model.coef.shape == (len(LABELS["toxicity"]), model.vectorizer.n_features)
    # Neither word is in the training texts, nor shares a character 3-gram with them.
    unseen = ["imbecile", "parliament"]
    assert not set(unseen) & set(model.vectorizer.word_list)
    insult, civic = model.logits(unseen)[:, 0]
    assert insult > civic


def test_without_word_vectors_the_model_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fit.VECTORS, "toxicity", None)
    model = fit.fit_all_labels(_corpus(), 3.0, LABELS["toxicity"])
    assert model.vectors is None and model.vector_coef is None


def _lol_weight(corpus: Corpus) -> float:
    model = fit.fit_all_labels(corpus, 3.0, LABELS["toxicity"])
    # No indicator is shipped: the weights are the TF-IDF columns (and the vectors') only.
    assert model.coef.shape == (len(LABELS["toxicity"]), model.vectorizer.n_features)
    assert model.vector_coef is not None and model.vector_coef.shape[1] == 50
    return float(model.coef[0, model.vectorizer.word_vocab["lol"]])


def test_a_source_indicator_keeps_a_platforms_base_rate_out_of_its_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fit.SOURCE_INDICATORS, "toxicity", ())
    without = _lol_weight(_corpus())
    monkeypatch.setitem(fit.SOURCE_INDICATORS, "toxicity", ("davidson",))
    with_indicator = _lol_weight(_corpus())
    assert without > 0.5  # "lol" learnt as abuse from the tweets alone
    assert with_indicator < 0.7 * without


def test_the_svm_share_averages_the_two_linear_models(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _corpus()
    coefs = []
    for share in (0.0, 1.0, 0.5):
        monkeypatch.setitem(fit.SVM, "toxicity", (share, 1.0))
        model = fit.fit_all_labels(corpus, 1.0, LABELS["toxicity"])
        coefs.append(np.concatenate([model.coef[0], [model.intercept[0]]]))
    logistic, svm, half = coefs
    assert not np.allclose(logistic, svm)
    assert np.allclose(half, (logistic + svm) / 2)


def test_a_block_scaled_down_while_fitting_carries_almost_no_weight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = _corpus()
    words = len(fit.fit_vectorizer(corpus.texts, silent=fit.SILENT_WORDS["toxicity"]).word_list)
    plain = fit.fit_all_labels(corpus, 1.0, LABELS["toxicity"])
    monkeypatch.setitem(fit.BLOCK_SCALE, "toxicity", (1.0, 1e-3, 1.0))
    scaled = fit.fit_all_labels(corpus, 1.0, LABELS["toxicity"])
    # The weights are folded back onto unscaled features: the character block all but vanishes.
    assert np.abs(plain.coef[0, words:]).max() > 0.05
    assert np.abs(scaled.coef[0, words:]).max() < 1e-3
    assert np.abs(scaled.coef[0, :words]).max() > 0.05
