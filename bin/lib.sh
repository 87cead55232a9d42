# Shared by bin/run, bin/test and .ci/run: find a Python >= 3.12, keep .venv in step
# with pyproject.toml, and install the system packages the tests need.
# Sourced, not executed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

python_ok() {
    # Django 6.1 needs 3.12 or newer; a pyenv shim that is not selected fails here too.
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}

find_python() {
    local candidate
    if [ -n "${PYTHON:-}" ]; then
        python_ok "$PYTHON" || die "PYTHON=$PYTHON is not Python 3.12 or newer"
        echo "$PYTHON"; return
    fi
    # Interpreters installed beside the default one (pyenv), newest first, without
    # hard-coding a patch version.
    local pyenv_root="${PYENV_ROOT:-}"
    if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
        pyenv_root="$(pyenv root)"
    fi
    [ -n "$pyenv_root" ] || pyenv_root="$HOME/.pyenv"
    for candidate in $(ls -d "$pyenv_root"/versions/3.*/bin/python3 2>/dev/null | sort -V -r); do
        if python_ok "$candidate"; then echo "$candidate"; return; fi
    done
    for candidate in python3.14 python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$(command -v "$candidate")"; then
            command -v "$candidate"; return
        fi
    done
    die "Python 3.12 or newer is needed (Django 6.1). Install one, for example
  Debian 13:  apt-get install -y python3 python3-venv
  pyenv:      pyenv install 3.13
then run this command again (or point PYTHON=/path/to/python3.12+ at it)."
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else return 1
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    say "Installing Debian packages: $*"
    if [ -z "${APT_UPDATED:-}" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ensure_venv [extra]: create .venv and install the project's dependencies (plus the
# optional group, e.g. "test"), again only when pyproject.toml has changed.
ensure_venv() {
    local extra="${1:-}"
    local spec="."; [ -n "$extra" ] && spec=".[$extra]"
    if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
        local py; py="$(find_python)"
        say "Creating .venv with $("$py" --version 2>&1) ($py)"
        rm -rf "$VENV"
        "$py" -m venv "$VENV" || die "could not create a virtual environment; on Debian: apt-get install -y python3-venv"
    fi
    local stamp="$VENV/.installed-${extra:-base}"
    local want; want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "Installing Python dependencies ($spec)"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
        (cd "$ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$spec") \
            || die "pip install failed"
        echo "$want" > "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
    PY="$VENV/bin/python"
}

# The browser tests drive Debian's Chromium; Playwright's own download is not used.
ensure_chromium() {
    if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then return 0; fi
    apt_install chromium || say "Chromium could not be installed: browser tests will be skipped"
}

# The accessibility and HTML tests: axe-core and the Nu HTML checker (vnu.jar) from npm, at the
# versions of package-lock.json, into node_modules/ (again only when the lock file changes),
# and Java to run the checker. The packages' install scripts are not run: vnu-jar's would
# download a Java of its own. Where a tool cannot be had, the tests that need it say so.
ensure_test_tools() {
    # xgettext, for the test that the catalogues hold every string the code marks.
    if ! command -v xgettext >/dev/null 2>&1; then
        apt_install gettext || say "gettext could not be installed: the catalogue test will be skipped"
    fi
    if ! command -v java >/dev/null 2>&1; then
        apt_install default-jre-headless \
            || say "Java could not be installed: HTML validation tests will be skipped"
    fi
    local stamp="$ROOT/node_modules/.installed"
    local want; want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    if ! command -v npm >/dev/null 2>&1; then
        apt_install npm || { say "npm could not be installed: accessibility and HTML tests will be skipped"; return 0; }
    fi
    say "Installing test tools from package-lock.json (axe-core, vnu-jar)"
    if (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
        echo "$want" > "$stamp"
    else
        say "npm ci failed: accessibility and HTML tests will be skipped"
    fi
}

# ensure_postgres: make sure a PostgreSQL server answers on 127.0.0.1:5432, installing and
# starting Debian's where none does. Prints the URL to use; returns 1 when impossible.
ensure_postgres() {
    local url="${CI_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/directory}"
    if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "$url"; return 0
    fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install postgresql >&2 || return 1
    fi
    local version
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    if [ ! -d "/etc/postgresql/$version/main" ]; then
        as_root pg_createcluster "$version" main >&2 || return 1
    fi
    # A throwaway CI cluster: durability traded for speed. Never do this in production.
    as_root sh -c "printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' \
        > /etc/postgresql/$version/main/conf.d/ci-speed.conf"
    say "Starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    local tries=0
    until pg_isready -q -h 127.0.0.1 -p 5432; do
        tries=$((tries + 1)); [ "$tries" -gt 30 ] && return 1; sleep 1
    done
    as_root runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >&2 || return 1
    echo "$url"
}
