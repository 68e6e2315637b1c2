from typing import Any

import factory
from django.contrib.auth import get_user_model

from moderation.authors.hashing import comment_ip_hashes
from moderation.embed.models import SiteOrigin
from moderation.models import Article, Comment, Site


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    domain = factory.Sequence(lambda n: f"site{n}.example.com")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    site = factory.SubFactory(SiteFactory)
    title = "El Salvador offers to house US prisoners for a fee"
    url = factory.Sequence(lambda n: f"https://news.example.com/articles/{n}")


class SiteOriginFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteOrigin

    site = factory.SubFactory(SiteFactory)
    origin = factory.Sequence(lambda n: f"https://site{n}.example.com")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author_name = "Ana Reader"
    author_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = "A fee per prisoner raises hard questions about oversight."
    ip_address = "203.0.113.7"
    user_agent = "Mozilla/5.0 (test)"
    # What comment_submit stores beside the address: bans and the desk's history match these.
    ip_hash = factory.LazyAttribute(lambda c: comment_ip_hashes(c.ip_address)[0])
    ip_network_hash = factory.LazyAttribute(lambda c: comment_ip_hashes(c.ip_address)[1])
    status_token_hash = Comment.hash_status_token("secret-token")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"moderator{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()  # keep the hashed password, so force_login sessions stay valid


class ModeratorFactory(StaffFactory):
    """A staff user holding the moderate_comment permission (what the Moderators group grants)."""

    @factory.post_generation
    def moderate_permission(user, create, extracted, **kwargs):
        from django.contrib.auth.models import Permission

        if create:
            user.user_permissions.add(
                Permission.objects.get(
                    codename="moderate_comment", content_type__app_label="moderation"
                )
            )


def group_member(group_name: str, *, sites=(), **kwargs):
    """A staff user in the named group (as migrations create it), member of the given sites."""
    from django.contrib.auth.models import Group

    from moderation.models import SiteMembership

    user: Any = StaffFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    for site in sites:
        SiteMembership.objects.create(user=user, site=site)
    return user
