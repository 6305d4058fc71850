"""Thin common library shared by the four services.

Only transport-level concerns live here: the national envelope, the event envelope,
the transactional outbox and inbox, broker clients, money, logging and settings.
Nothing in this package knows any service's domain.
"""
