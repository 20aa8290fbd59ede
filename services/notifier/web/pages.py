"""HTML pages: subscribe form, confirm, manage, and the RFC 8058 unsubscribe endpoint.

A refused form comes back with everything the person typed and the error next to its
field; errors of links (expired, used) are the shared HTML error page for browsers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from jinja2 import PackageLoader, StrictUndefined
from multidict import MultiDictProxy

from services.notifier.domain.errors import (
    InvalidEmailAddress,
    InvalidSubscriptionField,
    NotifierError,
)
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
    UnknownTopic,
    committee_topic,
    parse_topic,
    parse_topics,
    type_topic,
)
from shared.contracts.vocabulary import COMMITTEES, EventType
from shared.errors import Problem
from shared.settings import ServiceSettings
from shared.staff.web import read_form
from shared.web_templates import install_look, page_environment, render_page

TOPIC_CHOICES: tuple[Topic, ...] = (
    ALL,
    CONSULTATIONS,
    RELEASES,
    DRAFT_PROPOSALS,
    *(committee_topic(c.slug) for c in COMMITTEES),
    *(type_topic(t) for t in EventType),
)
ONE_CLICK = "List-Unsubscribe=One-Click"


environment = page_environment(PackageLoader("services.notifier.web", "templates"))
environment.undefined = StrictUndefined


def page(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    return render_page(
        request,
        environment,
        name,
        section="alerts",
        status=status,
        topic_choices=[(t, topic_label(t)) for t in TOPIC_CHOICES],
        digests=list(DigestFrequency),
        parties=list(PartyCategory),
        **context,
    )


def _token(request: web.Request) -> str:
    token = request.query.get("token", "")
    if not token or len(token) > 256:
        raise Problem(400, "Invalid link", "This link is not valid.")
    return token


@dataclass(frozen=True, slots=True)
class ChoicesForm:
    """What the subscribe and manage forms hold, as the person typed or chose it."""

    topics: tuple[str, ...] = ()
    modifications: str = ""
    digest: str = DigestFrequency.NONE.value
    party: str = PartyCategory.PUBLIC.value
    email: str = ""

    @classmethod
    def posted(cls, form: MultiDictProxy[Any]) -> ChoicesForm:
        return cls(
            topics=tuple(str(value) for value in form.getall("topics", [])),
            modifications=str(form.get("modifications", "")),
            digest=str(form.get("digest", DigestFrequency.NONE.value)),
            party=str(form.get("party") or PartyCategory.PUBLIC.value),
            email=str(form.get("email", "")),
        )

    @classmethod
    def preselected(cls, topics: list[str]) -> ChoicesForm:
        """Return the empty form with the topics a link names (a modification page's
        "follow by email"); anything it cannot read is left out, never an error."""
        boxes, refs = [], []
        for text in topics:
            try:
                topic = parse_topic(text)
            except UnknownTopic:
                continue
            if topic in TOPIC_CHOICES:
                boxes.append(str(topic))
            elif topic.startswith("modification:"):
                refs.append(topic.partition(":")[2])
        return cls(topics=tuple(boxes), modifications=" ".join(refs))

    @classmethod
    def of(cls, subscription: Subscription) -> ChoicesForm:
        chosen = sorted(subscription.topics)
        return cls(
            topics=tuple(t for t in chosen if not t.startswith("modification:")),
            modifications=" ".join(
                t.partition(":")[2] for t in chosen if t.startswith("modification:")
            ),
            digest=subscription.digest.value,
            party=subscription.party_category.value,
            email=subscription.email,
        )

    @property
    def modification_topics(self) -> list[str]:
        refs = self.modifications.replace(",", " ").split()
        return [f"modification:{ref}" for ref in refs]

    @property
    def all_topics(self) -> list[str]:
        return [*self.topics, *self.modification_topics]

    def errors(self) -> dict[str, str]:
        """Return each field's error; the person fixes them all at once, keeping the rest."""
        errors: dict[str, str] = {}
        for topic in self.modification_topics:
            try:
                parse_topic(topic)
            except UnknownTopic as exc:
                errors["modifications"] = str(exc)
                break
        if "modifications" not in errors:
            try:
                parse_topics(self.all_topics)
            except UnknownTopic as exc:
                errors["topics"] = str(exc)
        for name, parse in (("digest", parse_digest), ("party", parse_party_category)):
            try:
                parse(getattr(self, name))
            except InvalidSubscriptionField as exc:
                errors[name] = str(exc)
        return errors


def _choices_page(
    request: web.Request,
    name: str,
    form: ChoicesForm,
    errors: Mapping[str, str],
    status: int = 200,
    **context: Any,
) -> web.Response:
    return page(
        request,
        name,
        status=422 if errors and status == 200 else status,
        form=form,
        chosen=set(form.topics),
        errors=errors,
        **context,
    )


async def subscribe_form(request: web.Request) -> web.Response:
    form = ChoicesForm.preselected(request.query.getall("topics", []))
    return _choices_page(request, "subscribe.html", form, {}, error=None)


async def subscribe_submit(request: web.Request) -> web.Response:
    form = ChoicesForm.posted(await read_form(request))
    errors = form.errors()
    if errors:
        return _choices_page(request, "subscribe.html", form, errors, error=None)
    try:
        subscription = subscription_request(form.email, form.all_topics, form.digest, form.party)
        context = context_of(request)
        client = client_address(request, context.settings.trusted_proxies)
        await check_rate(context, client, subscription)
    except InvalidEmailAddress as exc:
        return _choices_page(request, "subscribe.html", form, {"email": str(exc)}, error=None)
    except NotifierError as exc:
        status, _ = status_of(exc)
        return _choices_page(request, "subscribe.html", form, {}, status, error=str(exc))
    except Problem as exc:
        return _choices_page(request, "subscribe.html", form, {}, exc.status, error=exc.detail)
    await subscribing.subscribe(context, subscription)
    return page(
        request, "message.html", status=202, title="Check your inbox", detail=ACCEPTED["detail"]
    )


async def confirm_page(request: web.Request) -> web.Response:
    # Link scanners follow GETs: this only checks the link and shows the button.
    await subscribing.confirmable(context_of(request), _token(request))
    return page(request, "confirm.html", token=_token(request))


async def confirm(request: web.Request) -> web.Response:
    context = context_of(request)
    subscription = await subscribing.confirm(context, _token(request))
    return page(
        request,
        "message.html",
        title="Subscription confirmed",
        detail="You will now receive the SEC alerts you chose.",
        link=manage_url(context, subscription, context.clock()),
        link_text="Manage your subscription",
    )


def _manage_page(
    request: web.Request,
    subscription: Subscription,
    notice: str | None,
    form: ChoicesForm | None = None,
    errors: Mapping[str, str] | None = None,
) -> web.Response:
    return _choices_page(
        request,
        "manage.html",
        form or ChoicesForm.of(subscription),
        errors or {},
        subscription=subscription,
        feed_url=private_feed_url(context_of(request), subscription),
        token=_token(request),
        notice=notice,
    )


async def manage(request: web.Request) -> web.Response:
    subscription = await subscribing.manage_view(context_of(request), _token(request))
    return _manage_page(request, subscription, None)


async def manage_submit(request: web.Request) -> web.Response:
    context = context_of(request)
    token = _token(request)
    posted = await read_form(request)
    action = str(posted.get("action", "save"))
    if action == "erase":
        await subscribing.erase(context, token)
        return page(
            request,
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
            request,
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
    form = ChoicesForm.posted(posted)
    errors = form.errors()
    if errors:
        # Nothing is saved; the page comes back with every other edit as the person made it.
        current = await subscribing.manage_view(context, token)
        return _manage_page(request, current, None, form, errors)
    subscription = await subscribing.update_preferences(
        context,
        token,
        parse_topics(form.all_topics),
        parse_digest(form.digest),
        parse_party_category(form.party),
    )
    return _manage_page(request, subscription, "Your choices were saved.")


async def unsubscribe_page(request: web.Request) -> web.Response:
    # Link scanners follow GETs: this only shows a button, it changes nothing.
    return page(request, "unsubscribe.html", token=_token(request), one_click=ONE_CLICK)


async def unsubscribe_one_click(request: web.Request) -> web.Response:
    """RFC 8058: the POST itself unsubscribes, without cookies or a page visit."""
    token = _token(request)
    form = await read_form(request)
    if form.get("List-Unsubscribe") != "One-Click":
        raise Problem(400, "Bad Request", f"The body must be {ONE_CLICK}.")
    await subscribing.leave(context_of(request), TokenPurpose.UNSUBSCRIBE, token)
    return page(
        request,
        "message.html",
        title="You have unsubscribed",
        detail="You will receive no more SEC alerts.",
    )


def add_routes(app: web.Application, settings: ServiceSettings) -> None:
    install_look(app, settings)
    app.router.add_get("/subscribe", subscribe_form)
    app.router.add_post("/subscribe", subscribe_submit)
    app.router.add_get("/subscriptions/confirm", confirm_page)
    app.router.add_post("/subscriptions/confirm", confirm)
    app.router.add_get("/subscriptions/manage", manage)
    app.router.add_post("/subscriptions/manage", manage_submit)
    app.router.add_get("/unsubscribe", unsubscribe_page)
    app.router.add_post("/unsubscribe", unsubscribe_one_click)
