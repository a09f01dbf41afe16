// memlens in a real VS Code (code-server), driven through Debian's Chromium with playwright-core.
// Started by tests/editors/vscode/run.sh, which starts code-server with the .vsix installed and a
// workspace holding a copy of examples/where_data_lives.rs. Exit 0 when every check passed.
//
// Env (run.sh sets them):
//   CODE_SERVER_URL  http://127.0.0.1:PORT            WORKSPACE  folder opened in VS Code
//   FILE             file to open, relative to WORKSPACE
//   USER_DATA_DIR    code-server's --user-data-dir (its logs hold the "memlens" output channel)
//   CHROMIUM         browser binary                    OUT_DIR    screenshots + result.json
//   MEMLENS_HOVER_FIND / MEMLENS_HOVER_COL   where to hover: first line containing the text, column in it
//   MEMLENS_EXPECT_HOVER   text the hover must contain
//   MEMLENS_EXPECT_INLAY   text an inlay hint must draw ('' = skip)
//   MEMLENS_INLAY_FIND     the line that hint must be on ('' = any line)
//   MEMLENS_EXPECT_CODE_ACTION  if set, a code action whose title contains it must be offered
//   MEMLENS_ACTION_FIND / MEMLENS_ACTION_COL   where to press Ctrl+. (default: the hover position)
//   TIMEOUT_MS       per-step timeout (default 45000)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k, d) => (process.env[k] !== undefined ? process.env[k] : d);
const URL_ = env('CODE_SERVER_URL');
const WS = env('WORKSPACE');
const FILE = env('FILE', 'examples/where_data_lives.rs');
const DATA = env('USER_DATA_DIR', '');
const HOVER_FIND = env('MEMLENS_HOVER_FIND', 'let s = String');
const HOVER_COL = Number(env('MEMLENS_HOVER_COL', '4'));
const EXPECT_HOVER = env('MEMLENS_EXPECT_HOVER', 'stack 24 B + heap 5 B');
const EXPECT_INLAY = env('MEMLENS_EXPECT_INLAY', 'stack 24B + heap 5B');
const INLAY_FIND = env('MEMLENS_INLAY_FIND', HOVER_FIND);
const EXPECT_ACTION = env('MEMLENS_EXPECT_CODE_ACTION', '');
const ACTION_FIND = env('MEMLENS_ACTION_FIND', HOVER_FIND);
const ACTION_COL = Number(env('MEMLENS_ACTION_COL', String(HOVER_COL)));
const OUT = path.resolve(env('OUT_DIR', 'out/editors/vscode'));
const T = Number(env('TIMEOUT_MS', '45000'));
if (!URL_ || !WS) {
  console.error('set CODE_SERVER_URL and WORKSPACE');
  process.exit(2);
}
fs.mkdirSync(OUT, { recursive: true });

const results = { checks: [], timings_ms: {} };
let failures = 0;
function check(name, ok, detail) {
  results.checks.push({ name, ok: !!ok, detail });
  if (!ok) failures++;
  const d = detail === undefined ? '' : ': ' + (typeof detail === 'string' ? JSON.stringify(detail).slice(1, -1) : JSON.stringify(detail));
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${d.length > 300 ? d.slice(0, 300) + '...' : d}`);
}
// VS Code draws spaces in the editor as U+00A0
const norm = (s) => (s || '').replace(/\u00a0/g, ' ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function poll(fn, timeout = T, every = 250) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(every);
  }
  return last;
}

// the "memlens" output channel as code-server writes it to disk (logs/<session>/.../output_logging_*/N-memlens.log)
function outputChannelText() {
  if (!DATA) return '';
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/memlens\.log$/.test(e.name) && /output_logging_/.test(dir)) found.push(p);
    }
  };
  try { walk(path.join(DATA, 'logs')); } catch (_) { /* no logs yet */ }
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

(async () => {
  const src = fs.readFileSync(path.join(WS, FILE), 'utf8').split('\n');
  const hoverLine = src.findIndex((l) => l.includes(HOVER_FIND)); // 0-based
  if (hoverLine < 0) throw new Error(`no line of ${FILE} contains ${JSON.stringify(HOVER_FIND)}`);
  const hoverChar = src[hoverLine].indexOf(HOVER_FIND) + HOVER_COL; // 0-based
  results.hover_position = { line: hoverLine, character: hoverChar, word: src[hoverLine].slice(hoverChar).match(/^\w+/)?.[0] };
  const actionLine = src.findIndex((l) => l.includes(ACTION_FIND));
  if (actionLine < 0) throw new Error(`no line of ${FILE} contains ${JSON.stringify(ACTION_FIND)}`);
  const actionChar = src[actionLine].indexOf(ACTION_FIND) + ACTION_COL;

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'memlens-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.setDefaultTimeout(T);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const editor = page.locator('.editor-instance .monaco-editor').first();
  const statusItem = page.locator('.statusbar-item', { hasText: 'memlens' }).first();
  const statusLabel = async () =>
    (await statusItem.locator('a').first().getAttribute('aria-label', { timeout: 2000 }).catch(() => null)) ||
    (await statusItem.getAttribute('aria-label', { timeout: 2000 }).catch(() => '')) || '';
  const t = (name, t0) => { results.timings_ms[name] = Date.now() - t0; };

  async function gotoPosition(line, character) {
    // Focus the editor through its visible box: `.view-lines` scrolls, and a fixed offset in it
    // can fall outside the viewport once the editor has scrolled.
    await editor.click({ position: { x: 300, y: 60 } });
    await page.keyboard.press('Control+G');
    const qi = page.locator('.quick-input-widget input');
    await qi.waitFor({ state: 'visible' });
    await qi.fill(`:${line + 1}:${character + 1}`);
    await page.keyboard.press('Enter');
    await qi.waitFor({ state: 'hidden' });
  }
  const gotoHoverPosition = () => gotoPosition(hoverLine, hoverChar);
  // hover with the mouse over the character at the cursor; retry until the server answers
  async function hoverAtCursor(expect, timeout = T) {
    const w = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
    let text = '';
    await poll(async () => {
      await page.mouse.move(5, 5);
      await page.waitForTimeout(150);
      const cur = await editor.locator('.cursors-layer .cursor').first().boundingBox();
      if (!cur) return false;
      await page.mouse.move(cur.x + 3, cur.y + cur.height / 2, { steps: 3 });
      try {
        await w.first().waitFor({ state: 'visible', timeout: 3000 });
        text = norm((await w.allInnerTexts()).join('\n'));
      } catch (_) { /* no hover yet */ }
      return text !== '' && text.includes(expect);
    }, timeout, 500);
    return text;
  }
  async function viewLines() {
    return (await editor.locator('.view-line').allInnerTexts()).map(norm);
  }

  try {
    let t0 = Date.now();
    await page.goto(`${URL_}/?folder=${encodeURIComponent(WS)}`);
    await page.waitForSelector('.monaco-workbench');
    t('workbench', t0);
    check('workbench loaded', true, `${Date.now() - t0} ms`);

    // open the file with Quick Open (Ctrl+P)
    t0 = Date.now();
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    const qi = page.locator('.quick-input-widget input');
    await qi.waitFor({ state: 'visible' });
    await qi.fill(FILE);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: path.basename(FILE) }).first().waitFor();
    await editor.locator('.view-lines').waitFor();
    check('file opened in the editor', true, FILE);
    const lang = await page.locator('#status\\.editor\\.mode').innerText().catch(() => '');
    check('language mode is Rust', /rust/i.test(lang), lang.trim());

    // the extension activated on Rust: status bar item, running once the server initialized
    const label = await poll(async () => { const l = await statusLabel(); return /running|failed/.test(l) && l; }, T);
    t('server_running', t0);
    results.status_bar = label || (await statusLabel());
    check('status bar shows memlens running', /running/.test(results.status_bar || ''), results.status_bar);
    if (!/running/.test(results.status_bar || '')) {
      throw new Error('the server is not running (see memlens-output.log); the remaining checks are skipped');
    }

    // hover on `s` in `let s = String::from("world");`
    t0 = Date.now();
    await gotoHoverPosition();
    const hoverText = await hoverAtCursor(EXPECT_HOVER);
    t('hover', t0);
    results.hover = hoverText;
    await page.screenshot({ path: path.join(OUT, 'hover.png') });
    check(`hover shows "${EXPECT_HOVER}"`, hoverText.includes(EXPECT_HOVER), hoverText);

    // inlay hints: injected text inside the view line, after the binding
    if (EXPECT_INLAY) {
      t0 = Date.now();
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      // the hint sits inside the line (`let s<hint> = String`): find the line by its text without hints
      const squash = (l) => l.replace(/\s+/g, ' ');
      const isLine = (l) => !INLAY_FIND || squash(l.split(EXPECT_INLAY).join('')).includes(squash(INLAY_FIND));
      let lines = [];
      const hit = await poll(async () => {
        lines = await viewLines();
        return lines.find((l) => l.includes(EXPECT_INLAY) && isLine(l));
      });
      t('inlay', t0);
      results.inlay_line = hit || lines.find((l) => INLAY_FIND && l.includes(INLAY_FIND)) || null;
      results.inlay_lines = lines.filter((l) => l.includes(EXPECT_INLAY));
      await page.screenshot({ path: path.join(OUT, 'inlay.png') });
      check(`inlay hint "${EXPECT_INLAY}" drawn${INLAY_FIND ? ` on the "${INLAY_FIND}" line` : ''}`, !!hit,
        results.inlay_line);
    }

    // code actions (Ctrl+.) at the action position: record what is offered
    t0 = Date.now();
    await gotoPosition(actionLine, actionChar);
    await page.keyboard.press('Control+Period');
    const menuRows = page.locator('.action-widget .monaco-list-row');
    const noActions = page.locator('.monaco-editor-overlaymessage', { hasText: /no code actions/i });
    const which = await poll(async () => {
      if (await noActions.first().isVisible().catch(() => false)) return 'none';
      if (await menuRows.first().isVisible().catch(() => false)) return 'menu';
      return false;
    }, 15000);
    const actions = which === 'menu' ? (await menuRows.allInnerTexts()).map((s) => norm(s).trim()) : [];
    results.code_actions = { ui: which || 'nothing shown', titles: actions };
    t('code_action', t0);
    await page.screenshot({ path: path.join(OUT, 'code-action.png') });
    if (EXPECT_ACTION) {
      check(`code action "${EXPECT_ACTION}" offered`, actions.some((a) => a.includes(EXPECT_ACTION)), results.code_actions);
    } else {
      check('Ctrl+. shows the code action menu or "No code actions available"', !!which, results.code_actions);
    }
    // Close the action menu; it holds the pointer until it is gone.
    for (let i = 0; i < 3 && (await menuRows.first().isVisible().catch(() => false)); i++) {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(200);
    }

    // settings reach the server: initializationOptions (in the LSP trace) and didChangeConfiguration
    t0 = Date.now();
    const trace = outputChannelText();
    const init = trace.match(/"initializationOptions":\s*(\{[\s\S]*?\n\s{4}\})/);
    let initOpts = null;
    try { initOpts = init && JSON.parse(init[1]); } catch (_) { /* keep null */ }
    results.initialization_options = initOpts;
    check('initializationOptions = memlens settings', !!initOpts && initOpts.target === 'x86_64-unknown-linux-gnu' &&
      initOpts.inlayHints && initOpts.inlayHints.enable === true && initOpts.thresholds &&
      initOpts.thresholds.stackArrayBytes === 16384, initOpts || (DATA ? 'not in the trace' : 'USER_DATA_DIR unset'));
    const settingsFile = path.join(WS, '.vscode', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    settings['memlens.target'] = 'i686-unknown-linux-gnu';
    fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    const sent = await poll(async () => {
      const all = outputChannelText();
      const i = all.lastIndexOf("Sending notification 'workspace/didChangeConfiguration'");
      return i >= 0 && /i686-unknown-linux-gnu/.test(all.slice(i, i + 2000)) && all.slice(i, i + 2000);
    }, 20000);
    check('didChangeConfiguration sent with the new target', !!sent, sent ? sent.split('\n').slice(0, 12).join(' ').replace(/\s+/g, ' ') : undefined);
    const label2 = await poll(async () => { const l = await statusLabel(); return /i686/.test(l) && l; }, 10000);
    check('status bar shows the new target', !!label2, label2 || (await statusLabel()));
    await gotoHoverPosition();
    results.hover_i686 = await hoverAtCursor('', 10000); // recorded only: what the server says for i686
    t('settings', t0);

    // memlens: Restart server (command palette), then hover again
    t0 = Date.now();
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+P');
    const cp = page.locator('.quick-input-widget input');
    await cp.waitFor({ state: 'visible' });
    await cp.fill('>memlens: Restart server');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Restart server' }).first().waitFor();
    await page.keyboard.press('Enter');
    const restarted = await poll(() => /restarting the server/.test(outputChannelText()), 15000);
    const label3 = await poll(async () => { const l = await statusLabel(); return /running/.test(l) && l; }, T);
    settings['memlens.target'] = 'x86_64-unknown-linux-gnu';
    fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    await page.waitForTimeout(1000);
    await gotoHoverPosition();
    const hover2 = await hoverAtCursor(EXPECT_HOVER);
    t('restart', t0);
    check('"memlens: Restart server" restarts and hover works again',
      !!restarted && !!label3 && hover2.includes(EXPECT_HOVER), { restarted: !!restarted, status: label3, hover: hover2 });
    const log = outputChannelText();
    const starts = (log.match(/\[client\] starting /g) || []).length;
    check('output channel "memlens" has the client and server log', starts >= 2, `${starts} server starts logged`);

    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUT, 'final.png') });
  } catch (e) {
    check('no exception', false, String((e && e.stack) || e));
    await page.screenshot({ path: path.join(OUT, 'error.png') }).catch(() => {});
  } finally {
    results.console_errors = consoleErrors.slice(0, 20);
    results.failures = failures;
    results.output_channel_tail = outputChannelText().split('\n').slice(-40);
    fs.writeFileSync(path.join(OUT, 'result.json'), JSON.stringify(results, null, 2));
    console.log(`${results.checks.length - failures} passed, ${failures} failed`);
    await ctx.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
    process.exit(failures ? 1 : 0);
  }
})().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
