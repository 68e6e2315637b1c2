"""The plain reference the toxicity model must beat: word 1-2-gram and character_wb 2-5-gram
TF-IDF (scikit-learn) and one class-balanced logistic regression, trained on news comments only
(the files in ../shared/data/news), validated in the same folds as the model. Never shipped."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ml import news
from ml.corpus import Corpus


class Reference:
    """Fitted reference: two TF-IDF blocks and a logistic regression on the toxicity label."""

    def __init__(self, texts: Sequence[str], toxic: np.ndarray) -> None:
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
        )
        x = sp.hstack([self.word.fit_transform(texts), self.char.fit_transform(texts)]).tocsr()
        self.clf = LogisticRegression(
            class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0
        )
        self.clf.fit(x, toxic)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Decision values (a ranking: the reference is never calibrated or thresholded)."""
        x = sp.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()
        return np.asarray(self.clf.decision_function(x), dtype=np.float64)


def fit_reference(corpus: Corpus, train: np.ndarray) -> Reference:
    """The reference on the news rows of `train` (raw text, toxicity >= 0.5 as the label)."""
    rows = np.flatnonzero(train & np.isin(corpus.source, news.NEWS_SOURCES))
    rows = rows[~np.isnan(corpus.y[rows, 0])]
    return Reference([corpus.raw[i] for i in rows], corpus.y[rows, 0] >= 0.5)
