import re

from moderation.desk.highlight import highlighted_html


def test_it_marks_each_explained_span_in_place():
    html = highlighted_html(
        "free money here", {"spam": [{"feature": "money", "weight": 1.5, "start": 5, "end": 10}]}
    )
    assert html == (
        'free <mark class="desk-hl desk-hl-spam" title="spam +1.50 (money)">money</mark> here'
    )


def test_it_escapes_the_text_inside_and_outside_the_marks():
    text = "<b>hi</b> <script>x()</script>"
    html = highlighted_html(
        text, {"toxicity": [{"feature": "script", "weight": 1.0, "start": 10, "end": 18}]}
    )
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;hi&lt;/b&gt; " in html
    assert ">&lt;script&gt;</mark>x()&lt;/script&gt;" in html


def test_overlapping_spans_of_two_models_mark_the_shared_piece_with_both():
    html = highlighted_html(
        "abcdef",
        {
            "spam": [{"feature": "abcd", "weight": 1.0, "start": 0, "end": 4}],
            "toxicity": [{"feature": "cdef", "weight": 2.0, "start": 2, "end": 6}],
        },
    )
    assert 'class="desk-hl desk-hl-spam desk-hl-toxicity"' in html
    assert html.count("<mark") == 3
    assert re.sub(r"<[^>]+>", "", html) == "abcdef"


def test_malformed_or_out_of_range_spans_are_ignored():
    explanation = {
        "spam": [
            {"feature": "x", "weight": 1.0, "start": 3, "end": 99},
            {"feature": "x", "weight": 1.0, "start": "0", "end": 2},
            {"feature": "x", "weight": 1.0, "start": 2, "end": 2},
            "not a dict",
        ],
        "toxicity": "not a list",
    }
    assert highlighted_html("a & b", explanation) == "a &amp; b"
