// Reads the keeper's state from the tray process over its local IPC (the socket the popup and the CLI use;
// newline-delimited JSON, crates/core/src/ipc). The tests only look: every action goes through the popup or the
// tray menu.

import net from "node:net";

/** One request to the IPC endpoint at `socket`; resolves with its `ok` value, rejects with its `error`. */
export function ipcCall(socket, request, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const connection = net.connect(socket);
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`no answer to ${request.op} within ${timeoutMs} ms`));
    }, timeoutMs);
    let buffer = "";
    connection.setEncoding("utf8");
    connection.on("data", (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const frame = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (frame.id !== 1) continue;
        clearTimeout(timer);
        connection.end();
        if ("error" in frame) reject(new Error(`${request.op}: ${JSON.stringify(frame.error)}`));
        else resolve(frame.ok);
      }
    });
    connection.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    connection.write(`${JSON.stringify({ ...request, id: 1 })}\n`);
  });
}

/** The keeper's snapshot (crates/core/src/keeper/snapshot.rs). */
export function snapshot(socket) {
  return ipcCall(socket, { op: "snapshot" });
}

/**
 * Whether the keeper has nothing in flight: idle (or waiting for the user, e.g. signed out) and no read-back of
 * a change planned. The tray re-renders its menu when the state it shows changes, and GTK closes a menu that is
 * replaced while open, so the tests open the menu once the state is settled, as a person would a moment after a
 * change.
 */
export async function settled(socket) {
  const s = await snapshot(socket);
  return ["idle", "blocked"].includes(s.activity) && s.next?.action !== "readBack" ? s : null;
}
