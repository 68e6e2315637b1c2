import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ml.normalize import normalize, normalize_with_offsets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You F4GG0T", "you faggot"),
        ("what an 1d10t", "what an idiot"),
        ("$h1t happens", "shit happens"),
        ("you are s t u p i d", "you are stupid"),
        ("you are s.t.u.p.i.d", "you are stupid"),
        ("stuuuuupid", "stupid"),
        ("f\u200bu\u200dck you", "fuck you"),
        ("\u0456d\u0456\u043et", "idiot"),  # Cyrillic i and o
        ("\u03b9d\u03b9\u03bft", "idiot"),  # Greek iota and omicron
        ("\uff49\uff44\uff49\uff4f\uff54", "idiot"),  # fullwidth
        ("\U0001d422\U0001d41d\U0001d422\U0001d428\U0001d42d", "idiot"),  # math bold
        ("I&amp;#39;m fine &lt;3", "i'm fine <3"),
        ("song\ufeff", "song"),
        ("check http://bit.ly/xyz now", "check urltoken now"),
        ("visit www . spam . com today", "visit urltoken today"),
        ("go to mysite dot com", "go to urltoken"),
        ('<a href="http://x.com/a">2:19</a> best<br />part', "urltoken 2:19 best part"),
        ("hey @Some_User123 look", "hey @user look"),
        ("Roar: http://youtu.be/CevxZvSJLk8", "roar: urltoken ytlink"),
        ("at https://www.youtube.com/watch?v=KQ6&t=2m19s", "at urltoken ytlink"),
        ("sub www.youtube.com/user/someone", "sub urltoken"),
        ("my channel youtube.com/channel/UC123", "my channel urltoken"),
        ("call me in 2015, v2.0.1", "call me in 2015, v2.0.1"),
        ("great!!!!!!!", "great!!!"),
        ("0 0\rA", "00a"),  # line breaks are spaces on the ASCII fast path too
        ("0 \r0  a", "00a"),  # uneven gaps between spaced letters
    ],
)
def test_it_undoes_each_trick(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_it_keeps_a_span_for_every_character_of_an_obfuscated_word() -> None:
    text = "Hey 1d10t &amp; l00ser"
    norm = normalize_with_offsets(text)
    assert norm.text == "hey idiot & looser"
    start = norm.text.index("idiot")
    a, b = norm.span(start, start + 5)
    assert text[a:b] == "1d10t"
    amp = norm.text.index("&")
    a, b = norm.span(amp, amp + 1)
    assert text[a:b] == "&amp;"


def test_it_maps_a_url_token_back_to_the_whole_url() -> None:
    text = "see http://bit.ly/xyz now"
    norm = normalize_with_offsets(text)
    start = norm.text.index("urltoken")
    a, b = norm.span(start, start + len("urltoken"))
    assert text[a:b].strip() == "http://bit.ly/xyz"


def test_the_youtube_link_token_maps_back_to_the_link_too() -> None:
    text = 'best part <a href="https://www.youtube.com/watch?v=KQ6&t=3m40s">3:40</a>'
    norm = normalize_with_offsets(text)
    assert norm.text == "best part urltoken ytlink 3:40"
    start = norm.text.index("ytlink")
    a, b = norm.span(start, start + len("ytlink"))
    assert "https://www.youtube.com/watch?v=KQ6&t=3m40s" in text[a:b]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aeiou st1d0@$!.&;#<>/:-_*\u200b\u0430\ufeff")))
def test_offsets_agree_with_plain_normalize(text: str) -> None:
    norm = normalize_with_offsets(text)
    assert norm.text == normalize(text)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert all(0 <= a <= b <= len(text) for a, b in zip(norm.starts, norm.ends, strict=True))
