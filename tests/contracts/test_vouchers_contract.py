"""evoucher.vouchers.v1: remote-care follows each voucher through the states e-voucher publishes.

The events are built with e-voucher's own builders (evoucher.messaging.contracts) from rows
shaped like e-voucher's voucher table, and travel as JSON, as the relay sends them.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from producers import WU_GANG

from evoucher.messaging import contracts
from medshared.events import Event
from remote_care.messaging import consumer

ACTIVATED_AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


def voucher_row(voucher_id: str, status: str, version: int) -> SimpleNamespace:
    return SimpleNamespace(
        voucher_id=voucher_id,
        psn_no=WU_GANG,
        insuplc_admdvs="430600",
        status=status,
        activated_at=ACTIVATED_AT,
        version=version,
    )


def on_the_wire(event: Event) -> Event:
    return Event.from_json(event.to_json())


def held(world, voucher_id: str):
    from remote_care.db import voucher

    (row,) = world.remote_care.rows(voucher, voucher_id=voucher_id)
    return row


def test_remote_care_holds_a_voucher_as_activated_frozen_and_unfrozen_with_each_version(world):
    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherActivated", voucher_row("V-1", "active", 1)))]
    )
    first = held(world, "V-1")
    assert (first.psn_no, first.status, first.version) == (WU_GANG, "active", 1)
    assert first.activated_at.replace(tzinfo=dt.UTC) == ACTIVATED_AT

    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherFrozen", voucher_row("V-1", "frozen", 2)))]
    )
    assert (held(world, "V-1").status, held(world, "V-1").version) == ("frozen", 2)

    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherUnfrozen", voucher_row("V-1", "active", 3)))]
    )
    assert (held(world, "V-1").status, held(world, "V-1").version) == ("active", 3)


def test_a_reclaim_ends_the_old_voucher_and_starts_the_new_one_at_remote_care(world):
    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherActivated", voucher_row("V-OLD", "active", 1)))]
    )
    revoked = contracts.voucher_event(
        "VoucherRevoked", voucher_row("V-OLD", "revoked", 2), reason="reclaimed", replaced_by="V-NEW"
    )
    activated = contracts.voucher_event("VoucherActivated", voucher_row("V-NEW", "active", 1), reclaimed_from="V-OLD")

    world.remote_care.apply(consumer.handle, [on_the_wire(revoked), on_the_wire(activated)])

    assert (held(world, "V-OLD").status, held(world, "V-OLD").version) == ("revoked", 2)
    assert (held(world, "V-NEW").status, held(world, "V-NEW").psn_no) == ("active", WU_GANG)


def test_a_redelivered_older_voucher_snapshot_does_not_roll_remote_care_back(world):
    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherActivated", voucher_row("V-2", "active", 1)))]
    )
    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherRevoked", voucher_row("V-2", "revoked", 2)))]
    )

    world.remote_care.apply(
        consumer.handle, [on_the_wire(contracts.voucher_event("VoucherActivated", voucher_row("V-2", "active", 1)))]
    )

    assert (held(world, "V-2").status, held(world, "V-2").version) == ("revoked", 2)


def test_a_voucher_used_event_changes_nothing_at_remote_care(world):
    from remote_care.db import enrollment, person, voucher

    before = [world.remote_care.rows(table) for table in (voucher, person, enrollment)]
    used = contracts.voucher_used_event(voucher_row("V-1", "active", 3), "H11010000001", ACTIVATED_AT)

    world.remote_care.apply(consumer.handle, [on_the_wire(used)])

    assert used.payload["voucher_id"] == "V-1"
    assert [world.remote_care.rows(table) for table in (voucher, person, enrollment)] == before
