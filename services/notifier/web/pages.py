"""HTML pages: subscribe form, confirm, manage, and the RFC 8058 unsubscribe endpoint."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from multidict import MultiDictProxy

from services.notifier.domain.errors import NotifierError
from services.notifier.domain.subscriptions import (
    DigestFrequency,
    PartyCategory,
    Subscription,
    parse_digest,
    parse_party_category,
    subscription_request,
)
from services.notifier.domain.tokens import TokenPurpose
from services.notifier.domain.topic_labels import topic_label
from services.notifier.service import subscribing
from services.notifier.service.links import manage_url, private_feed_url
from services.notifier.web.api import ACCEPTED, check_rate, client_address
from services.notifier.web.errors import status_of
from services.notifier.web.runtime import context_of
from shared.contracts.topics import (
    ALL,
    CONSULTATIONS,
    DRAFT_PROPOSALS,
    RELEASES,
    Topic,
    committee_topic,
    parse_topics,
    type_topic,
)
from shared.contracts.vocabulary import COMMITTEES, EventType
from shared.errors import Problem

View = Callable[[web.Request], Awaitable[web.StreamResponse]]

TOPIC_CHOICES: tuple[Topic, ...] = (
    ALL,
    CONSULTATIONS,
    RELEASES,
    DRAFT_PROPOSALS,
    *(committee_topic(c.slug) for c in COMMITTEES),
    *(type_topic(t) for t in EventType),
)
ONE_CLICK = "List-Unsubscribe=One-Click"


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("services.notifier.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


def page(name: str, status: int = 200, **context: Any) -> web.Response:
    html = (
        _environment()
        .get_template(name)
        .render(
            topic_choices=[(t, topic_label(t)) for t in TOPIC_CHOICES],
            digests=list(DigestFrequency),
            parties=list(PartyCategory),
            **context,
        )
    )
    return web.Response(status=status, text=html, content_type="text/html")


def html_errors(view: View) -> View:
    """Show a page instead of problem+json when a person's browser followed a link."""

    @functools.wraps(view)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await view(request)
        except (NotifierError, Problem) as exc:
            if "text/html" not in request.headers.get("Accept", ""):
                raise
            if isinstance(exc, Problem):
                status, title, detail = exc.status, exc.title, exc.detail or ""
            else:
                (status, title), detail = status_of(exc), str(exc)
            return page("error.html", status=status, title=title, detail=detail)

    return wrapped


async def _form(request: web.Request) -> MultiDictProxy[Any]:
    """Return the posted form; a body that is not UTF-8 is a 400, not a crash."""
    try:
        return await request.post()
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem(400, "Bad Request", "The form is not valid UTF-8 form data.") from exc


def _token(request: web.Request) -> str:
    token = request.query.get("token", "")
    if not token or len(token) > 256:
        raise Problem(400, "Invalid link", "This link is not valid.")
    return token


def _form_topics(form: MultiDictProxy[Any]) -> list[str]:
    chosen = [str(value) for value in form.getall("topics", [])]
    extra = str(form.get("modifications", ""))
    chosen += [f"modification:{ref}" for ref in extra.replace(",", " ").split() if ref]
    return chosen


async def subscribe_form(request: web.Request) -> web.Response:
    return page("subscribe.html", error=None, form={})


async def subscribe_submit(request: web.Request) -> web.Response:
    form = await _form(request)
    values: Mapping[str, Any] = {
        "email": str(form.get("email", "")),
        "topics": _form_topics(form),
        "digest": str(form.get("digest", "none")),
        "modifications": str(form.get("modifications", "")),
    }
    try:
        subscription = subscription_request(
            values["email"], values["topics"], values["digest"], str(form.get("party") or "public")
        )
        context = context_of(request)
        client = client_address(request, context.settings.trusted_proxies)
        await check_rate(context, client, subscription)
    except NotifierError as exc:
        status, _ = status_of(exc)
        return page("subscribe.html", status=status, error=str(exc), form=values)
    except Problem as exc:
        return page("subscribe.html", status=exc.status, error=exc.detail, form=values)
    await subscribing.subscribe(context, subscription)
    return page("message.html", status=202, title="Check your inbox", detail=ACCEPTED["detail"])


@html_errors
async def confirm_page(request: web.Request) -> web.Response:
    # Link scanners follow GETs: this only checks the link and shows the button.
    await subscribing.confirmable(context_of(request), _token(request))
    return page("confirm.html", token=_token(request))


@html_errors
async def confirm(request: web.Request) -> web.Response:
    context = context_of(request)
    subscription = await subscribing.confirm(context, _token(request))
    return page(
        "message.html",
        title="Subscription confirmed",
        detail="You will now receive the SEC alerts you chose.",
        link=manage_url(context, subscription, context.clock()),
        link_text="Manage your subscription",
    )


def _manage_page(
    request: web.Request, subscription: Subscription, notice: str | None
) -> web.Response:
    context = context_of(request)
    chosen = set(subscription.topics)
    return page(
        "manage.html",
        subscription=subscription,
        chosen=chosen,
        modifications=" ".join(
            sorted(t.partition(":")[2] for t in chosen if t.startswith("modification:"))
        ),
        feed_url=private_feed_url(context, subscription),
        token=_token(request),
        notice=notice,
    )


@html_errors
async def manage(request: web.Request) -> web.Response:
    subscription = await subscribing.manage_view(context_of(request), _token(request))
    return _manage_page(request, subscription, None)


@html_errors
async def manage_submit(request: web.Request) -> web.Response:
    context = context_of(request)
    token = _token(request)
    form = await _form(request)
    action = str(form.get("action", "save"))
    if action == "erase":
        await subscribing.erase(context, token)
        return page(
            "message.html",
            title="Your data was erased",
            detail=(
                "We deleted your subscription. We keep only a one-way hash of your address "
                "so that we never email it again unless you subscribe anew."
            ),
        )
    if action == "leave":
        await subscribing.leave(context, TokenPurpose.MANAGE, token)
        return page(
            "message.html",
            title="You have unsubscribed",
            detail="You will receive no more SEC alerts.",
        )
    if action == "rotate":
        subscription = await subscribing.rotate_feed(context, token)
        return _manage_page(
            request,
            subscription,
            "Your private feed has a new address; the old one no longer works.",
        )
    subscription = await subscribing.update_preferences(
        context,
        token,
        parse_topics(_form_topics(form)),
        parse_digest(str(form.get("digest", "none"))),
        parse_party_category(str(form.get("party") or "public")),
    )
    return _manage_page(request, subscription, "Your choices were saved.")


@html_errors
async def unsubscribe_page(request: web.Request) -> web.Response:
    # Link scanners follow GETs: this only shows a button, it changes nothing.
    return page("unsubscribe.html", token=_token(request), one_click=ONE_CLICK)


@html_errors
async def unsubscribe_one_click(request: web.Request) -> web.Response:
    """RFC 8058: the POST itself unsubscribes, without cookies or a page visit."""
    token = _token(request)
    form = await _form(request)
    if form.get("List-Unsubscribe") != "One-Click":
        raise Problem(400, "Bad Request", f"The body must be {ONE_CLICK}.")
    await subscribing.leave(context_of(request), TokenPurpose.UNSUBSCRIBE, token)
    return page(
        "message.html", title="You have unsubscribed", detail="You will receive no more SEC alerts."
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/subscribe", subscribe_form)
    app.router.add_post("/subscribe", subscribe_submit)
    app.router.add_get("/subscriptions/confirm", confirm_page)
    app.router.add_post("/subscriptions/confirm", confirm)
    app.router.add_get("/subscriptions/manage", manage)
    app.router.add_post("/subscriptions/manage", manage_submit)
    app.router.add_get("/unsubscribe", unsubscribe_page)
    app.router.add_post("/unsubscribe", unsubscribe_one_click)
