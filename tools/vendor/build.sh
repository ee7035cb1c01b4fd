#!/usr/bin/env bash
# Rebuild the vendored front-end files from npm at the versions pinned in tools/vendor/package.json (and its
# package-lock.json). Running Labtorget never needs Node: the copies below are committed.
#
#   tools/vendor/build.sh            # npm ci, then copy into static/vendor and tests/browser/vendor
#
# To move to a new version: change package.json, run `npm install --package-lock-only` here, then this script,
# and commit the lock file and the copies together.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)

ds="$work/node_modules/@digdir/designsystemet-css"
ds_version="$(node -p "require('$ds/package.json').version")"
target="$root/static/vendor/designsystemet"
rm -rf "$target" && mkdir -p "$target"
cp "$ds/dist/src/index.css" "$target/designsystemet.css"          # every component, one file
cp "$ds/dist/theme/designsystemet.css" "$target/theme.css"         # the default theme (colours, type, sizes)
cp "$ds/LICENSE" "$target/LICENSE"
printf '@digdir/designsystemet-css %s (npm), built files; see tools/vendor/build.sh\n' "$ds_version" >"$target/VERSION"

chart="$work/node_modules/chart.js"
chart_version="$(node -p "require('$chart/package.json').version")"
target="$root/static/vendor/chartjs"
rm -rf "$target" && mkdir -p "$target"
# The statistics page's charts (no CDN). Without its source-map comment: the map is not shipped, and collectstatic's
# manifest storage refuses a file that points to a missing one.
sed '/^\/\/# sourceMappingURL=/d' "$chart/dist/chart.umd.min.js" >"$target/chart.umd.min.js"
cp "$chart/LICENSE.md" "$target/LICENSE.md"
printf 'chart.js %s (npm), built files; see tools/vendor/build.sh\n' "$chart_version" >"$target/VERSION"

axe="$work/node_modules/axe-core"
axe_version="$(node -p "require('$axe/package.json').version")"
target="$root/tests/browser/vendor"
mkdir -p "$target"
cp "$axe/axe.min.js" "$target/axe.min.js"
cp "$axe/LICENSE" "$target/axe-core.LICENSE"
printf 'axe-core %s (npm); see tools/vendor/build.sh\n' "$axe_version" >"$target/axe-core.VERSION"
echo "vendored @digdir/designsystemet-css $ds_version, chart.js $chart_version and axe-core $axe_version"
