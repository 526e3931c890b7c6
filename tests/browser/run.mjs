// The lessons in a real browser: headless Chromium (Debian's chromium package) driven by
// playwright-core, clicking links, filling forms, uploading files and reloading pages the
// way a learner does, against the lesson servers, and reading the built book.
//
//   node tests/browser/run.mjs [FILTER...] [--list] [--headed]
//
// scripts/browser-tests.sh installs what this needs (chromium, `npm ci`, the lesson binaries,
// the book) and runs it. Each test starts its own servers on 127.0.0.1, on ports the OS picks,
// and stops them at its end; screenshots go to target/browser-screenshots/.
// FILTER runs only the tests whose names contain it (`node run.mjs lesson04`).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { launchChromium, navigateBy, pageText, ROOT, run, test } from './lib.mjs';

// Every server is told to listen on the loopback address only, on a port the OS picks.
const LOOPBACK = ['0', '--bind', '127.0.0.1'];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// ---------------------------------------------------------------------------------------
test('lesson03: the cgi-bin index links to hello, whose visits cookie counts reloads', { timeout: 45_000 }, async (t) => {
  const server = await t.server('lesson03-cgi', [...LOOPBACK, '--directory', ROOT]);
  const page = await t.newPage();

  await page.goto(`${server.url}/cgi-bin/index`);
  assert.equal(await page.title(), 'CGI scripts of lesson 03');
  assert.equal(await page.locator('h1').innerText(), 'CGI scripts of lesson 03');
  const hello = page.getByRole('link', { name: 'hello', exact: true });
  assert.equal(await hello.getAttribute('href'), 'hello');
  await t.shot(page, 'index');

  // The counter is read from the page: "You visited this page <b>N</b> time(s)".
  const visits = async () => {
    const match = (await pageText(page)).match(/You visited this page (\d+) times?/);
    assert.ok(match, `no visit counter on ${page.url()}:\n${await pageText(page)}`);
    return Number(match[1]);
  };

  const response = await navigateBy(page, () => hello.click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/cgi-bin/hello');
  assert.match(await page.locator('h1').innerText(), /CGI script: \/cgi-bin\/hello/);
  const first = await visits();
  assert.equal(first, 1, 'a new browser context has no visits cookie, so the first visit is 1');
  await t.shot(page, 'hello first visit');

  await page.reload();
  assert.equal(await visits(), first + 1, 'one reload counts one more visit');
  await page.reload();
  assert.equal(await visits(), first + 2, 'and the next one more again');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'visits');
  assert.equal(cookie?.value, String(first + 2), 'the visits cookie holds the count');
  assert.equal(cookie.path, '/cgi-bin');
  assert.equal(cookie.httpOnly, true);
  await t.shot(page, 'hello after two reloads');
  t.log(`visits: ${first}, then ${first + 1} and ${first + 2} after two reloads`);
});

// ---------------------------------------------------------------------------------------
test('lesson04: the urlencoded form posts every field, and the greeting cookie', { timeout: 45_000 }, async (t) => {
  const server = await t.server('lesson04-forms', [...LOOPBACK, '--upload-dir', t.tempDir()]);
  const page = await t.newPage();

  await page.goto(`${server.url}/`);
  assert.doesNotMatch(await pageText(page), /Welcome back/, 'a new browser has no user cookie yet');
  const form = page.locator('form[method="post"]:not([enctype])');
  // The prefilled user stays as it is; the second user stays blank.
  assert.equal(await form.locator('input[name="user"]').inputValue(), 'James & Nancy Kirk');
  assert.equal(await form.locator('input[name="user2"]').inputValue(), '');
  await form.locator('textarea[name="comments"]').fill('Sent by Chromium');
  await t.shot(page, 'form filled');

  const response = await navigateBy(page, () => form.getByRole('button', { name: 'OK' }).click());
  assert.equal(response.request().method(), 'POST');
  assert.equal(response.status(), 200);
  const text = await pageText(page);
  for (const line of [
    'command: POST',
    "content-type: 'application/x-www-form-urlencoded'",
    'Form:',
    "hi ['john doe']", // from the form's action, /foo/bar?hi=john%20doe
    "user ['James & Nancy Kirk']",
    "user2 ['']",
    "vote ['Y']",
    "pets ['dog', 'cat']",
    "comments ['Sent by Chromium']",
  ]) {
    assert.ok(text.split('\n').includes(line), `the answer has no line ${JSON.stringify(line)}:\n${text}`);
  }
  await t.shot(page, 'form posted');

  // The POST set the user cookie: the forms page now greets the browser.
  await page.goto(`${server.url}/`);
  assert.match(await pageText(page), /Welcome back, James & Nancy Kirk/);
  await t.shot(page, 'welcome back');

  // "Forget me" deletes it (303 back to the forms page).
  await navigateBy(page, () => page.getByRole('link', { name: 'Forget me' }).click());
  assert.equal(new URL(page.url()).pathname, '/');
  assert.doesNotMatch(await pageText(page), /Welcome back/);
  t.log('posted the form; "Welcome back" shown after it, gone after "Forget me"');
});

// ---------------------------------------------------------------------------------------
test('lesson04: a file upload shows each file with its size and SHA-256', { timeout: 45_000 }, async (t) => {
  const uploads = t.tempDir();
  const server = await t.server('lesson04-forms', [...LOOPBACK, '--upload-dir', uploads]);
  const page = await t.newPage();

  // Two files, as the input takes several: random bytes, and a short text.
  const files = [
    { name: 'chromium-upload.bin', mimeType: 'application/octet-stream', buffer: randomBytes(256 * 1024 + 7) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Uploaded by headless Chromium.\n') },
  ];

  await page.goto(`${server.url}/`);
  const form = page.locator('form[enctype="multipart/form-data"]');
  await form.locator('input[type="file"]').setInputFiles(files);
  await t.shot(page, 'files chosen');
  const response = await navigateBy(page, () => form.getByRole('button', { name: 'OK' }).click());
  assert.equal(response.status(), 200);
  const text = await pageText(page);
  assert.match(text, /^content-type: 'multipart\/form-data; boundary=/m);
  assert.match(text, /^Files:$/m);

  for (const file of files) {
    const line = text.split('\n').find((l) => l.startsWith(`myfile '${file.name}' `));
    assert.ok(line, `no Files: line for ${file.name}:\n${text}`);
    const match = line.match(/^myfile '(.+)' (\d+) bytes sha256 ([0-9a-f]{64}) saved as '(.+)'$/);
    assert.ok(match, `unexpected Files: line: ${line}`);
    const [, , size, digest, savedAs] = match;
    assert.equal(Number(size), file.buffer.length, `${file.name}: size`);
    assert.equal(digest, sha256(file.buffer), `${file.name}: the SHA-256 the server computed`);
    // And the file saved on disk is the file the browser sent.
    assert.equal(sha256(readFileSync(join(uploads, savedAs))), digest, `${file.name}: the saved copy`);
    t.log(`${file.name}: ${size} bytes, sha256 ${digest.slice(0, 16)}..., saved as ${savedAs}`);
  }
  await t.shot(page, 'upload result');
});

// ---------------------------------------------------------------------------------------
test('lesson06: from the book list to each detail page and back', { timeout: 45_000 }, async (t) => {
  const server = await t.server('lesson06-books', LOOPBACK);
  const page = await t.newPage();

  await page.goto(`${server.url}/`);
  assert.equal(await page.locator('h1').innerText(), 'My Bookshelf');
  const titles = await page.locator('ul li a').allInnerTexts();
  assert.ok(titles.length >= 1, 'the list shows the books');
  await t.shot(page, 'list');
  // A detail page is a table of <tr><th>NAME</th><td>VALUE</td></tr>.
  const field = (name) =>
    page.locator('tr').filter({ has: page.locator('th').getByText(name, { exact: true }) }).locator('td');

  for (const [index, title] of titles.entries()) {
    const response = await navigateBy(page, () => page.getByRole('link', { name: title, exact: true }).click());
    assert.equal(response.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/book\/id\d+$/);
    assert.equal(await page.locator('h1').innerText(), title);
    assert.equal(await field('Title').innerText(), title);
    assert.match(await field('ISBN').innerText(), /^\d{9}[\dX]$/);
    if (index === 0) await t.shot(page, 'detail');

    const back = page.getByRole('link', { name: 'Back to the list' });
    assert.equal(await back.getAttribute('href'), '/');
    await navigateBy(page, () => back.click());
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('h1').innerText(), 'My Bookshelf');
  }
  await t.shot(page, 'back on the list');
  t.log(`${titles.length} books: list → detail → "Back to the list" for each`);
});

// ---------------------------------------------------------------------------------------
test("lesson07: every example link on the calculator's home page", { timeout: 45_000 }, async (t) => {
  const server = await t.server('lesson07-calculator', LOOPBACK);
  const page = await t.newPage();

  await page.goto(`${server.url}/`);
  assert.equal(await page.locator('h1').innerText(), 'Calculator');
  await t.shot(page, 'home');

  // Each example is a link followed by " → ANSWER" on the page.
  const examples = (
    await page.locator('a[href^="/"]').evaluateAll((links) =>
      links.map((a) => ({ href: a.getAttribute('href'), note: a.nextSibling?.textContent ?? '' })),
    )
  )
    .map(({ href, note }) => ({ href, expected: note.match(/→\s*(.*?)\.?\s*$/s)?.[1] }))
    .filter(({ expected }) => expected !== undefined);
  // Whatever the page says, these answers are the homework's.
  const required = { '/add/23/42': '65', '/subtract/23/42': '-19', '/multiply/3/5': '15', '/divide/22/11': '2' };
  for (const [href, answer] of Object.entries(required)) {
    assert.equal(examples.find((e) => e.href === href)?.expected, answer, `the home page lists ${href} → ${answer}`);
  }
  assert.ok(examples.some((e) => e.href === '/divide/6/0'), 'the home page lists /divide/6/0');

  const seen = [];
  for (const { href, expected } of examples) {
    const response = await navigateBy(page, () => page.locator(`a[href="${href}"]`).first().click());
    assert.equal(new URL(page.url()).pathname, href);
    const answer = await pageText(page);
    if (expected.startsWith('400')) {
      assert.equal(response.status(), 400, `${href}: status`);
      assert.match(answer, /^400 Bad Request: /, `${href}: the page says why`);
    } else {
      assert.equal(response.status(), 200, `${href}: status`);
      assert.equal(answer, required[href] ?? expected, `${href}: the answer`);
    }
    await t.shot(page, href);
    seen.push(`${href} → ${answer}`);

    await page.goBack();
    await page.locator('h1', { hasText: 'Calculator' }).waitFor();
  }
  t.log(seen.join('; '));
});

// ---------------------------------------------------------------------------------------
// HTTPS: lesson08 makes a self-signed certificate at start and saves it with --write-cert.
// A browser does not trust it, and a learner first sees a certificate error. To trust that
// one certificate, and nothing else, without touching any system or user certificate store,
// Chromium is started with
//
//   --ignore-certificate-errors-spki-list=BASE64(SHA-256(SubjectPublicKeyInfo))
//
// the hash of the certificate's public key, the same value as
//
//   openssl x509 -pubkey -noout -in cert.pem | openssl pkey -pubin -outform der \
//     | openssl dgst -sha256 -binary | base64
//
// A certificate with any other key still fails, as the test checks with a second server.

/** base64(sha256(SPKI)) of the first certificate in a PEM file. */
function spkiHash(pemFile) {
  const spki = new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The same hash made by openssl, as a learner would; null when openssl is missing. */
function spkiHashWithOpenssl(pemFile) {
  try {
    return execFileSync(
      'sh',
      ['-c', 'openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64', 'sh', pemFile],
      { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  } catch (error) {
    if (/not found/.test(String(error.stderr))) return null;
    throw error;
  }
}

test('lesson08: HTTPS with the generated certificate, trusted by its key only', { timeout: 60_000 }, async (t) => {
  const site = t.tempDir();
  writeFileSync(join(site, 'hello-over-tls.txt'), 'Hello over TLS.\n');
  const certFile = join(t.tempDir(), 'lesson08-cert.pem');
  const server = await t.server('lesson08-tls', [...LOOPBACK, '--directory', site, '--write-cert', certFile], {
    scheme: 'https',
  });
  await server.waitForOutput(/saved to /);
  assert.ok(existsSync(certFile), `${certFile} was written`);

  const spki = spkiHash(certFile);
  const fromOpenssl = spkiHashWithOpenssl(certFile);
  if (fromOpenssl !== null) assert.equal(fromOpenssl, spki, 'openssl computes the same SPKI hash');
  t.log(`SPKI sha256 of the certificate: ${spki}${fromOpenssl !== null ? ' (the same with openssl)' : ''}`);

  // 1. What a learner sees first: a browser that does not know the certificate refuses it.
  const untrusted = await t.newPage();
  const refused = await untrusted.goto(`${server.url}/`).then(
    () => null,
    (error) => error,
  );
  assert.ok(refused, 'an untrusted self-signed certificate must not load');
  assert.match(refused.message, /net::ERR_CERT_[A-Z_]+/);
  t.log(`without the SPKI switch: ${refused.message.match(/net::ERR_CERT_[A-Z_]+/)[0]}`);
  await t.shot(untrusted, 'certificate error');

  // 2. A browser told to trust that key loads the page over HTTPS.
  const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
  t.defer(() => browser.close());
  const page = await t.newPage(browser);
  const response = await page.goto(`${server.url}/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.evaluate(() => location.protocol), 'https:');
  const security = await response.securityDetails();
  assert.match(security?.protocol ?? '', /^TLS 1\.[23]$/);
  const subject = new X509Certificate(readFileSync(certFile)).subject;
  assert.ok(subject.includes(security.subjectName), `served ${security.subjectName}, saved ${subject}`);
  assert.equal(await page.locator('h1').innerText(), 'Directory listing for /');
  await t.shot(page, 'directory listing over https');
  await navigateBy(page, () => page.getByRole('link', { name: 'hello-over-tls.txt' }).click());
  assert.equal(await pageText(page), 'Hello over TLS.');
  t.log(`with it: ${security.protocol}, certificate "${security.subjectName}", directory listing and file shown`);

  // 3. Only that key: another lesson08, with a certificate of its own, is still refused.
  const other = await t.server('lesson08-tls', [...LOOPBACK, '--directory', site], { scheme: 'https' });
  const otherRefused = await (await t.newPage(browser)).goto(`${other.url}/`).then(
    () => null,
    (error) => error,
  );
  assert.ok(otherRefused, 'a certificate with another key must still be refused');
  assert.match(otherRefused.message, /net::ERR_CERT_[A-Z_]+/);
  t.log('another certificate, same browser: refused');
});

// ---------------------------------------------------------------------------------------
test('book: chapter 5 renders its included listing and the sidebar', { timeout: 30_000 }, async (t) => {
  const chapter = join(ROOT, 'book', 'book', 'html', 'ch05-gateway.html');
  assert.ok(existsSync(chapter), `${chapter} is missing: build the book with scripts/book.sh build`);
  // The listing the chapter includes with {{#include ../../crates/server-core/src/gateway/mod.rs:application}}.
  const source = readFileSync(join(ROOT, 'crates', 'server-core', 'src', 'gateway', 'mod.rs'), 'utf8');
  const anchored = source.match(/ANCHOR: application\n([\s\S]*?)\n[^\n]*ANCHOR_END: application/);
  assert.ok(anchored, 'crates/server-core/src/gateway/mod.rs has the "application" anchor');
  const listing = anchored[1].split('\n');

  const page = await t.newPage();
  await page.goto(pathToFileURL(chapter).href);
  assert.doesNotMatch(await pageText(page), /\{\{#include/, 'every include was replaced by its listing');

  const code = page.locator('pre > code', { hasText: 'pub trait Application' }).first();
  await code.scrollIntoViewIfNeeded();
  assert.ok(await code.isVisible(), 'the listing is shown');
  const shown = (await code.textContent()).split('\n');
  for (const line of listing) {
    assert.ok(shown.includes(line), `the listing lacks the source line ${JSON.stringify(line)}`);
  }
  // highlight.js ran: the listing is coloured as Rust.
  assert.match((await code.getAttribute('class')) ?? '', /\bhljs\b/);
  assert.ok((await code.locator('span').count()) > 0, 'the listing is highlighted');

  // The sidebar: the table of contents, with this chapter marked as the current page.
  const sidebar = page.locator('#mdbook-sidebar');
  assert.ok(await sidebar.isVisible(), 'the sidebar is shown');
  const links = await sidebar.locator('a[href$=".html"]').count();
  assert.ok(links >= 10, `the sidebar lists the chapters (${links} links)`);
  const active = sidebar.locator('a.active');
  assert.match((await active.getAttribute('href')) ?? '', /ch05-gateway\.html$/);
  await t.shot(page, 'chapter 5 listing');
  t.log(`listing of ${listing.length} lines found verbatim; sidebar of ${links} links, "${await active.innerText()}" active`);
});

await run();
