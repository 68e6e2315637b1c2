"""The worker's text rules: links, markup, length and the author's fields."""

import pytest

from moderation.policy.checks import (
    Submission,
    check_author,
    check_length,
    check_links,
    check_markup,
    check_words,
    text_hits,
)
from moderation.policy.links import link_hosts
from moderation.policy.verdict import HOLD, REJECT
from moderation.rules.models import SiteRules


def rules(**changes) -> SiteRules:
    return SiteRules(site_id=1, **changes)


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("see https://a.example.com/x?next=https://b.example.org/y", ["a.example.com"]),
        ("example.com, example.org and www.test.net", ["test.net", "example.com", "example.org"]),
        ("hxxp://evil[.]com/x and evil (dot) com", ["evil.com", "evil.com"]),
        ("<a href='http://x.ru/'>x</a>", ["x.ru"]),
        ("Read news.example.co.uk/a/b.", ["news.example.co.uk"]),
        ("mail me at foo@bar.com", []),
        ("it costs 3.5 dollars. Next. Node.js is nice", []),
    ],
)
def test_links_are_counted_the_way_spammers_hide_them(text, hosts):
    assert link_hosts(text) == hosts


def test_it_holds_comments_with_three_links_and_not_two():
    assert check_links(rules(), "a.com and b.com") == []
    [hit] = check_links(rules(), "a.com, b.com and c.com")
    assert (hit.rule, hit.effect, hit.reason) == ("links", HOLD, "3 links (more than 2)")
    assert check_links(rules(max_links=None), "a.com, b.com, c.com, d.com") == []


def test_allowed_domains_do_not_count_and_blocked_ones_reject():
    site = rules(allowed_domains="example.com", blocked_domains="spam.example.net")
    assert check_links(site, "example.com www.example.com/a docs.example.com b.com") == []
    [hit] = check_links(site, "see http://shop.spam.example.net/buy")
    assert (hit.rule, hit.effect) == ("blocked_domain", REJECT)
    assert "spam.example.net" in hit.reason


def test_url_shorteners_are_suspect():
    [hit] = check_links(rules(), "watch https://bit.ly/abc123")
    assert (hit.rule, hit.effect) == ("link_shortener", HOLD)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("< SCRIPT src=//x>", "<script"),
        ('<img src=x onerror="steal()">', "an event-handler attribute"),
        ("click javascript:alert(1)", "javascript:"),
    ],
)
def test_it_holds_script_and_event_handlers(body, found):
    [hit] = check_markup(body)
    assert hit.detail["found"] == found


def test_it_holds_a_body_of_mostly_markup_but_not_a_comment_with_one_tag():
    [hit] = check_markup("<div><p><b><i><u>hi</u></i></b></p></div>")
    assert hit.reason.startswith("mostly HTML markup")
    assert check_markup("I think <b>this</b> matters a great deal for the town's budget.") == []
    assert check_markup("Ratio 3:1 and 2 < 3") == []


def test_length_holds_below_the_minimum_and_above_the_maximum():
    site = rules(min_length=10, max_length=50)
    assert check_length(site, "   short  ")[0].reason == "shorter than 10 characters (5)"
    assert check_length(site, "x" * 51)[0].reason == "longer than 50 characters (51)"
    assert check_length(site, "just right here") == []
    assert check_length(rules(), "x") == []


@pytest.mark.parametrize(
    ("name", "url", "problem"),
    [
        ("Best Casino Bonus 2026", "", "name stuffed with sales keywords"),
        ("cheap-pills.example.com", "", "name is a web address"),
        ("http://win.example", "", "name is a web address"),
        ("Ana", "https://bit.ly/x", "website on a link-shortener domain"),
        ("Ana", "https://shop.bad.example/", "website on a blocked domain"),
    ],
)
def test_spammers_author_fields_are_held(name, url, problem):
    site = rules(blocked_domains="bad.example")
    [hit] = check_author(site, Submission(body="hi", author_name=name, author_url=url))
    assert problem in hit.reason


@pytest.mark.parametrize("name", ["Ana Reader", "Best Friend", "Bonnie Win", "R2D2 fan"])
def test_ordinary_names_pass(name):
    assert check_author(rules(), Submission(body="hi", author_name=name)) == []


def test_banned_words_reject_and_suspect_words_hold():
    site = rules(starter_words=False, banned_words="casino*", suspect_words="idiot")
    hits = check_words(site, "best casinos for idiots and an idiot")
    assert [(h.rule, h.effect, h.reason) for h in hits] == [
        ("banned_word", REJECT, "banned word “casinos”"),
        ("suspect_word", HOLD, "suspect word “idiot”"),
    ]


def test_the_starter_lists_apply_unless_switched_off():
    assert [h.rule for h in check_words(rules(), "what the fuck")] == ["suspect_word"]
    assert check_words(rules(starter_words=False), "what the fuck") == []


def test_each_rule_can_be_switched_off():
    body = "<script>x</script> I know where you live. a.com b.com c.com"
    site = rules(severe_phrases=False, markup=False, max_links=None, author_fields=False)
    assert text_hits(site, Submission(body=body, author_name="Best Casino Bonus 2026")) == []
    on = text_hits(rules(), Submission(body=body, author_name="Best Casino Bonus 2026"))
    assert {h.rule for h in on} == {"severe_phrase", "markup", "links", "author_fields"}
