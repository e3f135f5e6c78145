// Browser tests of the web pages (issue 5): Debian's Chromium, headless,
// driven by playwright-core, against a server started as scripts/run
// starts it (own PORT and PF_PREFIX). Prints TAP: one line per step.
//
//   node t/browser/run.mjs
//
// Environment: TEST_NGINX_PORT (the server listens on it + 200, or on
// PF_BROWSER_PORT), PF_BROWSER_BASE (use a running server instead, e.g.
// http://127.0.0.1:8080/ — its demo accounts must be fresh),
// PF_SCREENSHOTS (default docs/screenshots), CHROMIUM (/usr/bin/chromium).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeMp3, makePdf, makePng } from './files.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..', '..');
const PORT = Number(process.env.PF_BROWSER_PORT || Number(process.env.TEST_NGINX_PORT || 1984) + 200);
const SHOTS = process.env.PF_SCREENSHOTS || path.join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

const STUDENT = { user: 'zlsh108234567', initial: '567893', password: 'student pass 1' };
const TEACHER = { user: 'zlsh122233336', initial: '233336', password: 'teacher pass 1' };
const ADMIN = { user: 'zlsh100000001', password: 'demo-admin' };
const CITY = { user: 'cityadmin', password: 'demo-city' };

let BASE = process.env.PF_BROWSER_BASE || `http://127.0.0.1:${PORT}/`;
if (!BASE.endsWith('/')) BASE += '/';

/* ---------- steps, printed as TAP ---------- */

const steps = [];
function step(name, fn, opts = {}) { steps.push({ name, fn, fatal: !!opts.fatal }); }

function fail(msg) { throw new Error(msg); }
function check(cond, msg) { if (!cond) fail(msg); }

async function waitText(locator, re, timeout = 15000) {
  const end = Date.now() + timeout;
  let text = '';
  for (;;) {
    try { text = (await locator.first().innerText({ timeout: 1000 })) || ''; } catch { text = '(not there)'; }
    if (re.test(text)) return text;
    if (Date.now() > end) fail(`expected ${re} in ${locator}, found: ${text.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/* ---------- the server, as scripts/run starts it ---------- */

let server = null;
async function startServer() {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-browser-'));
  fs.chmodSync(prefix, 0o755);
  const logPath = path.join(prefix, 'run.log');
  const log = fs.openSync(logPath, 'w');
  const child = spawn(path.join(ROOT, 'scripts', 'run'), [], {
    env: { ...process.env, PORT: String(PORT), PF_PREFIX: prefix },
    detached: true, stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited = null;
  child.on('exit', (code, sig) => { exited = sig || code; });
  server = { child, prefix, logPath };
  const end = Date.now() + 180000;
  for (;;) {
    const text = fs.readFileSync(logPath, 'utf8');
    if (/Demo school zlsh/.test(text)) return;
    if (exited !== null) fail(`scripts/run ended (${exited}) before the demo school was ready:\n${text.slice(-2000)}`);
    if (Date.now() > end) fail(`scripts/run did not get ready in time:\n${text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function stopServer() {
  if (!server) return;
  const { child, prefix } = server;
  server = null;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child.on('exit', r));
    try { process.kill(-child.pid, 'SIGQUIT'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 10000);
    await gone;
    clearTimeout(timer);
  }
  fs.rmSync(prefix, { recursive: true, force: true });
}

/* ---------- the browser ---------- */

let browser;
const external = [];   // requests that left the server
const scriptErrors = [];
const shotsTaken = [];

async function newPage(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-TW', timezoneId: 'Asia/Taipei' });
  context.setDefaultTimeout(15000);
  context.on('request', (r) => {
    const u = r.url();
    if (/^https?:/.test(u) && !u.startsWith(BASE)) external.push(u);
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  page.viewportDefault = viewport;
  return page;
}

async function open(page, file) {
  await page.goto(BASE + file);
  await page.waitForLoadState('load');
}

/* The page at phone and desktop width, checked for what a screen reader
   and a phone need: every control labelled, images and frames named, no
   sideways scrolling at 390 px. */
async function shots(page, name) {
  await page.evaluate(() => document.fonts && document.fonts.ready);
  const frames = await page.locator('iframe').count();
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    if (frames) {
      // the PDF viewer keeps its first layout: load it again at this width
      await page.evaluate(() => Promise.all(Array.from(document.querySelectorAll('iframe')).map((f) => new Promise((ok) => {
        f.addEventListener('load', ok, { once: true });
        f.src = f.src;
      }))));
      await page.waitForTimeout(1500);
    }
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name}: the page is ${overflow}px wider than a ${vp.width}px screen`);
    const file = path.join(SHOTS, `${name}-${vp.width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shotsTaken.push(file);
  }
  await page.setViewportSize(page.viewportDefault);
  const problems = await page.evaluate(() => {
    const out = [];
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    document.querySelectorAll('input, select, textarea, button').forEach((e) => {
      if (e.type === 'hidden' || !visible(e)) return;
      const named = e.tagName === 'BUTTON'
        ? e.textContent.trim() || e.getAttribute('aria-label')
        : (e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
      if (!named) out.push('unlabelled ' + e.outerHTML.slice(0, 140));
    });
    document.querySelectorAll('img:not([alt]), iframe:not([title])').forEach((e) => out.push('unnamed ' + e.outerHTML.slice(0, 140)));
    if (!document.querySelector('main h1')) out.push('no h1 in main');
    if (document.documentElement.lang !== 'zh-Hant-TW') out.push('lang is ' + document.documentElement.lang);
    return out;
  });
  check(!problems.length, `${name}: ${problems.join('; ')}`);
}

async function signIn(page, who, password) {
  await open(page, 'index.html');
  await page.fill('#username', who.user);
  await page.fill('#password', password);
  await page.click('#signin-button');
}

/* The in-page confirmation (PF.confirmAction): it must be open, say what
   will happen (re), offer 取消; answer it and wait until it is gone. */
async function confirmDialog(page, re, accept) {
  const d = page.locator('dialog.pf-confirm[open]');
  await d.waitFor({ timeout: 5000 }).catch(() => fail(`no confirmation dialog opened (expected ${re})`));
  await waitText(d, re);
  check((await d.locator('button.cancel').innerText()).trim() === '取消', 'the dialog offers 取消');
  check(await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('cancel')),
        'the focus starts on 取消');
  await d.locator(accept ? 'button.confirm' : 'button.cancel').click();
  await d.waitFor({ state: 'detached' });
}

/* The session ends for real (DELETE /api/session from the page) just as
   the next request matching (method, re) leaves; that request then meets
   the server without a session. Once. */
async function endSessionOn(page, method, re) {
  const match = (u) => re.test(u.toString());
  let done = false;
  const handler = async (route) => {
    if (done || route.request().method() !== method) return route.fallback();
    done = true;
    try {
      await page.evaluate(() => fetch('api/session', { method: 'DELETE' }).then((x) => x.status));
      await route.continue();
      await page.unroute(match, handler);
    } catch (e) {
      console.log('# ending the session around ' + route.request().url() + ': ' + e.message);
    }
  };
  await page.route(match, handler);
}

/* The API from outside the browser, as one account (fixtures for the
   teacher's queue): sign-in, the first password change, calls. */
async function apiAs(user, password, newPassword) {
  let cookie = '';
  async function call(method, p, body, type) {
    const headers = { Accept: 'application/json' };
    if (cookie) headers.Cookie = cookie;
    let data;
    if (Buffer.isBuffer(body)) { data = body; headers['Content-Type'] = type; }
    else if (body !== undefined) { data = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
    const r = await fetch(BASE + 'api' + p, { method, headers, body: data });
    const set = r.headers.getSetCookie();
    if (set.length) cookie = set[0].split(';')[0];
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  }
  let r = await call('POST', '/session', { username: user, password });
  check(r.status === 200, `${user} signs in (${r.status} ${r.text})`);
  if (r.json.must_change_password && newPassword) {
    r = await call('POST', '/password', { current: password, new: newPassword });
    check(r.status === 200, `${user} changes the password (${r.status} ${r.text})`);
  }
  return call;
}

/* An outcome sent for certification through the API: its id. */
async function sentOutcome(call, code, description, pdf) {
  let r = await call('POST', '/outcomes', { term: '115-1', code, description });
  check(r.status === 201, `POST /outcomes ${code} (${r.status} ${r.text})`);
  const id = r.json.outcome.id;
  r = await call('PUT', `/outcomes/${id}/document?name=${encodeURIComponent(description + '.pdf')}`, pdf, 'application/pdf');
  check(r.status === 200, `PUT document (${r.status} ${r.text})`);
  r = await call('POST', `/outcomes/${id}/submit`, {});
  check(r.status === 200, `送出認證 (${r.status} ${r.text})`);
  return id;
}

async function countWaiting(page) {
  return page.evaluate(async () => (await fetch('api/certifications/count')).json());
}

/* ---------- the flow ---------- */

let student, teacher, admin;
const PDF = makePdf('Free fall: a lab report (PHY-1151-101)');
const PNG = makePng();
const MP3 = makeMp3();

step('scripts/run starts the system with the demo school on its own port and data directory', async () => {
  if (process.env.PF_BROWSER_BASE) return;
  await startServer();
}, { fatal: true });

step("Debian's Chromium starts headless through playwright-core", async () => {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
}, { fatal: true });

step('sign-in page: labelled form, keyboard focus visible', async () => {
  student = await newPage(PHONE);
  await open(student, 'index.html');
  await waitText(student.locator('main h1'), /登入/);
  check(await student.evaluate(() => document.activeElement && document.activeElement.id) === 'username',
        'the account field has the focus on arrival');
  await student.keyboard.press('Tab');
  await student.keyboard.press('Tab');
  const focus = await student.evaluate(() => {
    const e = document.activeElement, s = getComputedStyle(e);
    return { id: e.id, outline: s.outlineStyle, width: s.outlineWidth };
  });
  check(focus.id === 'signin-button', `Tab goes from the account to the password to the button (${focus.id})`);
  check(focus.outline !== 'none' && focus.width !== '0px', `keyboard focus is visible (${JSON.stringify(focus)})`);
  await shots(student, 'signin');
});

step('sign-in page offers the directory (LDAP) only when the server has one configured (item 17)', async () => {
  const health = await student.evaluate(async () => (await fetch('api/health')).json());
  check(health.directory && health.directory.configured === false, 'scripts/run configures no directory');
  await open(student, 'index.html');
  await student.waitForLoadState('networkidle');
  check(!(await student.locator('input[value="directory"]').isVisible()), 'no directory choice without a directory');
  // the same page against a server that says it has one
  await student.route('**/api/health', async (route) => {
    const r = await route.fetch();
    const json = await r.json();
    json.directory = { configured: true };
    await route.fulfill({ response: r, json });
  });
  await open(student, 'index.html');
  const dir = student.locator('input[value="directory"]');
  await dir.waitFor({ state: 'visible' });
  await dir.check();
  await waitText(student.locator('#username-hint'), /臺北市單一身分驗證服務（LDAP）的帳號/);
  await student.unroute('**/api/health');
  await open(student, 'index.html');
  await student.waitForLoadState('networkidle');
  check(!(await dir.isVisible()), 'the choice is gone again');
});

step('sign-in page: a clear entrance for temporary accounts (臨時帳號) says what to type and what happens first (item 17)', async () => {
  await waitText(student.locator('#temporary'), /臨時帳號[\s\S]*zlshtmp001/);
  await student.click('#temporary-entrance');
  await waitText(student.locator('#temporary-mode'), /臨時帳號登入[\s\S]*第一次登入會先請您變更密碼/);
  await waitText(student.locator('#username-hint'), /學校網域 \+ tmp \+ 三位數字（例如 zlshtmp001）/);
  await waitText(student.locator('#password-hint'), /初始密碼[\s\S]*第一次登入後會請您設定自己的新密碼/);
  await waitText(student.locator('#signin-button'), /以臨時帳號登入/);
  check(await student.evaluate(() => document.activeElement.id) === 'username', 'the account field has the focus');
  check(/mode=temporary/.test(student.url()), 'the entrance has its own address');
  await shots(student, 'signin-temporary');
  await student.click('#temporary-back');
  await waitText(student.locator('#username-hint'), /學校網域 \+ 學號/);
  check(await student.locator('#temporary-mode').isHidden(), 'back to the usual sign-in');
});

step('a wrong password is refused in words', async () => {
  await signIn(student, STUDENT, 'wrong-password');
  await waitText(student.locator('#page-msg'), /帳號或密碼錯誤/);
});

step('student signs in with the initial password and must change it first', async () => {
  await signIn(student, STUDENT, STUDENT.initial);
  await student.waitForURL(/password\.html/);
  await waitText(student.locator('#page-msg'), /第一次登入，請先變更初始密碼/);
  await shots(student, 'password-change');
});

step('student changes the password and arrives at the dashboard', async () => {
  await student.fill('#current', STUDENT.initial);
  await student.fill('#new', STUDENT.password);
  await student.fill('#again', STUDENT.password);
  await student.click('#change-button');
  await student.waitForURL(/student\.html/);
});

step('dashboard: grades, rewards, attendance, outcomes, windows and quota of the term', async () => {
  await waitText(student.locator('#grades'), /物理/);
  await waitText(student.locator('#rewards'), /嘉獎[\s\S]*3/);
  await waitText(student.locator('#attendance'), /遲到[\s\S]*2/);
  await waitText(student.locator('#windows'), /上傳學習成果[\s\S]*開放中/);
  await waitText(student.locator('#quota'), /已使用空間：0 B \/ 200\.00 MB/);
  await waitText(student.locator('#outcomes'), /0 \/ 10/);
  await waitText(student.locator('#selection'), /\(0\/3\)[\s\S]*\(0\/6\)/);
  await waitText(student.locator('#unsent'), /本學期沒有尚未送出的學習成果/);
});

step('course records and basic data', async () => {
  await open(student, 'courses.html');
  await waitText(student.locator('#courses'), /物理[\s\S]*PHY-1151-101[\s\S]*林老師/);
  await waitText(student.locator('#cadres'), /班長/);
  await shots(student, 'student-courses');
});

step('a text file renamed .pdf is refused and the page says why (415)', async () => {
  await open(student, 'upload.html');
  await waitText(student.locator('#term-info'), /上傳期間：開放中/);
  await student.selectOption('#course', 'PHY-1151-101');
  await student.fill('#description', '自由落體實驗報告');
  await student.setInputFiles('#document', { name: '實驗報告.pdf', mimeType: 'application/pdf', buffer: Buffer.from('this is only text, not a PDF\n') });
  await student.click('#upload-button');
  const text = await waitText(student.locator('#upload-msg'), /檔案格式不符/);
  check(/沒有建立/.test(text), 'the page says no outcome was made');
  check(await student.locator('#upload-msg').getAttribute('data-code') === 'unsupported_file_type', 'the refusal is the API\'s 415 unsupported_file_type');
  await waitText(student.locator('#list'), /尚未上傳學習成果/);
  await shots(student, 'student-upload-refused');
});

step('a file over 4 MB is refused in words before it is sent (413)', async () => {
  await student.setInputFiles('#document', { name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(4 * 1048576 + 1, 0x20) });
  await student.click('#upload-button');
  await waitText(student.locator('#upload-msg'), /檔案太大：文件（pdf、jpg、png）上限 4 MB/);
});

step('student uploads a PDF with a progress bar and sends it for certification (送出認證) after a confirmation; 取消 sends nothing (item 14)', async () => {
  await student.setInputFiles('#document', { name: '實驗報告.pdf', mimeType: 'application/pdf', buffer: PDF });
  await student.click('#upload-button');
  await waitText(student.locator('#upload-msg'), /已上傳/);
  check(await student.locator('#progress').evaluate((e) => e.value) === 100, 'the progress bar reached 100%');
  const item = student.locator('#list li.item').first();
  await waitText(item, /草稿（未送出）[\s\S]*實驗報告\.pdf/);
  await item.locator('button.submit-cert').click();
  await confirmDialog(student, /送出認證？[\s\S]*物理：自由落體實驗報告[\s\S]*送出後就不能再修改內容、更換檔案或刪除/, false);
  check(await student.locator('#list li.item').first().getAttribute('data-status') === 'draft', '取消: the outcome is still a draft');
  const still = await student.evaluate(async () => (await (await fetch('api/outcomes?term=115-1')).json()).outcomes.map((o) => o.status));
  check(JSON.stringify(still) === '["draft"]', `取消 sent nothing (${still})`);
  await item.locator('button.submit-cert').click();
  await confirmDialog(student, /送出認證？/, true);
  await waitText(item, /已送出認證/);
  check(await student.locator('#list li.item').first().getAttribute('data-status') === 'pending', 'the outcome is pending');
  await waitText(student.locator('#term-info'), /已上傳 1 件/);
  await shots(student, 'student-upload');
});

step('certification results show it waiting (待認證)', async () => {
  await open(student, 'results.html');
  await waitText(student.locator('#summary'), /待認證：1/);
  await waitText(student.locator('#list'), /物理[\s\S]*待認證/);
});

step('teacher signs in and changes the password with the keyboard alone', async () => {
  teacher = await newPage(DESKTOP);
  await open(teacher, 'index.html');
  await teacher.waitForFunction(() => document.activeElement && document.activeElement.id === 'username');
  await teacher.keyboard.type(TEACHER.user);
  await teacher.keyboard.press('Tab');
  await teacher.keyboard.type(TEACHER.initial);
  await teacher.keyboard.press('Enter');
  await teacher.waitForURL(/password\.html/);
  await teacher.waitForFunction(() => document.activeElement && document.activeElement.id === 'current');
  await teacher.keyboard.type(TEACHER.initial);
  await teacher.keyboard.press('Tab');
  await teacher.keyboard.type(TEACHER.password);
  await teacher.keyboard.press('Tab');
  await teacher.keyboard.type(TEACHER.password);
  await teacher.keyboard.press('Enter');
  await teacher.waitForURL(/teacher\.html/);
});

step('teacher sees the waiting count on arrival (T1)', async () => {
  await waitText(teacher.locator('#arrival'), /您目前有 1 則學習成果待認證/);
  await waitText(teacher.locator('#nav-badge-cert'), /^1$/);
});

step('teacher previews the PDF in the queue and passes it with a note', async () => {
  const item = teacher.locator('#queue li.item').first();
  await waitText(item, /李小明[\s\S]*物理[\s\S]*自由落體實驗報告/);
  await item.locator('button.preview-document').click();
  const frame = item.locator('.preview iframe');
  await frame.waitFor();
  const src = await frame.getAttribute('src');
  const answer = await teacher.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('Content-Type'), head: (await r.text()).slice(0, 8) };
  }, src);
  check(answer.status === 200 && answer.type === 'application/pdf' && answer.head === '%PDF-1.4', `the preview loads the PDF (${JSON.stringify(answer)})`);
  await item.locator('input[value="pass"]').check();          // saved at once: no save button
  await waitText(item.locator('.state'), /已儲存：通過。/);
  await item.locator('input[type="text"]').fill('實驗步驟完整');
  await waitText(item.locator('.state'), /已儲存：通過，評語已儲存/);
  await waitText(teacher.locator('#counts'), /待認證學習成果：1 筆（尚未認證 0 筆，已認證待發佈 1 筆）/);
  // kept as it was made: a reload shows the choice and the note from the server
  await open(teacher, 'teacher.html');
  const again = teacher.locator('#queue li.item').first();
  await waitText(again.locator('.state'), /已儲存：通過，評語已儲存/);
  check(await again.locator('input[value="pass"]').isChecked(), 'after a reload 通過 is still chosen');
  check(await again.locator('input[type="text"]').inputValue() === '實驗步驟完整', 'and the note is there');
  await again.locator('button.preview-document').click();
  await teacher.locator('#queue .preview iframe').waitFor();
  await teacher.waitForTimeout(800);   // the PDF viewer draws
  await shots(teacher, 'teacher-queue');
});

step('teacher publishes (發佈) after a confirmation; the queue, the counters and the menu agree on 0', async () => {
  await teacher.click('#publish-selected');
  await confirmDialog(teacher, /發佈勾選的認證結果？[\s\S]*將發佈 1 筆認證結果：通過 1 筆、不通過 0 筆[\s\S]*不能撤回[\s\S]*李小明[\s\S]*物理：通過（評語：實驗步驟完整）/, true);
  await waitText(teacher.locator('#publish-msg'), /已發佈 1 筆/);
  await waitText(teacher.locator('#queue'), /目前沒有待認證的學習成果/);
  await waitText(teacher.locator('#counts'), /待認證學習成果：0 筆/);
  await waitText(teacher.locator('#arrival'), /目前沒有待認證的學習成果/);
  check(await teacher.locator('#nav-badge-cert').isHidden(), 'the menu count is gone');
});

step('dashboard: the published result is a notice with 已讀, and the server remembers it was read (item 16, N5)', async () => {
  await open(student, 'student.html');
  const notice = student.locator('#results-notice');
  await waitText(notice, /您有 1 則學習成果認證已發佈[\s\S]*物理「自由落體實驗報告」：通過（教師評語：實驗步驟完整）/);
  await shots(student, 'student-notice');
  await student.click('#notices-read');
  await waitText(notice, /已讀/);
  const left = await student.evaluate(async () => (await (await fetch('api/me/notices')).json()).unread);
  check(left === 0, `GET /api/me/notices has ${left} unread after 已讀`);
  await open(student, 'student.html');
  await waitText(student.locator('#outcomes'), /1 \/ 10/);
  await student.waitForLoadState('networkidle');
  check(!(await notice.innerText()).trim(), 'no notice after a reload');
});

step('student sees the result: 通過 with the note', async () => {
  await open(student, 'results.html');
  await waitText(student.locator('#summary'), /通過：1/);
  await waitText(student.locator('#list'), /認證狀態\s*通過[\s\S]*實驗步驟完整/);
  await shots(student, 'student-results');
});

step('student selects it (勾選), unticks and ticks again by keyboard: the counter reads (1/3)', async () => {
  await open(student, 'select.html');
  await waitText(student.locator('#term-counter'), /\(0\/3\)/);
  const box = student.locator('#list input[type="checkbox"]').first();
  await box.check();
  await waitText(student.locator('#term-counter'), /\(1\/3\)/);
  await box.click();                                   // 取消勾選
  await waitText(student.locator('#term-counter'), /\(0\/3\)/);
  await box.focus();
  await student.keyboard.press('Space');               // and again, by keyboard
  await waitText(student.locator('#term-counter'), /\(1\/3\)/);
  await waitText(student.locator('#year-counter'), /\(1\/6\)/);
  await waitText(student.locator('#list'), /已勾選/);
  check(await box.isChecked(), 'the box stays ticked');
  await shots(student, 'student-select');
});

step('dashboard: 勾選 progress (1/3) a term and (1/6) a year, from the server (item 16)', async () => {
  await open(student, 'student.html');
  await waitText(student.locator('#selection'), /每學期勾選至多 3 件 \(1\/3\)[\s\S]*每學年勾選至多 6 件 \(1\/6\)[\s\S]*勾選期間：開放中/);
  await waitText(student.locator('#dash-term-counter'), /^\(1\/3\)$/);
  await waitText(student.locator('#dash-year-counter'), /^\(1\/6\)$/);
  await shots(student, 'student-dashboard');
});

step('school admin signs in to the admin start page', async () => {
  admin = await newPage(DESKTOP);
  await signIn(admin, ADMIN, ADMIN.password);
  await admin.waitForURL(/admin\.html/);
  await waitText(admin.locator('#windows'), /勾選學習成果[\s\S]*開放中/);
  await waitText(admin.locator('#uncertified'), /沒有待認證/);
});

step('admin sets the per-term selection limit to 1 (設定功能參數)', async () => {
  await open(admin, 'windows.html');
  await waitText(admin.locator('#windows'), /上傳學習成果[\s\S]*開放中/);
  await admin.fill('#set-outcome_select_per_term', '1');
  await admin.fill('#set-outcome_uploads_per_term', '0');
  await admin.click('#settings-save');
  await waitText(admin.locator('#settings-msg'), /已儲存：每學期勾選學習成果數量。1 個參數沒有儲存/);
  await waitText(admin.locator('#row-outcome_uploads_per_term .refusal'), /數值超出允許的範圍/);
  await shots(admin, 'admin-windows');
});

step('admin changes a window and the page shows it', async () => {
  const form = admin.locator('#w-certify');
  const to = await form.locator('#w-certify-to').inputValue();
  check(/^\d{3}\/\d\d\/\d\d \d\d:\d\d$/.test(to), `the window's end is shown in the ROC calendar (${to})`);
  await form.locator('#w-certify-from').fill(to);
  await form.locator('button[type="submit"]').click();
  await waitText(form.locator('.msg'), /開始時間必須早於結束時間/);
  await form.locator('#w-certify-from').fill('115/13/01 08:00');
  await form.locator('button[type="submit"]').click();
  await waitText(form.locator('.msg'), /開始時間的格式不正確/);
  // two hours ago, Taiwan time, in the Gregorian form the field also takes
  const from = new Date(Date.now() - 7200000 + 8 * 3600000).toISOString().slice(0, 16).replace('T', ' ');
  await form.locator('#w-certify-from').fill(from);
  await form.locator('button[type="submit"]').click();
  await waitText(admin.locator('#w-certify .msg'), /已儲存認證學習成果期間/);
});

async function termOutcomes(page) {
  return page.evaluate(async () => (await (await fetch('api/outcomes?term=115-1')).json()));
}

step('a session that ends as the upload starts loses nothing typed: after signing in again the course, the description and the files\' names are back (item 15)', async () => {
  await open(student, 'upload.html');
  await waitText(student.locator('#term-info'), /上傳期間：開放中/);
  await student.selectOption('#course', 'CHI-1151-101');
  await student.fill('#description', '閱讀心得海報');
  await student.setInputFiles('#document', { name: '海報.png', mimeType: 'image/png', buffer: PNG });
  await student.setInputFiles('#media', { name: '朗讀.mp3', mimeType: 'audio/mpeg', buffer: MP3 });
  await endSessionOn(student, 'POST', /\/api\/outcomes$/);
  await student.click('#upload-button');
  await student.waitForURL(/index\.html\?next=upload\.html/);
  await waitText(student.locator('#page-msg'), /請先登入/);
  await student.fill('#username', STUDENT.user);
  await student.fill('#password', STUDENT.password);
  await student.click('#signin-button');
  await student.waitForURL(/upload\.html\?term=115-1/);
  await waitText(student.locator('#draft-msg'), /已還原您尚未完成的上傳[\s\S]*請重新選擇文件：海報\.png[\s\S]*請重新選擇影音檔案：朗讀\.mp3/);
  check(await student.locator('#course').inputValue() === 'CHI-1151-101', 'the course is back');
  check(await student.locator('#description').inputValue() === '閱讀心得海報', 'the description is back');
  await waitText(student.locator('#document-kept'), /請重新選擇檔案：海報\.png/);
  await waitText(student.locator('#media-kept'), /請重新選擇檔案：朗讀\.mp3/);
  const r = await termOutcomes(student);
  check(r.term_count === 1, `nothing was made while signed out (${r.term_count} outcomes)`);
  await shots(student, 'student-upload-kept');
});

step('a file that arrived before the session ended is reported as arrived, not asked for again; the dashboard shows the unsent draft with the window\'s end (item 15)', async () => {
  await student.setInputFiles('#document', { name: '海報.png', mimeType: 'image/png', buffer: PNG });
  await student.setInputFiles('#media', { name: '朗讀.mp3', mimeType: 'audio/mpeg', buffer: MP3 });
  await endSessionOn(student, 'PUT', /\/api\/outcomes\/[^/]+\/media/);
  await student.click('#upload-button');
  await student.waitForURL(/index\.html\?next=upload\.html/);
  await student.fill('#username', STUDENT.user);
  await student.fill('#password', STUDENT.password);
  await student.click('#signin-button');
  await student.waitForURL(/upload\.html\?term=115-1/);
  await waitText(student.locator('#document-kept'), /已上傳：海報\.png（伺服器已收到，不必再選）/);
  await waitText(student.locator('#media-kept'), /請重新選擇檔案：朗讀\.mp3/);
  await waitText(student.locator('#draft-msg'), /文件「海報\.png」已上傳完成，不必再選[\s\S]*請重新選擇影音檔案：朗讀\.mp3/);
  await waitText(student.locator('#upload-button'), /繼續上傳/);
  check(await student.locator('#course').isDisabled(), 'the course of the draft made is fixed');
  const r = await termOutcomes(student);
  const made = r.outcomes.filter((o) => o.status === 'draft');
  check(made.length === 1 && made[0].document && made[0].document.name === '海報.png' && !made[0].media,
        `the server has the draft with its document only (${JSON.stringify(made.map((o) => [o.document, o.media]))})`);

  await open(student, 'student.html');
  await waitText(student.locator('#unsent'), /國語文：閱讀心得海報[\s\S]*上傳未完成：請重新選擇影音檔案：朗讀\.mp3[\s\S]*上傳及送出認證期限：\d{3}\/\d\d\/\d\d \d\d:\d\d 止/);
  await waitText(student.locator('#notice'), /您有 1 件學習成果尚未送出認證/);
  await shots(student, 'student-unsent');
});

step('the upload goes on into the same draft, and 送出認證 sends it (item 15)', async () => {
  await student.locator('#unsent a', { hasText: '繼續上傳' }).click();
  await student.waitForURL(/upload\.html\?term=115-1/);
  await waitText(student.locator('#media-kept'), /請重新選擇檔案：朗讀\.mp3/);
  await student.click('#upload-button');                                      // not chosen again yet
  await waitText(student.locator('#upload-msg'), /請重新選擇影音檔案：朗讀\.mp3/);
  await student.setInputFiles('#media', { name: '朗讀.mp3', mimeType: 'audio/mpeg', buffer: MP3 });
  await student.click('#upload-button');
  await waitText(student.locator('#upload-msg'), /已上傳/);
  await waitText(student.locator('#term-info'), /已上傳 2 件/);
  const drafts = student.locator('#list li.item[data-status="draft"]');
  check(await drafts.count() === 1, 'one draft, not two');
  await waitText(drafts.first(), /海報\.png[\s\S]*朗讀\.mp3/);
  check(await student.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('pf-upload-draft/')).length) === 0,
        'nothing is kept in the browser once the server has it all');
  await drafts.first().locator('button.submit-cert').click();
  await confirmDialog(student, /國語文：閱讀心得海報[\s\S]*文件：海報\.png[\s\S]*影音檔案：朗讀\.mp3/, true);
  await waitText(student.locator('#list'), /已送出認證/);
  await open(student, 'student.html');
  await waitText(student.locator('#unsent'), /本學期沒有尚未送出的學習成果/);
});

step('the admin start page lists the teacher with an outcome waiting (未認證教師狀況表)', async () => {
  await open(admin, 'admin.html');
  await waitText(admin.locator('#uncertified'), /林老師\s+1\s+1\s+0/);
  await shots(admin, 'admin-home');
});

step('the teacher passes it with an image preview and publishes all', async () => {
  await open(teacher, 'teacher.html');
  const item = teacher.locator('#queue li.item').first();
  await waitText(item, /國語文[\s\S]*閱讀心得海報/);
  await item.locator('button.preview-document').click();
  const img = item.locator('.preview img');
  await img.waitFor();
  await teacher.waitForFunction(() => { const i = document.querySelector('.preview img'); return i && i.complete && i.naturalWidth === 240; });
  await item.locator('button.preview-media').click();
  const audio = item.locator('.preview audio');
  await audio.waitFor();
  const media = await teacher.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('Content-Type') };
  }, await audio.getAttribute('src'));
  check(media.status === 200 && media.type === 'audio/mpeg', `the audio preview loads the MP3 (${JSON.stringify(media)})`);
  await item.locator('input[value="pass"]').check();
  await waitText(item.locator('.state'), /已儲存：通過/);
  await teacher.click('#publish-all');
  await confirmDialog(teacher, /全部發佈認證結果？[\s\S]*將發佈 1 筆認證結果：通過 1 筆/, true);
  await waitText(teacher.locator('#publish-msg'), /已發佈 1 筆/);
});

step('a refused tick shows its reason with the (n/limit) counter', async () => {
  await open(student, 'select.html');
  await waitText(student.locator('#term-counter'), /\(1\/1\)/);
  const row = student.locator('#list li.item', { hasText: '閱讀心得海報' });
  const box = row.locator('input[type="checkbox"]');
  await box.click();
  await waitText(row.locator('.refusal'), /無法勾選：本學期已達勾選數量上限 \(1\/1\)/);
  check(!(await box.isChecked()), 'the box is unticked again');
  await shots(student, 'student-select-refused');
});

let huang, zhou, zhouId;
step('certification queue of three students: the counters agree with the list and the menu (T1), compact on a phone (item 13)', async () => {
  huang = await apiAs('zlsh108234568', '567894', 'student pass 2');     // 黃小華, 101
  zhou = await apiAs('zlsh108234570', '567812', 'student pass 4');      // 周小強, 102
  await sentOutcome(huang, 'PHY-1151-101', '運動學報告', PDF);
  await sentOutcome(huang, 'CHI-1151-101', '作文：我的志向', PDF);
  zhouId = await sentOutcome(zhou, 'PHY-1151-101', '電路實驗', PDF);
  await open(teacher, 'teacher.html');
  await waitText(teacher.locator('#counts'), /待認證學習成果：3 筆（尚未認證 3 筆，已認證待發佈 0 筆）/);
  check(await teacher.locator('#queue li.item').count() === 3, 'three in the list');
  await waitText(teacher.locator('#nav-badge-cert'), /^3$/);
  await waitText(teacher.locator('#arrival'), /您目前有 3 則學習成果待認證/);
  const c = await countWaiting(teacher);
  check(c.pending === 3 && c.undecided === 3, `GET /certifications/count agrees (${JSON.stringify(c)})`);
  await teacher.selectOption('#term', '115-1');
  await waitText(teacher.locator('#counts'), /115學年度第1學期　待認證學習成果：3 筆/);
  await teacher.selectOption('#term', '');
  await teacher.setViewportSize(PHONE);
  const tallest = await teacher.evaluate(() => Math.max(...Array.from(document.querySelectorAll('#queue li.item')).map((e) => e.getBoundingClientRect().height)));
  console.log(`# the tallest outcome of the queue on a 390 px phone: ${Math.round(tallest)} px`);
  check(tallest <= 300, `each outcome is compact on a 390 px phone (the tallest is ${Math.round(tallest)} px)`);
  await teacher.setViewportSize(DESKTOP);
});

step('certification filters by class, subject and student (item 13)', async () => {
  const visible = async () => teacher.evaluate(() => Array.from(document.querySelectorAll('#queue li.item')).filter((e) => !e.hidden).map((e) => e.querySelector('.who').textContent));
  await teacher.selectOption('#f-class', '102');
  await waitText(teacher.locator('#shown'), /顯示 1 筆（共 3 筆；篩選：班級 102）/);
  check(JSON.stringify(await visible()) === JSON.stringify(['102 班 2 號 周小強']), `class 102: ${await visible()}`);
  await teacher.selectOption('#f-class', '');
  await teacher.selectOption('#f-subject', '國語文');
  await waitText(teacher.locator('#shown'), /顯示 1 筆（共 3 筆；篩選：科目 國語文）/);
  check(JSON.stringify(await visible()) === JSON.stringify(['101 班 2 號 黃小華']), `國語文: ${await visible()}`);
  await teacher.selectOption('#f-subject', '');
  await teacher.fill('#f-student', '黃');
  await waitText(teacher.locator('#shown'), /顯示 2 筆（共 3 筆；篩選：學生「黃」）/);
  await teacher.fill('#f-student', '108234570');
  await waitText(teacher.locator('#shown'), /顯示 1 筆/);
  check(JSON.stringify(await visible()) === JSON.stringify(['102 班 2 號 周小強']), `學號: ${await visible()}`);
  await teacher.fill('#f-student', '');
  await waitText(teacher.locator('#counts'), /3 筆/);
  check((await visible()).length === 3, 'no filter: all three');
});

step('全部通過 passes the shown outcomes only, and they are saved (item 13)', async () => {
  await teacher.selectOption('#f-class', '101');
  await teacher.click('#pass-all');
  await waitText(teacher.locator('#publish-msg'), /已將顯示中 2 筆尚未認證的學習成果設為「通過」（未發佈）/);
  await waitText(teacher.locator('#counts'), /尚未認證 1 筆，已認證待發佈 2 筆/);
  const c = await countWaiting(teacher);
  check(c.decided === 2 && c.undecided === 1, `the server has the two decisions (${JSON.stringify(c)})`);
  await shots(teacher, 'teacher-filters');
  await teacher.selectOption('#f-class', '');
  const zhouItem = teacher.locator(`#cert-${zhouId}`);
  check(!(await zhouItem.locator('input[value="pass"]').isChecked()), 'the hidden one is left as it was');
});

step('a 不通過 and its note are never lost: a save that fails is shown unsaved, 全部發佈 refuses and says so, a reload keeps the choice (item 13)', async () => {
  const item = teacher.locator(`#cert-${zhouId}`);
  await teacher.route('**/api/outcomes/*/decision', (r) => r.abort('connectionfailed'));
  await item.locator('input[value="fail"]').check();
  await item.locator('input[type="text"]').fill('請補上電路圖');
  await waitText(item.locator('.state'), /尚未儲存（不通過）：無法連線到伺服器/);
  await teacher.click('#publish-all');
  await waitText(teacher.locator('#publish-msg'), /有 1 筆認證結果尚未儲存，這次沒有發佈任何結果[\s\S]*周小強[\s\S]*物理：不通過/);
  check(!(await teacher.locator('dialog.pf-confirm').count()), 'no confirmation: nothing can be published');
  let c = await countWaiting(teacher);
  check(c.pending === 3 && c.decided === 2, `nothing was published (${JSON.stringify(c)})`);
  // the page goes away with the choice unsaved: it is held, and saved when the page comes back
  await teacher.unroute('**/api/outcomes/*/decision');
  await open(teacher, 'teacher.html');
  const back = teacher.locator(`#cert-${zhouId}`);
  await waitText(back.locator('.state'), /已儲存：不通過，評語已儲存/);
  check(await back.locator('input[value="fail"]').isChecked(), '不通過 is still chosen');
  check(await back.locator('input[type="text"]').inputValue() === '請補上電路圖', 'the note is still there');
  c = await countWaiting(teacher);
  check(c.decided === 3, `the server has the 不通過 now (${JSON.stringify(c)})`);
});

step('全部發佈 saves a note typed a moment ago, says what it will publish and waits: 取消 publishes nothing, 確定 publishes the 不通過 with its note (items 13, 14)', async () => {
  const item = teacher.locator(`#cert-${zhouId}`);
  await item.locator('input[type="text"]').fill('請補上電路圖與數據表');
  await teacher.click('#publish-all');                 // at once: before the note's own save
  await confirmDialog(teacher, /全部發佈認證結果？[\s\S]*將發佈 3 筆認證結果：通過 2 筆、不通過 1 筆[\s\S]*不能撤回或修改[\s\S]*周小強　物理：不通過（評語：請補上電路圖與數據表）/, false);
  await waitText(teacher.locator('#publish-msg'), /沒有發佈/);
  let c = await countWaiting(teacher);
  check(c.pending === 3 && c.decided === 3, `取消 published nothing (${JSON.stringify(c)})`);
  await teacher.click('#publish-all');
  await teacher.locator('dialog.pf-confirm[open]').waitFor();
  await shots(teacher, 'teacher-confirm');
  await confirmDialog(teacher, /將發佈 3 筆/, true);
  await waitText(teacher.locator('#publish-msg'), /已發佈 3 筆認證結果/);
  await waitText(teacher.locator('#queue'), /目前沒有待認證的學習成果/);
  await waitText(teacher.locator('#counts'), /待認證學習成果：0 筆/);
  await waitText(teacher.locator('#arrival'), /目前沒有待認證的學習成果/);
  check(await teacher.locator('#nav-badge-cert').isHidden(), 'the menu count is gone');
  const r = await zhou('GET', '/outcomes?term=115-1');
  const o = r.json.outcomes.find((x) => x.id === zhouId);
  check(o.status === 'failed' && o.note === '請補上電路圖與數據表', `周小強 sees 不通過 with the note (${o.status}, ${o.note})`);
  const n = await zhou('GET', '/me/notices');
  check(n.json.unread === 1 && n.json.notices[0].id === zhouId, `and it is his notice (${n.text})`);
  c = await countWaiting(teacher);
  check(c.pending === 0, `the count is 0 (${JSON.stringify(c)})`);
});

step('school data import (items 2-6): a bad file shows its rows as the spreadsheet numbers them; a good one is previewed, and a file of one class asks before it removes anyone', async () => {
  await open(admin, 'import.html');
  await admin.selectOption('#kind', 'students');
  const bad = 'student_number,national_id,name,class,seat\n108234567,A234567893,李小明,101,x\n,B1,,101,2\n';
  await admin.setInputFiles('#file', { name: 'students.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await admin.click('#import-button');
  await waitText(admin.locator('#import-msg'), /檔案中有 4 個錯誤，整個檔案都沒有匯入：請修正後重新匯入整個檔案/);
  // header row 1, first record row 2 (item 5)
  await waitText(admin.locator('#errors-table'), /\b2\s+seat[\s\S]*\b3\s+student_number/);
  check(await admin.locator('#preview-section').isHidden(), 'a refused file has no preview');
  await shots(admin, 'admin-import');

  // one class of the term's two: the preview says who would leave the list (item 3)
  const one = 'student_number,national_id,name,class,seat\n108234567,A234567893,李小明,101,1\n108234568,B234567894,黃小華,101,2\n';
  await admin.setInputFiles('#file', { name: 'class-101.csv', mimeType: 'text/csv', buffer: Buffer.from(one) });
  await admin.click('#import-button');
  await waitText(admin.locator('#preview-summary'), /預覽：115學年度第1學期的學生資料 2 筆。尚未匯入/);
  await waitText(admin.locator('#preview-term'), /目前 4 位；依這個檔案匯入後留下 2 位，移出 2 位/);
  check(await admin.locator('#apply-button').isHidden(), 'no plain 確認匯入 when students would be removed');
  check(await admin.locator('#apply-remove').isVisible(), 'removing is a choice of its own');
  await waitText(admin.locator('#apply-classes'), /只更新檔案中的班級（101）/);
  await shots(admin, 'admin-import-preview');
  await admin.click('#apply-classes');
  await waitText(admin.locator('#import-msg'), /已匯入115學年度第1學期的學生資料 2 筆[\s\S]*學生名單現有 4 位/);
  check(await admin.locator('#preview-section').isHidden(), 'the preview is gone once imported');

  // attendance: previewed, then 確認匯入
  await admin.selectOption('#kind', 'attendance');
  const good = fs.readFileSync(path.join(ROOT, 'conf', 'demo', 'attendance.csv'));
  await admin.setInputFiles('#file', { name: 'attendance.csv', mimeType: 'text/csv', buffer: good });
  await admin.click('#import-button');
  await waitText(admin.locator('#preview-summary'), /預覽：115學年度第1學期的出缺勤資料 2 筆/);
  check(await admin.locator('#apply-button').isVisible(), '確認匯入 is offered');
  await admin.click('#apply-button');
  await waitText(admin.locator('#import-msg'), /已匯入115學年度第1學期的出缺勤資料 2 筆/);
  check(await admin.locator('#errors-section').isHidden(), 'the errors table is gone');
});

step('role grants (維護角色權限): a grant takes effect, 校管理者 only after a confirmation (item 14), revoking one\'s own admin role is refused in words', async () => {
  await open(admin, 'roles.html');
  await waitText(admin.locator("#accounts"), /王導師\s+zlsh111122223/);
  const grant = admin.locator('#acc-zlsh111122223 input[aria-label*="課程諮詢教師"]');
  await grant.check();
  await waitText(admin.locator('#result-msg'), /已授予 王導師（zlsh111122223）「課程諮詢教師」角色/);
  // 校管理者: said and asked first (item 14)
  const boss = admin.locator('#acc-zlsh111122223 input[aria-label*="校管理者"]');
  const roles = async () => admin.evaluate(async () => (await (await fetch('api/schools/zlsh/accounts/zlsh111122223')).json()).account.roles);
  await boss.click();
  await confirmDialog(admin, /授予校管理者角色？[\s\S]*王導師（zlsh111122223）「校管理者」角色，立即生效[\s\S]*匯入校務資料/, false);
  await waitText(admin.locator('#result-msg'), /沒有授予/);
  check(!(await boss.isChecked()), '取消: the box is unticked');
  check(!(await roles()).includes('school_admin'), '取消: no grant was sent');
  await boss.click();
  await confirmDialog(admin, /授予校管理者角色？/, true);
  await waitText(admin.locator('#result-msg'), /已授予 王導師（zlsh111122223）「校管理者」角色/);
  check((await roles()).includes('school_admin'), 'the grant took effect');
  await boss.click();                                  // revoking needs no confirmation
  await waitText(admin.locator('#result-msg'), /已取消 王導師（zlsh111122223）「校管理者」角色/);
  const own = admin.locator('#acc-zlsh100000001 input[aria-label*="校管理者"]');
  await own.click();
  await waitText(admin.locator('#result-msg'), /不能取消自己的校管理者角色/);
  check(await own.isChecked(), 'the own admin box is ticked again');
  await shots(admin, 'admin-roles');
});

let tmp = null;
step('temporary account (臨時帳號): issued with its one-time password, signs in, is disabled', async () => {
  await open(admin, 'accounts.html');
  await waitText(admin.locator('#list'), /沒有臨時帳號/);
  await admin.selectOption('#class', '102');
  await admin.waitForFunction(() => document.querySelectorAll('#student option').length > 1);
  await admin.selectOption('#student', 'zlsh108234569');
  await admin.fill('#note', '115 學年度休學');
  await admin.click('#issue-button');
  const text = await waitText(admin.locator('#issued'), /帳號\s+zlshtmp\d{3}[\s\S]*初始密碼\s+\S+/);
  tmp = { user: text.match(/zlshtmp\d{3}/)[0], initial: text.match(/初始密碼\s+(\S+)/)[1] };
  await waitText(admin.locator('#tmp-table'), /吳小美[\s\S]*休學或長期請假[\s\S]*使用中/);
  await shots(admin, 'admin-accounts');

  const other = await newPage(PHONE);
  await open(other, 'index.html');
  await other.click('#temporary-entrance');           // the entrance of item 17
  await other.fill('#username', tmp.user);
  await other.fill('#password', tmp.initial);
  await other.click('#signin-button');
  await other.waitForURL(/password\.html/);
  await other.close();

  await admin.locator(`#tmp-${tmp.user} button.danger`).click();
  await confirmDialog(admin, new RegExp(`停用臨時帳號？[\\s\\S]*${tmp.user}（吳小美）[\\s\\S]*無法再登入`), false);
  check(!/已停用/.test(await admin.locator('#tmp-table').innerText()), '取消 leaves the account in use');
  await admin.locator(`#tmp-${tmp.user} button.danger`).click();
  await confirmDialog(admin, /停用臨時帳號？/, true);
  await waitText(admin.locator('#list-msg'), new RegExp(`${tmp.user} 已停用`));
  await waitText(admin.locator('#tmp-table'), /已停用/);
  const again = await newPage(PHONE);
  await signIn(again, tmp, tmp.initial);
  await waitText(again.locator('#page-msg'), /此帳號已停用/);
  await again.close();
});

step('my account page: the directory binding says what this server offers', async () => {
  await open(admin, 'password.html');
  await admin.waitForLoadState('networkidle');
  const section = admin.locator('#directory');
  if (await section.isVisible()) {
    await waitText(section, /(尚未設定臺北市單一身分驗證服務|尚未綁定|已綁定)/);
  } else {
    console.log('# the server has no /api/me/directory: the binding section stays hidden');
  }
  await shots(admin, 'account');
});

step('file verification reports every stored file intact, and says identical files are stored once (item 17)', async () => {
  await open(admin, 'verify.html');
  await admin.click('#verify-button');
  // six uploads (four of one PDF, a PNG, an MP3) are three files: the page says why (item 17)
  await waitText(admin.locator('#dedup'), /內容完全相同的檔案只儲存一份[\s\S]*檔案數可能比上傳的次數少/);
  check(await admin.locator('#dedup').isVisible(), 'the words are on the page, not hidden');
  await waitText(admin.locator('#verify-msg'), /已檢查 3 個檔案，全部正常[\s\S]*相同內容的檔案只存一份/);
  await shots(admin, 'admin-verify');
});

step('the upload limit (422) is refused in words with its (n/limit)', async () => {
  await open(admin, 'windows.html');
  await admin.fill('#set-outcome_uploads_per_term', '2');
  await admin.click('#settings-save');
  await waitText(admin.locator('#settings-msg'), /已儲存：學生學習成果上傳數量/);
  await open(student, 'upload.html');
  await waitText(student.locator('#term-info'), /\(2\/2\)/);
  await student.selectOption('#course', 'PHY-1151-101');
  await student.fill('#description', '第三份報告');
  await student.setInputFiles('#document', { name: 'third.pdf', mimeType: 'application/pdf', buffer: PDF });
  await student.click('#upload-button');
  await waitText(student.locator('#upload-msg'), /本學期已達上傳數量上限 \(2\/2\)/);
});

step('outside the upload window (作業期間) the page says so and offers no upload', async () => {
  await open(admin, 'windows.html');
  await admin.locator('#w-upload button.danger').click();
  await confirmDialog(admin, /刪除學校期間？[\s\S]*學年度第\d學期上傳學習成果的學校期間/, true);
  await waitText(admin.locator('#w-upload .msg'), /已刪除學校期間/);
  await waitText(admin.locator('#w-upload'), /未開放/);
  await open(student, 'upload.html');
  await waitText(student.locator('#upload-msg'), /現在不在上傳學習成果的作業期間內/);
  check(await student.locator('#upload-button').isDisabled(), 'the upload button is disabled');
  await waitText(student.locator('#term-info'), /上傳期間：目前未開放/);
});

step('a teacher page refuses a student in words', async () => {
  await open(student, 'teacher.html');
  await waitText(student.locator('main .msg.warn'), /這個頁面不屬於您的身分/);
});

step('the city admin (教育局) brings in a school and names its first admin; taken names and a wrong 身分證字號 are refused in words (C1)', async () => {
  const city = await newPage(DESKTOP);
  await signIn(city, CITY, CITY.password);
  await city.waitForURL(/city\.html/);
  await waitText(city.locator('#school-zlsh'), /臺北市立中崙高級中學[\s\S]*zlsh[\s\S]*313302/);
  const create = async (domain, name, code) => {
    await city.fill('#domain', domain);
    await city.fill('#name', name);
    await city.fill('#code', code);
    await city.click('#school-button');
  };
  await create('zlsh', '臺北市立成功高級中學', '313301');
  await waitText(city.locator('#school-msg'), /學校網域名稱 zlsh 已由「臺北市立中崙高級中學」使用/);
  await create('cksh', '臺北市立成功高級中學', '313302');
  await waitText(city.locator('#school-msg'), /學校代碼 313302 已是「臺北市立中崙高級中學」（zlsh）的代碼/);
  check(!(await city.locator('#school-cksh').count()), 'a refused school is not listed');
  await create('cksh', '臺北市立成功高級中學', '313301');
  await waitText(city.locator('#school-msg'), /已新增學校：臺北市立成功高級中學（cksh），學校代碼 313301/);
  await waitText(city.locator('#school-cksh'), /cksh[\s\S]*313301/);
  check(await city.locator('#admin-school').inputValue() === 'cksh', 'the new school is picked for its first admin');
  await city.fill('#nid', 'A123456788');
  await city.fill('#admin-name', '李校管');
  await city.click('#admin-button');
  await confirmDialog(city, /指定校管理者？[\s\S]*李校管（身分證字號 A123456788）為臺北市立成功高級中學的校管理者/, true);
  await waitText(city.locator('#admin-msg'), /身分證字號不正確/);
  await city.fill('#nid', 'A123456789');
  await city.click('#admin-button');
  await confirmDialog(city, /指定校管理者？/, false);
  check(!(await city.locator('#admin-made').count()), '取消 sends nothing');
  await city.click('#admin-button');
  await confirmDialog(city, /指定校管理者？/, true);
  await waitText(city.locator('#admin-msg'), /已建立臺北市立成功高級中學的校管理者帳號[\s\S]*cksh123456789[\s\S]*身分證字號後六碼/);
  await city.locator('#school-cksh button', { hasText: '查看' }).click();
  await waitText(city.locator('#school-cksh'), /李校管（cksh123456789）/);
  await shots(city, 'city');
  // the school pages work on one's own school: not the city admin's
  const menu = await city.locator('nav.main-nav').innerText();
  check(/學校管理/.test(menu) && !/匯入校務資料|維護角色權限/.test(menu), `the city's menu has no school page (${menu})`);
  await open(city, 'import.html');
  await waitText(city.locator('#main .msg').first(), /這個頁面不屬於您的身分/);
  await city.close();
});

step('student signs out (登出) and the session is gone', async () => {
  await open(student, 'student.html');
  await student.click('#signout');
  await student.waitForURL(/index\.html\?bye=1/);
  await waitText(student.locator('#page-msg'), /您已登出/);
  const status = await student.evaluate(async () => (await fetch('api/me')).status);
  check(status === 401, `GET /api/me answers ${status} after signing out`);
  await open(student, 'upload.html');
  await student.waitForURL(/index\.html\?next=upload\.html/);
});

step('no page asked for anything outside the server, and no script failed', async () => {
  check(!external.length, 'requests left the server: ' + external.join(' '));
  check(!scriptErrors.length, 'script errors: ' + scriptErrors.join(' | '));
});

step('every screenshot is written at 390 and 1280 px', async () => {
  const names = ['signin', 'signin-temporary', 'password-change', 'student-dashboard', 'student-notice', 'student-courses',
                 'student-upload-refused', 'student-upload', 'student-upload-kept', 'student-unsent', 'teacher-queue',
                 'teacher-filters', 'teacher-confirm', 'student-results', 'student-select', 'admin-home',
                 'admin-windows', 'student-select-refused', 'admin-import', 'admin-import-preview', 'admin-roles', 'admin-accounts', 'account', 'admin-verify', 'city'];
  const missing = [];
  for (const n of names) for (const w of [390, 1280]) {
    const f = path.join(SHOTS, `${n}-${w}.png`);
    if (!fs.existsSync(f) || !shotsTaken.includes(f)) missing.push(path.basename(f));
  }
  check(!missing.length, 'missing: ' + missing.join(' '));
});

/* ---------- run ---------- */

async function main() {
  console.log(`1..${steps.length}`);
  let n = 0, failed = 0, stopped = null;
  for (const s of steps) {
    n++;
    if (stopped) {
      console.log(`not ok ${n} - ${s.name} # not run: ${stopped}`);
      failed++;
      continue;
    }
    const t0 = Date.now();
    try {
      await s.fn();
      console.log(`ok ${n} - ${s.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${n} - ${s.name}`);
      for (const line of String(e && e.stack || e).split('\n').slice(0, 12)) console.log('# ' + line);
      if (s.fatal) stopped = `"${s.name}" failed`;
    }
    if (process.env.PF_BROWSER_VERBOSE) console.log(`# ${Date.now() - t0} ms`);
  }
  return failed;
}

let failed = 1;
const bail = async (sig) => { try { await stopServer(); } finally { process.exit(128 + (sig === 'SIGINT' ? 2 : 15)); } };
process.on('SIGINT', () => bail('SIGINT'));
process.on('SIGTERM', () => bail('SIGTERM'));
try {
  failed = await main();
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server && failed && process.env.PF_BROWSER_KEEP_LOG) console.log('# server log: ' + server.logPath);
  await stopServer();
}
process.exit(failed ? 1 : 0);
