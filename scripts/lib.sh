# Shared by the scripts in this folder (sourced, not run).

# Tools installed by scripts/setup: cargo's, and npm's wasm-opt (release builds; Debian's
# binaryen breaks the wasm: docs/toolchain.md).
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# A heading, with the time since the script started (CI logs show where the time goes).
section() { printf '\n\033[1m== %s\033[0m  [%dm%02ds]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

# Runs a command as root (directly, or through sudo).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else echo "error: root is needed to run: $*" >&2; return 1
  fi
}

# Installs Debian packages, refreshing the package lists only if the first try fails.
apt_install() {
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends)
  as_root "${apt[@]}" "$@" >/dev/null 2>&1 || { as_root apt-get update -q >/dev/null && as_root "${apt[@]}" "$@" >/dev/null; }
}

# The wasm-bindgen version pinned in Cargo.lock.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}
