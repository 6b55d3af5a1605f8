// Drives Debian's Chromium with playwright-core through the demo: the stand-in's login page, then the demo app.
// Arguments: demo URL, screenshot path, chromium path, fresh user-data dir. Prints {url, text} of the final page.
const { launch } = require('./browser');

(async () => {
  const [url, shot, executablePath, userDataDir] = process.argv.slice(2);
  const context = await launch(executablePath, userDataDir);
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
