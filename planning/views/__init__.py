"""Thin views of the planning app, one module per capability."""
