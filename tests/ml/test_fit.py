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


def _lol_weight(corpus: Corpus) -> float:
    vec, coef, _ = fit.fit_all_labels(corpus, 3.0, LABELS["toxicity"])
    assert coef.shape == (len(LABELS["toxicity"]), vec.n_features)  # no indicator is shipped
    return float(coef[0, vec.word_vocab["lol"]])


def test_a_source_indicator_keeps_a_platforms_base_rate_out_of_its_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fit.SOURCE_INDICATORS, "toxicity", ())
    without = _lol_weight(_corpus())
    monkeypatch.setitem(fit.SOURCE_INDICATORS, "toxicity", ("davidson",))
    with_indicator = _lol_weight(_corpus())
    assert without > 0.5  # "lol" learnt as abuse from the tweets alone
    assert with_indicator < without / 2
