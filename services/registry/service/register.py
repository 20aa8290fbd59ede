"""An immutable in-memory copy of the register, filtered, sorted and paged like the API says.

The register is small (a few hundred modifications; 5,000 in the benchmark),
so one copy per process answers every listing without a database scan
(SecantusDB sorts every match in memory: ~600 ms a page over 5,000). The
semantics are those the MongoDB query had: equality filters, free text as
"all words among the document's words", order by reference or by
(updated_at, reference), and keyset cursors strictly after the last row.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from services.registry.adapters.cursor import decode_cursor, encode_cursor
from services.registry.adapters.documents import search_tokens
from services.registry.adapters.register_version import Versions
from services.registry.adapters.repository import Stored
from services.registry.domain.models import Modification
from shared.contracts.classification import Classification

# The register's sort orders, each ascending or descending ("-"); ties broken by reference.
SORTS = ("ref", "-ref", "updated_at", "-updated_at")

SortKey = tuple[datetime, str] | tuple[str, str]


def _by_ref(row: Stored) -> SortKey:
    ref = str(row.modification.ref)
    return (ref, ref)


def _by_updated(row: Stored) -> SortKey:
    return (row.modification.updated_at, str(row.modification.ref))


_KEYS: dict[str, Callable[[Stored], SortKey]] = {"ref": _by_ref, "updated_at": _by_updated}


@dataclass(frozen=True)
class ModificationQuery:
    """Filters, order and page of a register listing; None means "any"."""

    status: str | None = None
    path: str | None = None
    working_group: str | None = None
    release: str | None = None
    text: str | None = None
    public_only: bool = True
    sort: str = "ref"
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class Page:
    items: list[Modification]
    next_cursor: str | None


def _matcher(query: ModificationQuery) -> Callable[[Stored], bool]:
    """Return the predicate of `query`'s filters over one stored modification."""
    words = frozenset(search_tokens(query.text)) if query.text else None
    white = Classification.WHITE

    def matches(row: Stored) -> bool:
        mod = row.modification
        return (
            (query.status is None or mod.status.value == query.status)
            and (query.path is None or (mod.path is not None and mod.path.value == query.path))
            and (query.working_group is None or mod.working_group == query.working_group)
            and (query.release is None or mod.target_release == query.release)
            # No word at all (only punctuation) matches nothing rather than everything.
            and (words is None or (bool(words) and words <= row.tokens))
            and (not query.public_only or mod.classification is white)
        )

    return matches


@dataclass(frozen=True)
class Order:
    """The rows sorted ascending by one sort key, with the keys for bisecting a cursor."""

    rows: list[Stored]
    keys: list[SortKey]

    @classmethod
    def of(cls, rows: Iterable[Stored], key: Callable[[Stored], SortKey]) -> Order:
        ordered = sorted(rows, key=key)
        return cls(ordered, [key(row) for row in ordered])

    def replaced(
        self, old: Iterable[Stored], new: Iterable[Stored], key: Callable[[Stored], SortKey]
    ) -> Order:
        """Return a copy with `old` rows taken out and `new` ones put in place.

        Bisecting keeps a write's cost to a few list moves; re-sorting 5,000 rows
        (with their key functions) took ~50 ms per write on a busy machine.
        """
        rows, keys = list(self.rows), list(self.keys)
        for row in old:
            at = bisect_left(keys, key(row))
            del rows[at], keys[at]
        for row in new:
            at = bisect_right(keys, key(row))
            keys.insert(at, key(row))
            rows.insert(at, row)
        return Order(rows, keys)

    def after(self, cursor: SortKey | None, descending: bool) -> Iterator[Stored]:
        """Yield the rows strictly after `cursor` in the requested direction."""
        if descending:
            end = len(self.rows) if cursor is None else bisect_left(self.keys, cursor)
            return (self.rows[i] for i in range(end - 1, -1, -1))
        start = 0 if cursor is None else bisect_right(self.keys, cursor)
        return (self.rows[i] for i in range(start, len(self.rows)))


@dataclass(frozen=True)
class Register:
    """The whole register as of the shard versions `version` (empty: nothing loaded)."""

    version: Versions
    rows: dict[str, Stored]
    # Former reference (a converted DP's DPnnn) -> current reference.
    moved: dict[str, str] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)

    @classmethod
    def build(cls, version: Versions, rows: Iterable[Stored]) -> Register:
        by_ref = {str(row.modification.ref): row for row in rows}
        moved = {alias: ref for ref, row in by_ref.items() for alias in row.aliases}
        orders = {name: Order.of(by_ref.values(), key) for name, key in _KEYS.items()}
        return cls(version, by_ref, moved, orders)

    def updated(
        self, version: Versions, changed: Iterable[str], rows: Iterable[Stored]
    ) -> Register:
        """Return a copy at `version` where `changed` are replaced by `rows` (absent: deleted)."""
        new = list(rows)
        old = [self.rows[ref] for ref in changed if ref in self.rows]
        by_ref = dict(self.rows)
        moved = dict(self.moved)
        for row in old:
            del by_ref[str(row.modification.ref)]
            for alias in row.aliases:
                del moved[alias]
        for row in new:
            by_ref[str(row.modification.ref)] = row
            moved.update(dict.fromkeys(row.aliases, str(row.modification.ref)))
        orders = {
            name: order.replaced(old, new, _KEYS[name]) for name, order in self.orders.items()
        }
        return Register(version, by_ref, moved, orders)

    def get(self, ref: str) -> Modification | None:
        row = self.rows.get(ref)
        return None if row is None else row.modification

    def moved_to(self, ref: str) -> str | None:
        """Return the current reference of a converted Draft Proposal such as DP197."""
        return self.moved.get(ref)

    def aliases(self, ref: str) -> list[str]:
        """Return the former references of `ref` (a converted DP's DPnnn)."""
        row = self.rows.get(ref)
        return [] if row is None else list(row.aliases)

    def page(self, query: ModificationQuery) -> Page:
        """Return one page in `query.sort` order, after `query.cursor` (InvalidField if bad)."""
        name = query.sort.lstrip("-")
        cursor: SortKey | None = None
        if query.cursor:
            value, ref = decode_cursor(query.cursor, query.sort)
            cursor = (ref, ref) if name == "ref" else (value, ref)
        matches = _matcher(query)
        items: list[Stored] = []
        more = False
        for row in self.orders[name].after(cursor, query.sort.startswith("-")):
            if matches(row):
                if len(items) == query.limit:
                    more = True
                    break
                items.append(row)
        next_cursor = None
        if more:
            last = items[-1].modification
            value = str(last.ref) if name == "ref" else last.updated_at
            next_cursor = encode_cursor(query.sort, value, str(last.ref))
        return Page([row.modification for row in items], next_cursor)
