"""Confirm and unsubscribe links: GET shows a page with a button, POST acts (RFC 8058)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from moderation.errors import ApplicationError
from moderation.notify import selectors, services


@method_decorator(csrf_exempt, name="dispatch")  # the signed token is the credential; mail
class _TokenActionView(View):  # clients POST one-click unsubscribes without any cookie or form
    template = "notify/action.html"
    read: Callable[..., object]
    act: Callable[..., object]
    title: str
    button: str
    done_text: str

    def _page(self, request: HttpRequest, status: int = 200, **context) -> HttpResponse:
        return render(
            request,
            self.template,
            {"title": self.title, "button": self.button, "done_text": self.done_text, **context},
            status=status,
        )

    def _error(self, request: HttpRequest, error: ApplicationError) -> HttpResponse:
        return self._page(request, status=error.status_code, error=error.message)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            subject = self.read(token=token)
        except ApplicationError as error:
            return self._error(request, error)
        return self._page(request, **self.describe(subject))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            subject = self.act(token=token)
        except ApplicationError as error:
            return self._error(request, error)
        return self._page(request, done=True, **self.describe(subject))

    def describe(self, subject) -> dict:
        return {"site": subject.site, "email": subject.email}


class ConfirmView(_TokenActionView):
    title = "Confirm email notifications"
    button = "Yes, email me about my comments"
    read = staticmethod(selectors.subscriber_from_confirm_token)
    act = staticmethod(services.subscriber_confirm)
    done_text = "You will be emailed when your comment is published and when someone replies."


class UnsubscribeView(_TokenActionView):
    title = "Stop email notifications"
    button = "Unsubscribe"
    read = staticmethod(selectors.subscriber_from_unsubscribe_token)
    act = staticmethod(services.subscriber_unsubscribe)
    done_text = "No more emails about your comments will be sent."


class ModeratorUnsubscribeView(_TokenActionView):
    title = "Stop held-comment emails"
    button = "Unsubscribe"
    read = staticmethod(selectors.moderator_from_unsubscribe_token)
    act = staticmethod(services.moderator_unsubscribe)
    done_text = "No more emails about held comments will be sent to this address."

    def describe(self, subject) -> dict:
        site, email = subject
        return {"site": site, "email": email}
