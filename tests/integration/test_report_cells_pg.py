"""The reports consumer's cells on PostgreSQL: a batch's tally and hot-spot cells are added in one
statement of arrays (services.db.reports._add); what they add up to is what cell-by-cell upserts
gave, and a value too long for its column is refused, not cut."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from feedback.periods import bucket_starts
from feedback.tallies import Deltas, PlaceKey, TallyKey
from services.db import reports as store
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.db.tables import ReportPlace, ReportTally
from tests.support.postgres import create_database, drop_database

pytestmark = pytest.mark.integration


async def test_cells_added_in_batches_sum_as_one_by_one_and_a_too_long_value_is_refused() -> None:
    name, url = await create_database()
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    day, later = date(2026, 12, 1), date(2026, 12, 9)
    batches = [
        Deltas(Counter({TallyKey("dispatched", day, "T1", "U1", "township"): 3,
                        TallyKey("dispatched", later, "T2", "U1", "township"): 1}),
               Counter({PlaceKey(day, "T1", "V1", "M1"): 2})),
        Deltas(Counter({TallyKey("dispatched", day, "T1", "U1", "township"): -1,
                        TallyKey("claimed", day, "T1", "U1", "township"): 1}),
               Counter({PlaceKey(day, "T1", "V1", "M1"): 1, PlaceKey(later, "T1", "", "M2"): 1})),
    ]
    tallies: Counter[tuple[object, ...]] = Counter()
    places: Counter[tuple[object, ...]] = Counter()
    for deltas in batches:
        for k, n in deltas.tallies.items():
            for grain, start in bucket_starts(k.day):
                for township, unit in ((k.township, k.unit), (store.ALL, k.unit), (store.ALL, store.ALL)):
                    tallies[(grain, start, k.metric, township, unit, k.level)] += n
        for cell, n in deltas.places.items():
            for grain, start in bucket_starts(cell.day):
                places[(grain, start, cell.township, cell.village, cell.matter)] += n
    try:
        for deltas in batches:
            async with sessions() as session, session.begin():
                await store.add_deltas(session, deltas)
        async with sessions() as session:
            t = ReportTally.__table__.c
            got_tallies = {tuple(r[:-1]): r[-1] for r in await session.execute(
                select(t.grain, t.start, t.metric, t.township, t.unit, t.level, t.n))}
            c = ReportPlace.__table__.c
            got_places = {tuple(r[:-1]): r[-1] for r in await session.execute(
                select(c.grain, c.start, c.township, c.village, c.matter, c.n))}
        assert got_tallies == dict(tallies) and got_places == dict(places)
        too_long = Deltas(Counter({TallyKey("dispatched", day, "T" * 65, "U1", "township"): 1}), Counter())
        with pytest.raises(DBAPIError, match="too long"):
            async with sessions() as session, session.begin():
                await store.add_deltas(session, too_long)
    finally:
        await engine.dispose()
        await drop_database(name)
