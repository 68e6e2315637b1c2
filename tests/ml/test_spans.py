import pytest

from ml.spans import span_f1


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        (set(), frozenset(), 1.0),
        ({1}, frozenset(), 0.0),
        (set(), frozenset({1}), 0.0),
        ({1, 2, 3, 4}, frozenset({3, 4, 5, 6}), 0.5),
        ({1, 2}, frozenset({1, 2}), 1.0),
    ],
)
def test_span_f1_follows_semeval_2021_task_5(
    predicted: set[int], gold: frozenset[int], expected: float
) -> None:
    assert span_f1(predicted, gold) == pytest.approx(expected)
