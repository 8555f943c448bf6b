// A minimal W3C WebDriver client over `fetch`: just the endpoints the end-to-end tests use, against
// tauri-driver (which hands them to WebKitWebDriver). No framework, no browser download.
//   https://www.w3.org/TR/webdriver2/  (endpoints and the element reference key below)

/** The key under which WebDriver returns an element reference. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A WebDriver error answer, with the remote end's error code and message. */
export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path}: HTTP ${status} ${value?.error ?? ""}: ${value?.message ?? JSON.stringify(value)}`);
    this.code = value?.error;
  }
}

async function call(base, method, path, body, timeoutMs = 60_000) {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError(method, path, response.status, { error: "not JSON", message: text.slice(0, 300) });
  }
  if (!response.ok) throw new WebDriverError(method, path, response.status, json.value);
  return json.value;
}

/** One WebDriver session: the application tauri-driver launched, and its webview. */
export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /**
   * Starts `application` with `args` under tauri-driver at `base` (e.g. http://127.0.0.1:4444) and returns the
   * session driving its webview.
   */
  static async start(base, application, args) {
    const value = await call(base, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application, args } } },
    });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body, timeoutMs) {
    return call(this.base, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  /** Ends the session (WebKitWebDriver closes the application it started). */
  async end() {
    await this.cmd("DELETE", "");
  }

  title() {
    return this.cmd("GET", "/title");
  }

  /** Runs `script` (a function body) in the page with `args`; returns its value (awaits a returned promise). */
  execute(script, ...args) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** The first element matching the CSS selector, or null. */
  async find(selector) {
    try {
      const value = await this.cmd("POST", "/element", { using: "css selector", value: selector });
      return value[ELEMENT];
    } catch (e) {
      if (e.code === "no such element") return null;
      throw e;
    }
  }

  /** Clicks the element as a pointer would (WebDriver's element click: scrolls it into view, checks it is hit). */
  async click(element) {
    await this.cmd("POST", `/element/${element}/click`, {});
  }

  /** Types `text` into the element as a keyboard would (WebDriver's element send keys: focuses it first). */
  async type(element, text) {
    await this.cmd("POST", `/element/${element}/value`, { text });
  }

  /** Empties a text field (WebDriver's element clear). */
  async clear(element) {
    await this.cmd("POST", `/element/${element}/clear`, {});
  }

  async text(element) {
    return this.cmd("GET", `/element/${element}/text`);
  }

  /** The viewport as PNG bytes. */
  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  windowRect() {
    return this.cmd("GET", "/window/rect");
  }
}
