"""Identity-verification providers behind the domain port (evoucher.domain.identity.IdentityVerifier).

- SignedTicketVerifier: the face-check provider signs its tickets with a key it shares with the
  platform; verifying one needs no call out. Used in production (EVOUCHER_IDENTITY_PROVIDER=signed)
  and, with the development key, behind the stub.
- StubFaceCheck: the development provider. It issues a ticket for whoever asks, without a face,
  the way the real SDK would after a successful check; production refuses to start with it.
"""

from __future__ import annotations

from evoucher.domain import identity
from evoucher.domain.identity import VerifiedPerson


class SignedTicketVerifier:
    def __init__(self, secret: str) -> None:
        self._secret = secret

    def verify(self, ticket: str, now: int) -> VerifiedPerson:
        return identity.read(self._secret, ticket, now)


class StubFaceCheck(SignedTicketVerifier):
    """Development only: every face check passes."""

    def __init__(self, secret: str, ttl_seconds: int) -> None:
        super().__init__(secret)
        self.ttl_seconds = ttl_seconds

    def issue(self, *, certno: str, psn_name: str, openid: str, now: int) -> str:
        return identity.mint(
            self._secret, certno=certno, psn_name=psn_name, openid=openid, now=now, ttl_seconds=self.ttl_seconds
        )
