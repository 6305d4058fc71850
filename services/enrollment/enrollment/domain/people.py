"""Rules for registering and correcting a person and recording a death (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from enrollment.domain import commands as cmds
from enrollment.domain.errors import Conflict, Invalid
from enrollment.domain.model import TERMINATED, Enrollment, Person, check_length

# What a desk may correct, and how long each field may be.
CORRECTABLE = (("psn_name", 50), ("naty", 3), ("tel", 50), ("addr", 200))


def check_not_registered(person: Person, registered: Iterable[Person]) -> None:
    """One person per certificate: the same type and number registered twice is refused."""
    for other in registered:
        if other.psn_cert_type == person.psn_cert_type:
            raise Conflict(
                "already_registered",
                f"certno {person.certno} is already registered as psn_no {other.psn_no}",
                psn_no=other.psn_no,
            )


def corrected(person: Person, cmd: cmds.UpdatePerson) -> Person | None:
    """The person with the desk's corrections, or None when nothing would change."""
    changes: dict[str, Any] = {
        name: value
        for name, value in {
            "psn_name": cmd.psn_name,
            "naty": cmd.naty,
            "tel": cmd.tel,
            "addr": cmd.addr,
        }.items()
        if value is not None
    }
    if changes.get("psn_name", "x").strip() == "":
        raise Invalid("psn_name", "the person's name cannot be blank")
    for name, limit in CORRECTABLE:
        check_length(name, changes.get(name, ""), limit)
    if all(getattr(person, name) == value for name, value in changes.items()):
        return None
    return replace(person, **changes, version=person.version + 1)


def died(person: Person, death_date: dt.date) -> Person:
    """The person recorded as deceased; a second death or one before birth is refused."""
    if person.death_date is not None:
        raise Conflict(
            "person_deceased",
            f"{person.psn_no} is already recorded as died on {person.death_date.isoformat()}",
        )
    if death_date < person.brdy:
        raise Invalid("death_date", f"is before the birth date {person.brdy.isoformat()}")
    return replace(person, death_date=death_date, version=person.version + 1)


def ends_at_death(enrollment: Enrollment, death_date: dt.date) -> bool:
    """A death terminates an enrollment unless it is terminated or ended before the death."""
    ended_before = enrollment.enddate is not None and enrollment.enddate < death_date
    return enrollment.status != TERMINATED and not ended_before
