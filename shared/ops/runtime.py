"""What a subcommand's handler is given: its arguments, its output and the admin API."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from shared.ops.client import AdminApi, Exit, OpsSettings, token_of
from shared.ops.output import Output


@dataclass
class Ops:
    """One run of the command; the API (and so the token) only once a handler asks for it."""

    args: argparse.Namespace
    output: Output
    settings: OpsSettings = field(default_factory=OpsSettings)
    _api: AdminApi | None = None

    @property
    def api(self) -> AdminApi:
        if self._api is None:
            token = token_of(self.args, self.settings)
            self._api = AdminApi(self.settings, token, self.args.timeout)
        return self._api

    async def close(self) -> None:
        if self._api is not None:
            await self._api.close()


# What add_subparsers returns: the groups add their commands to it.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler = Callable[[argparse.Namespace, Ops], Awaitable[Exit]]
