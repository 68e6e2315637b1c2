from pathlib import Path

import pytest

from ml.data import default_data_dir

FIXTURE_DATA = Path(__file__).resolve().parent / "fixtures" / "data"
REAL_DATA = default_data_dir()

needs_real_data = pytest.mark.skipif(
    not (REAL_DATA / "spam" / "youtube").is_dir(),
    reason=f"training data folder {REAL_DATA} is absent (set ML_DATA_DIR; CI has it)",
)


@pytest.fixture(scope="session")
def tiny_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both models trained on the tiny fixture corpora, once per test session."""
    from ml.train import train

    out = tmp_path_factory.mktemp("artifacts")
    train("spam", FIXTURE_DATA, out)
    train("toxicity", FIXTURE_DATA, out)
    return out
