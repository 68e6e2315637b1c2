import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from moderation import tasks
from moderation.api.serializers import CommentSubmitInput, CommentSubmittedOutput
from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory, StaffFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db

VALID = {
    "author_name": "Ana Reader",
    "author_email": "ana@example.org",
    "body": "Renting out prison cells raises questions about oversight.",
}


@pytest.fixture
def client():
    return APIClient(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="pytest-agent")


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.comment_score_task, "delay", sent.append)
    return sent


def token_client(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.fixture
def moderator_client(moderator):
    return token_client(moderator)


def comments_url(article_id):
    return f"/api/v1/articles/{article_id}/comments/"


def error_fields(response):
    assert set(response.json()) == {"error"}
    return response.json()["error"]["fields"]


def test_submitting_a_comment_answers_202_with_a_private_status_token(client, article):
    response = client.post(comments_url(article.pk), VALID, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    comment = Comment.objects.get(pk=body["id"])
    assert comment.ip_address == "198.51.100.23"
    assert comment.user_agent == "pytest-agent"
    status = client.get(f"/api/v1/comments/{comment.pk}/", {"token": body["token"]})
    assert status.status_code == 200
    assert status.json()["status"] == "pending"
    assert body["status_url"].endswith(f"/api/v1/comments/{comment.pk}/?token={body['token']}")


@pytest.mark.parametrize("reply", [False, True])
def test_the_202_answer_is_what_the_output_serializer_represents(client, article, reply):
    parent = CommentFactory(article=article, status=Comment.Status.APPROVED) if reply else None
    fields = {**VALID, "parent": parent.pk} if reply else VALID
    body = client.post(comments_url(article.pk), fields, format="json").json()
    comment = Comment.objects.get(pk=body["id"])
    expected = CommentSubmittedOutput(
        {
            "id": comment.pk,
            "article": article.pk,
            "parent": parent.pk if reply else None,
            "status": "pending",
            "created_at": comment.created_at,
            "token": body["token"],
            "status_url": body["status_url"],
        }
    ).data
    assert body == json.loads(json.dumps(expected))
    assert comment.token_matches(body["token"])


def test_submission_serializers_share_their_fields_but_not_their_results():
    """Fields built once serve every instance; each instance keeps its own data and errors."""
    good = CommentSubmitInput(data=VALID)
    bad = CommentSubmitInput(data={**VALID, "author_email": "not an address", "body": ""})
    assert good.fields is bad.fields
    assert bad.is_valid() is False and good.is_valid() is True
    assert set(bad.errors) == {"author_email", "body"}
    assert good.errors == {} and good.validated_data["author_email"] == VALID["author_email"]
    with pytest.raises(ValidationError) as refused:
        CommentSubmitInput(data=None).is_valid(raise_exception=True)
    assert refused.value.detail == {"non_field_errors": ["No data provided"]}


def test_the_status_endpoint_answers_404_for_a_wrong_token(client, article):
    comment_id = client.post(comments_url(article.pk), VALID, format="json").json()["id"]
    response = client.get(f"/api/v1/comments/{comment_id}/", {"token": "guess"})
    assert response.status_code == 404
    assert "token" in error_fields(response)


def test_the_status_token_is_accepted_in_a_header(client, article):
    body = client.post(comments_url(article.pk), VALID, format="json").json()
    url = f"/api/v1/comments/{body['id']}/"
    assert client.get(url, HTTP_X_STATUS_TOKEN=body["token"]).json()["status"] == "pending"
    wrong = client.get(url, HTTP_X_STATUS_TOKEN="guess")
    assert wrong.status_code == 404 and "token" in error_fields(wrong)


def test_the_status_endpoint_names_a_missing_token(client, article):
    response = client.get(f"/api/v1/comments/{CommentFactory(article=article).pk}/")
    assert response.status_code == 400
    assert "token" in error_fields(response)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"author_name": None}, "author_name"),
        ({"author_email": None}, "author_email"),
        ({"body": None}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"author_name": "n" * 101}, "author_name"),
        ({"author_email": "not-an-email"}, "author_email"),
        ({"author_url": "javascript:alert(1)"}, "author_url"),
        ({"parent": "abc"}, "parent"),
        ({"parent": 10**30}, "parent"),
        ({"body": "null\x00byte"}, "body"),
        # Strings only: nothing is coerced (issue 19).
        ({"body": 123}, "body"),
        ({"body": True}, "body"),
        ({"body": ["a list"]}, "body"),
        ({"author_name": 7}, "author_name"),
        ({"author_email": {"an": "object"}}, "author_email"),
        ({"author_url": 1}, "author_url"),
        # Only http(s), never localhost or a literal non-public address (no DNS lookups).
        ({"author_url": "ftp://files.example.org/"}, "author_url"),
        ({"author_url": "http://127.0.0.1:6379/"}, "author_url"),
        ({"author_url": "http://localhost:8000/"}, "author_url"),
        ({"author_url": "http://10.0.0.1/"}, "author_url"),
        ({"author_url": "http://192.168.1.1/admin"}, "author_url"),
        ({"author_url": "http://169.254.169.254/latest/meta-data/"}, "author_url"),
        ({"author_url": "http://[::1]/"}, "author_url"),
        ({"author_url": "http://[fd00::1]/"}, "author_url"),
        ({"author_url": "http://[::ffff:127.0.0.1]/"}, "author_url"),
        # A name of nothing but invisible characters is no name.
        ({"author_name": "\u202e\u200b\ufeff"}, "author_name"),
    ],
)
def test_bad_fields_get_a_400_naming_the_field(client, article, change, field):
    payload = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    response = client.post(comments_url(article.pk), payload, format="json")
    assert response.status_code == 400
    assert field in error_fields(response)
    assert Comment.objects.count() == 0


def test_a_public_website_is_accepted_as_given(client, article):
    payload = {**VALID, "author_url": "https://ana.example.org/about"}
    assert client.post(comments_url(article.pk), payload, format="json").status_code == 202
    assert Comment.objects.get().author_url == "https://ana.example.org/about"


def test_direction_changing_and_invisible_characters_leave_names_and_bodies(client, article):
    payload = {
        **VALID,
        "author_name": "Admin\u202eexe.gnp\u200b\u2066\x07",
        "body": "Fair point\u202e.\ufeff 👩\u200d💻 codes;\r\nme too",
    }
    assert client.post(comments_url(article.pk), payload, format="json").status_code == 202
    comment = Comment.objects.get()
    assert comment.author_name == "Adminexe.gnp"
    assert comment.body == "Fair point. 👩\u200d💻 codes;\nme too"


def test_a_parent_on_another_article_is_refused(client, article):
    other = CommentFactory()
    response = client.post(comments_url(article.pk), {**VALID, "parent": other.pk}, format="json")
    assert response.status_code == 404
    assert "parent" in error_fields(response)


@pytest.mark.parametrize("hidden", [Status.PENDING, Status.HELD, Status.REJECTED])
def test_a_reply_to_a_hidden_comment_gets_the_unknown_parents_answer(client, article, hidden):
    parent = CommentFactory(article=article, status=hidden)
    unknown_id = parent.pk + 1000
    to_hidden = client.post(comments_url(article.pk), {**VALID, "parent": parent.pk}, format="json")
    to_unknown = client.post(
        comments_url(article.pk), {**VALID, "parent": unknown_id}, format="json"
    )
    assert to_hidden.status_code == to_unknown.status_code == 404
    assert to_hidden["Content-Type"] == to_unknown["Content-Type"]
    assert to_hidden.content.replace(f"comment {parent.pk} ".encode(), b"comment ID ") == (
        to_unknown.content.replace(f"comment {unknown_id} ".encode(), b"comment ID ")
    )
    assert Comment.objects.count() == 1


def test_a_closed_article_is_refused_with_409(client):
    closed = ArticleFactory(comments_open=False)
    response = client.post(comments_url(closed.pk), VALID, format="json")
    assert response.status_code == 409
    assert "article_id" in error_fields(response)


def test_an_unknown_article_is_404(client):
    response = client.post(comments_url(987654), VALID, format="json")
    assert response.status_code == 404
    assert "article_id" in error_fields(response)


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, article, raw):
    response = client.post(comments_url(article.pk), raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_form_encoded_bodies_are_refused_with_415_saying_what_to_send(client, article):
    response = client.post(comments_url(article.pk), VALID)
    assert response.status_code == 415
    message = response.json()["error"]["message"]
    assert "multipart/form-data" in message and "Content-Type: application/json" in message


NESTED_100_KB = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize("debug", [False, True])
def test_json_nested_a_hundred_kilobytes_deep_is_a_400_not_a_server_error(
    client, article, settings, debug
):
    """Once a RecursionError and Django's debug 500 page with the settings and environment."""
    settings.DEBUG = debug
    for body in (NESTED_100_KB, json.dumps({**VALID, "body": None})[:-1] + "}"):
        response = client.post(comments_url(article.pk), body, content_type="application/json")
        assert response.status_code == 400
    response = client.post(comments_url(article.pk), NESTED_100_KB, content_type="application/json")
    assert response.json()["error"]["code"] == "parse_error"
    assert "nested deeper than 64" in response.json()["error"]["message"]
    assert Comment.objects.count() == 0


def _nested(depth):
    value = "deep"
    for _ in range(depth - 1):
        value = [value]
    return value


def test_json_nested_beyond_64_levels_is_refused_and_64_accepted(client, article):
    # The top-level object is one level; "extra" (ignored by the serializer) adds the rest.
    too_deep = client.post(comments_url(article.pk), {**VALID, "extra": _nested(65)}, format="json")
    assert too_deep.status_code == 400
    assert "nested deeper than 64" in too_deep.json()["error"]["message"]
    accepted = client.post(comments_url(article.pk), {**VALID, "extra": _nested(64)}, format="json")
    assert accepted.status_code == 202


def test_the_public_list_shows_only_approved_comments_threaded(client, article):
    top = CommentFactory(article=article, status=Status.APPROVED, body="top")
    CommentFactory(article=article, status=Status.APPROVED, parent=top, body="reply")
    CommentFactory(article=article, status=Status.HELD, body="held")
    CommentFactory(article=article, status=Status.REJECTED, body="rejected")
    CommentFactory(article=article, body="pending")
    CommentFactory(status=Status.APPROVED, body="other article")
    response = client.get(comments_url(article.pk))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(c["body"], c["parent"]) for c in results] == [("top", None), ("reply", top.pk)]


def test_public_responses_never_expose_email_ip_or_user_agent(client, article):
    submitted = client.post(comments_url(article.pk), VALID, format="json").json()
    Comment.objects.filter(pk=submitted["id"]).update(status=Status.APPROVED)
    listing = client.get(comments_url(article.pk)).content.decode()
    status = client.get(
        f"/api/v1/comments/{submitted['id']}/", {"token": submitted["token"]}
    ).content.decode()
    for text in (listing, status, json.dumps(submitted)):
        assert "ana@example.org" not in text
        assert "198.51.100.23" not in text
        assert "pytest-agent" not in text
    assert "Renting out prison cells" in listing


def test_the_public_list_is_paginated(client, article):
    CommentFactory.create_batch(3, article=article, status=Status.APPROVED)
    page = client.get(comments_url(article.pk), {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_listing_an_unknown_article_is_404(client):
    assert client.get(comments_url(55555)).status_code == 404


@pytest.fixture
def rates(monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    def set_rates(submit, invalid):
        monkeypatch.setattr(
            ScopedRateThrottle,
            "THROTTLE_RATES",
            {"comment_submit": submit, "comment_submit_invalid": invalid},
        )

    return set_rates


def test_submissions_are_throttled_per_address(client, article, rates):
    rates(submit="2/minute", invalid="10/minute")
    codes = [
        client.post(
            comments_url(article.pk), {**VALID, "body": f"Point {n}."}, format="json"
        ).status_code
        for n in "abc"
    ]
    assert codes == [202, 202, 429]
    assert (
        APIClient(REMOTE_ADDR="192.0.2.1")
        .post(comments_url(article.pk), VALID, format="json")
        .status_code
        == 202
    )


def test_refused_submissions_count_against_their_own_higher_limit(client, article, rates):
    rates(submit="2/minute", invalid="3/minute")
    invalid = {**VALID, "author_email": "not-an-email"}
    refused = [client.post(comments_url(article.pk), invalid, format="json") for _ in "ab"]
    assert [r.status_code for r in refused] == [400, 400]
    # Two refusals used none of the submit limit: two submissions still go through.
    codes = [
        client.post(
            comments_url(article.pk), {**VALID, "body": f"Point {n}."}, format="json"
        ).status_code
        for n in "ab"
    ]
    assert codes == [202, 202]
    assert client.post(comments_url(article.pk), VALID, format="json").status_code == 429
    # Past the submit limit an invalid body is still told what is wrong (and counted as such).
    assert client.post(comments_url(article.pk), invalid, format="json").status_code == 400
    assert client.post(comments_url(article.pk), invalid, format="json").status_code == 429


def test_unknown_articles_and_wrong_media_types_count_as_refusals(client, article, rates):
    rates(submit="20/minute", invalid="2/minute")
    assert client.post(comments_url(987654), VALID, format="json").status_code == 404
    assert client.post(comments_url(article.pk), VALID).status_code == 415
    assert client.post(comments_url(article.pk), VALID, format="json").status_code == 429


def test_a_developer_probing_past_the_refusal_limit_is_slowed(client, article, rates):
    rates(submit="20/minute", invalid="3/minute")
    codes = [client.post(comments_url(article.pk), {}, format="json").status_code for _ in "abcd"]
    assert codes == [400, 400, 400, 429]
    assert (
        "throttled"
        in client.post(comments_url(article.pk), {}, format="json").json()["error"]["code"]
    )


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_is_stored(article, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The reader spoofed 1.2.3.4; the proxy appended the address it really saw.
    proxied = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    response = proxied.post(comments_url(article.pk), VALID, format="json")
    assert Comment.objects.get(pk=response.json()["id"]).ip_address == "203.0.113.9"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(article):
    spoofing = APIClient(REMOTE_ADDR="198.51.100.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    response = spoofing.post(comments_url(article.pk), VALID, format="json")
    assert Comment.objects.get(pk=response.json()["id"]).ip_address == "198.51.100.5"


# --- moderator API ---------------------------------------------------------------------------
def test_the_moderator_api_requires_a_login(client, db):
    response = client.get("/api/v1/moderation/comments/")
    assert response.status_code == 401
    assert (
        "a moderator's API token, as 'Authorization: Token …'"
        in response.json()["error"]["message"]
    )


@pytest.mark.parametrize(
    "authorization, named",
    [
        ("Bearer sk_abcdef", "not a site's secret key (sk_…)"),
        ("Token sk_abcdef", "not a site's secret key (sk_…)"),
        ("Bearer pk_abcdef", "not a site's public key (pk_…)"),
    ],
)
def test_a_sites_key_on_the_moderator_api_is_a_401_naming_the_token(
    client, db, authorization, named
):
    response = client.get("/api/v1/moderation/comments/", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    message = response.json()["error"]["message"]
    assert "moderator's API token" in message and named in message


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/site/articles/tram/comments/x/", "/api/v1/nothing/", "/api/v2/articles/1/"],
)
def test_every_unknown_route_under_api_is_a_json_404(client, settings, debug, path):
    settings.DEBUG = debug  # Django's own debug 404 page is HTML
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_a_missing_final_slash_is_named(client, article):
    response = client.get(f"/api/v1/articles/{article.pk}/comments")
    assert response.status_code == 404
    assert "Did you mean" in response.json()["error"]["message"]


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_moderator_api_refuses_users_without_the_moderate_permission(is_staff, db):
    # Staff without the permission is refused too: the admin refuses the same user.
    comment = CommentFactory(status=Status.HELD, author_email="private@example.org")
    api = token_client(StaffFactory(is_staff=is_staff))
    for response in (
        api.get("/api/v1/moderation/comments/"),
        api.get(f"/api/v1/moderation/comments/{comment.pk}/"),
        api.post(f"/api/v1/moderation/comments/{comment.pk}/approve/"),
        api.post(f"/api/v1/moderation/comments/{comment.pk}/send-back/"),
    ):
        assert response.status_code == 403
        assert b"private@example.org" not in response.content
        assert "moderate_comment" in response.json()["error"]["message"]
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_members_of_the_moderators_group_may_use_the_moderator_api(db):
    from django.contrib.auth.models import Group

    user = StaffFactory(is_staff=False)
    user.groups.add(Group.objects.get(name="Moderators"))
    assert token_client(user).get("/api/v1/moderation/comments/").status_code == 200


def test_moderators_list_comments_by_status_with_scores(moderator_client, article):
    CommentFactory(article=article, status=Status.HELD, spam_score=0.5, decision_reason="why")
    CommentFactory(article=article, status=Status.APPROVED)
    response = moderator_client.get("/api/v1/moderation/comments/", {"status": "held"})
    assert response.status_code == 200
    [held] = response.json()["results"]
    assert held["spam_score"] == 0.5 and held["decision_reason"] == "why"


def test_an_unknown_status_filter_is_a_400_naming_status(moderator_client):
    response = moderator_client.get("/api/v1/moderation/comments/", {"status": "spicy"})
    assert response.status_code == 400
    assert "status" in error_fields(response)


def test_moderators_approve_and_reject_through_the_api(moderator_client, moderator):
    comment = CommentFactory(status=Status.HELD)
    approved = moderator_client.post(
        f"/api/v1/moderation/comments/{comment.pk}/approve/", {"reason": "ok"}, format="json"
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["events"][-1]["moderator"] == moderator.username
    rejected = moderator_client.post(f"/api/v1/moderation/comments/{comment.pk}/reject/")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    again = moderator_client.post(f"/api/v1/moderation/comments/{comment.pk}/reject/")
    assert again.status_code == 409
    assert comment.events.count() == 2


@pytest.mark.parametrize("start", [Status.APPROVED, Status.REJECTED])
def test_moderators_send_a_decided_comment_back_to_the_queue(moderator_client, moderator, start):
    comment = CommentFactory(status=start)
    response = moderator_client.post(
        f"/api/v1/moderation/comments/{comment.pk}/send-back/",
        {"reason": "Needs a second look."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "held"
    [event] = response.json()["events"]
    assert (event["from_status"], event["to_status"]) == (start, "held")
    assert event["reason"] == "Needs a second look."
    assert event["label"] == ""
    assert event["moderator"] == moderator.username


def test_sending_back_a_held_comment_is_a_409_and_writes_nothing(moderator_client):
    comment = CommentFactory(status=Status.HELD)
    response = moderator_client.post(f"/api/v1/moderation/comments/{comment.pk}/send-back/")
    assert response.status_code == 409
    assert "status" in error_fields(response)
    assert comment.events.count() == 0


def test_moderating_an_unknown_comment_is_404(moderator_client):
    assert moderator_client.post("/api/v1/moderation/comments/777/approve/").status_code == 404
    assert moderator_client.get("/api/v1/moderation/comments/777/").status_code == 404
    assert moderator_client.post("/api/v1/moderation/comments/777/send-back/").status_code == 404


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.fixed_dictionaries(
        {},
        optional={
            "author_name": json_values,
            "author_email": json_values,
            "body": json_values,
            "parent": json_values,
            "author_url": json_values,
        },
    )
)
def test_no_payload_ever_causes_a_server_error(client, article, payload):
    cache.clear()  # examples share one client: keep the throttle out of the way
    response = client.post(comments_url(article.pk), payload, format="json")
    assert response.status_code in {202, 400, 404}, response.content


STRING_FIELDS = ["author_name", "author_email", "body", "author_url"]
not_strings = json_values.filter(lambda value: not isinstance(value, str))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.fixed_dictionaries(
        {},
        optional={
            "author_name": json_values,
            "author_email": json_values,
            "body": json_values,
            "parent": json_values,
            "author_url": json_values,
            "notify": json_values,
        },
    ),
    route=st.sampled_from(["articles", "embed"]),
)
def test_no_payload_on_either_submit_route_breaks_the_error_shape(client, article, payload, route):
    cache.clear()
    article.external_id = "tram-line"
    article.save()
    url = (
        comments_url(article.pk)
        if route == "articles"
        else f"/api/v1/embed/{article.site.public_key}/articles/tram-line/comments/"
    )
    response = client.post(url, payload, format="json")
    assert response.status_code in {202, 400, 404}, response.content
    if response.status_code != 202:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    for field, value in payload.items():
        # Strings only: a number, list or object in a string field is never coerced.
        if field in STRING_FIELDS and not isinstance(value, str):
            assert response.status_code == 400 and field in error_fields(response)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(STRING_FIELDS), value=not_strings)
def test_a_non_string_in_any_string_field_is_a_400_naming_it(client, article, field, value):
    cache.clear()
    response = client.post(comments_url(article.pk), {**VALID, field: value}, format="json")
    assert response.status_code == 400 and field in error_fields(response)


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/abc/comments/", "/api/v1/articles/1234567890123456789/comments/"]
)
def test_malformed_or_oversized_ids_get_a_json_404(client, path):
    response = client.post(path, VALID, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_openapi_schema_describes_the_comment_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/articles/{article_id}/comments/" in schema["paths"]
    assert "/api/v1/moderation/comments/{comment_id}/approve/" in schema["paths"]
    assert "/api/v1/moderation/comments/{comment_id}/send-back/" in schema["paths"]
