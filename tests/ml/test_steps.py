import numpy as np
import pytest

from ml import corpus as K
from ml import fit as F
from ml import news
from ml.__main__ import main
from ml.model import LABELS
from ml.steps import STEP_8, STEPS, applied, run_steps, stream_cut_in_folds
from tests.ml.conftest import FIXTURE_DATA


def test_a_steps_settings_hold_inside_the_block_and_are_restored_after_it() -> None:
    corpus = K.to_corpus(K.load_toxicity(FIXTURE_DATA, [], []), LABELS["toxicity"])
    before = K.row_weights(corpus, "toxicity", 0)
    spans = corpus.source == news.CIVIL_SPANS
    stream_toxic = (corpus.source == news.CIVIL_SAMPLE) & (corpus.y[:, 0] >= 0.5)
    assert spans.any() and stream_toxic.any()
    with applied(STEP_8):
        during = K.row_weights(corpus, "toxicity", 0)
        # The sub-labels keep their weights.
        assert (K.row_weights(corpus, "threat", 2) == before).all()
    assert np.allclose(during[spans], 0.25 * before[spans])
    assert np.allclose(during[stream_toxic], 3.0 * before[stream_toxic])
    others = ~spans & ~stream_toxic
    assert (during[others] == before[others]).all()
    assert (K.row_weights(corpus, "toxicity", 0) == before).all()
    assert not K.LABEL_SOURCE_WEIGHTS and not K.POSITIVE_WEIGHTS


def test_settings_are_restored_when_a_step_fails() -> None:
    with pytest.raises(RuntimeError), applied(((F.SVM, "toxicity", (0.5, 1.0)),)):
        raise RuntimeError("fit failed")
    assert F.SVM["toxicity"] == (0.0, 1.0)


def test_each_folds_cut_is_chosen_on_the_other_folds_toxic_posts() -> None:
    # Fold 0's toxic posts score high, fold 1's low: a cut chosen on fold 0 publishes all of
    # fold 1, and one chosen on fold 1 publishes none of fold 0.
    z = np.array([0.9, 0.95, 0.1, 0.2, 0.05, 0.01, 0.5, 0.6])
    toxic = np.array([1, 1, 0, 0, 1, 1, 0, 0], dtype=bool)
    fold = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    stream = np.ones(8, dtype=bool)
    clean, abusive = stream_cut_in_folds(z, toxic, stream, fold)
    assert abusive == pytest.approx(0.5)  # fold 1's two toxic posts
    assert clean == pytest.approx(0.5)  # fold 1's two clean posts, none of fold 0's
    stream[fold == 1] = False
    assert stream_cut_in_folds(z, toxic, stream, fold) == (0.0, 0.0)


def test_steps_prints_the_reference_and_the_shipped_rows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = dict(run_steps(FIXTURE_DATA, ["reference", "step8-svm"]))
    assert list(rows) == ["reference", "step8-svm"]
    for figures in rows.values():
        assert set(figures) == {
            "civil",
            "new_outlet",
            "fox_by_thread",
            "clean_published",
            "toxic_published",
        }
        for name in ("clean_published", "new_outlet"):
            value = figures[name]
            assert value is not None and 0.0 <= value <= 1.0
    assert F.SVM["toxicity"] == (0.0, 1.0) and not K.POSITIVE_WEIGHTS

    assert main(["steps", "--data", str(FIXTURE_DATA), "--step", "shipped"]) == 0
    out = capsys.readouterr().out
    assert f"| {STEPS['shipped'].title} | `shipped` | " in out
    assert main(["steps", "--step", "no-such-step"]) == 2
