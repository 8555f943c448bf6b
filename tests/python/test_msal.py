"""MSAL Python (Microsoft's own library, unmodified) signs in against the emulator: device code, authorization
code with PKCE, and a forced refresh that must rotate the refresh token (contract §5).

MSAL is given only what any app gives it: a client id, an authority (`{emulator}/organizations`) and an HTTP
session that trusts the emulator's CA. Instance discovery: MSAL sends it to login.microsoftonline.com for any
host it does not know, so these tests either point it at the emulator's own `/common/discovery/instance` or turn
it off (`instance_discovery=False`), both documented MSAL options.
"""

import base64
import json
import urllib.parse

import msal
import pytest

from emulator_helpers import (
    ADELE_OID,
    ADELE_UPN,
    CLIENT_ID,
    PRESENCE_READWRITE,
    REDIRECT_URI,
    TENANT_ID,
    pick_account_and_consent,
)


def b64url_json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def signed_in_by_auth_code(emulator, http_client, browser):
    """Runs initiate_auth_code_flow / acquire_token_by_auth_code_flow, following the sign-in pages by HTTP."""
    app = msal.PublicClientApplication(
        CLIENT_ID,
        authority=f"{emulator.url}/organizations",
        http_client=http_client,
        instance_discovery=False,
    )
    flow = app.initiate_auth_code_flow([PRESENCE_READWRITE], redirect_uri=REDIRECT_URI, login_hint=ADELE_UPN)
    assert flow["auth_uri"].startswith(f"{emulator.url}/organizations/oauth2/v2.0/authorize?")
    page = browser.get(flow["auth_uri"], allow_redirects=False)
    assert page.status_code == 200, page.text
    resp = pick_account_and_consent(browser, emulator.url, page.text, ADELE_OID)
    assert resp.status_code == 302, resp.text
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT_URI), location
    auth_response = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    return app, result


def test_device_code_flow_signs_in_through_the_device_page(emulator, http_client, browser):
    app = msal.PublicClientApplication(
        CLIENT_ID,
        authority=f"{emulator.url}/organizations",
        http_client=http_client,
        instance_discovery=f"{emulator.url}/common/discovery/instance",
    )
    flow = app.initiate_device_flow(scopes=[PRESENCE_READWRITE])
    assert "user_code" in flow, flow
    assert flow["verification_uri"] == f"{emulator.url}/devicelogin"
    assert flow["message"] == (
        f"To sign in, use a web browser to open the page {emulator.url}/devicelogin "
        f"and enter the code {flow['user_code']} to authenticate."
    )

    # The person opens the page and types the code; the app polls afterwards, so no poll has to wait.
    page = browser.post(f"{emulator.url}/devicelogin", data={"otc": flow["user_code"]}, allow_redirects=False)
    assert page.status_code == 200, page.text
    done = pick_account_and_consent(browser, emulator.url, page.text, ADELE_OID)
    assert "You may now close this window" in done.text, done.text

    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer"
    assert PRESENCE_READWRITE in result["scope"].split()
    assert result["id_token_claims"]["preferred_username"] == ADELE_UPN
    assert result["id_token_claims"]["oid"] == ADELE_OID
    assert result["id_token_claims"]["tid"] == TENANT_ID

    [account] = app.get_accounts()
    assert account["username"] == ADELE_UPN
    assert account["home_account_id"] == f"{ADELE_OID}.{TENANT_ID}"

    # What MSAL fetched, in order (query parameters travel separately): instance discovery on the emulator, the
    # OpenID configuration it pointed to, the device code, one poll.
    assert [url for _, url in http_client.urls] == [
        f"{emulator.url}/common/discovery/instance",
        f"{emulator.url}/organizations/v2.0/.well-known/openid-configuration",
        f"{emulator.url}/organizations/oauth2/v2.0/devicecode",
        f"{emulator.url}/organizations/oauth2/v2.0/token",
    ]


def test_auth_code_flow_with_pkce_redeems_the_code(emulator, http_client, browser):
    app, result = signed_in_by_auth_code(emulator, http_client, browser)
    assert "access_token" in result, result
    # MSAL checked the nonce itself; these are the claims it builds the account from.
    claims = result["id_token_claims"]
    assert claims["aud"] == CLIENT_ID
    assert claims["oid"] == ADELE_OID
    assert claims["iss"] == f"{emulator.url}/{TENANT_ID}/v2.0"
    assert b64url_json(result["client_info"]) == {"uid": ADELE_OID, "utid": TENANT_ID}
    assert 3600 <= result["expires_in"] <= 5400
    [account] = app.get_accounts(username=ADELE_UPN)
    assert account["home_account_id"] == f"{ADELE_OID}.{TENANT_ID}"

    # The code and the PKCE verifier went to the token endpoint; nothing went anywhere else.
    posted = [url for method, url in http_client.urls if method == "POST"]
    assert posted == [f"{emulator.url}/organizations/oauth2/v2.0/token"]


def test_forced_silent_refresh_rotates_the_refresh_token(emulator, http_client, browser):
    app, result = signed_in_by_auth_code(emulator, http_client, browser)
    assert "refresh_token" in result, result
    rt_type = msal.TokenCache.CredentialType.REFRESH_TOKEN
    [before] = [rt["secret"] for rt in app.token_cache.search(rt_type)]

    [account] = app.get_accounts()
    refreshed = app.acquire_token_silent([PRESENCE_READWRITE], account=account, force_refresh=True)
    assert refreshed and "access_token" in refreshed, refreshed
    assert refreshed["token_source"] == msal.application.ClientApplication._TOKEN_SOURCE_IDP
    assert refreshed["access_token"] != result["access_token"]

    [after] = [rt["secret"] for rt in app.token_cache.search(rt_type)]
    assert after != before, "the emulator rotates refresh tokens and MSAL stored the new one"

    # The replaced refresh token no longer works (contract §5: store the new one at once).
    replay = http_client.post(
        f"{emulator.url}/organizations/oauth2/v2.0/token",
        data={
            "client_id": CLIENT_ID,
            "grant_type": "refresh_token",
            "refresh_token": before,
            "scope": f"{PRESENCE_READWRITE} offline_access openid profile",
        },
    )
    assert replay.status_code == 400
    body = replay.json()
    assert body["error"] == "invalid_grant"
    assert body["error_codes"] == [70008]


def test_a_scope_never_consented_cannot_be_added_by_a_silent_refresh(emulator, http_client, browser):
    app, _ = signed_in_by_auth_code(emulator, http_client, browser)
    [account] = app.get_accounts()
    result = app.acquire_token_silent_with_error(
        ["https://graph.microsoft.com/Presence.Read.All"], account=account, force_refresh=True
    )
    assert result is not None and result.get("error") == "invalid_grant", result
    assert result.get("suberror") == "consent_required"
    assert 65001 in result.get("error_codes", [])


@pytest.mark.parametrize("authority_tail", ["contoso.onmicrosoft.com", TENANT_ID])
def test_a_tenant_authority_resolves_to_the_tenant_id(emulator, http_client, authority_tail):
    app = msal.PublicClientApplication(
        CLIENT_ID,
        authority=f"{emulator.url}/{authority_tail}",
        http_client=http_client,
        instance_discovery=False,
    )
    # MSAL reads the tenant from the token endpoint of the discovery document.
    assert app.authority.tenant == TENANT_ID


def test_left_at_its_defaults_msal_would_send_instance_discovery_to_microsofts_cloud(emulator, http_client):
    # Why every test above sets `instance_discovery`: for a host it does not know, MSAL asks
    # login.microsoftonline.com, whatever the authority's host is. The loopback-only session stops it.
    with pytest.raises(AssertionError, match="login.microsoftonline.com"):
        msal.PublicClientApplication(CLIENT_ID, authority=f"{emulator.url}/organizations", http_client=http_client)
