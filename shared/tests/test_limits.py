import pytest

from medshared import jsonutil
from medshared.limits import MAX_JSON_DEPTH, Refusal, check_json, check_target
from medshared.national import MAX_INPUT_CHARS, EnvelopeError, parse_request

# Fifty fee lines: more brackets than the depth limit, each line shallow (a 2204 as HIS software sends it).
_LINES = (
    b'{"feedetail": ['
    + b",".join(b'{"feedetl_sn": "%d", "cnt": 1, "bilg_dept_name": "\xe5\x86\x85\xe7\xa7\x91"}' % i for i in range(50))
    + b"]"
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"name": "\xff"}', "bad_encoding"),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "too_deep"),
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
        (b'{"name": "a\\u0000"}', "bad_text"),
        (b'{"a\\u0000": 1}', "bad_text"),
        (b'["\\ud800"]', "bad_text"),
        (_LINES + b', "memo": "a\\u0000"}', "bad_text"),
        (_LINES + b', "memo": "\\udc00"}', "bad_text"),
        (b'{"x": "' + b"{" * 40 + b'", "memo": "\\u0000"}', "bad_text"),
        (b'{"a": ' * 33 + b"1" + b"}" * 33, "too_deep"),
    ],
    ids=[
        "not UTF-8",
        "one level too deep",
        "100000 levels",
        "NUL in a value",
        "NUL in a key",
        "lone surrogate",
        "NUL after fifty lines",
        "lone surrogate after fifty lines",
        "NUL after brackets inside a string",
        "objects one level too deep",
    ],
)
def test_unstorable_json_is_refused_with_its_reason(body: bytes, code: str) -> None:
    with pytest.raises(Refusal) as refused:
        check_json(body)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "body",
    [
        b'{"psn_name": "\xe6\x89\x8e\xe8\xa5\xbf"}',
        b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH,
        b'["\\ud83d\\ude00"]',
        b"not json",
        _LINES + b"}",
        _LINES + b', "memo": "\\u624e\\u897f \\\\u0000"}',
        b'{"a": ' * 32 + b"1" + b"}" * 32,
        b'{"name": "a\x00"}',
    ],
    ids=[
        "Tibetan name in UTF-8",
        "exactly the depth limit",
        "emoji as a surrogate pair",
        "malformed, left to the route",
        "fifty lines",
        "fifty lines, escaped characters and an escaped backslash before u0000",
        "objects exactly at the depth limit",
        "a raw NUL is malformed JSON, left to the route",
    ],
)
def test_ordinary_and_malformed_json_pass_the_guard(body: bytes) -> None:
    check_json(body)


def test_a_nul_anywhere_in_the_address_is_refused() -> None:
    with pytest.raises(Refusal):
        check_target(b"/admin/v1/people/1%00", b"")
    with pytest.raises(Refusal):
        check_target(b"/admin/v1/people", b"certno=1%00")
    check_target(b"/admin/v1/people/%E6%89%8E", b"certno=540102")


def test_jsonutil_reports_absurd_nesting_as_unreadable_json() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        jsonutil.loads("[" * 100_000 + "]" * 100_000)


def test_an_input_over_forty_thousand_characters_is_refused_naming_the_limit() -> None:
    def body(chars: int) -> dict[str, object]:
        return {"infno": "1101", "input": {"data": {"psn_no": "5" * (chars - len('{"data":{"psn_no":""}}'))}}}

    with pytest.raises(EnvelopeError, match=r"input is 40001 characters; .* at most 40000"):
        parse_request(body(MAX_INPUT_CHARS + 1))
    with pytest.raises(EnvelopeError) as at_limit:
        parse_request(body(MAX_INPUT_CHARS))
    assert "40000" not in str(at_limit.value)
