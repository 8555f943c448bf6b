"""End-to-end test of the global hotkeys (issue 6), on a virtual X11 desktop (scripts/gui-session.sh).

Run by scripts/hotkeys-e2e.sh inside the desktop; speaks only to the real app: the `presently-app --demo` binary
(its emulator, a child process, stands in for Microsoft), its local IPC (settings view, sign-in, saving settings), the
emulator's control API (what colleagues see), and the X server (xdotool presses keys like a person would).

What it shows:
1. Another X client (the window manager, openbox) holds Ctrl+Alt+Shift+3 before Presently starts: that row's
   registration error is reported in the settings view, and the other shortcuts still work.
2. Ctrl+Alt+Shift+2 pins Busy in the emulator (origin hotkey, for the hotkey duration); 5 pins Appear away.
3. Saving a new shortcut registers it again at once; a cleared one does nothing; duplicates and shortcuts
   without a modifier are refused with the reason; 0 goes back to automatic; P opens the popup.
4. In a Wayland session nothing is grabbed and the settings view carries the exact command line of each action,
   which does the same thing when run: `presently set ...` (the CLI beside the app) for the real app, run here
   against the standalone emulator so the CLI and the app share one sign-in as they do for a user; and
   `presently-app --demo set ...` in the demo (checked in step 3).

Prints `ok - ...` / `FAIL - ...` lines and ends with `N passed, N failed` alone on a line; exit 1 on a failure.
"""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APP = os.path.join(ROOT, "target", "debug", "presently-app")
CLI = os.path.join(ROOT, "target", "debug", "presently")
EMULATOR = os.path.join(ROOT, "target", "debug", "presently-emulator")
SESSION = os.environ["GUI_SESSION_DIR"]
RUNTIME = os.path.join(os.environ["XDG_RUNTIME_DIR"], "presently")

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""), flush=True)
    return ok


def wait_until(predicate, seconds=10.0, step=0.1):
    """The first truthy value of `predicate()` within `seconds`, else the last value."""
    deadline = time.monotonic() + seconds
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = predicate()
    return value


SOCKET = os.path.join(RUNTIME, "keeper-demo.sock")


def ipc(request):
    """One request to the running app's keeper; returns (ok, value) where value is the answer or the problem."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(20)
        s.connect(SOCKET)
        s.sendall((json.dumps({**request, "id": 1}) + "\n").encode())
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError(f"the keeper closed the connection answering {request['op']}")
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                frame = json.loads(line)
                if frame.get("id") == 1:
                    return ("error" not in frame, frame.get("error", frame.get("ok")))


def http_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def press(keys):
    subprocess.run(["xdotool", "key", keys], check=True)


class Emulator:
    """The standalone `presently-emulator`, completing every sign-in at once."""

    def __init__(self):
        self.log_path = os.path.join(SESSION, "emulator.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [EMULATOR, "--port", "0", "--auto-approve"], stdout=self.log, stderr=subprocess.STDOUT
        )
        self.base = wait_until(self.url, 30)
        if not self.base:
            raise RuntimeError("the emulator did not start")

    def url(self):
        with open(self.log_path) as f:
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", f.read())
        return match.group(1) if match else None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class App:
    """`presently-app --demo` (its own emulator, auto-approving), or the real app on a given emulator (`base`)."""

    def __init__(self, name, extra_env=None, base=None):
        global SOCKET
        SOCKET = os.path.join(RUNTIME, "keeper.sock" if base else "keeper-demo.sock")
        self.log_path = os.path.join(SESSION, f"app-{name}.log")
        browser = os.path.join(SESSION, "browser")
        # A "browser" that follows the sign-in redirects, as a person clicking through would.
        with open(browser, "w") as f:
            f.write('#!/bin/sh\ncurl -fsSL -o /dev/null "$1" &\n')
        os.chmod(browser, 0o755)
        env = {**os.environ, "BROWSER": browser, "PRESENTLY_DEMO_AUTO_APPROVE": "1", **(extra_env or {})}
        self.log = open(self.log_path, "w")
        args = [APP] if base else [APP, "--demo"]
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.base = base or wait_until(self.emulator_url, 30)
        if not self.base:
            raise RuntimeError(f"the app did not start:\n{self.read_log()}")
        if not wait_until(lambda: os.path.exists(SOCKET) and self.answers(), 30):
            raise RuntimeError(f"the keeper does not answer:\n{self.read_log()}")

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def emulator_url(self):
        match = re.search(r"what colleagues see is at (http://127\.0\.0\.1:\d+)/", self.read_log())
        return match.group(1) if match else None

    def answers(self):
        try:
            return ipc({"op": "hello"})[0]
        except OSError:
            return False

    def sign_in(self):
        ok, problem = ipc({"op": "signIn", "method": "browser"})
        if not ok:
            raise RuntimeError(f"sign-in failed: {problem}")
        snapshot = wait_until(lambda: (s := ipc({"op": "snapshot"})[1])["account"]["state"] == "signedIn" and s, 20)
        if not snapshot:
            raise RuntimeError("not signed in after 20 s")
        self.user = snapshot["account"]["username"]
        return self.user

    def presence(self):
        return http_json(f"{self.base}/_emulator/users/{self.user}/presence")

    def pinned(self):
        """The pinned availability colleagues see (None without a pin)."""
        pin = self.presence().get("pin")
        return pin["availability"] if pin else None

    def wait_pinned(self, availability, seconds=15):
        return wait_until(lambda: self.pinned() == availability, seconds)

    def settings(self):
        return ipc({"op": "settingsView"})[1]

    def row(self, view, action):
        return next(r for r in view["hotkeys"]["actions"] if r["action"] == action)

    def children(self):
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.process.pid:
                        pids.append(int(entry))
                except OSError:
                    pass
        return pids

    def stop(self):
        children = self.children()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        self.log.close()


def openbox_holds(keybind, marker):
    """Makes the window manager grab `keybind` (openbox syntax, e.g. C-A-S-3), touching `marker` when pressed."""
    home = os.environ["HOME"]
    config_dir = os.path.join(home, ".config", "openbox")
    os.makedirs(config_dir, exist_ok=True)
    with open("/etc/xdg/openbox/rc.xml") as f:
        rc = f.read()
    bind = (
        f'<keybind key="{keybind}"><action name="Execute"><command>touch {marker}</command></action></keybind>'
    )
    rc = rc.replace("<keyboard>", "<keyboard>\n    " + bind, 1)
    with open(os.path.join(config_dir, "rc.xml"), "w") as f:
        f.write(rc)
    subprocess.run(["openbox", "--reconfigure"], check=True)


def x11_session(app):
    user = app.sign_in()
    check("signed in to the demo emulator", bool(user), user)

    view = app.settings()
    support = view["hotkeys"]["support"]
    check("hotkeys are active on the X11 desktop", support == {"kind": "active"}, json.dumps(support))
    dnd = app.row(view, "dnd")
    check(
        "the shortcut the window manager holds is reported on its row (Do not disturb)",
        (dnd["registrationError"] or "").startswith("Another application already uses Ctrl+Alt+Shift+3"),
        json.dumps(dnd),
    )
    others = [r["action"] for r in view["hotkeys"]["actions"] if r["registrationError"] and r["action"] != "dnd"]
    check("every other row registered", others == [], json.dumps(others))

    press("ctrl+alt+shift+2")
    check("Ctrl+Alt+Shift+2 pins Busy in the emulator", app.wait_pinned("Busy"), json.dumps(app.presence()))
    intent = ipc({"op": "snapshot"})[1]["intent"] or {}
    check("the keeper holds Busy chosen by a hotkey", (intent.get("status"), intent.get("origin")) == ("busy", "hotkey"), json.dumps(intent))
    ends = intent.get("until", {}).get("at")
    if ends:
        from datetime import datetime

        length = datetime.fromisoformat(ends.replace("Z", "+00:00")) - datetime.fromisoformat(intent["setAt"].replace("Z", "+00:00"))
        check("for the hotkey duration (1 hour by default)", abs(length.total_seconds() - 3600) < 1, str(length))
    else:
        check("for the hotkey duration (1 hour by default)", False, json.dumps(intent))

    press("ctrl+alt+shift+5")
    check("Ctrl+Alt+Shift+5 pins Appear away while Do not disturb's shortcut failed", app.wait_pinned("Away"), json.dumps(app.presence()))

    marker = os.path.join(SESSION, "openbox-got-it")
    before = os.stat(marker).st_mtime_ns if os.path.exists(marker) else 0
    press("ctrl+alt+shift+3")
    got = wait_until(lambda: os.path.exists(marker) and os.stat(marker).st_mtime_ns != before, 5)
    check("Ctrl+Alt+Shift+3 still goes to the window manager that holds it", got)
    time.sleep(1.5)
    check("...and does not change the status", app.pinned() == "Away", json.dumps(app.presence()))

    ok, saved = ipc({"op": "saveSettings", "patch": {"hotkeys": {"dnd": "Ctrl+Alt+Shift+7", "brb": ""}}})
    check("saving a free shortcut for Do not disturb and clearing Be right back's is accepted", ok and "fieldErrors" not in saved, json.dumps(saved))
    registered = wait_until(lambda: app.row(app.settings(), "dnd")["registrationError"] is None, 10)
    check("the app registered again: Do not disturb's row has no error any more", registered, json.dumps(app.row(app.settings(), "dnd")))
    press("ctrl+alt+shift+7")
    check("the new shortcut Ctrl+Alt+Shift+7 pins Do not disturb", app.wait_pinned("DoNotDisturb"), json.dumps(app.presence()))
    press("ctrl+alt+shift+4")
    time.sleep(1.5)
    intent = ipc({"op": "snapshot"})[1]["intent"] or {}
    check("the cleared shortcut (Be right back's) does nothing", intent.get("status") == "dnd" and app.pinned() == "DoNotDisturb", json.dumps(intent))

    ok, refused = ipc({"op": "saveSettings", "patch": {"hotkeys": {"busy": "ctrl+alt+shift+7", "away": "Q"}}})
    errors = {e["field"]: e["message"] for e in (refused or {}).get("fieldErrors", [])}
    check(
        "a duplicate is refused naming the other action",
        "already the shortcut of Do not disturb" in errors.get("hotkeyBusy", ""),
        json.dumps(refused),
    )
    check("a shortcut without a modifier is refused with the reason", "needs a modifier" in errors.get("hotkeyAway", ""), json.dumps(refused))
    check("nothing was saved", app.row(app.settings(), "busy")["shortcut"]["value"] == "Ctrl+Alt+Shift+2")

    brb = app.row(app.settings(), "brb")["command"]
    check("in the demo a row's command is the app itself", brb == f"{APP} --demo set brb --preset 1h", brb)
    run = subprocess.run(shlex.split(brb), capture_output=True, text=True, timeout=60)
    check("...which forwards the choice to the running demo (Be right back pinned)", run.returncode == 0 and app.wait_pinned("BeRightBack"), run.stdout + run.stderr)

    press("ctrl+alt+shift+0")
    back = wait_until(lambda: ipc({"op": "snapshot"})[1]["intent"] is None and app.pinned() is None, 15)
    check("Ctrl+Alt+Shift+0 goes back to automatic (no pin left)", back, json.dumps(app.presence()))

    before = app.children()
    press("ctrl+alt+shift+p")
    popup = wait_until(lambda: [p for p in app.children() if p not in before], 10)
    if popup:
        with open(f"/proc/{popup[0]}/cmdline") as f:
            cmdline = f.read().split("\0")
        check("Ctrl+Alt+Shift+P opens the popup", "--popup" in cmdline, " ".join(cmdline))
    else:
        check("Ctrl+Alt+Shift+P opens the popup", False, "no child process")


def wayland_session(app):
    app.sign_in()
    view = app.settings()
    support = view["hotkeys"]["support"]
    check("in a Wayland session the settings view says so", support == {"kind": "wayland"}, json.dumps(support))
    away = app.row(view, "away")
    check(
        "each row carries the exact `presently set` command line (the CLI beside the app)",
        away["command"] == f"{CLI} set away --preset 1h",
        away["command"],
    )
    run = subprocess.run(shlex.split(away["command"]), capture_output=True, text=True, timeout=60)
    check("the command runs", run.returncode == 0, run.stderr[-2000:])
    check("the command pins Appear away as the hotkey would", app.wait_pinned("Away"), json.dumps(app.presence()))
    intent = ipc({"op": "snapshot"})[1]["intent"] or {}
    check("the running keeper took it (origin cli)", (intent.get("status"), intent.get("origin")) == ("away", "cli"), json.dumps(intent))

    press("ctrl+alt+shift+2")
    time.sleep(1.5)
    check("no key is grabbed in a Wayland session", app.pinned() == "Away", json.dumps(app.presence()))

    automatic = app.row(view, "automatic")["command"]
    run = subprocess.run(shlex.split(automatic), capture_output=True, text=True, timeout=60)
    back = run.returncode == 0 and wait_until(lambda: app.pinned() is None, 15)
    check(f"the automatic row's command ({automatic.split()[-1]}) clears the pin", back, run.stderr[-2000:])
    check("the open row's command is this app", app.row(view, "open")["command"] == APP)


def main():
    # This desktop is X11; make sure nothing from outside says otherwise.
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        os.environ.pop(name, None)
    marker = os.path.join(SESSION, "openbox-got-it")
    openbox_holds("C-A-S-3", marker)
    # `--reconfigure` returns before openbox grabs the key again: press until it answers.
    held = wait_until(lambda: os.path.exists(marker) or (press("ctrl+alt+shift+3"), time.sleep(0.4))[0], 8)
    check("the window manager holds Ctrl+Alt+Shift+3 before Presently starts", held)

    app = emulator = None
    try:
        app = App("x11")
        x11_session(app)
    except Exception as e:  # a broken step fails the test, with the app's log
        check("the X11 scenario ran to its end", False, f"{type(e).__name__}: {e}")
        if app:
            print(app.read_log()[-4000:])
    finally:
        if app:
            app.stop()

    # The real app (not the demo) in a Wayland session, on the standalone emulator; the CLI run by the command
    # line reads the same settings (here the environment, for a user their settings file) and the same sign-in.
    app = None
    try:
        emulator = Emulator()
        os.environ["PRESENTLY_LOGIN_URL"] = os.environ["PRESENTLY_GRAPH_URL"] = emulator.base
        app = App("wayland", {"XDG_SESSION_TYPE": "wayland"}, base=emulator.base)
        wayland_session(app)
    except Exception as e:
        check("the Wayland scenario ran to its end", False, f"{type(e).__name__}: {e}")
        if app:
            print(app.read_log()[-4000:])
    finally:
        if app:
            app.stop()
        if emulator:
            emulator.stop()

    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
