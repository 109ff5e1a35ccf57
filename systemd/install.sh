#!/usr/bin/env bash
# Install the kiosk on a fresh Raspberry Pi OS (Bookworm, 64-bit), or re-install it: safe to run
# again, it changes only what differs. Run from the project's source tree, as root:
#
#   sudo systemd/install.sh --bundle DIR --keys DIR [--config FILE]
#
#   --bundle DIR   a signed release bundle (kiosk-central release build + release sign)
#   --keys DIR     the release public keys (*.pub) to pin in /etc/kiosk/release-keys
#   --config FILE  the site settings, installed as /etc/kiosk/kiosk.toml if there is none yet
#
# For tests and image builds:
#   --prefix DIR        install below DIR instead of /
#   --no-system         no user, ownership, apt, udev or systemctl changes
#   --python PATH       the Python that makes the venv (default: python3)
#   --extra-site DIR    add DIR to the venv's path (a dev venv's packages; tests only)
#
# Steps: user and groups → directories → pinned keys → site config → venv in
# /opt/kiosk/releases/VERSION from the bundle's wheels (pip --no-index) → signature and SHA-256
# check of the bundle by the installed code → kiosk selftest → `current` switched atomically →
# units, udev rule, tmpfiles → units enabled and (re)started.
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE=$(dirname "$HERE")
BUNDLE="" KEYS="" CONFIG="" PREFIX="" SYSTEM=1 PYTHON=python3 EXTRA_SITE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) BUNDLE=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --config) CONFIG=$2; shift 2 ;;
    --prefix) PREFIX=${2%/}; shift 2 ;;
    --no-system) SYSTEM=0; shift ;;
    --python) PYTHON=$2; shift 2 ;;
    --extra-site) EXTRA_SITE=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ -n "$BUNDLE" ] || die "--bundle DIR is required"
[ -n "$KEYS" ] || die "--keys DIR is required"
[ -f "$BUNDLE/manifest.json" ] && [ -f "$BUNDLE/signature.json" ] \
  || die "$BUNDLE is not a signed bundle (manifest.json and signature.json expected)"
compgen -G "$KEYS/*.pub" >/dev/null || die "$KEYS has no public keys (*.pub)"
if [ "$SYSTEM" = 1 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo)"; fi

OPT=$PREFIX/opt/kiosk ETC=$PREFIX/etc/kiosk STATE=$PREFIX/var/lib/kiosk
VERSION=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$BUNDLE/manifest.json")
RELEASE=$OPT/releases/$VERSION
as_root() { if [ "$SYSTEM" = 1 ]; then "$@"; fi; }

if [ "$SYSTEM" = 1 ]; then
  say "packages"
  "$PYTHON" -c 'import ensurepip' 2>/dev/null || { apt-get update -qq; apt-get install -y -qq python3-venv; }
  say "user kiosk"
  id kiosk >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/kiosk \
    --no-create-home --shell /usr/sbin/nologin kiosk
  for group in video render input dialout; do
    getent group "$group" >/dev/null && usermod -a -G "$group" kiosk
  done
fi

say "directories"
install -d -m 0755 "$OPT" "$OPT/releases" "$ETC" "$ETC/release-keys"
install -d -m 0750 "$OPT/downloads" "$STATE" "$STATE/backups"
as_root chown kiosk:kiosk "$OPT" "$OPT/releases" "$OPT/downloads" "$STATE" "$STATE/backups"

say "pinned release keys"
for key in "$KEYS"/*.pub; do install -m 0644 "$key" "$ETC/release-keys/"; done

if [ -n "$CONFIG" ]; then
  if [ -e "$ETC/kiosk.toml" ]; then
    say "site config: keeping the existing $ETC/kiosk.toml"
  else
    say "site config"
    install -m 0640 "$CONFIG" "$ETC/kiosk.toml"
    as_root chgrp kiosk "$ETC/kiosk.toml"
  fi
fi

if [ -f "$RELEASE/release.json" ] && [ -x "$RELEASE/venv/bin/kiosk" ]; then
  say "release $VERSION already installed"
else
  say "release $VERSION into $RELEASE"
  rm -rf "$RELEASE"
  # A Python that has pip installs into a bare venv (quick); Debian's python3 has none, so its
  # venv gets pip from ensurepip. Either way every wheel comes from the bundle, none from an index.
  if "$PYTHON" -m pip --version >/dev/null 2>&1; then
    "$PYTHON" -m venv --without-pip "$RELEASE/venv"
    PIP=("$PYTHON" -m pip --python "$RELEASE/venv/bin/python")
  else
    "$PYTHON" -m venv "$RELEASE/venv"
    PIP=("$RELEASE/venv/bin/python" -m pip)
  fi
  if [ -n "$EXTRA_SITE" ]; then
    echo "$EXTRA_SITE" > "$(echo "$RELEASE"/venv/lib/python3*/site-packages)/zz_kiosk_extra_site.pth"
  fi
  "${PIP[@]}" install --quiet --no-index --no-deps --disable-pip-version-check "$BUNDLE"/*.whl
  if ! "$RELEASE/venv/bin/kiosk" update verify "$BUNDLE" --keys "$ETC/release-keys" >/dev/null; then
    rm -rf "$RELEASE"
    die "the bundle does not verify against the pinned keys; nothing installed"
  fi
  "$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1]+"/manifest.json")); s=json.load(open(sys.argv[1]+"/signature.json")); json.dump({"manifest": m, **s}, open(sys.argv[2], "w"), indent=1)' \
    "$BUNDLE" "$RELEASE/release.json"
fi

say "self-test"
KIOSK_STATE_DIR=$STATE KIOSK_CONFIG=$([ -e "$ETC/kiosk.toml" ] && echo "$ETC/kiosk.toml") \
  "$RELEASE/venv/bin/kiosk" selftest >/dev/null || {
    KIOSK_STATE_DIR=$STATE "$RELEASE/venv/bin/kiosk" selftest | grep FAIL >&2 || true
    die "self-test of $VERSION failed; current release left as it was"
  }

say "current -> releases/$VERSION"
old=$(readlink "$OPT/current" 2>/dev/null || true)
if [ "$old" != "releases/$VERSION" ]; then
  if [ -n "$old" ]; then ln -sfn "$old" "$OPT/.previous.new" && mv -T "$OPT/.previous.new" "$OPT/previous"; fi
  ln -sfn "releases/$VERSION" "$OPT/.current.new" && mv -T "$OPT/.current.new" "$OPT/current"
fi
as_root chown -R kiosk:kiosk "$OPT/releases/$VERSION"
as_root chown -h kiosk:kiosk "$OPT/current"

say "units, udev rule, tmpfiles"
install -d "$PREFIX/etc/systemd/system" "$PREFIX/etc/udev/rules.d" "$PREFIX/usr/lib/tmpfiles.d" \
  "$PREFIX/usr/share/doc/kiosk"
for unit in kiosk.service kiosk-agent.service kiosk-rollback.service; do
  install -m 0644 "$HERE/$unit" "$PREFIX/etc/systemd/system/$unit"
done
install -m 0644 "$HERE/99-kiosk-printer.rules" "$PREFIX/etc/udev/rules.d/99-kiosk-printer.rules"
install -m 0644 "$HERE/kiosk.tmpfiles.conf" "$PREFIX/usr/lib/tmpfiles.d/kiosk.conf"
if [ -f "$SOURCE/docs/operations.md" ]; then
  install -m 0644 "$SOURCE/docs/operations.md" "$PREFIX/usr/share/doc/kiosk/operations.md"
fi

if [ "$SYSTEM" = 1 ]; then
  say "systemd"
  systemd-tmpfiles --create /usr/lib/tmpfiles.d/kiosk.conf
  udevadm control --reload
  udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc
  systemctl daemon-reload
  systemctl enable kiosk.service kiosk-agent.service
  systemctl restart kiosk-agent.service kiosk.service
fi
say "kiosk $VERSION installed. Next: enrol it with the central server (docs/operations.md)."
