"""The web service: FastAPI app, API for other systems, applicant pages, persistence, accounts, CLI."""
