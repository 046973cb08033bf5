# Shared by the root scripts. pnpm is not assumed to be installed: it is fetched through npx
# at the version package.json pins, so only Node and npm are needed.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")

pnpm() { npx --yes "pnpm@$pnpm_version" "$@"; }

log() { printf '[pinzhi] %s\n' "$*"; }

check_node() {
  node -e '
    const [maj, min] = process.versions.node.split(".").map(Number);
    if (maj < 20 || (maj === 20 && min < 19)) {
      console.error(`[pinzhi] Node ${process.versions.node} is too old: pinzhi needs Node >= 20.19`);
      process.exit(1);
    }'
}

install_and_build() {
  check_node
  log "installing dependencies (pnpm $pnpm_version)"
  if [ "${CI:-}" = true ]; then pnpm install --frozen-lockfile; else pnpm install; fi
  log "building contracts and packages"
  pnpm run build
}

# The portal's browser tests drive Debian's Chromium through playwright-core. Installs it when
# missing (as root, or with password-less sudo) and exports PINZHI_CHROMIUM for the tests.
ensure_chromium() {
  local bin
  bin=$(command -v chromium || command -v chromium-browser || true)
  # The fonts make the screenshots readable (CJK text); the tests do not depend on them.
  if [ -z "$bin" ] || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then
    local sudo=''
    if [ "$(id -u)" != 0 ]; then
      if sudo -n true 2>/dev/null; then sudo='sudo -n'; elif [ -n "$bin" ]; then
        export PINZHI_CHROMIUM="$bin"
        return 0
      else
        log "chromium is missing and cannot be installed without root: the browser tests will fail (apt-get install chromium)"
        return 0
      fi
    fi
    log "installing chromium and CJK fonts (Debian packages) for the browser tests"
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium fonts-noto-cjk >/dev/null; then
      $sudo apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium fonts-noto-cjk >/dev/null
    fi
    bin=$(command -v chromium || command -v chromium-browser)
  fi
  export PINZHI_CHROMIUM="$bin"
}
