"""A few checks against the real corpora; skipped when the data folder is absent."""

from ml import data as D
from tests.ml.conftest import REAL_DATA, needs_real_data


@needs_real_data
def test_real_youtube_files_load_without_the_date_column_or_byte_order_marks() -> None:
    sources: list[D.Source] = []
    rows = D.load_youtube(REAL_DATA, sources)
    assert [s.rows_read for s in sources] == [350, 350, 438, 448]
    assert not any("\ufeff" in r.text for r in rows)
    assert len({D.text_key(r.text) for r in rows}) == len(rows)


@needs_real_data
def test_real_olid_is_split_like_tweeteval_offensive() -> None:
    sources: list[D.Source] = []
    rows = D.load_olid(REAL_DATA, sources)
    assert sources[-1].rows_read == 13240
    val = [r for r in rows if r.split == "val"]
    assert 1200 <= len(val) <= 1324
