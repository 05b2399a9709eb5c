#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
#   fonts-noto-core                   Noto Sans: PDF font (Typst reads it from font_paths) and the site's self-hosted web font
#   fonts-dejavu-core                 DejaVu Sans: PDF fallback for the symbols Noto Sans lacks (−, ✓)
#   poppler-utils                     pdftotext / pdftoppm, used by the PDF tests
#   chromium                          the browser tests (Playwright drives Debian's build)
#   nodejs npm                        only when npm is missing: axe-core for the accessibility tests
set -e
PACKAGES="fonts-noto-core fonts-dejavu-core poppler-utils chromium"
missing=""
command -v npm >/dev/null || missing=" nodejs npm"
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "system-deps: installing$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "system-deps: run as root: apt-get update && apt-get install -y$missing" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
