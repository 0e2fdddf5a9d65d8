# The portal's browser tests (tests/LicenseHub.Portal.Tests) drive Debian's Chromium through Playwright;
# Playwright's own browser download is never used.
apt_install chromium
