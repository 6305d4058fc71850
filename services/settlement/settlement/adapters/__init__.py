"""Calls to other services that need an answer now, built once in create_app with explicit timeouts.

E-voucher resolves ecTokens; remote-care holds HIS referral filings. Tests pass their own httpx
transport.
"""

from .evoucher import EvoucherClient
from .http import make_http
from .remote_care import RemoteCareClient

__all__ = ["EvoucherClient", "RemoteCareClient", "make_http"]
