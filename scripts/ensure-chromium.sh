#!/bin/sh
# The browser tests drive a real headless Chromium. Find one, or install Debian's package
# when running as root on a Debian-like system; otherwise say how to get one.
for exe in "$GEOPOTENTIAL_CHROMIUM" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$exe" ] && [ -x "$exe" ]; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || {
    echo "could not install chromium with apt-get; the browser tests will fail" >&2; exit 0; }
  exit 0
fi
echo "no headless Chromium found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set GEOPOTENTIAL_CHROMIUM; the browser tests will fail without it" >&2
exit 0
