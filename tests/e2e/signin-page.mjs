// The "browser" of the end-to-end tests. The app opens sign-in pages with the system browser, which honours
// $BROWSER: the tests set it to a script that only records each URL (`recordingBrowser`), and then click through
// the emulator's real sign-in pages here over HTTP, as a person would in a browser: pick the account, accept the
// permissions when asked, and follow the redirect back to the app's loopback listener.

import fs from "node:fs";
import path from "node:path";

import { assertLoopback } from "./harness.mjs";

/** Writes an executable that appends its first argument to `file`; returns its path (for $BROWSER). */
export function recordingBrowser(dir, file) {
  const script = path.join(dir, "browser");
  fs.writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${file}'\n`, { mode: 0o755 });
  return script;
}

/** The URLs the app opened in the browser so far, oldest first. */
export function openedUrls(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

function unescapeHtml(text) {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function formOf(page, what) {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  const request = /name="request" value="([^"]+)"/.exec(page)?.[1];
  if (!action || !request) throw new Error(`${what}: no sign-in form on the page:\n${page.slice(0, 2000)}`);
  return { action: unescapeHtml(action), request: unescapeHtml(request) };
}

async function post(base, action, fields) {
  const url = new URL(action, base).toString();
  assertLoopback(url);
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
}

/**
 * Opens `authorizeUrl` and picks `upn` on the account picker, accepting the permissions if asked. Returns the
 * account and the emulator's last answer (a redirect back to the app, whatever it carries).
 */
async function pickAccount(authorizeUrl, upn) {
  assertLoopback(authorizeUrl);
  const first = await fetch(authorizeUrl, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const picker = await first.text();
  if (first.status !== 200 || !picker.includes("Pick an account")) {
    throw new Error(`expected the account picker, got HTTP ${first.status}:\n${picker.slice(0, 2000)}`);
  }
  // Each account: <input type="radio" name="user" value="{oid}"...>...<small>{upn}</small>
  const accounts = [...picker.matchAll(/name="user" value="([^"]+)"[^>]*>.*?<small>([^<]+)<\/small>/g)].map(
    (m) => ({ oid: unescapeHtml(m[1]), upn: unescapeHtml(m[2]) }),
  );
  const account = accounts.find((a) => a.upn.toLowerCase() === upn.toLowerCase());
  if (!account) throw new Error(`${upn} is not on the account picker (${accounts.map((a) => a.upn).join(", ")})`);

  const picked = formOf(picker, "account picker");
  let answer = await post(authorizeUrl, picked.action, {
    request: picked.request,
    action: "continue",
    user: account.oid,
  });
  if (answer.status === 200) {
    const page = await answer.text();
    if (page.includes("Need admin approval")) {
      // Only an administrator may consent here: go back to the app without approval, as the page offers.
      const form = formOf(page, "admin approval page");
      answer = await post(authorizeUrl, form.action, { request: form.request, action: "back" });
    } else if (page.includes("Permissions requested")) {
      const consent = formOf(page, "consent page");
      answer = await post(authorizeUrl, consent.action, { request: consent.request, action: "accept" });
    } else {
      throw new Error(`unexpected page after the picker:\n${page}`);
    }
  }
  const location = answer.headers.get("location");
  if (answer.status !== 302 || !location) {
    throw new Error(`expected a redirect back to the app, got HTTP ${answer.status}: ${await answer.text()}`);
  }
  assertLoopback(location);
  return { account, redirect: new URL(location) };
}

/**
 * Signs `upn` in on the emulator's pages that `authorizeUrl` opens, and delivers the answer to the app's redirect
 * URI. Returns {oid, redirect} (the user's object id and the loopback URL the app was sent back to).
 */
export async function signInThroughPages(authorizeUrl, upn) {
  const { account, redirect } = await pickAccount(authorizeUrl, upn);
  if (!redirect.searchParams.get("code")) throw new Error(`the redirect carries no code: ${redirect}`);
  // The browser follows the redirect to the app's loopback listener, which takes the code.
  const back = await fetch(redirect, { signal: AbortSignal.timeout(10_000) });
  if (!back.ok) throw new Error(`the app's redirect listener answered HTTP ${back.status}: ${await back.text()}`);
  return { oid: account.oid, redirect: `${redirect.origin}${redirect.pathname}` };
}

/**
 * Tries to sign `upn` in where the identity platform refuses, and delivers the refusal to the app's redirect URI
 * as a browser would. Returns the redirect's `error` (e.g. `access_denied`).
 */
export async function refusedThroughPages(authorizeUrl, upn) {
  const { redirect } = await pickAccount(authorizeUrl, upn);
  const error = redirect.searchParams.get("error");
  if (!error) throw new Error(`expected a refusal, the redirect carries none: ${redirect}`);
  // The app's listener answers a refusal with its own error page; only that it answered matters here.
  await fetch(redirect, { signal: AbortSignal.timeout(10_000) });
  return error;
}
