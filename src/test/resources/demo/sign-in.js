// Drives Debian's Chromium with playwright-core through the demo: the stand-in's login page, then the demo app.
// Arguments: demo URL, screenshot path, chromium path, fresh user-data dir. Prints {url, text} of the final page.
const { chromium } = require('playwright-core');

(async () => {
  const [url, shot, executablePath, userDataDir] = process.argv.slice(2);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    ignoreHTTPSErrors: true, // the stand-in for Entra serves its own self-signed certificate
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(url + '/team/board?view=mine', { timeout: 30000 });
    await page.fill('input[name=username]', 'Dana Newcomer', { timeout: 30000 });
    await page.click('input[type=submit]');
    await page.waitForSelector('#signed-in', { timeout: 30000 });
    await page.screenshot({ path: shot, fullPage: true });
    console.log(JSON.stringify({ url: page.url(), text: await page.innerText('body') }));
  } finally {
    await context.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
