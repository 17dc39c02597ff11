#!/bin/sh
# harness/deps.sh [--install] -- are memstrat's Debian packages installed?
# Without --install: silent when all are there; otherwise one line naming the
# first missing package and how to get it, and exit 1.  As root (or with
# --install) it installs what is missing instead.
PACKAGES="build-essential g++ pkg-config libbenchmark-dev libjemalloc-dev libmimalloc-dev libgc-dev gnuplot-nox valgrind libxml2-utils"

missing=""
for p in $PACKAGES; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ] && [ "$1" = --install ] && command -v sudo >/dev/null; then
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
