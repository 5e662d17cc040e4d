"""pytest-modelqa: verifier-backed behavioural quality gates for self-hosted LLM endpoints."""

__version__ = "0.1.0"
