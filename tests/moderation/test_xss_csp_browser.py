"""Hostile comments in every page that shows comments, and the CSP on every page we render.

Real headless Chromium (issue 19). The XSS corpus goes in through the public API, is approved, and
is opened in the admin list and change pages, the queue, the widget and the no-JavaScript page:
once with the Content-Security-Policy bypassed (so escaping alone is tested) and once with it
enforced. Nothing may run, and no page may trip the policy.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from moderation.embed.demo import demo_page_write
from moderation.embed.models import SiteOrigin
from moderation.models import Article, Comment, Site
from tests.browser import TEST_OUTPUT, static_server
from tests.moderation.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each payload calls xss(n) (or alert) if it ever runs.
NAMES = [
    "<script>xss(1)</script>",
    '"><img src=x onerror=xss(2)>',
    "' onmouseover='xss(3)' x='",
    "<svg onload=xss(4)>",
    "&lt;script&gt;xss(5)&lt;/script&gt;",
    "%3Cscript%3Exss(6)%3C/script%3E",
    '<a href="javascript:xss(7)">me</a>',
    "<img src=x onerror=&#x78;ss(8)>",
    "Admin\u202eexe.gnp",
]
BODIES = [
    "<script>xss(11)</script>",
    "<svg><script>xss(12)</script></svg>",
    '<img src="data:image/svg+xml,<svg onload=xss(13)>" onerror=xss(13)>',
    "<details open ontoggle=xss(14)>x</details>",
    "javascript:xss(15)",
    '<object data="data:text/html,<script>alert(16)</script>"></object>',
    "&#60;script&#62;xss(17)&#60;/script&#62;",
    "<math><mtext><table><mglyph><style><img src=x onerror=xss(18)>",
    '<iframe srcdoc="<script>parent.xss(19)</script>"></iframe>',
    "\u003cbody onload=xss(20)\u003e {{ 7|add:7 }} ${7*7}",
    "%253Cscript%253Exss(21)%253C%252Fscript%253E",
    "<style>*{background:url(javascript:xss(22))}</style>",
]
# Websites the API accepts (http(s), public host) that try to break out of the href attribute.
WEBSITES = [
    'https://evil.example/"><script>xss(31)</script>',
    "https://evil.example/'><svg/onload=xss(32)>",
    'https://evil.example/"onmouseover="xss(33)"',
    "https://evil.example/%22%3E%3Cscript%3Exss(34)%3C/script%3E",
]
# Websites the API must refuse outright.
REFUSED_WEBSITES = [
    "javascript:xss(41)",
    "JaVaScRiPt:xss(42)",
    "data:text/html,<script>xss(43)</script>",
    "vbscript:msgbox(44)",
]
TRAP = """
window.__ran = [];
window.xss = function (n) { window.__ran.push(n); };
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


@pytest.fixture
def stage(live_server, transactional_db, tmp_path, celery_eager, fake_scores):
    """The hostile comments, approved, and the demo page with the widget on its own origin."""
    fake_scores(spam=0.5, toxicity=0.5)  # held by the policy, then approved below
    site = Site.objects.create(name="The Daily Ledger", domain="ledger.example")
    article = Article.objects.create(
        site=site,
        external_id="xss-corpus",
        title="<script>xss(50)</script> El Salvador offers to house US prisoners",
        url="https://ledger.example/world/el-salvador-prisoners",
    )
    submit_url = f"/api/v1/articles/{article.pk}/comments/"
    submitted = []
    for n, (name, body) in enumerate(zip(NAMES * 2, BODIES, strict=False)):
        payload = {"author_name": name, "author_email": f"x{n}@example.org", "body": body}
        if n < len(WEBSITES):
            payload["author_url"] = WEBSITES[n]
        response = APIClient(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            submit_url, payload, format="json"
        )
        assert response.status_code == 202, response.content
        submitted.append(response.json()["id"])
    for n, website in enumerate(REFUSED_WEBSITES):
        payload = {"author_name": "x", "author_email": "x@example.org", "body": "x"}
        response = APIClient(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
            submit_url, {**payload, "author_url": website}, format="json"
        )
        assert response.status_code == 400 and "author_url" in response.json()["error"]["fields"]
    Comment.objects.filter(pk__in=submitted).update(status=Comment.Status.APPROVED)
    # One more, held, so the queue's default view has the payloads in a card too.
    held = APIClient(REMOTE_ADDR="203.0.113.9").post(
        submit_url,
        {"author_name": NAMES[1], "author_email": "h@example.org", "body": BODIES[0]},
        format="json",
    )
    assert held.status_code == 202
    StaffFactory(username="chief", is_superuser=True)
    with static_server(tmp_path) as page_origin:
        SiteOrigin.objects.create(site=site, origin=page_origin)
        demo_page_write(
            tmp_path,
            api_base=live_server.url,
            page_origin=page_origin,
            public_key=site.public_key,
            external_id=article.external_id,
            title="Demo",
            url=article.url,
        )
        yield {
            "site": site,
            "article": article,
            "comment_id": submitted[1],
            "demo": f"{page_origin}/",
        }


def log_in(context, live_server) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "pw")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.close()


def visit(context, url: str, ready: str, problems: list[str], *, shot: str) -> None:
    page = context.new_page()

    def on_dialog(dialog) -> None:
        problems.append(f"dialog {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.text}")
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"error {error}"))
    page.goto(url)
    page.wait_for_selector(ready, timeout=30_000)
    # Hover and focus everything, so handlers that wait for an event get their chance.
    page.evaluate(
        """() => document.querySelectorAll('a, bdi, strong, p, li, td').forEach(el => {
            ['mouseover', 'mouseenter', 'focus', 'click'].forEach(type => {
                if (type === 'click' && el.closest('a')) return;
                el.dispatchEvent(new Event(type, {bubbles: true}));
            });
        })"""
    )
    page.wait_for_timeout(300)
    ran = page.evaluate("window.__ran || []")
    violations = page.evaluate("window.__csp || []")
    frames_ran = [
        n for frame in page.frames[1:] for n in (frame.evaluate("window.__ran || []") or [])
    ]
    problems.extend(f"{url}: xss({n}) ran" for n in ran + frames_ran)
    problems.extend(f"{url}: CSP violation {v}" for v in violations)
    page.screenshot(path=str(TEST_OUTPUT / f"xss-{shot}.png"), full_page=True)
    page.close()


def test_no_payload_runs_in_any_page_that_shows_comments(browser, stage, live_server):
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    site, comment_id = stage["site"], stage["comment_id"]
    pages = [
        ("/admin/moderation/comment/", "#result_list", "admin-list"),
        (f"/admin/moderation/comment/{comment_id}/change/", ".desk-single", "admin-change"),
        ("/admin/moderation/moderationqueue/?status=approved", ".desk-card", "queue-approved"),
        ("/admin/moderation/moderationqueue/", ".desk-card.is-current", "queue-held"),
        (f"/embed/{site.public_key}/xss-corpus/", "main ol", "no-js"),
    ]
    problems: list[str] = []
    for bypass_csp in (True, False):
        context = browser.new_context(bypass_csp=bypass_csp)
        context.add_init_script(TRAP)
        log_in(context, live_server)
        mode = "bypass" if bypass_csp else "csp"
        for path, ready, shot in pages:
            visit(context, live_server.url + path, ready, problems, shot=f"{shot}-{mode}")
        # The widget, on the publisher's origin: every payload shown as text.
        visit(context, stage["demo"], "#comments li[data-id]", problems, shot=f"widget-{mode}")
        context.close()
    assert problems == []


def test_the_pages_we_render_work_under_the_csp_without_violations(browser, stage, live_server):
    """The admin, the queue (deciding a comment), Swagger UI and the no-JS page, CSP enforced."""
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context()
    context.add_init_script(TRAP)
    problems: list[str] = []
    log_in(context, live_server)
    response = context.request.get(f"{live_server.url}/admin/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy

    visit(context, f"{live_server.url}/admin/", "#content-main", problems, shot="csp-admin")
    visit(
        context,
        f"{live_server.url}/admin/moderation/site/",
        "#result_list",
        problems,
        shot="csp-sites",
    )
    # Swagger UI renders the operations from the schema: its initialiser ran.
    visit(context, f"{live_server.url}/api/docs/", ".opblock", problems, shot="csp-swagger")

    # The queue's script works: a decision by keyboard lands without a reload.
    page = context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if "Security" in msg.text else None)
    page.goto(f"{live_server.url}/admin/moderation/moderationqueue/")
    card = page.locator(".desk-card.is-current")
    card.wait_for()
    page.keyboard.press("a")
    page.wait_for_selector(f'#comment-{card.get_attribute("data-id")}[data-status="approved"]')
    problems.extend(page.evaluate("window.__csp"))
    page.close()
    context.close()
    assert problems == []
