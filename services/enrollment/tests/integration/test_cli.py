from pathlib import Path

import pytest

from enrollment import cli, queries
from enrollment.main import build
from tests.conftest import settings_for, valid_certno


def test_the_import_command_commits_good_rows_and_exits_1_listing_the_bad_ones(
    migrated_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from enrollment.demo import load_demo

    runtime = build(settings_for(migrated_url))
    load_demo(runtime)
    good = valid_certno("43060219990909001")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "certno,psn_name,insuplc_admdvs,insutype,psn_type,tier,begndate\n"
        f"{good},钱七,430600,390,1501,320,2026-01-01\n"
        "430602199909090010,错号,430600,390,1501,320,2026-01-01\n",
        encoding="utf-8-sig",
    )
    report = tmp_path / "report.json"
    monkeypatch.setenv("ENROLLMENT_DATABASE_URL", migrated_url)
    assert cli.main([str(csv_file), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "2 rows: 1 registered, 1 enrolled, 1 rejected" in out
    assert "line 3: certno: check digit is wrong" in out
    assert '"line": 3' in report.read_text(encoding="utf-8")
    [person] = queries.find_people(runtime, certno=good, psn_no=None)
    assert person["psn_no"].startswith("430600") and len(person["psn_no"]) == 20
    runtime.stop()
