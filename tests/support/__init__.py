"""Shared test support: hypothesis strategies, random histories and backends."""
