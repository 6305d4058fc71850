"""Demo dataset: the institutions that may decode codes and take mobile payments, and their callback origins.

People come from enrollment's events; nothing is activated here, the person does that on the
phone. Running it twice changes nothing. `python -m evoucher.demo` migrates and loads.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, select, update

from evoucher.config import Settings
from evoucher.db import institution, institution_callback_origin, outbox
from medshared.db import upgrade
from medshared.runtime import Runtime, build_runtime

# The demo institutions under the names and areas of the institution reference, which is
# settlement's (services/settlement/settlement/demo_data/institutions.json; 1201 answers from it).
# tests/contracts/test_institution_reference.py fails when a code, name or admdvs here differs.
#
# Development credential: paasid = the institution code, token = "demo-ec-" + code (refused in production).
# E-voucher's token differs from the institution's settlement token ("demo-" + code): a nonce is
# remembered only by the service it was spent at, so headers captured at one door must not verify
# at the other. The signature formula stays the national one.
DEMO_INSTITUTIONS = [
    ("H54010000001", "拉萨市第一人民医院(演示)", "540100"),
    ("H54010000002", "拉萨市城关区社区卫生服务中心(演示)", "540100"),
    ("P54010000001", "拉萨市民生药房(演示)", "540100"),
    ("H34130000001", "宿州市立医院(演示)", "341300"),
    ("H34130000002", "宿州市埇桥区人民医院(演示)", "341300"),
    ("H43060000001", "岳阳市第一人民医院(演示)", "430600"),
    ("H11010000001", "北京市第一医院(演示)", "110100"),
]


def demo_token(code: str) -> str:
    """The development gateway token of a demo institution at e-voucher."""
    return f"demo-ec-{code}"


# Where each demo HIS takes 6201 callbacks: a HIS stand-in on this machine (the end-to-end tests
# listen there). Nothing else on 127.0.0.1, the platform's own services included, is registered.
DEMO_HIS_CALLBACK_ORIGIN = "http://127.0.0.1:18090"
DEMO_CALLBACK_ORIGINS = {code: [DEMO_HIS_CALLBACK_ORIGIN] for code, _, _ in DEMO_INSTITUTIONS if code.startswith("H")}


def load_demo(runtime: Runtime) -> int:
    """Register the demo institutions that are missing (and correct their names); returns how many were added."""
    added = 0
    with runtime.unit_of_work() as session:
        known = set(session.execute(select(institution.c.fixmedins_code)).scalars())
        for code, name, admdvs in DEMO_INSTITUTIONS:
            if code not in known:
                session.execute(
                    insert(institution).values(
                        fixmedins_code=code, fixmedins_name=name, admdvs=admdvs, gateway_token=demo_token(code)
                    )
                )
                added += 1
            # A database from before per-service tokens holds the settlement token: give it its own.
            session.execute(
                update(institution)
                .where(institution.c.fixmedins_code == code, institution.c.gateway_token == f"demo-{code}")
                .values(gateway_token=demo_token(code))
            )
            # A database loaded before the names followed the reference shows other names: correct them.
            session.execute(
                update(institution)
                .where(
                    institution.c.fixmedins_code == code,
                    (institution.c.fixmedins_name != name) | (institution.c.admdvs != admdvs),
                )
                .values(fixmedins_name=name, admdvs=admdvs)
            )
        registered = set(
            session.execute(
                select(institution_callback_origin.c.fixmedins_code, institution_callback_origin.c.origin)
            ).tuples()
        )
        for code, origins in DEMO_CALLBACK_ORIGINS.items():
            for origin in origins:
                if (code, origin) not in registered:
                    session.execute(insert(institution_callback_origin).values(fixmedins_code=code, origin=origin))
    return added


def main() -> None:
    settings = Settings()
    upgrade(Path(__file__).resolve().parents[1] / "alembic.ini", settings.database_url)
    runtime = build_runtime(settings, service="e-voucher", outbox=outbox, publishes=[])
    try:
        print(f"demo institutions added: {load_demo(runtime)}")
    finally:
        runtime.stop()


if __name__ == "__main__":
    main()
