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
  await shots(student, 'student-dashboard');
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

step('student uploads a PDF with a progress bar and sends it for certification (送出認證)', async () => {
  await student.setInputFiles('#document', { name: '實驗報告.pdf', mimeType: 'application/pdf', buffer: PDF });
  await student.click('#upload-button');
  await waitText(student.locator('#upload-msg'), /已上傳/);
  check(await student.locator('#progress').evaluate((e) => e.value) === 100, 'the progress bar reached 100%');
  const item = student.locator('#list li.item').first();
  await waitText(item, /草稿（未送出）[\s\S]*實驗報告\.pdf/);
  await item.locator('button.submit-cert').click();
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
  await item.locator('input[value="pass"]').check();
  await item.locator('input[type="text"]').fill('實驗步驟完整');
  await item.locator('button.decide').click();
  await waitText(teacher.locator('#queue li.item').first(), /已儲存：通過/);
  await teacher.locator('#queue li.item').first().locator('button.preview-document').click();
  await teacher.locator('#queue .preview iframe').waitFor();
  await teacher.waitForTimeout(800);   // the PDF viewer draws
  await shots(teacher, 'teacher-queue');
});

step('teacher publishes (發佈) and the queue is empty', async () => {
  await teacher.click('#publish-selected');
  await waitText(teacher.locator('#publish-msg'), /已發佈 1 筆/);
  await waitText(teacher.locator('#queue'), /目前沒有待認證的學習成果/);
  await waitText(teacher.locator('#counts'), /待認證學習成果：0 筆/);
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

step('a second outcome (a PNG) is uploaded and sent', async () => {
  await open(student, 'upload.html');
  await waitText(student.locator('#term-info'), /上傳期間：開放中/);
  await student.selectOption('#course', 'CHI-1151-101');
  await student.fill('#description', '閱讀心得海報');
  await student.setInputFiles('#document', { name: '海報.png', mimeType: 'image/png', buffer: PNG });
  await student.setInputFiles('#media', { name: '朗讀.mp3', mimeType: 'audio/mpeg', buffer: MP3 });
  await student.click('#upload-button');
  await waitText(student.locator('#upload-msg'), /已上傳/);
  await student.locator('#list li.item[data-status="draft"] button.submit-cert').click();
  await waitText(student.locator('#list'), /已送出認證/);
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
  await item.locator('button.decide').click();
  await waitText(teacher.locator('#queue li.item').first(), /已儲存：通過/);
  await teacher.click('#publish-all');
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

step('school data import: a bad file shows the per-row errors, a good one is imported', async () => {
  await open(admin, 'import.html');
  await admin.selectOption('#kind', 'students');
  const bad = 'student_number,national_id,name,class,seat\n108234567,A234567893,李小明,101,x\n,B1,,101,2\n';
  await admin.setInputFiles('#file', { name: 'students.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await admin.click('#import-button');
  await waitText(admin.locator('#import-msg'), /檔案中有資料錯誤，整個檔案都沒有匯入[\s\S]*共 4 個錯誤/);
  await waitText(admin.locator('#errors-table'), /1\s+seat[\s\S]*2\s+student_number/);
  await shots(admin, 'admin-import');
  await admin.selectOption('#kind', 'attendance');
  const good = fs.readFileSync(path.join(ROOT, 'conf', 'demo', 'attendance.csv'));
  await admin.setInputFiles('#file', { name: 'attendance.csv', mimeType: 'text/csv', buffer: good });
  await admin.click('#import-button');
  await waitText(admin.locator('#import-msg'), /已匯入115學年度第1學期的出缺勤資料 2 筆/);
  check(await admin.locator('#errors-section').isHidden(), 'the errors table is gone');
});

step('role grants (維護角色權限): a grant takes effect, revoking one\'s own admin role is refused in words', async () => {
  await open(admin, 'roles.html');
  await waitText(admin.locator("#accounts"), /王導師\s+zlsh111122223/);
  const grant = admin.locator('#acc-zlsh111122223 input[aria-label*="課程諮詢教師"]');
  await grant.check();
  await waitText(admin.locator('#result-msg'), /已授予 王導師（zlsh111122223）「課程諮詢教師」角色/);
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
  await signIn(other, tmp, tmp.initial);
  await other.waitForURL(/password\.html/);
  await other.close();

  await admin.locator(`#tmp-${tmp.user} button.danger`).click();
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

step('file verification reports every stored file intact', async () => {
  await open(admin, 'verify.html');
  await admin.click('#verify-button');
  await waitText(admin.locator('#verify-msg'), /已檢查 3 個檔案，全部正常/);
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
  const names = ['signin', 'password-change', 'student-dashboard', 'student-courses', 'student-upload-refused',
                 'student-upload', 'teacher-queue', 'student-results', 'student-select', 'admin-home',
                 'admin-windows', 'student-select-refused', 'admin-import', 'admin-roles', 'admin-accounts', 'account', 'admin-verify'];
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
