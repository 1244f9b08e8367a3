"""Data stewards' work on the national record: the review queue, corrections (merge, split,
retire, edit) and their undo, and reconciliation jobs.

Every operation is one transaction that holds the publishing lock a run's publishing holds too,
so the two never interleave. It writes what it decides where reconcile reads it on every later
run (pair decisions in match_decision, records held with a retired record in steward_hold,
fields set by hand in field_override), applies it to the national tables at once (links moved,
national records republished by the same survivorship and SQL as a run, each change an event
with the operation's id and the steward's name), and writes an audit row with the rows it
touched as they were before and after. Undo puts those rows back and republishes, refused when a
later operation or run has changed them since.
"""
