"""Rules for identities (人员身份: assistance categories such as 2202 低保) (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from enrollment.domain import commands as cmds
from enrollment.domain.errors import Conflict, Invalid
from enrollment.domain.model import Identity, check_length


def check_grant(cmd: cmds.GrantIdentity) -> None:
    """What a grant must look like before any record is read."""
    if not (cmd.psn_idet_type.isdigit() and 2 <= len(cmd.psn_idet_type) <= 6):
        raise Invalid(
            "psn_idet_type",
            f"{cmd.psn_idet_type!r} is not an identity code such as 2202 (低保)",
        )
    check_length("psn_type_lv", cmd.psn_type_lv, 6)
    check_length("memo", cmd.memo, 500)
    if cmd.endtime is not None and cmd.endtime < cmd.begntime:
        raise Invalid("endtime", "must not be before begntime")


def granted(cmd: cmds.GrantIdentity, psn_no: str, held: Iterable[Identity], identity_id: str) -> Identity:
    """The new identity; refused while the person holds the same one for an overlapping time."""
    for other in held:
        if other.psn_idet_type == cmd.psn_idet_type and other.valid_during(cmd.begntime, cmd.endtime or dt.date.max):
            raise Conflict(
                "identity_overlaps",
                f"{psn_no} already holds {cmd.psn_idet_type} from {other.begntime.isoformat()} "
                f"(identity {other.identity_id}); revoke it or start after it ends",
                identity_id=other.identity_id,
            )
    return Identity(
        identity_id=identity_id,
        psn_no=psn_no,
        psn_idet_type=cmd.psn_idet_type,
        begntime=cmd.begntime,
        endtime=cmd.endtime,
        psn_type_lv=cmd.psn_type_lv,
        memo=cmd.memo,
    )


def check_revoke(cmd: cmds.RevokeIdentity) -> None:
    check_length("memo", cmd.memo, 500)


def revoked(identity: Identity, memo: str) -> Identity:
    if identity.revoked:
        raise Conflict("identity_revoked", f"identity {identity.identity_id} is already revoked")
    return replace(identity, revoked=True, memo=memo or identity.memo, version=identity.version + 1)
