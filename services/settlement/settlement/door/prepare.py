"""What a transaction fetches from another service before its unit of work opens.

Each function reads the validated input and puts the answer in `call.prepared`; a refusal from
the other service becomes the call's refusal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from settlement.store import SqlStore
from settlement.usecases import filings
from settlement.usecases.common import Call

if TYPE_CHECKING:
    from .frontdoor import Ports


def resolve_ectoken(ports: Ports, call: Call, data: Any) -> None:
    """An e-voucher (mdtrt_cert_type 01) presents an ecToken: e-voucher says whose it is."""
    if getattr(data, "mdtrt_cert_type", None) == "01" and getattr(data, "mdtrt_cert_no", None):
        call.prepared["holder"] = ports.evoucher.resolve(str(data.mdtrt_cert_no), call.req.fixmedins_code)


def file_referral(ports: Ports, call: Call, data: Any) -> None:
    with ports.runtime.factory() as session:
        call.prepared["remote"] = filings.file_referral_remotely(call, data, SqlStore(session), ports.remote_care)


def revoke_referral(ports: Ports, call: Call, data: Any) -> None:
    with ports.runtime.factory() as session:
        call.prepared["remote"] = filings.revoke_referral_remotely(call, data, SqlStore(session), ports.remote_care)
