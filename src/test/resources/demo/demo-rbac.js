// Drives Debian's Chromium with playwright-core through the demo's RBAC-gated app and whoami:
//   rbac-allowed  alice signs in at /rbac/ and the cluster lets her in
//   whoami        what the cluster sees of alice (SelfSubjectReview)
//   rbac-denied   after signing out, bob signs in at /rbac/ and gets the 403 page through nginx
// Arguments: demo URL, screenshot directory, chromium path, fresh user-data dir.
// Prints one JSON line per page: {name, status, url, text}.
const { launch } = require('./browser');

(async () => {
  const [url, shots, executablePath, userDataDir] = process.argv.slice(2);
  const context = await launch(executablePath, userDataDir);
  const show = async (page, name, status) => {
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    console.log(JSON.stringify({ name, status, url: page.url(), text: await page.innerText('body') }));
  };
  const signIn = async (page, path, user) => {
    await page.goto(url + path, { timeout: 30000 });
    await page.fill('input[name=username]', user, { timeout: 30000 });
    const back = page.waitForResponse((r) => r.url() === url + path, { timeout: 30000 });
    await page.click('input[type=submit]');
    const response = await back;
    await page.waitForSelector('h1', { timeout: 30000 });
    return response.status();
  };
  try {
    const page = context.pages()[0] || await context.newPage();
    await show(page, 'rbac-allowed', await signIn(page, '/rbac/', 'alice'));
    const whoami = await page.goto(`${url}/oauth2/whoami`, { timeout: 30000 });
    await show(page, 'whoami', whoami.status());
    await page.goto(`${url}/oauth2/sign_out?rd=/`, { timeout: 30000 });
    await show(page, 'rbac-denied', await signIn(page, '/rbac/', 'bob'));
  } finally {
    await context.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
