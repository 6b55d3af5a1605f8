// Drives Debian's Chromium with playwright-core to every error page a person can meet, through nginx:
//   forbidden   a profile whose rules refuse the user (the auth subrequest answers 403)
//   unavailable a profile whose RBAC check cannot be answered (503 from the auth subrequest, 500 from nginx)
//   aadsts50105 Entra answering the sign-in with access_denied / AADSTS50105 (the user is not assigned to the app)
//   callback    a callback this browser never started
// Arguments: base URL, screenshot directory, chromium path, fresh user-data dir.
// Prints one JSON line per page: {name, status, url, text, signInHref}.
const { launch } = require('./browser');

(async () => {
  const [base, shots, executablePath, userDataDir] = process.argv.slice(2);
  const context = await launch(executablePath, userDataDir);
  const show = async (page, name, response) => {
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    const signIn = await page.$('a.action:text-is("Sign in again")');
    console.log(JSON.stringify({
      name,
      status: response ? response.status() : null,
      url: page.url(),
      text: await page.innerText('body'),
      signInHref: signIn ? await signIn.getAttribute('href') : null,
    }));
  };
  try {
    const page = context.pages()[0] || await context.newPage();
    // The stand-in signs the browser in without a form; the app behind nginx then shows who it is.
    await page.goto(`${base}/app`, { timeout: 30000 });
    await page.waitForSelector('#signed-in', { timeout: 30000 });

    await show(page, 'forbidden', await page.goto(`${base}/locked/report?week=12`, { timeout: 30000 }));
    await show(page, 'unavailable', await page.goto(`${base}/flaky/board`, { timeout: 30000 }));

    // Entra refusing the sign-in: its answer to the authorize request is a redirect back with an error. The
    // authorize request is reached by a redirect, which playwright does not intercept, so /oauth2/start's own
    // answer (with its sign-in cookie) is fetched and its Location swapped for Entra's refusal.
    await page.route(/\/oauth2\/start/, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const state = new URL(response.headers()['location']).searchParams.get('state');
      await route.fulfill({
        response,
        headers: {
          ...response.headers(),
          location: `${base}/oauth2/callback?error=access_denied&state=${state}&error_description=`
            + encodeURIComponent('AADSTS50105: The signed in user is not assigned to a role for the application.'),
        },
      });
    });
    await show(page, 'aadsts50105', await page.goto(`${base}/oauth2/start?rd=${encodeURIComponent('/reports?year=2026')}`,
      { timeout: 30000 }));
    await page.unroute(/\/oauth2\/start/);

    await show(page, 'callback', await page.goto(`${base}/oauth2/callback?code=made-up&state=${'A'.repeat(43)}`, { timeout: 30000 }));
  } finally {
    await context.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
