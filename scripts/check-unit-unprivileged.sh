#!/usr/bin/env bash
# make check-unit as an unprivileged user (nobody) on a fresh copy of the
# tracked tree: the pure tests must need no root, no apt and no build
# products of a privileged run. Run as root (it drops to nobody itself).
set -euo pipefail
cd "$(dirname "$0")/.."

user=${CHECK_UNIT_USER:-nobody}
copy=$(mktemp -d /tmp/bpfsdt-unit.XXXXXX)
trap 'rm -rf "$copy"' EXIT

git ls-files -z | xargs -0 cp --parents -t "$copy"
chown -R "$user": "$copy"
chmod 755 "$copy"
cd "$copy"
setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups \
	env -i PATH="$PATH" HOME="$copy" make -j"$(nproc)" check-unit
