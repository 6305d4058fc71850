"""Every service's migrations give its outbox the index the relay reads its batch through.

The relay's batch (the oldest unpublished rows, in id order) must not sort the backlog: on a
migrated database, as deployments have it, not only on tables made from the model.
"""

from __future__ import annotations

from sqlalchemy import text

from medshared.outbox import pending_query
from medshared.testing import query_plan


def test_each_migrated_outbox_serves_the_relay_through_its_unpublished_index(world):
    for service in world.services():
        with service.runtime.factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                # A demo-sized outbox is cheaper to scan whole; which index would serve it is the question.
                session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = query_plan(session, pending_query(service.runtime.outbox, 500))
        assert "ix_outbox_message_unpublished" in plan, (service.name, plan)
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, (service.name, plan)
