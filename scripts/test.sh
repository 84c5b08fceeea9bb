#!/usr/bin/env bash
# Installs what the tests need when it is missing, then runs the whole build with every test.
#
#   ./scripts/test.sh              mvn -B verify
#   ./scripts/test.sh -o -pl core/server -am    extra arguments go to Maven
#
# The integration tests start real servers on 127.0.0.1 (Prosody, ngircd; see
# /work/shared/design/TEST-SERVERS.md in the design notes). Installing needs root or sudo.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" || -x "/usr/bin/$1" ]]; }

packages=()
have java && have javac || packages+=(openjdk-17-jdk-headless)
have mvn || packages+=(maven)
have prosody || packages+=(prosody)
have ngircd || packages+=(ngircd)
# the store's tests also run on a throwaway PostgreSQL cluster (initdb/postgres from Debian's layout)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || packages+=(postgresql)
# the Soulseek interop test drives the npm package slsk-client (installed by the test itself)
have node && have npm || packages+=(nodejs npm)
# the IRC TLS test makes a throwaway certificate
have openssl || packages+=(openssl)

if ((${#packages[@]})); then
    if [[ "$(id -u)" -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "test.sh: need root or sudo to install: ${packages[*]}" >&2
        exit 1
    fi
    echo "test.sh: installing ${packages[*]}" >&2
    "${as_root[@]}" apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
fi

# Node packages some tests drive as independent peers (e.g. slsk-client), when declared.
if [[ -f tests/package.json && ! -d tests/node_modules ]]; then
    (cd tests && npm install --no-audit --no-fund)
fi

exec mvn -B verify "$@"
