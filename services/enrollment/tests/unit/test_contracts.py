import datetime as dt
from decimal import Decimal

from enrollment.domain.model import ACTIVE, Enrollment, Period, Person
from enrollment.messaging import contracts
from medshared.events import Event


def test_the_bulk_body_is_the_same_text_as_the_event_envelope() -> None:
    person = Person(
        "54010000000000000001",
        "01",
        "540102198005010110",
        "扎西",
        "1",
        dt.date(1980, 5, 1),
        "04",
    )
    enrollment = Enrollment(
        "e1",
        person.psn_no,
        "390",
        "540100",
        "1501",
        dt.date(2026, 1, 1),
        [Period(ACTIVE, dt.date(2026, 1, 1), None, "enrolled")],
        tier="320",
    )
    events = [
        contracts.enrollment_event("PersonEnrolled", person.snapshot(), enrollment.snapshot()),
        contracts.credit_event(
            {
                "credit_id": "c1",
                "psn_no": person.psn_no,
                "amount": Decimal("5000.00"),
                "credited_on": dt.date(2026, 1, 1),
            }
        ),
    ]
    for event in events:
        assert contracts.body(event) == event.to_json()
        assert Event.from_json(contracts.body(event)).payload == Event.from_json(event.to_json()).payload
