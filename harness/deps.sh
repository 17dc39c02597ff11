#!/bin/sh
# harness/deps.sh [--install] [PACKAGE...] -- are memstrat's Debian packages
# installed?  The Makefile passes the backends' packages from its registry.
# Without --install: silent when all are there; otherwise one line naming the
# first missing package and how to get it, and exit 1.  As root (or with
# --install) it installs what is missing instead.
INSTALL=""
[ "$1" = --install ] && { INSTALL=1; shift; }
PACKAGES="build-essential g++ pkg-config libbenchmark-dev libgc-dev gnuplot-nox valgrind libxml2-utils $*"

missing=""
for p in $PACKAGES; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ] && [ -n "$INSTALL" ] && command -v sudo >/dev/null; then
    SUDO=sudo
fi
if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    echo "memstrat: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq --no-install-recommends $missing >&2 && exit 0
    echo "memstrat: apt-get install$missing failed" >&2
    exit 1
fi
first=${missing# }; first=${first%% *}
echo "memstrat: missing package $first: run 'sudo make deps' (or: sudo apt-get install$missing)" >&2
exit 1
