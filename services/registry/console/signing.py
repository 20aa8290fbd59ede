"""Sign-in and sign-out pages of the console."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.registry.console.forms import LONDON
from services.registry.console.rendering import page, see_other
from shared.auth import ROLE_SECRETARIAT
from shared.staff.signing_in import LockedOut, SignInRefused, sign_in, sign_out
from shared.staff.web import STAFF_AUTH, csrf_refused, read_form, staff_page
from shared.text import CleanText


class SignInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: Annotated[CleanText, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    next: Annotated[CleanText, Field(max_length=500)] = ""


def _safe_next(console: str, target: str) -> str:
    """Return where to go after signing in: a console page of this site, never elsewhere."""
    if target.startswith(f"{console}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{console}/"


def _sign_in_page(
    request: web.Request, *, status: int = 200, username: str = "", refused: str = "", next_: str
) -> web.Response:
    auth = request.app[STAFF_AUTH]
    response = web.Response()
    token = auth.sign_in_nonce(request, response)
    notice = "You are signed out." if "signed_out" in request.query else ""
    rendered = page(
        request,
        "sign_in.html",
        status=status,
        sign_in_token=token,
        username=username,
        refused=refused,
        next=next_,
        notice=notice,
    )
    rendered.cookies.update(response.cookies)
    return rendered


async def sign_in_form(request: web.Request) -> web.StreamResponse:
    auth = request.app[STAFF_AUTH]
    next_ = _safe_next(auth.path, request.query.get("next", ""))
    if await auth.current(request) is not None:
        raise web.HTTPSeeOther(next_)
    return _sign_in_page(request, next_=next_)


async def sign_in_post(request: web.Request) -> web.StreamResponse:
    auth = request.app[STAFF_AUTH]
    form = await read_form(request)
    if not auth.sign_in_form_is_ours(request, form):
        raise csrf_refused()
    try:
        fields = SignInForm.model_validate({key: str(value) for key, value in form.items()})
    except ValidationError:
        return _sign_in_page(
            request,
            status=422,
            username=str(form.get("username", ""))[:64],
            refused="Enter your username and password.",
            next_=f"{auth.path}/",
        )
    next_ = _safe_next(auth.path, fields.next)
    try:
        signed_in = await sign_in(
            auth.store, fields.username, fields.password, auth.now(), auth.rule, auth.policy
        )
    except LockedOut as exc:
        until = exc.until.astimezone(LONDON).strftime("%H:%M")
        response = _sign_in_page(
            request,
            status=429,
            username=fields.username,
            refused=f"Too many failed attempts: try again after {until} (UK time).",
            next_=next_,
        )
        response.headers["Retry-After"] = str(max(1, int((exc.until - auth.now()).total_seconds())))
        return response
    except SignInRefused:
        return _sign_in_page(
            request,
            status=403,
            username=fields.username,
            refused="Wrong username or password.",
            next_=next_,
        )
    # A new session on every sign-in: an id planted before it (fixation) opens nothing.
    previous = auth.session_id(request)
    if previous is not None:
        await sign_out(auth.store, previous)
    response = see_other(next_)
    auth.start_session(response, signed_in.session_id)
    return response


@staff_page(ROLE_SECRETARIAT)
async def sign_out_post(request: web.Request) -> web.StreamResponse:
    auth = request.app[STAFF_AUTH]
    session_id = auth.session_id(request)
    if session_id is not None:
        await sign_out(auth.store, session_id)
    response = see_other(f"{auth.sign_in_path}?signed_out=1")
    auth.end_session(response)
    return response
