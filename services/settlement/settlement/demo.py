"""Demo reference data: institutions with their development credentials, the 2026
catalogue and policies (rules sections 9-11), the dictionary version of the national code
tables (1901). Running it twice changes nothing.

People come from enrollment's events, not from here.

    python -m settlement.demo        (runs the migrations first)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from medshared.runtime import Runtime
from settlement import reference
from settlement.catalogues import demo as national_catalogues
from settlement.db import catalogue_version, gateway_credential, institution, policy_version
from settlement.domain.dictionaries import DictionaryVersion
from settlement.store import SqlStore
from settlement.usecases import setllists, supervision_review

DEMO_TOKEN_PREFIX = "demo-"


def _data(name: str) -> Any:
    return json.loads((Path(__file__).parent / "demo_data" / name).read_text(encoding="utf-8"))


def load_demo(runtime: Runtime) -> None:
    with runtime.unit_of_work() as session:
        for inst in _data("institutions.json"):
            _institution(session, inst)
        catalogue = _data("catalogue.json")
        if not _exists(
            session,
            catalogue_version.c.catalogue_id,
            catalogue["catalogue_id"],
            catalogue_version.c.version,
            catalogue["version"],
        ):
            reference.publish_catalogue(session, catalogue)
        for kind, name in ((reference.REGION, "policies.json"), (reference.ASSISTANCE, "assistance.json")):
            for body in _data(name):
                if not _exists(
                    session, policy_version.c.policy_id, body["policy_id"], policy_version.c.version, body["version"]
                ):
                    reference.publish_policy(session, kind, body)
        _dictionaries(session)
        national_catalogues.load(session)
        setllists.load_qc_rules(SqlStore(session), _data("setllist_qc.json"))
        _supervision_rules(session)


def _supervision_rules(session: Session) -> None:
    """The demo supervision rule set (one rule per category on the demo catalogue), published once."""
    if (Path(__file__).parent / "demo_data" / "supervision_rules.json").exists():
        rules = _data("supervision_rules.json")
        supervision_review.load_rule_set(SqlStore(session), rules, operator="settlement-demo", at=dt.datetime.now())


def _dictionaries(session: Session) -> None:
    """The demo dictionary version (the code tables of the national interface), published once."""
    store = SqlStore(session)
    version = DictionaryVersion.from_dict(_data("dictionaries.json"), published_by="settlement-demo")
    if store.dictionary_version(version.version) is None:
        store.add_dictionary_version(version)


def _exists(session: Session, id_col: Any, id_value: str, version_col: Any, version: str) -> bool:
    return session.execute(select(id_col).where(id_col == id_value, version_col == version)).first() is not None


def _institution(session: Session, inst: dict[str, str]) -> None:
    code = inst["fixmedins_code"]
    if session.execute(select(institution.c.fixmedins_code).where(institution.c.fixmedins_code == code)).first():
        return
    session.execute(
        insert(institution).values(
            fixmedins_code=code,
            fixmedins_name=inst["fixmedins_name"],
            admdvs=inst["admdvs"],
            hosp_lv=inst["hosp_lv"],
        )
    )
    # Development credential: paasid = the institution's code, token = "demo-" + code.
    # The front door refuses credentials marked demo when SETTLEMENT_ENVIRONMENT=production.
    session.execute(
        insert(gateway_credential).values(
            paasid=code,
            fixmedins_code=code,
            token=DEMO_TOKEN_PREFIX + code,
            demo=True,
        )
    )


def main() -> None:
    from medshared.db import upgrade
    from medshared.runtime import build_runtime
    from settlement.config import Settings
    from settlement.db import outbox

    settings = Settings()
    upgrade(Path(__file__).resolve().parents[1] / "alembic.ini", settings.database_url)
    runtime = build_runtime(settings, service="settlement", outbox=outbox, publishes=[])
    load_demo(runtime)
    runtime.engine.dispose()
    print("settlement demo data loaded: institutions, catalogue, policies, dictionaries")


if __name__ == "__main__":
    main()
