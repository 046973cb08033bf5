#!/usr/bin/env bash
# `pnpm` for package.json scripts on a machine with only Node and npm: the version package.json
# pins, fetched through npx (lib.sh). Runs from the repository root.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pnpm "$@"
