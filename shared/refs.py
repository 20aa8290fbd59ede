"""Parse and validate modification references in every form the SEC uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# SECMP0021 (older, 4 digits), MP192 / MP085A (current, 3 digits, optional
# alternative letter), DP197 (Draft Proposal; becomes MP197 keeping its number).
_REF = re.compile(r"^(?P<prefix>SECMP|MP|DP)(?P<number>\d{3,4})(?P<alt>[A-Z]?)$")


class RefKind(StrEnum):
    LEGACY = "SECMP"
    MODIFICATION = "MP"
    DRAFT = "DP"


class InvalidReference(ValueError):
    """A string that is not a modification reference."""


@dataclass(frozen=True, slots=True, order=True)
class ModificationRef:
    """A validated reference such as ``SECMP0021``, ``MP192``, ``MP085A`` or ``DP197``."""

    kind: RefKind
    number: int
    alternative: str = ""

    @classmethod
    def parse(cls, text: str) -> ModificationRef:
        match = _REF.match(text.strip().upper())
        if match is None:
            raise InvalidReference(
                f"{text!r} is not a modification reference "
                "(expected SECMPnnnn, MPnnn, MPnnnA or DPnnn)"
            )
        kind = RefKind(match["prefix"])
        digits = match["number"]
        width = 4 if kind is RefKind.LEGACY else 3
        if len(digits) != width:
            raise InvalidReference(f"{text!r}: {kind.value} takes {width} digits")
        if kind is RefKind.DRAFT and match["alt"]:
            raise InvalidReference(f"{text!r}: a Draft Proposal has no alternative letter")
        return cls(kind, int(digits), match["alt"])

    @property
    def is_draft(self) -> bool:
        return self.kind is RefKind.DRAFT

    def as_modification(self) -> ModificationRef:
        """Return the Modification Proposal a Draft Proposal becomes (same number)."""
        if self.kind is not RefKind.DRAFT:
            return self
        return ModificationRef(RefKind.MODIFICATION, self.number)

    def __str__(self) -> str:
        width = 4 if self.kind is RefKind.LEGACY else 3
        return f"{self.kind.value}{self.number:0{width}d}{self.alternative}"
