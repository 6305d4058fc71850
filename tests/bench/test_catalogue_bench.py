"""The catalogue benchmark's report rows: met only within target, a missing 3301 said plainly, and the
generated catalogue it fills with is the same for the same seed."""

from __future__ import annotations

from bench import catalogues


def _result(p99: float, lines: int, mappings: dict) -> dict:
    return {
        "items": 1000,
        "pages": {"page_size": 100, "first_ms": 80.0, "wrong_pages": 0, "latency_ms": {"p50": 5.0, "p99": p99}},
        "download": {
            "seconds": 1.0,
            "offer_seconds": 0.9,
            "fetch_seconds": 0.1,
            "zip_mb": 0.1,
            "lines": lines,
            "rss_before_mb": 150.0,
            "rss_peak_mb": 190.0,
        },
        "mappings": mappings,
    }


def test_the_page_row_is_met_only_within_50_ms_and_the_download_only_when_every_record_came() -> None:
    done = {"mappings": 10_000, "calls": 80, "seconds": 3.0, "per_s": 3333, "latency_ms": {"p50": 30.0, "p99": 60.0}}
    fast, slow = catalogues.report_rows(_result(40.0, 1000, done)), catalogues.report_rows(_result(51.0, 999, done))
    assert fast[0].endswith("| **met** |") and fast[1].endswith("| **met** |")
    assert slow[0].endswith("| **not met** |") and slow[1].endswith("| **not met** |")
    assert "3,333 mappings/s" in fast[2]


def test_a_3301_that_is_not_offered_is_reported_as_such_not_as_a_figure() -> None:
    rows = catalogues.report_rows(_result(10.0, 1000, {"missing": "3301 is not offered by this build: no figure"}))
    assert "not offered" in rows[2] and rows[2].endswith("| n/a |")
    assert catalogues.report_rows(None)[0].endswith("| n/a |")


def test_the_generated_catalogue_is_the_same_for_the_same_seed() -> None:
    from settlement.catalogues import generate

    first, again = list(generate.national_lines(200)), list(generate.national_lines(200))
    assert first == again and len({line.split("\t")[0] for line in first}) == 200
    body = generate.payment_catalogue(200)
    assert [i["med_list_codg"] for i in body["items"]] == [line.split("\t")[0] for line in first]
