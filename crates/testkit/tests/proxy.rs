//! The HTTP clients built from the proxy settings (`presently_core::net::http_client`) against the test proxy:
//! credentials from the credential store go in `Proxy-Authorization`, an `https://` host is reached through a
//! `CONNECT` tunnel, and an answer of 407 is what a client without (the right) credentials gets.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use presently_core::net::{Network, NoProxy, ProxyCredentials, ProxySetting, http_client};
use presently_emulator::{Emulator, EmulatorConfig};
use presently_testkit::proxy::{Mode, TestProxy, basic};

fn through(proxy: &TestProxy, credentials: Option<(&str, &str)>) -> Network {
    Network {
        proxy: proxy.url().parse::<ProxySetting>().unwrap(),
        no_proxy: NoProxy::empty(),
        credentials: credentials.map(|(user, password)| ProxyCredentials {
            user: user.into(),
            password: password.into(),
        }),
    }
}

#[tokio::test]
async fn the_credentials_reach_the_proxy_and_wrong_ones_get_407() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let discovery = format!(
        "{}/organizations/v2.0/.well-known/openid-configuration",
        emu.base_url()
    );
    let proxy = TestProxy::start(Mode::Require {
        authorization: basic("me@corp", "s3cret"),
    })
    .await;

    let client = http_client(&through(&proxy, Some(("me@corp", "s3cret"))), emu.base_url(), "t").unwrap();
    assert_eq!(client.proxy.as_deref(), Some(proxy.url().as_str()));
    let answer = client.http.get(&discovery).send().await.unwrap();
    assert_eq!(answer.status(), 200);

    let wrong = http_client(&through(&proxy, Some(("me@corp", "nope"))), emu.base_url(), "t").unwrap();
    assert_eq!(wrong.http.get(&discovery).send().await.unwrap().status(), 407);
    let none = http_client(&through(&proxy, None), emu.base_url(), "t").unwrap();
    assert_eq!(none.http.get(&discovery).send().await.unwrap().status(), 407);

    let seen = proxy.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen.iter().all(|s| s.method == "GET" && s.target == discovery),
        "{seen:?}"
    );
    assert_eq!(seen[0].proxy_authorization, Some(basic("me@corp", "s3cret")));
    assert_eq!(seen[2].proxy_authorization, None);
}

#[tokio::test]
async fn an_https_host_is_reached_through_a_connect_tunnel() {
    let proxy = TestProxy::start(Mode::Forward).await;
    // Nothing listens on port 9 of this machine: the proxy answers 502 after recording the CONNECT.
    let client = http_client(&through(&proxy, None), "https://127.0.0.1:9", "t").unwrap();
    assert!(
        client
            .http
            .get("https://127.0.0.1:9/v1.0/me")
            .send()
            .await
            .is_err()
    );
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("CONNECT", "127.0.0.1:9")
    );
}
