"""Fixtures for running Microsoft's own client libraries against the Presently emulator.

scripts/python-tests.sh starts `presently-emulator --tls --ca-out CA --port 0` and passes its URL and CA file in
EMULATOR_URL and EMULATOR_CA. Every HTTP request the libraries make goes through a session that refuses any host
but the emulator's: nothing here may reach Microsoft's cloud (or anything else off this machine).
"""

import os

import pytest

from emulator_helpers import LoopbackOnlySession


@pytest.fixture(scope="session")
def emulator():
    """The running emulator: `.url` (https://127.0.0.1:PORT) and `.ca` (its CA certificate file)."""
    url = os.environ.get("EMULATOR_URL")
    ca = os.environ.get("EMULATOR_CA")
    if not url or not ca:
        pytest.fail("EMULATOR_URL and EMULATOR_CA are not set: run these tests with scripts/python-tests.sh")

    class Emulator:
        pass

    e = Emulator()
    e.url = url.rstrip("/")
    e.ca = ca
    return e


@pytest.fixture
def http_client(emulator):
    """What MSAL is given as `http_client`."""
    return LoopbackOnlySession(emulator.ca)


@pytest.fixture
def browser(emulator):
    """A 'browser' that shows us each answer without following redirects, like a person reading the address bar."""
    return LoopbackOnlySession(emulator.ca)
