import io

import pytest

from enrollment import importing
from enrollment.demo import load_demo
from enrollment.domain import commands as c
from enrollment.store import SqlStore, SqlUnitOfWork
from enrollment.usecases import people
from medshared.events import BATCH, BATCH_SIZE
from medshared.runtime import Runtime
from tests.conftest import outbox_count, staged_events, valid_certno

HEADER = "psn_cert_type,certno,psn_name,gend,brdy,insuplc_admdvs,insutype,psn_type,tier,emp_no,begndate\n"


def residents(count: int) -> str:
    rows = [HEADER]
    for i in range(count):
        certno = valid_certno(f"341302{1950 + i // 1000:04d}0101{i % 1000:03d}")
        rows.append(f"01,{certno},居民{i},,,341300,390,1501,320,,2026-01-01\n")
    return "".join(rows)


def test_an_import_registers_and_enrolls_in_batches_with_one_event_pair_per_person(
    runtime: Runtime,
) -> None:
    load_demo(runtime)
    before = outbox_count(runtime)
    seen: list[int] = []
    report = importing.import_csv(
        SqlUnitOfWork(runtime), io.StringIO(residents(1200)), batch_size=500, progress=seen.append
    )
    assert (report.registered, report.enrolled, report.rejected) == (1200, 1200, [])
    assert sum(seen) == 1200 and len(seen) == 3
    events = staged_events(runtime)[-2400:]
    # Each new person: PersonRegistered, then PersonEnrolled carrying the same person.
    assert [e.event_type for e in events] == ["PersonRegistered", "PersonEnrolled"] * 1200
    assert all(a.key == b.key == b.payload["person"]["psn_no"] for a, b in zip(events[::2], events[1::2], strict=True))
    assert len({e.payload["person"]["certno"] for e in events}) == 1200
    # They travel as batches: three transactions of 1000, 1000 and 400 events, BATCH_SIZE a message.
    messages = sum(-(-events // BATCH_SIZE) for events in (1000, 1000, 400))
    assert outbox_count(runtime) - before == messages == outbox_count(runtime, BATCH)


def test_importing_the_same_file_again_rejects_every_row_as_a_duplicate_and_stages_nothing(
    runtime: Runtime,
) -> None:
    load_demo(runtime)
    importing.import_csv(SqlUnitOfWork(runtime), io.StringIO(residents(50)))
    before = outbox_count(runtime)
    again = importing.import_csv(SqlUnitOfWork(runtime), io.StringIO(residents(50)))
    assert (again.registered, again.enrolled, len(again.rejected)) == (0, 0, 50)
    assert {r.code for r in again.rejected} == {"duplicate_enrollment"}
    assert again.rejected[0].line == 2 and "341300" in again.rejected[0].reason
    assert outbox_count(runtime) == before


def test_a_registered_person_is_enrolled_without_registering_again_but_not_under_another_name(
    runtime: Runtime,
) -> None:
    load_demo(runtime)
    certno = valid_certno("34130219900909001")
    people.register_person(
        SqlUnitOfWork(runtime),
        c.RegisterPerson(admdvs="341300", psn_cert_type="01", certno=certno, psn_name="赵六"),
    )
    text = (
        HEADER
        + f"01,{certno},赵六,,,341300,390,1501,320,,2026-01-01\n"
        + "01,341302199006060813,陈二,,,341300,390,1501,320,,2026-01-01\n"
    )
    report = importing.import_csv(SqlUnitOfWork(runtime), io.StringIO(text))
    assert (report.registered, report.enrolled) == (0, 1)
    assert [(r.line, r.field, r.code) for r in report.rejected] == [(3, "psn_name", "name_mismatch")]


def test_a_person_registered_by_another_desk_mid_batch_fails_alone_and_the_rest_commit(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(runtime)
    text = residents(60)
    taken = text.splitlines()[31].split(",")[1]
    people.register_person(
        SqlUnitOfWork(runtime),
        c.RegisterPerson(admdvs="341300", psn_cert_type="01", certno=taken, psn_name="居民30"),
    )
    # The batch reads the people before the other desk commits: it cannot see this one yet.
    real = SqlStore.people_by_certnos
    monkeypatch.setattr(
        SqlStore,
        "people_by_certnos",
        lambda self, pairs: {key: person for key, person in real(self, pairs).items() if key[1] != taken},
    )
    report = importing.import_csv(SqlUnitOfWork(runtime), io.StringIO(text))
    assert (report.registered, report.enrolled) == (59, 59)
    assert [(r.line, r.code) for r in report.rejected] == [(32, "concurrent_registration")]
