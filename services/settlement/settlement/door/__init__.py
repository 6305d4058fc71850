"""The national front door: the gateway, the transaction table and the loop around them."""

from .frontdoor import FrontDoor, Ports
from .table import OFFERED, TABLE, TRANSACTIONS, Transaction

__all__ = ["OFFERED", "TABLE", "TRANSACTIONS", "FrontDoor", "Ports", "Transaction"]
