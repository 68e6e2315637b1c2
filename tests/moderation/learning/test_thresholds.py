"""Thresholds from a target: met on a synthetic label history, fallback, confirmation."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from moderation import scoring
from moderation.errors import PermissionDeniedError
from moderation.learning import services
from moderation.learning.models import ThresholdChange
from moderation.learning.thresholds import SHIPPED, SITE_LABELS, Target, thresholds_propose
from moderation.models import SiteThreshold
from tests.moderation.factories import SiteFactory, group_member

pytestmark = pytest.mark.django_db


def test_the_proposal_meets_both_targets_on_a_synthetic_history(label_history):
    site = SiteFactory()
    label_history(site, n=600, toxic_share=0.3, means=(0.3, 0.75), spread=0.12)
    proposal = thresholds_propose(
        site=site, model="toxicity", target=Target(reject_precision=0.98, max_held=0.15)
    )
    assert proposal.source == SITE_LABELS
    after = proposal.backtest["after"]
    assert after["reject_precision"] >= 0.98
    assert after["held_share"] <= 0.15
    assert after["published"] + after["held"] + after["rejected"] == 600
    # It holds as much as the budget allows: a slightly lower publish threshold would exceed it.
    assert after["held_share"] > 0.10
    assert proposal.after["publish"] <= proposal.after["reject"]


def test_a_stricter_precision_rejects_less(label_history):
    site = SiteFactory()
    label_history(site, n=600, toxic_share=0.3, means=(0.3, 0.75), spread=0.12)
    loose = thresholds_propose(site=site, model="toxicity", target=Target(reject_precision=0.9))
    strict = thresholds_propose(site=site, model="toxicity", target=Target(reject_precision=0.99))
    assert strict.after["reject"] > loose.after["reject"]
    assert strict.backtest["after"]["rejected"] < loose.backtest["after"]["rejected"]


def test_too_few_labels_falls_back_to_the_shipped_thresholds_and_says_so(label_history):
    site = SiteFactory()
    label_history(site, n=60)
    proposal = thresholds_propose(site=site, model="toxicity", target=Target(max_held=0.15))
    shipped = scoring.default_thresholds()["toxicity"]
    assert proposal.source == SHIPPED
    assert proposal.after == {"publish": shipped["publish"], "reject": shipped["reject"]}
    assert "Only 60 moderator labels" in proposal.notes[0]


def test_nothing_is_saved_until_a_site_manager_confirms(label_history):
    site = SiteFactory(domain="t.example.com")
    label_history(site, n=600, means=(0.3, 0.75), spread=0.12)
    out = StringIO()
    call_command("thresholds", "--site", "t.example.com", "--reject-precision", "0.98", stdout=out)
    assert "Nothing saved" in out.getvalue()
    assert not SiteThreshold.objects.exists() and not ThresholdChange.objects.exists()

    stranger = group_member("Site managers", sites=[SiteFactory()])
    with pytest.raises(PermissionDeniedError):
        services.threshold_change_confirm(
            site=site, model="toxicity", target=Target(reject_precision=0.98), user=stranger
        )
    manager = group_member("Site managers", sites=[site], username="sam")
    call_command(
        "thresholds",
        "--site",
        "t.example.com",
        "--reject-precision",
        "0.98",
        "--confirm",
        "--user",
        "sam",
        stdout=StringIO(),
    )
    change = ThresholdChange.objects.get()
    row = SiteThreshold.objects.get(site=site, label="toxicity")
    assert (row.publish_below, row.reject_above) == (
        change.after["publish"],
        change.after["reject"],
    )
    assert change.confirmed_by == manager and change.target == {"reject_precision": 0.98}
    assert change.backtest["after"]["reject_precision"] >= 0.98


def test_a_target_out_of_range_is_refused(db):
    SiteFactory(domain="t.example.com")
    with pytest.raises(CommandError, match="max-held"):
        call_command("thresholds", "--site", "t.example.com", "--max-held", "1.5")
