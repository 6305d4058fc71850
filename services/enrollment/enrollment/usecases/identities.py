"""Identities (人员身份): grant for a validity period, revoke."""

from __future__ import annotations

from enrollment.domain import commands as cmds
from enrollment.domain import identities as rules
from enrollment.domain.errors import NotFound
from enrollment.domain.ids import new_id
from enrollment.domain.model import Identity
from enrollment.messaging import contracts

from .common import person_or_404
from .ports import UnitOfWork


def grant_identity(uow: UnitOfWork, cmd: cmds.GrantIdentity) -> Identity:
    rules.check_grant(cmd)
    with uow.transaction() as store:
        person = person_or_404(store, cmd.psn_no, lock=True)
        identity = rules.granted(cmd, person.psn_no, store.identities_of(person.psn_no), new_id())
        store.add_identity(identity)
        store.stage(contracts.identity_event("IdentityGranted", identity.snapshot()))
        return identity


def revoke_identity(uow: UnitOfWork, cmd: cmds.RevokeIdentity) -> Identity:
    rules.check_revoke(cmd)
    with uow.transaction() as store:
        identity = store.get_identity(cmd.identity_id)
        if identity is None:
            raise NotFound("identity_not_found", f"no identity {cmd.identity_id}")
        identity = rules.revoked(identity, cmd.memo)
        store.save_identity(identity)
        store.stage(contracts.identity_event("IdentityRevoked", identity.snapshot()))
        return identity
