"""Loaders: files of every format councils and services send, into comparable source records.

`loaders.load.load` is the one entry point; `dtf73` reads gazetteers, `tabular` address lists,
`store` turns one load into one transaction.
"""
