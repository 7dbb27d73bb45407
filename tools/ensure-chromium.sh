#!/bin/sh
# Make sure Debian's chromium is installed for the headless-browser tests of the HTML report
# (tests/test_html_report.py skips them without it). Installs only when missing and we are root;
# otherwise says what to do and exits 0, so CI without root still runs the other tests.
set -eu

if command -v chromium >/dev/null 2>&1; then
    echo "chromium: $(chromium --version 2>/dev/null || echo installed)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "chromium is missing and we are not root: the browser tests will skip (apt-get install chromium)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and there is no apt-get: the browser tests will skip"
    exit 0
fi
echo "installing chromium (Debian package)"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "chromium: $(chromium --version 2>/dev/null || echo installed)"
