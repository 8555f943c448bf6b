"""The Microsoft Graph Python SDK with its own default HTTP client (contract §2: a doubled slash after the
version is served like one).

Built the SDK's default way, its base URL is `{host}/v1.0`, which httpx stores with a trailing slash; the SDK's
URL templates then add `/me`, so every request goes to `/v1.0//...`. Graph serves those; so must the emulator.
Nothing of the SDK is changed: the national-cloud `host` argument points it at the emulator and the CA is
trusted through `SSL_CERT_FILE`, the environment variable httpx reads for its default client.
"""

import asyncio

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

from emulator_helpers import ADELE_OID, CLIENT_ID, PRESENCE_READWRITE, LoopbackOnlySession
from test_msgraph import MsalCredential, msal_app_signed_in


def test_msgraph_sdk_default_client_with_its_doubled_slash_reads_and_writes_presence(
    emulator, http_client, browser, monkeypatch
):
    app, account = msal_app_signed_in(emulator, http_client, browser)
    credential = MsalCredential(app, account)
    monkeypatch.setenv("SSL_CERT_FILE", emulator.ca)
    # The default client honours the environment's proxies; the emulator is on this machine.
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    log = LoopbackOnlySession(emulator.ca)
    after = log.get(f"{emulator.url}/_emulator/log").json()["lastSeq"] or 0

    async def scenario():
        http = GraphClientFactory.create_with_default_middleware(host=emulator.url, options=graph_options)
        # The guard the other tests get from LoopbackOnlySession: this client must not be aimed at the cloud.
        assert str(http.base_url) == f"{emulator.url}/v1.0/", http.base_url
        auth = AzureIdentityAuthenticationProvider(credential, scopes=[PRESENCE_READWRITE])
        client = GraphServiceClient(request_adapter=GraphRequestAdapter(auth, client=http))
        me = client.users.by_user_id(ADELE_OID).presence
        try:
            # An app session keeps the user visible (contract §3), the pin says what they show.
            await me.set_presence.post(
                SetPresencePostRequestBody(
                    session_id=CLIENT_ID, availability="Available", activity="Available", expiration_duration="PT30M"
                )
            )
            await me.set_user_preferred_presence.post(
                SetUserPreferredPresencePostRequestBody(availability="Away", activity="Away", expiration_duration="PT1H")
            )
            seen = await client.me.presence.get()
            await me.clear_user_preferred_presence.post()
            await me.clear_presence.post(ClearPresencePostRequestBody(session_id=CLIENT_ID))
            return seen
        finally:
            await http.aclose()

    seen = asyncio.run(scenario())
    assert seen.id == ADELE_OID
    assert (seen.availability, seen.activity) == ("Away", "Away")

    entries = log.get(f"{emulator.url}/_emulator/log", params={"after": after, "service": "graph"}).json()["entries"]
    sent = [(e["method"], e["path"], e["status"]) for e in entries]
    users = f"/v1.0//users/{ADELE_OID}/presence"
    assert sent == [
        ("POST", f"{users}/setPresence", 200),
        ("POST", f"{users}/setUserPreferredPresence", 200),
        ("GET", "/v1.0//me/presence", 200),
        ("POST", f"{users}/clearUserPreferredPresence", 200),
        ("POST", f"{users}/clearPresence", 200),
    ], sent
