"""Admin pages: the dashboard, and thresholds from a target (propose, backtest, confirm)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from moderation.errors import ApplicationError
from moderation.learning import charts, services
from moderation.learning import selectors as learning_selectors
from moderation.learning.thresholds import Target, thresholds_propose
from moderation.models import Site

VIEW_DASHBOARD = "moderation.view_dashboard"
PERIODS = (7, 30, 90)
OUTCOME_WORDS = {
    "approved": "published",
    "held": "held",
    "rejected": "rejected",
    "pending": "pending",
}


class DashboardInput(forms.Form):
    site = forms.IntegerField(required=False)
    days = forms.TypedChoiceField(
        choices=[(d, d) for d in PERIODS], coerce=int, required=False, empty_value="30"
    )


def _dashboard_charts(site: Site, days: int) -> dict[str, Any]:
    period = learning_selectors.period_of(days)
    ticks = [d.strftime("%m-%d") for d in period.days]
    per_day = learning_selectors.comments_per_day(site=site, period=period)
    outcomes: dict[str, Sequence[float]] = {
        OUTCOME_WORDS[s]: [per_day.get(d, Counter())[s] for d in period.days]
        for s in learning_selectors.OUTCOMES
    }
    sizes, waits = learning_selectors.queue_per_day(site=site, period=period)
    decisions = learning_selectors.decisions_per_day(site=site, period=period)
    histograms = learning_selectors.score_histograms(
        site=site, period=period, labels=("toxicity", "spam")
    )
    overturns = learning_selectors.overturns_by_label(site=site, period=period)
    return {
        "outcomes": charts.stacked_bars("Comments per day by outcome", ticks, outcomes),
        "queue": charts.stacked_bars(
            "Queue size at the end of each day",
            ticks,
            {"in_queue": [sizes[d] for d in period.days]},
        ),
        "waits": charts.lines(
            "Median wait before a moderator's decision (hours)",
            ticks,
            {"median_wait_hours": [waits.get(d) for d in period.days]},
        ),
        "scores": [
            charts.histogram(f"{label.replace('_', ' ')} scores", label, counts)
            for label, counts in histograms.items()
        ],
        "decisions": charts.stacked_bars(
            "Decisions per day: automatic and by moderators",
            ticks,
            {
                "automatic": [decisions.get(d, Counter())["system"] for d in period.days],
                "moderator": [decisions.get(d, Counter())["moderator"] for d in period.days],
            },
        ),
        "overturns": charts.rates(
            "Moderators overturn the model, by label",
            [
                (
                    f"{o.label.replace('_', ' ')} ({o.decided})",
                    o.rate,
                    f"{o.overturned} of {o.reviewed} approved"
                    + (
                        f"; precision {1 - o.rate:.2f}"
                        if o.decided == "rejected" and o.rate is not None
                        else ""
                    ),
                )
                for o in overturns
            ],
        ),
    }


def dashboard_view(request: HttpRequest, admin_site: AdminSite) -> HttpResponse:
    """GET: charts for one of the user's sites over the last 7, 30 or 90 days."""
    if not request.user.has_perm(VIEW_DASHBOARD):
        raise PermissionDenied
    form = DashboardInput(data=request.GET)
    sites = list(learning_selectors.dashboard_sites(user=request.user))
    context: dict[str, Any] = {
        **admin_site.each_context(request),
        "title": "Dashboard",
        "sites": sites,
        "periods": PERIODS,
    }
    if not form.is_valid():
        context["errors"] = form.errors
        return TemplateResponse(
            request, "admin/moderation/learning/dashboard.html", context, status=400
        )
    site_id, days = form.cleaned_data["site"], int(form.cleaned_data["days"])
    site = next((s for s in sites if s.pk == site_id), None) if site_id else next(iter(sites), None)
    if site_id and site is None:
        context["errors"] = {"site": [f"No site {site_id} among yours."]}
        return TemplateResponse(
            request, "admin/moderation/learning/dashboard.html", context, status=404
        )
    context.update(site=site, days=days)
    if site is not None:
        context["charts"] = _dashboard_charts(site, days)
    return TemplateResponse(request, "admin/moderation/learning/dashboard.html", context)


class TargetInput(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    model = forms.ChoiceField(choices=[("toxicity", "toxicity"), ("spam", "spam")])
    reject_precision = forms.FloatField(
        required=False, min_value=0.01, max_value=1.0, help_text="e.g. 0.98"
    )
    max_held = forms.FloatField(
        required=False,
        min_value=0.01,
        max_value=1.0,
        help_text="share of comments sent to moderators, e.g. 0.15",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = learning_selectors.dashboard_sites(user=user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reject_precision") is None and data.get("max_held") is None:
            raise forms.ValidationError("Give a target: a reject precision, a held share, or both.")
        return data


def thresholds_view(request: HttpRequest, admin_site: AdminSite) -> HttpResponse:
    """GET with a target: the proposal and its backtest. POST with confirm: save it."""
    user = request.user
    if not user.has_perm("moderation.add_thresholdchange"):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = TargetInput(data=data, user=user)
    context: dict[str, Any] = {
        **admin_site.each_context(request),
        "title": "Thresholds from a target",
        "form": form,
    }
    if data is None or not form.is_valid():
        status = 400 if data is not None else 200
        return TemplateResponse(
            request, "admin/moderation/learning/thresholds.html", context, status=status
        )
    target = Target(form.cleaned_data["reject_precision"], form.cleaned_data["max_held"])
    site, model = form.cleaned_data["site"], form.cleaned_data["model"]
    if request.method == "POST":
        try:
            change = services.threshold_change_confirm(
                site=site, model=model, target=target, user=user
            )
        except ApplicationError as error:
            raise PermissionDenied(error.message) from error
        messages.success(
            request,
            f"Saved {change.label} thresholds for {site.domain}: publish below "
            f"{change.after['publish']}, reject at {change.after['reject']}.",
        )
        return HttpResponseRedirect(
            reverse("admin:moderation_thresholdchange_change", args=[change.pk])
        )
    proposal = thresholds_propose(site=site, model=model, target=target)
    context.update(proposal=proposal, backtest_rows=_backtest_rows(proposal.backtest))
    return TemplateResponse(request, "admin/moderation/learning/thresholds.html", context)


BACKTEST_ROWS = (
    ("published", "Published"),
    ("held", "Held for moderators"),
    ("held_share", "Share held"),
    ("rejected", "Rejected"),
    ("reject_precision", "Reject precision (labelled)"),
    ("clean_rejected", "Clean comments rejected (labelled)"),
    ("abusive_published", "Abusive comments published (labelled)"),
)


def _backtest_rows(backtest: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    before, after = backtest["before"], backtest["after"]
    return [(words, before.get(key), after.get(key)) for key, words in BACKTEST_ROWS]
