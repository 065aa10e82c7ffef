"""The certificate service tests: a package, so their conftest is not confused with tests/service/conftest.py."""
