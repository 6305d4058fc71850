"""A HotRead answers exactly what Session.execute answers, inside the session's transaction, on both
backends; on PostgreSQL it does so without SQLAlchemy running a statement."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    TypeDecorator,
    bindparam,
    delete,
    event,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from medshared.db import make_engine, make_session_factory, new_metadata, transaction
from medshared.hotsql import HotRead, HotWrite, any_of


class Shouted(TypeDecorator[str]):
    """A type with its own bind and result processing: stored upper-case, read back with a mark."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else value.upper()

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else value + "!"


metadata = new_metadata()
item = Table(
    "item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(20), nullable=False),
    Column("amount", Numeric(16, 2), nullable=False),
    Column("at", DateTime(timezone=True)),
    Column("day", Date),
    Column("flag", Boolean, nullable=False),
    Column("body", JSON),
    Column("word", Shouted),
)
other = Table("other", metadata, Column("id", Integer, primary_key=True), Column("code", String(20)))
defaulted = Table(
    "defaulted",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stamp", String(20), nullable=False, default=lambda: "filled"),
)

BY_CODE = select(item).where(item.c.code == bindparam("code")).order_by(item.c.id)
AT = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
ROWS = [
    {
        "code": "A",
        "amount": Decimal("12.30"),
        "at": AT,
        "day": dt.date(2026, 3, 1),
        "flag": True,
        "body": {"fee": "1.20", "n": [1, 2]},
        "word": "yak",
    },
    {"code": "A", "amount": Decimal("-0.01"), "at": None, "day": None, "flag": False, "body": None, "word": None},
    {"code": "B", "amount": Decimal("12345678901.23"), "at": AT, "day": None, "flag": True, "body": [], "word": "b"},
]


@pytest.fixture
def factory(database_url):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        s.execute(insert(item), ROWS)
        s.execute(insert(other), [{"code": "A"}, {"code": "C"}])
    yield factory
    engine.dispose()


def _plain(rows):
    return [(row._fields, tuple(row), [type(v) for v in row]) for row in rows]


@pytest.mark.parametrize(
    "statement, params",
    [
        (BY_CODE, {"code": "A"}),
        (BY_CODE, {"code": "nobody"}),
        (select(item.c.word, item.c.amount).where(item.c.word == bindparam("word")), {"word": "yak"}),
        (
            select(literal("kind").label("kind"), item.c.id, other.c.id, other.c.code.label("other_code"))
            .select_from(item.outerjoin(other, other.c.code == item.c.code))
            .order_by(item.c.id),
            None,
        ),
        (select(item.c.amount).where(item.c.flag.is_(True), item.c.code == "B"), {}),
    ],
)
def test_the_rows_are_the_sessions_rows(factory, statement, params):
    read = HotRead(statement)
    with factory() as s:
        expected = list(s.execute(statement, params).all())
        for _ in range(2):  # the first answer fixes the row type and processors; the second reuses them
            assert _plain(read.all(s, params)) == _plain(expected)
        assert read.first(s, params) == (expected[0] if expected else None)
        assert read.scalars(s, params) == [row[0] for row in expected]


def test_one_answers_one_row_or_refuses(factory):
    read = HotRead(BY_CODE)
    with factory() as s:
        assert read.one(s, {"code": "B"}).amount == Decimal("12345678901.23")
        with pytest.raises(Exception, match="no row"):
            read.one(s, {"code": "nobody"})
        with pytest.raises(Exception, match="more than one"):
            read.one(s, {"code": "A"})


def test_it_reads_inside_the_sessions_transaction(factory):
    read = HotRead(BY_CODE)
    with factory() as s:
        s.execute(insert(item), {"code": "C", "amount": Decimal("1.00"), "flag": True})
        assert [r.amount for r in read.all(s, {"code": "C"})] == [Decimal("1.00")]
        s.rollback()
        assert read.all(s, {"code": "C"}) == []


def test_on_postgresql_sqlalchemy_runs_no_statement(factory):
    engine = factory.kw["bind"]
    ran = []
    event.listen(engine, "before_cursor_execute", lambda *args: ran.append(args[2]))
    with factory() as s:
        rows = HotRead(BY_CODE).all(s, {"code": "A"})
    assert len(rows) == 2
    selects = [sql for sql in ran if sql.startswith("SELECT")]
    assert len(selects) == (0 if engine.dialect.name == "postgresql" else 1)


def test_on_postgresql_the_cursor_description_is_read_for_the_first_answer_only(factory, monkeypatch):
    # psycopg builds a column object per column each time the description is read: a hot read
    # needs it once, to choose the result processors, and reuses them after.
    engine = factory.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("the description is psycopg's; SQLite runs the session")
    import psycopg

    reads = []
    described = psycopg.Cursor.description
    monkeypatch.setattr(psycopg.Cursor, "description", property(lambda cur: reads.append(1) or described.fget(cur)))
    read = HotRead(BY_CODE)
    with factory() as s:
        answers = [read.all(s, {"code": code}) for code in ("A", "B", "nobody", "A")]
    assert [len(rows) for rows in answers] == [2, 1, 0, 2]
    assert answers[1][0].amount == Decimal("12345678901.23")
    assert len(reads) == 1


def test_the_sessions_connection_is_looked_up_once_per_transaction(factory, monkeypatch):
    looked_up = []
    connection = Session.connection
    monkeypatch.setattr(Session, "connection", lambda self, *a, **k: looked_up.append(1) or connection(self, *a, **k))
    read = HotRead(BY_CODE)
    write = HotWrite(update(item).where(item.c.code == bindparam("b_code")).values(word=bindparam("b_word")))
    with factory() as s:
        assert [len(read.all(s, {"code": code})) for code in ("A", "B", "A")] == [2, 1, 2]
        assert write.run(s, {"b_code": "B", "b_word": "first"}) == 1
        assert len(looked_up) == 1
        s.commit()  # the next transaction may have another connection: looked up again
        assert write.run(s, {"b_code": "B", "b_word": "second"}) == 1
        assert [r.word for r in read.all(s, {"code": "B"})] == ["SECOND!"]  # word is the TypeDecorator above
        s.rollback()
        assert [r.word for r in read.all(s, {"code": "B"})] == ["FIRST!"]
        assert len(looked_up) == 3
    with factory() as other:
        assert [r.word for r in read.all(other, {"code": "B"})] == ["FIRST!"]


def test_a_list_parameter_matches_its_keys_in_one_statement_on_either_backend(factory):
    by_codes = HotRead(select(item.c.code, item.c.amount).where(any_of(item.c.code, "codes")).order_by(item.c.id))
    mark = HotWrite(update(item).where(any_of(item.c.id, "ids")).values(word=bindparam("b_word")))
    with factory() as s:
        assert [r.code for r in by_codes.all(s, {"codes": ["B", "A", "nobody"]})] == ["A", "A", "B"]
        assert by_codes.all(s, {"codes": []}) == []
        assert by_codes.all(s, {"codes": ("B", "B")})[0].amount == Decimal("12345678901.23")
        ids = [r.id for r in s.execute(select(item.c.id).where(item.c.code == "A"))]
        assert mark.run(s, {"ids": ids, "b_word": "marked"}) == 2
        assert mark.run(s, {"ids": [], "b_word": "x"}) == 0
        assert sorted(r.word for r in s.execute(select(item.c.word).where(item.c.code == "A"))) == ["MARKED!"] * 2


def test_an_in_list_is_refused_on_either_backend(factory):
    read = HotRead(select(item).where(item.c.code.in_(["A", "B"])))
    with factory() as s, pytest.raises(ValueError, match="any_of"):
        read.all(s)


def test_a_driver_error_is_sqlalchemys(factory):
    missing = Table("missing", new_metadata(), Column("id", Integer))
    with factory() as s, pytest.raises(DBAPIError):
        HotRead(select(missing)).all(s)


def test_a_lost_connection_is_invalidated_and_the_next_session_reads(factory):
    engine = factory.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    read = HotRead(BY_CODE)
    with factory() as s:
        read.all(s, {"code": "A"})
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other_connection:
            other_connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(OperationalError) as raised:
            read.all(s, {"code": "A"})
        assert raised.value.connection_invalidated
    with factory() as s:
        assert len(read.all(s, {"code": "A"})) == 2


NEW = {"code": "W", "amount": Decimal("0.10"), "at": AT, "day": dt.date(2026, 12, 7), "flag": False, "word": "yak"}


def test_a_write_stores_what_the_session_stores(factory):
    write = HotWrite(insert(item))
    with transaction(factory) as s:
        assert write.run(s, NEW) == 1
        s.execute(insert(item), NEW | {"code": "S"})
    with factory() as s:
        hot, plain = (s.execute(BY_CODE, {"code": code}).one() for code in ("W", "S"))
    assert tuple(hot)[2:] == tuple(plain)[2:]
    assert hot.word == "YAK!"  # the type's bind processor ran: stored upper-case


def test_an_update_and_a_delete_answer_the_rows_they_touched(factory):
    by_code = HotWrite(update(item).where(item.c.code == bindparam("b_code")))
    with transaction(factory) as s:
        assert by_code.run(s, {"b_code": "A", "flag": False, "amount": Decimal("5.00")}) == 2
        assert by_code.run(s, {"b_code": "nobody", "flag": True}) == 0
        assert HotWrite(delete(item).where(item.c.code == bindparam("code"))).run(s, {"code": "B"}) == 1
    with factory() as s:
        assert [(r.code, r.flag, r.amount) for r in s.execute(select(item).order_by(item.c.id))] == [
            ("A", False, Decimal("5.00")),
            ("A", False, Decimal("5.00")),
        ]


def test_insert_or_nothing_answers_whether_the_row_was_new(factory):
    with factory() as s:
        dialect = s.get_bind().dialect.name
    absent = HotWrite((pg_insert if dialect == "postgresql" else sqlite_insert)(other).on_conflict_do_nothing())
    with transaction(factory) as s:
        assert absent.run(s, {"id": 10, "code": "N"}) == 1
        assert absent.run(s, {"id": 10, "code": "again"}) == 0
    with factory() as s:
        assert s.execute(select(other.c.code).where(other.c.id == 10)).scalar_one() == "N"


def test_a_write_rolls_back_with_the_session(factory):
    with factory() as s:
        HotWrite(insert(item)).run(s, NEW)
        assert HotRead(BY_CODE).all(s, {"code": "W"})
        s.rollback()
        assert not HotRead(BY_CODE).all(s, {"code": "W"})


def test_a_write_that_needs_a_python_default_is_refused_on_either_backend(factory):
    write = HotWrite(insert(defaulted))
    with factory() as s:
        with pytest.raises(ValueError, match="stamp"):
            write.run(s, {"id": 1})
        assert write.run(s, {"id": 1, "stamp": "given"}) == 1


def test_on_postgresql_a_write_runs_no_sqlalchemy_statement(factory):
    engine = factory.kw["bind"]
    ran = []
    event.listen(engine, "before_cursor_execute", lambda *args: ran.append(args[2]))
    with transaction(factory) as s:
        HotWrite(insert(item)).run(s, NEW)
    inserts = [sql for sql in ran if sql.startswith("INSERT")]
    assert len(inserts) == (0 if engine.dialect.name == "postgresql" else 1)


def test_a_write_that_returns_rows_is_refused_on_either_backend(factory):
    with factory() as s, pytest.raises(ValueError, match="RETURNING"):
        HotWrite(insert(other).returning(other.c.id)).run(s, {"code": "R"})


def test_one_statement_serves_both_backends_in_one_process(tmp_path, postgres_url):
    read, write = HotRead(BY_CODE), HotWrite(insert(item))
    for url in (f"sqlite:///{tmp_path / 'first.db'}", postgres_url, f"sqlite:///{tmp_path / 'again.db'}"):
        engine = make_engine(url)
        metadata.create_all(engine)
        try:
            with transaction(make_session_factory(engine)) as s:
                assert write.run(s, NEW) == 1
                assert [r.word for r in read.all(s, {"code": "W"})] == ["YAK!"]
        finally:
            engine.dispose()
