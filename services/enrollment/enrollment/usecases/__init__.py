"""Enrollment's use cases, one module per family.

Each use case is `(uow, command) -> result`: it opens one transaction on the unit of work it is
given (enrollment.store.SqlUnitOfWork: the change and its outbox events commit together; unit
tests hand it an in-memory one), checks the command with the pure rules of enrollment.domain,
and reads and writes only through the store port (ports.Store).
"""
