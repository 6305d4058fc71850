"""Use cases of remote-care, by family: filings, clearing, and who may call (access).

Each takes a `Stores` (ports.py) and opens one unit of work on it: the change, its outbox
event and its audit record commit together. No SQL here: remote_care.store holds it.
"""
