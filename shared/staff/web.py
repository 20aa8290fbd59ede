"""Put staff sessions on aiohttp: the cookie, who is signed in, forms checked for CSRF.

The session cookie is HttpOnly and SameSite=Lax, scoped to the console's path, and
Secure (named `__Secure-…`) whenever the service's public URL is https; only a
plain-http development URL gets it without Secure, since a browser would not send
a Secure cookie back over http (docs/decisions/console-staff-accounts.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from shared.auth import PRINCIPAL_KEY, Principal, require_role
from shared.clock import Clock
from shared.errors import Problem
from shared.staff.accounts import StaffAccount
from shared.staff.csrf import same_token, sign_in_token
from shared.staff.lockout import LockoutRule
from shared.staff.sessions import SessionPolicy, StaffSession, new_secret, session_key
from shared.staff.store import StaffStore

CSRF_FIELD: Final = "csrf_token"
# Longer than any id this module makes: a bigger cookie is not looked up.
_MAX_COOKIE: Final = 100


@dataclass(frozen=True)
class Staff:
    """The signed-in person of a request, and their session."""

    account: StaffAccount
    session: StaffSession

    @property
    def username(self) -> str:
        return self.account.username


@dataclass(frozen=True)
class StaffAuth:
    """Everything a console needs to know who is signed in."""

    store: StaffStore
    clock: Clock
    path: str  # the console's path prefix, e.g. /console
    secure: bool
    sign_in_key: bytes
    policy: SessionPolicy = field(default_factory=SessionPolicy)
    rule: LockoutRule = field(default_factory=LockoutRule)

    @property
    def cookie(self) -> str:
        return "__Secure-sec_console" if self.secure else "sec_console"

    @property
    def nonce_cookie(self) -> str:
        return "__Secure-sec_console_nonce" if self.secure else "sec_console_nonce"

    @property
    def sign_in_path(self) -> str:
        return f"{self.path}/sign-in"

    def _set(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            path=self.path,
            max_age=max_age,
            secure=self.secure,
            httponly=True,
            samesite="Lax",
        )

    def start_session(self, response: web.StreamResponse, session_id: str) -> None:
        self._set(response, self.cookie, session_id, int(self.policy.lifetime.total_seconds()))

    def end_session(self, response: web.StreamResponse) -> None:
        response.del_cookie(self.cookie, path=self.path)

    def session_id(self, request: web.Request) -> str | None:
        value = request.cookies.get(self.cookie)
        return value if value and len(value) <= _MAX_COOKIE else None

    async def current(self, request: web.Request) -> Staff | None:
        """Return who is signed in, or None (no cookie, ended, expired, account disabled)."""
        session_id = self.session_id(request)
        if session_id is None:
            return None
        now = self.clock()
        session = await self.store.session(session_key(session_id))
        if session is None or not session.is_live(now, self.policy):
            return None
        account = await self.store.account(session.username)
        if account is None or account.disabled or account.password_changed_at > session.created_at:
            return None
        if session.wants_touch(now):
            await self.store.touch_session(session.key, now)
        return Staff(account, session)

    def sign_in_nonce(self, request: web.Request, response: web.StreamResponse) -> str:
        """Return the sign-in form's token, setting its nonce cookie when there is none yet."""
        nonce = request.cookies.get(self.nonce_cookie)
        if not nonce or len(nonce) > _MAX_COOKIE:
            nonce = new_secret()
            self._set(response, self.nonce_cookie, nonce, 3600)
        return sign_in_token(self.sign_in_key, nonce)

    def sign_in_form_is_ours(self, request: web.Request, form: MultiDictProxy[Any]) -> bool:
        nonce = request.cookies.get(self.nonce_cookie)
        if not nonce or len(nonce) > _MAX_COOKIE:
            return False
        return same_token(sign_in_token(self.sign_in_key, nonce), form.get(CSRF_FIELD))

    def now(self) -> datetime:
        return self.clock()


STAFF_AUTH = web.AppKey("staff_auth", StaffAuth)
STAFF = web.RequestKey("staff", Staff)
FORM = web.RequestKey("staff_form", MultiDictProxy[Any])

View = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def read_form(request: web.Request) -> MultiDictProxy[Any]:
    """Return the posted form; a body that is not UTF-8 form data is a 400, not a crash."""
    try:
        return await request.post()
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem(400, "Bad Request", "The form is not valid UTF-8 form data.") from exc


def csrf_refused() -> Problem:
    return Problem(
        403,
        "Forbidden",
        "This form has expired or did not come from the console; reload the page and try again.",
    )


def staff_page(*roles: str) -> Callable[[View], View]:
    """Decorate a console view: signed-in staff holding one of `roles`, CSRF-checked forms.

    Anyone not signed in is sent to the sign-in page (and back afterwards); the signed-in
    person becomes the request's principal, so use cases record them as the actor and
    `require_role` decides as it does for bearer tokens. A POST whose token is not the
    session's is refused before anything is read into a use case.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        async def guarded(request: web.Request) -> web.StreamResponse:
            auth = request.app[STAFF_AUTH]
            staff = await auth.current(request)
            if staff is None:
                back = request.rel_url.path_qs if request.method == "GET" else auth.path + "/"
                raise web.HTTPSeeOther(f"{auth.sign_in_path}?{urlencode({'next': back})}")
            request[STAFF] = staff
            request[PRINCIPAL_KEY] = Principal(staff.username, staff.account.roles)
            require_role(request, *roles)
            if request.method == "POST":
                form = await read_form(request)
                if not same_token(staff.session.csrf_token, form.get(CSRF_FIELD)):
                    raise csrf_refused()
                request[FORM] = form
            return await view(request)

        return guarded

    return decorate
