// Package e2e holds the demo page's end-to-end tests: Debian's headless
// Chromium, driven by chromedp, against the server of `gebm serve` (package
// www) on a loopback port, with a fresh build of the browser's sampler.
//
// They skip, saying why, when no Chromium is installed, unless the
// environment variable CI is set: in CI a missing browser is a failure.
// Screenshots go to $GEBM_SCREENSHOTS, or out/screenshots at the
// repository's root, with timings.txt (navigation to first samples).
package e2e
