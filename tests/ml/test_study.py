import numpy as np
import pytest

from ml import corpus as K
from ml.__main__ import main
from ml.model import LABELS
from ml.study import best_f1, run_study, site_rows
from tests.ml.conftest import FIXTURE_DATA


def test_best_f1_is_the_oracle_threshold() -> None:
    y = np.array([0, 0, 1, 1, 0, 1])
    assert best_f1(y, np.array([0.1, 0.2, 0.8, 0.9, 0.3, 0.7])) == pytest.approx(1.0)
    # One spam scored below every ham: the best cut keeps two of three at full precision.
    assert best_f1(y, np.array([0.1, 0.2, 0.8, 0.9, 0.3, 0.05])) == pytest.approx(0.8)


def test_site_rows_come_from_the_one_video_and_leave_the_corpus_alone() -> None:
    corpus = K.to_corpus(K.load_spam(FIXTURE_DATA, [], []), LABELS["spam"])
    before = corpus.source.copy()
    video = "Youtube02-KatyPerry"
    picked, relabelled = site_rows(corpus, video, 0.3, np.random.default_rng(0))
    in_video = corpus.group == video
    assert picked.sum() == round(0.3 * in_video.sum())
    assert not (picked & ~in_video).any()
    assert (relabelled.source[picked] == "extra").all()
    assert (relabelled.source[~picked] == before[~picked]).all()
    assert (corpus.source == before).all()


def test_study_reports_every_scheme_per_video_and_prints_a_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_study(FIXTURE_DATA, shares=(0.3,))
    assert list(result) == [
        "leave-one-video-out",
        "mixed videos (4-fold)",
        "new video + 30% of it as site decisions",
    ]
    lovo = result["leave-one-video-out"]["videos"]
    site = result["new video + 30% of it as site decisions"]["videos"]
    videos = {"Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem"}
    assert set(lovo) == videos
    for video, entry in lovo.items():
        # The site's share of the video is never scored as if unseen.
        assert site[video]["rows"] == entry["rows"] - round(0.3 * entry["rows"])
    for scheme in result.values():
        for entry in scheme["videos"].values():
            assert 0.0 <= entry["roc_auc"] <= 1.0 and 0.0 < entry["best_f1"] <= 1.0

    assert main(["study", "--data", str(FIXTURE_DATA)]) == 0
    out = capsys.readouterr().out
    assert "| leave-one-video-out |" in out and "Psy" in out
