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
