"""The national transactions' use cases, one module per family.

Each use case is `(session, call, data) -> Outcome`: it reads and writes through the session it
is given (one unit of work: effect, outbox events and the stored answer commit together) and
returns the output node the transaction answers, shaped by `settlement.outputs`.
"""
