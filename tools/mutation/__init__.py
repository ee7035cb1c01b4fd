"""Mutation testing of the core rules (docs/testing.md): `python -m tools.mutation [module ...]`."""
