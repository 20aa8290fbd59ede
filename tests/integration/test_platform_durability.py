"""An acknowledged write survives a kill -9 of the database server right after it."""

from __future__ import annotations

import signal
from pathlib import Path

from pymongo import WriteConcern

from shared.db import Session, connect_mongo
from shared.dev.embedded_mongo import start_embedded_mongo

# The write was lost twice in two tries without --sync-on-commit; a few rounds show it holds.
ROUNDS = 3


def test_every_write_waits_for_a_majority_journal() -> None:
    mongo = connect_mongo("mongodb://127.0.0.1:1/", "sec", "test")
    assert mongo.client.write_concern == WriteConcern(w="majority", j=True)
    assert mongo.db.write_concern == WriteConcern(w="majority", j=True)


async def write_and_acknowledge(url: str, key: str) -> None:
    """Write one plain document and one transaction of two, as the services do."""
    mongo = connect_mongo(url, "durable", "test")

    async def work(session: Session) -> None:
        await mongo.collection("things").insert_one({"_id": key}, session=session)
        await mongo.collection("things_outbox").insert_one({"_id": key}, session=session)

    try:
        await mongo.collection("plain").insert_one({"_id": key})
        await mongo.transaction(work)
    finally:
        await mongo.close()


async def count(url: str, collection: str) -> int:
    mongo = connect_mongo(url, "durable", "test")
    try:
        return await mongo.collection(collection).count_documents({})
    finally:
        await mongo.close()


async def test_a_write_acknowledged_just_before_a_kill_9_is_there_after_the_restart(
    tmp_path: Path,
) -> None:
    # The embedded default on a storage of its own: the test kills and restarts the server.
    storage = tmp_path / "data"
    server = start_embedded_mongo(storage, log_path=tmp_path / "server.log")
    try:
        for round_number in range(ROUNDS):
            await write_and_acknowledge(server.url, f"w{round_number}")
            # Acknowledged: nothing may be lost from here on, whatever happens to the server.
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            server = start_embedded_mongo(storage, port=server.port)
            for collection in ("plain", "things", "things_outbox"):
                assert await count(server.url, collection) == round_number + 1
    finally:
        server.stop()
