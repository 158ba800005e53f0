"""Runs: the orchestration of each job (audit, observe, discover, review, self-check).

A run receives its collaborators (a fetcher factory, the history store, a clock), returns
values and raises domain errors; it never prints, formats or exits. The CLI builds the
collaborators and renders what a run returns through :mod:`scanner.reports`.
"""
