"""The national transactions' use cases, one module per family.

Each use case is `(store, call, data) -> Outcome`: it reads and writes through the store it is
given (settlement.store: one unit of work, so the effect, the outbox events and the stored answer
commit together; tests hand it an in-memory store) and returns the output node the transaction
answers, shaped by `settlement.outputs`.
"""
