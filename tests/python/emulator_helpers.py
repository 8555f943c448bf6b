"""Constants of the emulator's default seed and helpers that drive its sign-in pages like a browser would."""

import re
import urllib.parse

import requests

# The emulator's default seed (crates/emulator/src/seed.rs).
CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
TENANT_ID = "8f2c4a1e-5b6d-4c3e-9a7f-1d2e3f4a5b6c"
ADELE_OID = "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d"
ADELE_UPN = "adele.vance@contoso.onmicrosoft.com"
PRESENCE_READWRITE = "https://graph.microsoft.com/Presence.ReadWrite"
USER_READ = "https://graph.microsoft.com/User.Read"
REDIRECT_URI = "http://localhost:53682/"

LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}


class LoopbackOnlySession(requests.Session):
    """A requests session that trusts the emulator's CA, ignores proxy settings, records every URL it is asked
    for, and raises on any host that is not the loopback (so a library trying to reach the cloud fails loudly)."""

    def __init__(self, ca_file):
        super().__init__()
        self.verify = ca_file
        self.trust_env = False
        self.urls = []

    def request(self, method, url, *args, **kwargs):
        host = urllib.parse.urlsplit(url).hostname
        if host not in LOOPBACK_HOSTS:
            raise AssertionError(f"a client library tried to reach {url} instead of the emulator")
        self.urls.append((method.upper(), url))
        return super().request(method, url, *args, **kwargs)


def hidden_request(page):
    """The sign-in request id every page carries in its form."""
    m = re.search(r'name="request" value="([^"]+)"', page)
    assert m, page
    return m.group(1)


def form_action(page):
    m = re.search(r'<form method="post" action="([^"]+)"', page)
    assert m, page
    return m.group(1)


def pick_account_and_consent(browser, base, page, user_oid):
    """From an account picker: picks the user, accepts the consent screen if one comes, and returns the last
    answer (a redirect for /authorize, a 'you may close this window' page for the device flow)."""
    assert "Pick an account" in page, page
    resp = browser.post(
        base + form_action(page),
        data={"request": hidden_request(page), "action": "continue", "user": user_oid},
        allow_redirects=False,
    )
    if resp.status_code == 200 and "Permissions requested" in resp.text:
        consent = resp.text
        resp = browser.post(
            base + form_action(consent),
            data={"request": hidden_request(consent), "action": "accept"},
            allow_redirects=False,
        )
    return resp
