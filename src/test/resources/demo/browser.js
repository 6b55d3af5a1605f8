// Debian's Chromium, headless, through playwright-core: the one way the browser tests start it.
const { chromium } = require('playwright-core');

exports.launch = (executablePath, userDataDir) => chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  ignoreHTTPSErrors: true, // the stand-in for Entra serves its own self-signed certificate
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
