"""Loaders: one module per input format behind one small interface (see the loaders issue)."""
