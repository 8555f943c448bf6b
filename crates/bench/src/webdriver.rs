//! Just enough W3C WebDriver (https://www.w3.org/TR/webdriver2/) to drive the popup through `tauri-driver`, which
//! hands the session to WebKitWebDriver: start the app, find an element, read its rectangle.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session.
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// An element's rectangle in CSS pixels, relative to the page's viewport.
#[derive(Debug, Clone, Copy)]
pub struct ElementRect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut request = http.request(method.clone(), url).timeout(Duration::from_secs(90));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.with_context(|| format!("{method} {url}"))?;
    let status = response.status();
    let value: Value = response
        .json()
        .await
        .with_context(|| format!("{method} {url}: not JSON"))?;
    if !status.is_success() {
        bail!("{method} {url}: HTTP {status}: {}", value["value"]);
    }
    Ok(value["value"].clone())
}

impl Session {
    /// Starts `application` with `args` under the WebDriver server at `base` (tauri-driver).
    pub async fn start(base: &str, application: &str, args: &[&str]) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "tauri:options": { "application": application, "args": args }
        }}});
        let value = call(
            &http,
            reqwest::Method::POST,
            &format!("{base}/session"),
            Some(capabilities),
        )
        .await?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {value}"))?
            .to_string();
        Ok(Self {
            http,
            base: base.to_string(),
            id,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        call(
            &self.http,
            method,
            &format!("{}/session/{}{path}", self.base, self.id),
            body,
        )
        .await
    }

    /// The first element matching the CSS selector, if any.
    pub async fn find(&self, selector: &str) -> anyhow::Result<Option<String>> {
        match self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": selector })),
            )
            .await
        {
            Ok(value) => Ok(value[ELEMENT].as_str().map(str::to_string)),
            Err(e) if e.to_string().contains("no such element") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits up to `timeout` for an element matching the selector.
    pub async fn wait_for(&self, selector: &str, timeout: Duration) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(element) = self.find(selector).await? {
                return Ok(element);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("no element {selector} within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element's rectangle.
    pub async fn rect(&self, element: &str) -> anyhow::Result<ElementRect> {
        let v = self
            .cmd(reqwest::Method::GET, &format!("/element/{element}/rect"), None)
            .await?;
        let n = |k: &str| v[k].as_f64().ok_or_else(|| anyhow!("no {k} in {v}"));
        Ok(ElementRect {
            x: n("x")?,
            y: n("y")?,
            width: n("width")?,
            height: n("height")?,
        })
    }

    /// Ends the session (WebKitWebDriver ends the application it started).
    pub async fn end(self) -> anyhow::Result<()> {
        self.cmd(reqwest::Method::DELETE, "", None).await.map(|_| ())
    }
}
