"""Rollcall's command line: thin click commands, one module per command group.

Exit codes live here only: 0 clean, 1 findings at or above ``--fail-on`` (or a rejected review),
2 bad input, 3 incomplete (too much could not be verified).
"""
