"""Signing in to the console: passwords, lockout, sessions, CSRF, roles, the account command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from shared.app import PLATFORM
from shared.staff.store import ACCOUNTS, SESSIONS
from tests.integration.test_console_support import (
    PASSWORD,
    Client,
    MovableClock,
    clock,
    console,
    csrf_token,
    form_token,
    sign_in,
    signed_in,
)

__all__ = ["clock", "console"]  # fixtures


async def test_anonymous_visitor_is_sent_to_sign_in_and_back_afterwards(console: Client) -> None:
    response = await console.get("/console/modifications?q=smart", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/console/sign-in?next=")
    page = await console.get(response.headers["Location"])
    html = await page.text()
    assert 'name="next" value="/console/modifications?q=smart"' in html
    signed = await console.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token(html),
            "username": "alice",
            "password": PASSWORD,
            "next": "/console/modifications?q=smart",
        },
        allow_redirects=False,
    )
    assert signed.status == 303
    assert signed.headers["Location"] == "/console/modifications?q=smart"


async def test_sign_in_sets_a_new_httponly_lax_session_cookie_and_shows_who_is_signed_in(
    console: Client,
) -> None:
    token = await form_token(console, "/console/sign-in")
    fields = {"csrf_token": token, "username": "alice", "password": PASSWORD}
    first = await console.post("/console/sign-in", data=fields, allow_redirects=False)
    assert first.status == 303
    cookie = first.cookies["sec_console"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/console"
    assert not cookie["secure"]  # plain-http development URL (decision 0055)
    page = await console.get("/console/modifications")
    assert page.status == 200
    assert "Alice Example" in await page.text()
    # Signing in again (a second tab) opens a new session and ends the one the browser held.
    second = await console.post("/console/sign-in", data=fields, allow_redirects=False)
    assert second.cookies["sec_console"].value != cookie.value
    sessions = console.app[PLATFORM].mongo.collection(SESSIONS)
    assert await sessions.count_documents({"username": "alice"}) == 1


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(console: Client) -> None:
    wrong = await sign_in(console, "alice", "not the password at all")
    unknown = await sign_in(console, "nobody", PASSWORD)
    assert wrong.status == unknown.status == 403
    for response in (wrong, unknown):
        html = await response.text()
        assert "Wrong username or password." in html
        assert "sec_console" not in response.cookies
    assert (await console.get("/console/", allow_redirects=False)).status == 303


async def test_five_failures_lock_the_username_for_fifteen_minutes_even_with_the_password(
    console: Client, clock: MovableClock
) -> None:
    for _ in range(5):
        assert (await sign_in(console, "alice", "guess guess guess")).status == 403
    locked = await sign_in(console)
    assert locked.status == 429
    assert "Too many failed attempts" in await locked.text()
    assert int(locked.headers["Retry-After"]) > 0
    # Someone else is not affected; an unknown name locks the same way (no enumeration).
    assert (await sign_in(console, "root")).status == 303
    console.session.cookie_jar.clear()
    for _ in range(5):
        assert (await sign_in(console, "nobody", "guess guess guess")).status == 403
    assert (await sign_in(console, "nobody", "guess guess guess")).status == 429
    clock.advance(timedelta(minutes=16))
    assert (await sign_in(console)).status == 303


async def test_a_form_without_the_session_token_is_refused_and_changes_nothing(
    console: Client,
) -> None:
    await signed_in(console)
    before = (
        await console.app[PLATFORM].mongo.collection("registry_modifications").count_documents({})
    )
    fields = {"ref": "MP901", "title": "Forged", "classification": "white", "summary": ""}
    for token in ({}, {"csrf_token": "not-the-token"}):
        response = await console.post(
            "/console/modifications", data={**fields, **token}, allow_redirects=False
        )
        assert response.status == 403
    # Posted from another site's page: refused by its Origin before the token is read.
    token = await form_token(console, "/console/modifications/new")
    response = await console.post(
        "/console/modifications",
        data={**fields, "csrf_token": token},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert response.status == 403
    after = (
        await console.app[PLATFORM].mongo.collection("registry_modifications").count_documents({})
    )
    assert after == before


async def test_the_sign_in_form_needs_its_own_token_too(console: Client) -> None:
    response = await console.post(
        "/console/sign-in",
        data={"username": "alice", "password": PASSWORD, "csrf_token": "x"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert "sec_console" not in response.cookies


async def test_a_session_ends_after_an_idle_hour_and_after_eight_hours_in_any_case(
    console: Client, clock: MovableClock
) -> None:
    await signed_in(console)
    clock.advance(timedelta(minutes=59))
    assert (await console.get("/console/modifications", allow_redirects=False)).status == 200
    clock.advance(timedelta(minutes=61))
    assert (await console.get("/console/modifications", allow_redirects=False)).status == 303
    await signed_in(console)
    for _ in range(9):  # active all along: the lifetime still ends it
        clock.advance(timedelta(minutes=55))
        await console.get("/console/modifications", allow_redirects=False)
    assert (await console.get("/console/modifications", allow_redirects=False)).status == 303


async def test_sign_out_ends_the_session(console: Client) -> None:
    await signed_in(console)
    token = await form_token(console, "/console/modifications")
    out = await console.post("/console/sign-out", data={"csrf_token": token}, allow_redirects=False)
    assert out.status == 303
    assert out.headers["Location"] == "/console/sign-in?signed_out=1"
    assert await console.app[PLATFORM].mongo.collection(SESSIONS).count_documents({}) == 0
    assert (await console.get("/console/modifications", allow_redirects=False)).status == 303


def _staff_command(
    env: dict[str, str], *args: str, password: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shared.staff", *args],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_account_command_creates_lists_disables_and_its_account_signs_in(
    console: Client, clock: MovableClock, mongo_url: str, database_name: str
) -> None:
    env = {**os.environ, "MONGODB_URL": mongo_url, "MONGODB_DB": database_name}
    short = _staff_command(env, "create", "carol", "--password-stdin", password="short")
    assert short.returncode != 0
    assert "12 characters" in short.stderr
    made = _staff_command(
        env,
        "create",
        "carol",
        "--name",
        "Carol C",
        "--roles",
        "secretariat",
        "--password-stdin",
        password="a long enough passphrase",
    )
    assert made.returncode == 0, made.stderr
    listed = _staff_command(env, "list", "--json")
    assert '"username": "carol"' in listed.stdout
    stored = await console.app[PLATFORM].mongo.collection(ACCOUNTS).find_one({"_id": "carol"})
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    clock.advance(timedelta(minutes=1))  # the command stamps the real time; sign in after it
    assert (await sign_in(console, "carol", "a long enough passphrase")).status == 303
    assert (await console.get("/console/modifications", allow_redirects=False)).status == 200
    assert _staff_command(env, "disable", "carol").returncode == 0
    # Disabling ends the account's sessions at once.
    assert (await console.get("/console/modifications", allow_redirects=False)).status == 303
    assert (await sign_in(console, "carol", "a long enough passphrase")).status == 403
