# Shared helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }
