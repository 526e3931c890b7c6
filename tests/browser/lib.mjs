// The harness of the browser tests (run.mjs has the tests themselves): a tiny test runner,
// the lesson servers, and Chromium driven by playwright-core.
//
// Everything here is bounded: every test has its own timeout, every Playwright action and
// navigation has a default timeout, starting a server waits a few seconds at most, and the
// whole run has a deadline. Servers listen on 127.0.0.1 only, on ports the OS picks (port 0):
// each prints "Serving HTTP on 127.0.0.1 port N (...)" first, and we read N from that line.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The top of the workbench. */
export const ROOT = resolve(here, '..', '..');
/** Where the lesson binaries are (scripts/browser-tests.sh builds them there). */
export const BIN_DIR = process.env.LESSON_BIN_DIR ?? join(ROOT, 'target', 'debug');
/** Where the screenshots go: an artifact of every run. */
export const SHOTS_DIR = process.env.SCREENSHOT_DIR ?? join(ROOT, 'target', 'browser-screenshots');
/** Debian's chromium package; playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const ACTION_TIMEOUT_MS = 10_000; // a click, a fill, reading text, a screenshot
const NAVIGATION_TIMEOUT_MS = 15_000; // a page load
const SERVER_START_MS = 10_000; // from spawn to the "Serving ... port N" line
const CLEANUP_STEP_MS = 10_000; // closing one browser context or stopping one server
const RUN_DEADLINE_MS = Number(process.env.BROWSER_TESTS_DEADLINE_MS ?? 300_000); // all of it

// ---------------------------------------------------------------------------------------
// Chromium

let playwright;
try {
  playwright = await import('playwright-core');
} catch (error) {
  console.error(`cannot load playwright-core (${error.message}).`);
  console.error('Install it with `npm ci` in tests/browser, or run scripts/browser-tests.sh.');
  process.exit(2);
}

export const playwrightVersion = JSON.parse(
  readFileSync(join(here, 'node_modules', 'playwright-core', 'package.json'), 'utf8'),
).version;

/**
 * Starts headless Chromium. `extraArgs` are more command-line switches, such as
 * `--ignore-certificate-errors-spki-list=...` for the HTTPS test.
 */
export async function launchChromium(extraArgs = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
  }
  const args = [
    // Chromium's sandbox refuses to run as root; as any other user it stays on.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    // Containers often have a small /dev/shm; Chromium then uses /tmp instead.
    '--disable-dev-shm-usage',
    ...extraArgs,
  ];
  return playwright.chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.argv.includes('--headed'),
    args,
    timeout: 30_000,
    // This harness stops everything itself on Ctrl-C (see the end of this file).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/**
 * Runs `action` (a click, a submit) and waits until the main frame has navigated to the
 * page it leads to and that page has loaded. Returns the final response (after redirects).
 */
export async function navigateBy(page, action) {
  const isFinalMainFrameResponse = (response) =>
    response.request().isNavigationRequest() &&
    response.frame() === page.mainFrame() &&
    !(response.status() >= 300 && response.status() < 400);
  const [response] = await Promise.all([
    page.waitForEvent('response', { predicate: isFinalMainFrameResponse, timeout: NAVIGATION_TIMEOUT_MS }),
    page.waitForEvent('framenavigated', {
      predicate: (frame) => frame === page.mainFrame(),
      timeout: NAVIGATION_TIMEOUT_MS,
    }),
    action(),
  ]);
  await page.waitForLoadState('load', { timeout: NAVIGATION_TIMEOUT_MS });
  return response;
}

/** The text the page shows (for a text/plain answer: the text itself), trimmed. */
export async function pageText(page) {
  return (await page.locator('body').innerText({ timeout: ACTION_TIMEOUT_MS })).trim();
}

// ---------------------------------------------------------------------------------------
// Lesson servers

const children = new Set(); // the servers still running
const tempDirs = new Set(); // the temporary folders not yet removed

/**
 * Starts target/debug/NAME with `args` (pass port 0) and waits for its
 * "Serving HTTP(S) on 127.0.0.1 port N" line. The server is stopped when the test ends.
 */
async function startServer(t, name, args, { scheme = 'http', cwd = ROOT } = {}) {
  const binary = join(BIN_DIR, name);
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it with \`cargo build -p ${name}\``);
  }
  const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const waiters = new Set();
  const onData = (text) => {
    if (output.length < 64 * 1024) output += text;
    for (const check of waiters) check();
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', onData);
  }
  let running = true;
  let how = 'running';
  const exited = new Promise((resolveExit) => {
    const ended = (result) => {
      running = false;
      how = result.signal ? `stopped by ${result.signal}` : `exited with status ${result.code}`;
      children.delete(child);
      resolveExit(result);
      for (const check of waiters) check();
    };
    child.on('exit', (code, signal) => ended({ code, signal }));
    child.on('error', (error) => {
      output += `\n(cannot start ${binary}: ${error.message})`;
      ended({ code: null, signal: null });
    });
  });

  /** Waits (bounded) until the server has printed a line matching `pattern`. */
  const waitForOutput = (pattern, ms = SERVER_START_MS) =>
    new Promise((resolveWait, rejectWait) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) return done(() => resolveWait(match));
        if (!running) done(() => rejectWait(new Error(`${name} exited before printing ${pattern}:\n${output}`)));
      };
      const timer = setTimeout(
        () => done(() => rejectWait(new Error(`${name} printed no ${pattern} within ${ms} ms:\n${output}`))),
        ms,
      );
      const done = (settle) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  t.defer(async () => {
    if (!running) return;
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  // What each server printed, and whether it still runs, is shown when its test fails.
  t.servers.push({ name, output: () => output, state: () => how });

  const label = scheme === 'https' ? 'HTTPS' : 'HTTP';
  const [, port] = await waitForOutput(new RegExp(`Serving ${label} on 127\\.0\\.0\\.1 port (\\d+)`));
  const url = `${scheme}://127.0.0.1:${port}`;
  t.log(`${name} ${args.join(' ')}: ${url}/`);
  return { name, port: Number(port), url, waitForOutput, output: () => output };
}

// Whatever ends this process, no server outlives it, and no temporary folder either.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the servers and the browser`);
    process.exit(code); // the 'exit' handlers here and in playwright-core kill what is left
  });
}

// ---------------------------------------------------------------------------------------
// The runner

const tests = [];

/** Declares a test: `test(name, { timeout }, async (t) => { ... })`. */
export function test(name, options, fn) {
  tests.push({ name, timeout: options.timeout ?? 45_000, fn });
}

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

/** What a test gets: fresh browser contexts, servers, temporary folders and screenshots. */
class TestContext {
  constructor(name, browser, ordinal) {
    this.name = name;
    this.browser = browser;
    // "03-lesson04": the test's place in run.mjs, then the lesson, so files sort by test.
    this.prefix = `${String(ordinal).padStart(2, '0')}-${slug(name.split(':')[0])}`;
    this.cleanups = [];
    this.pages = [];
    this.shots = [];
    this.lines = [];
    this.servers = [];
  }

  /** Runs `fn` when the test ends, pass or fail (last deferred, first run). */
  defer(fn) {
    this.cleanups.push(fn);
  }

  /** Prints a detail line under the test's result. */
  log(line) {
    this.lines.push(line);
  }

  /** A page in a new, empty browser context (its own cookies) of `browser`. */
  async newPage(browser = this.browser) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    this.defer(() => context.close());
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const page = await context.newPage();
    this.pages.push(page);
    return page;
  }

  /** Saves a screenshot of what `page` shows as target/browser-screenshots/NN-TEST-NN-LABEL.png. */
  async shot(page, label) {
    const file = join(SHOTS_DIR, `${this.prefix}-${String(this.shots.length + 1).padStart(2, '0')}-${slug(label)}.png`);
    await page.screenshot({ path: file, timeout: ACTION_TIMEOUT_MS });
    this.shots.push(file);
  }

  /** Starts a lesson binary; see startServer. */
  server(name, args, options) {
    return startServer(this, name, args, options);
  }

  /** A temporary folder, removed when the test ends. */
  tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'workbench-browser-'));
    tempDirs.add(dir);
    this.defer(() => {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    });
    return dir;
  }

  async cleanup() {
    for (const fn of this.cleanups.reverse()) {
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          sleep(CLEANUP_STEP_MS).then(() => {
            throw new Error(`a cleanup step took over ${CLEANUP_STEP_MS} ms`);
          }),
        ]);
      } catch (error) {
        this.log(`cleanup: ${error.message.split('\n')[0]}`);
      }
    }
  }
}

async function runOne(testCase, browser) {
  const t = new TestContext(testCase.name, browser, tests.indexOf(testCase) + 1);
  const started = Date.now();
  let timer;
  let error = null;
  try {
    await Promise.race([
      Promise.resolve().then(() => testCase.fn(t)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${testCase.timeout} ms`)), testCase.timeout);
      }),
    ]);
  } catch (caught) {
    error = caught;
    // What the browser showed when it went wrong is the first thing to look at.
    for (const [index, page] of t.pages.entries()) {
      if (page.isClosed()) continue;
      const file = join(SHOTS_DIR, `FAILED-${t.prefix}-${index + 1}.png`);
      try {
        await page.screenshot({ path: file, timeout: 5_000 });
        t.shots.push(file);
      } catch {
        // the page may be gone: nothing to show
      }
    }
    for (const server of t.servers) {
      const lines = server.output().trimEnd().split('\n').slice(-8);
      t.log(`${server.name} (${server.state()}) printed:`);
      for (const line of lines) t.log(`  ${line}`);
    }
  } finally {
    clearTimeout(timer);
  }
  // Closing the contexts also ends whatever a timed-out test was still waiting for.
  await t.cleanup();
  return { name: testCase.name, error, ms: Date.now() - started, lines: t.lines, shots: t.shots };
}

function describe(error) {
  const text = error?.stack ?? String(error);
  // Playwright's call logs are long; the first lines say what failed.
  return text.split('\n').slice(0, 14).join('\n');
}

/** Runs the declared tests (those whose names contain a command-line filter, if any). */
export async function run() {
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const selected = tests.filter(
    (testCase) => filters.length === 0 || filters.some((f) => testCase.name.toLowerCase().includes(f.toLowerCase())),
  );
  if (process.argv.includes('--list')) {
    for (const testCase of tests) console.log(testCase.name);
    return;
  }
  if (selected.length === 0) {
    console.error(`no test matches ${filters.join(' ')}; --list shows them`);
    process.exit(2);
  }

  const deadline = setTimeout(() => {
    console.error(`\nbrowser tests: the whole run took over ${RUN_DEADLINE_MS} ms; giving up`);
    process.exit(1);
  }, RUN_DEADLINE_MS);
  deadline.unref();

  mkdirSync(SHOTS_DIR, { recursive: true });
  for (const file of readdirSync(SHOTS_DIR)) {
    if (file.endsWith('.png')) rmSync(join(SHOTS_DIR, file)); // last run's pictures
  }

  const runStarted = Date.now();
  let browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    console.error(`browser tests: cannot start Chromium: ${describe(error)}`);
    process.exit(2);
  }
  console.log(`browser tests: Chromium ${browser.version()} (${CHROMIUM}), playwright-core ${playwrightVersion}`);
  console.log(`lesson binaries from ${relative(ROOT, BIN_DIR) || '.'}; ${selected.length} test(s)\n`);

  const results = [];
  for (const testCase of selected) {
    const result = await runOne(testCase, browser);
    results.push(result);
    const seconds = (result.ms / 1000).toFixed(1);
    console.log(`${result.error ? 'FAIL' : 'ok  '}  ${result.name} (${seconds} s)`);
    for (const line of result.lines) console.log(`        ${line}`);
    if (result.error) {
      console.log(describe(result.error).replace(/^/gm, '        | '));
      for (const file of result.shots.filter((f) => f.includes('FAILED-'))) {
        console.log(`        screenshot at failure: ${relative(ROOT, file)}`);
      }
    }
  }
  await Promise.race([browser.close(), sleep(CLEANUP_STEP_MS)]);

  const failed = results.filter((r) => r.error);
  const shots = results.reduce((n, r) => n + r.shots.length, 0);
  const total = ((Date.now() - runStarted) / 1000).toFixed(1);
  console.log(
    `\n${failed.length ? 'FAILED' : 'passed'}: ${results.length - failed.length} passed, ` +
      `${failed.length} failed, ${results.length} total, in ${total} s`,
  );
  for (const r of failed) console.log(`  failed: ${r.name}`);
  console.log(`screenshots (${shots}): ${SHOTS_DIR}/`);
  process.exit(failed.length ? 1 : 0);
}
