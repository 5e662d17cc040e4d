"""Clients, one module per API."""
