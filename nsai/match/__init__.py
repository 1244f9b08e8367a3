"""Reconciliation: every source record to exactly one national address record, keyed by UPRN.

block (candidate pairs, SQL) -> compare and score (compare.py) -> decide -> cluster under
constraints (cluster.py) -> keep or allocate UPRNs (uprns.py) -> survivorship (survive.py) ->
publish with change events (job.py).
"""
