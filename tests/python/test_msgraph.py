"""The Microsoft Graph Python SDK (msgraph-sdk, unmodified) sets and reads presence on the emulator with a token
MSAL obtained from it (contract §2 and §3).

The SDK takes an azure-core `TokenCredential`; a small one below hands it MSAL's token. Its HTTP client trusts the
emulator's CA and its base URL is the emulator's `/v1.0`, the SDK's documented ways to point it elsewhere.
"""

import asyncio
import ssl
import time
import urllib.parse

import httpx
import msal
from azure.core.credentials import AccessToken
from msgraph import GraphServiceClient
from msgraph.generated.users.item.presence.clear_presence.clear_presence_post_request_body import (
    ClearPresencePostRequestBody,
)
from msgraph.generated.users.item.presence.set_presence.set_presence_post_request_body import (
    SetPresencePostRequestBody,
)
from msgraph.generated.users.item.presence.set_user_preferred_presence.set_user_preferred_presence_post_request_body import (  # noqa: E501
    SetUserPreferredPresencePostRequestBody,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as graph_options
from msgraph_core import GraphClientFactory
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)

from emulator_helpers import (
    ADELE_OID,
    ADELE_UPN,
    CLIENT_ID,
    PRESENCE_READWRITE,
    REDIRECT_URI,
    pick_account_and_consent,
)


class MsalCredential:
    """An azure-core TokenCredential backed by an MSAL app and account: what an app using both libraries writes."""

    def __init__(self, app, account):
        self.app = app
        self.account = account
        self.calls = 0

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs):
        self.calls += 1
        result = self.app.acquire_token_silent(list(scopes), account=self.account)
        assert result and "access_token" in result, result
        return AccessToken(result["access_token"], int(time.time()) + int(result["expires_in"]))


def msal_app_signed_in(emulator, http_client, browser):
    app = msal.PublicClientApplication(
        CLIENT_ID,
        authority=f"{emulator.url}/organizations",
        http_client=http_client,
        instance_discovery=False,
    )
    flow = app.initiate_auth_code_flow([PRESENCE_READWRITE], redirect_uri=REDIRECT_URI)
    page = browser.get(flow["auth_uri"], allow_redirects=False)
    resp = pick_account_and_consent(browser, emulator.url, page.text, ADELE_OID)
    assert resp.status_code == 302, resp.text
    query = urllib.parse.urlsplit(resp.headers["Location"]).query
    result = app.acquire_token_by_auth_code_flow(flow, dict(urllib.parse.parse_qsl(query)))
    assert "access_token" in result, result
    [account] = app.get_accounts(username=ADELE_UPN)
    return app, account


def graph_client(emulator, credential):
    http = httpx.AsyncClient(verify=ssl.create_default_context(cafile=emulator.ca), trust_env=False)
    http = GraphClientFactory.create_with_default_middleware(client=http, options=graph_options)
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[PRESENCE_READWRITE])
    adapter = GraphRequestAdapter(auth, client=http)
    # On the adapter, not on httpx: httpx would add a trailing slash and the SDK would then request `v1.0//me`.
    adapter.base_url = f"{emulator.url}/v1.0"
    return GraphServiceClient(request_adapter=adapter), http


def test_msgraph_sdk_sets_reads_and_clears_presence(emulator, http_client, browser):
    app, account = msal_app_signed_in(emulator, http_client, browser)
    credential = MsalCredential(app, account)

    async def scenario():
        client, http = graph_client(emulator, credential)
        me = client.users.by_user_id(ADELE_OID).presence
        try:
            # Durations go as ISO 8601 strings, which the SDK's serializer passes through: it would write a
            # datetime.timedelta as str(timedelta), "0:30:00", which is not the ISO 8601 duration Graph documents.
            # An app session keeps the user visible (contract §3: without a session everyone sees Offline).
            await me.set_presence.post(
                SetPresencePostRequestBody(
                    session_id=CLIENT_ID,
                    availability="Available",
                    activity="Available",
                    expiration_duration="PT30M",
                )
            )
            await me.set_user_preferred_presence.post(
                SetUserPreferredPresencePostRequestBody(
                    availability="DoNotDisturb",
                    activity="DoNotDisturb",
                    expiration_duration="PT1H",
                )
            )
            pinned = await client.me.presence.get()
            # The SDK's clearUserPreferredPresence takes no body argument.
            await me.clear_user_preferred_presence.post()
            cleared = await client.me.presence.get()
            await me.clear_presence.post(ClearPresencePostRequestBody(session_id=CLIENT_ID))
            gone = await client.me.presence.get()
            return pinned, cleared, gone
        finally:
            await http.aclose()

    pinned, cleared, gone = asyncio.run(scenario())
    assert pinned.id == ADELE_OID
    assert (pinned.availability, pinned.activity) == ("DoNotDisturb", "DoNotDisturb")
    assert (cleared.availability, cleared.activity) == ("Available", "Available")
    assert (gone.availability, gone.activity) == ("Offline", "Offline")
    assert credential.calls >= 1
