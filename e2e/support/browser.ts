import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium: browsers are never downloaded on these machines (DEPENDENCIES.md). */
export const chromiumPath = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// Runs in every page before its own scripts. A string, because e2e/ is compiled without the DOM library.
const reportViolations = `document.addEventListener('securitypolicyviolation', (event) =>
  window.reportCspViolation(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline code')));`;

/** Problems a page reported that a test should fail on: uncaught errors, console errors, CSP violations. */
export interface PageProblems {
  list: string[];
}

/** A fresh browser profile (no cookies, no localStorage) with a 1280x800 window, and a page in it. */
export async function openPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: PageProblems = { list: [] };
  page.on('pageerror', (error) => problems.list.push(`uncaught: ${error.message}`));
  // A CSP violation that the page's code catches (such as an eval probe) is not logged to the console, so the
  // page reports each one through a binding.
  await page.exposeFunction('reportCspViolation', (what: string) => problems.list.push(`csp: ${what}`));
  await page.addInitScript({ content: reportViolations });
  page.on('console', (message) => {
    const text = message.text();
    // Chromium logs every 4xx answer as an error; 401 (nobody signed in), 400 and 409 (refused input) are expected.
    if (message.type() === 'error' && !/status of (400|401|409)\b/.test(text))
      problems.list.push(`console: ${text}`);
  });
  return { context, page, problems };
}
