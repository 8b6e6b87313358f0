#!/usr/bin/env bash
# Installs the Debian packages the end-to-end test needs, only when they are missing:
#   docker-registry  the Docker Registry HTTP API v2 server (distribution), run on 127.0.0.1
#   skopeo           pushes the OCI layouts the test writes to that registry
#   apache2-utils    htpasswd, for the bcrypt password file of the Basic-auth registry test
#   openssl          the key and certificate of the token-auth registry test, and its tokens' signatures
# Runs apt-get as root, or through sudo when not root and sudo exists; otherwise it fails with
# a message saying what to install. Nothing else is installed globally.
set -euo pipefail

packages=()
command -v docker-registry >/dev/null 2>&1 || packages+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || packages+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || packages+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
[ ${#packages[@]} -eq 0 ] && exit 0

fail() {
	echo "e2e-test: $1" >&2
	echo "e2e-test: install the Debian packages ${packages[*]} (apt-get install docker-registry skopeo apache2-utils openssl) and run again" >&2
	exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available to install ${packages[*]}"
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	fail "not root and no password-less sudo to install ${packages[*]}"
fi

echo "e2e-test: installing ${packages[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be empty or old: update them once, then install.
# The test never uses the package's own service or /etc/docker/registry/config.yml: it starts
# its own registry on 127.0.0.1 with a config and storage in a temporary folder.
"${as_root[@]}" apt-get update -qq || fail "apt-get update failed"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null ||
	fail "apt-get install ${packages[*]} failed"
for tool in docker-registry skopeo htpasswd openssl; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is still missing after apt-get install"
done
