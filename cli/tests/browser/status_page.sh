#!/usr/bin/env bash
# The status page in a real browser (`make status-page-test`, part of `make test`): the demo's
# week of releases ends with `relman status --html`; headless Chromium from Debian loads that
# page from disk, and the DOM it builds (--dump-dom) must hold the environments x services
# matrix and each environment's release timeline; one screenshot is taken and checked not to be
# blank. Chromium is installed with apt-get (as root, or with password-less sudo) when missing.
# Usage: status_page.sh PYTHON (the project venv's, with the wheel installed)
set -euo pipefail
python=${1:?usage: status_page.sh PYTHON}
cd "$(dirname "$0")/../../.."
out=target/status-page
rm -rf "$out" && mkdir -p "$out"

browser=""
for name in chromium chromium-browser; do
	command -v "$name" >/dev/null 2>&1 && browser=$name && break
done
if [ -z "$browser" ]; then
	command -v apt-get >/dev/null 2>&1 || { echo "status-page-test: install Debian's chromium (apt-get is not available)" >&2; exit 1; }
	if [ "$(id -u)" -eq 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
		echo "status-page-test: not root and no password-less sudo: apt-get install chromium, then run again" >&2; exit 1
	fi
	echo "status-page-test: installing chromium with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	"${as_root[@]}" apt-get update -qq
	"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
	browser=chromium
fi

"$python" examples/demo.py --color never --html "$out/status.html" >"$out/demo.txt"
grep -q "status page: $PWD/$out/status.html" "$out/demo.txt"
page="file://$PWD/$out/status.html"
# A throwaway profile; no network is needed (the page has no external asset).
flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$PWD/$out/profile" --virtual-time-budget=2000)
timeout 120 "$browser" "${flags[@]}" --dump-dom "$page" >"$out/dom.html" 2>"$out/chromium.log"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,1100 --screenshot="$PWD/$out/status.png" "$page" >>"$out/chromium.log" 2>&1
"$python" cli/tests/browser/check_dom.py "$out/dom.html" "$out/status.png"
echo "status page rendered by $("$browser" --version 2>/dev/null | head -1): $out/status.png"
