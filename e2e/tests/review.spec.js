// The review round end to end (issue 12), in a real browser: a province officer opens the annual
// round of 2025; a commune officer builds the commune's list and downloads it (Phụ lục I), records
// an application from a file (a wrong file first: refused, located at its row), screens the
// applicant (and screens a second one out), marks the households surveyed, holds the village meeting (one household under 50 %
// sent back, surveyed again and agreed), posts the results, takes a complaint, is refused a decision
// too early and with the complaint open, records the re-check, decides, downloads the decision
// (Mẫu 02), the certificates (Mẫu 03) and the written reply to the applicant screened out, and finds the commune's lists locked; the province
// officer then sees the decision and the late communes, and form 1 still downloads. No page
// breaks the Content-Security-Policy. Screenshots: target/screenshots/review-*.png.
//
// The journey decides and so locks a commune: it takes the commune of VUONLEN_OTHER_COMMUNE_USER,
// which the other journeys only read (they edit households of VUONLEN_COMMUNE_USER's commune).
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { OTHER, signIn, shot } = require('./support');

const SHOTS = path.join(__dirname, '..', '..', 'target', 'screenshots');
const OFFICER = OTHER || 'xa.03646';
const COMMUNE = OFFICER.split('.')[1];
const PROVINCE_OFFICER = 'tinh.14';
/** The decision's number: unique enough to find on the province's page. */
const NUMBER = `${Date.now().toString(36).slice(-4)}/QĐ-UBND`;

/** A page of its own (own cookies) signed in as `user`, with its CSP refusals collected. */
async function userPage(browser, user, blocked) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(`${user}: ${m.text()}`); });
  await signIn(page, user);
  return page;
}

/** Submits a form of the commune's page by clicking `button`; waits for the page it answers
 *  with and returns its HTTP status. */
async function submit(page, button) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.waitForEvent('framenavigated', (f) => f === page.mainFrame()),
    button.click(),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}

/** Clicks a download link; returns the download and its bytes. */
async function download(page, link) {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const bytes = fs.readFileSync(await d.path());
  return { d, bytes };
}

/** The text of a cell (0-based column) of the cases table's row of household `code`. */
function cell(page, code, column) {
  return page.locator(`table[data-testid=cases] tr[data-household="${code}"] td`).nth(column);
}

/** Page 1 of a PDF as a PNG next to the screenshots (skipped when pdftoppm is missing). */
function renderFirstPage(pdf, name) {
  try {
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(SHOTS, name)]);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}

test('a review round from opening to the decision, the certificates and the lock', async ({ browser }) => {
  test.setTimeout(300_000);
  const blocked = [];

  // 1. The province officer opens the annual round of 2025.
  const province = await userPage(browser, PROVINCE_OFFICER, blocked);
  await province.click('header nav a[href="/ra-soat"]');
  await expect(province).toHaveURL(/\/ra-soat$/);
  const open = province.getByTestId('open-round');
  await open.locator('select[name=period]').selectOption('2025');
  await open.locator('select[name=kind]').selectOption('annual');
  await open.locator('input[name=starts]').fill('');
  await shot(province, 'review-01-open-round');
  await Promise.all([province.waitForURL(/\/ra-soat\/\d+$/), open.locator('button[type=submit]').click()]);
  const roundId = new URL(province.url()).pathname.split('/')[2];
  await expect(province.locator('h1')).toContainText('2025');
  await expect(province.locator(`table[data-testid=review-communes] tr[data-commune="${COMMUNE}"]`)).toHaveCount(1);
  await expect(province.getByTestId('decided-communes')).toHaveText('0');
  await shot(province, 'review-02-round');

  // 2. The commune officer finds the round, opens its commune's page and builds the list.
  const page = await userPage(browser, OFFICER, blocked);
  await page.goto('/ra-soat');
  await page.locator(`table[data-testid=rounds] a[href="/ra-soat/${roundId}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`/ra-soat/${roundId}$`));
  // A commune officer sees its own commune only.
  await expect(page.locator('table[data-testid=review-communes] tr[data-commune]')).toHaveCount(1);
  await page.locator(`tr[data-commune="${COMMUNE}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`/ra-soat/${roundId}/xa/${COMMUNE}$`));
  const rows = page.locator('table[data-testid=cases] tr[data-household]');
  await expect(rows).toHaveCount(0);
  expect(await submit(page, page.getByTestId('build-list'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText('Đã lập danh sách');
  const listed = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.household));
  expect(listed.length).toBeGreaterThanOrEqual(2);
  await expect(rows.and(page.locator('[data-stage=listed]'))).toHaveCount(listed.length);
  await shot(page, 'review-03-list');
  const list = await download(page, page.getByTestId('download-list'));
  expect(list.d.suggestedFilename()).toMatch(new RegExp(`^${COMMUNE}-2025-phu-luc-1\\.xlsx$`));
  expect(list.bytes.length).toBeGreaterThan(1000);
  expect(list.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  // It opens, and lists the households on the page.
  const inList = JSON.parse(execFileSync('python3', ['-c', [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))',
    'print(json.dumps([c in text for c in sys.argv[2:]]))',
  ].join('\n'), await list.d.path(), ...listed]).toString());
  expect(inList).toEqual(listed.map(() => true));

  // 3. An application for a household of the commune not on the list: from the commune's
  // households (period 2025).
  const communePage = page.url();
  /** The codes of the commune's households of period 2025 listed at `query` (first page). */
  const codesAt = async (query) => {
    await page.goto(`/ho?period=2025${query}`);
    const cells = await page.locator('table[data-testid=households] tbody tr td:nth-child(2)').allTextContents();
    return cells.map((c) => c.trim()).filter(Boolean);
  };
  // Two applicants: one screened in and surveyed, one screened out at Phiếu A (refused in writing).
  const [applicant, outApplicant] = (await codesAt('')).filter((c) => !listed.includes(c));
  expect(applicant, 'a household of the commune not on the list').toBeTruthy();
  expect(outApplicant, 'a second household of the commune not on the list').toBeTruthy();
  // B, the household a complaint is about: one whose class of 2025 (what the decision computes)
  // is near-poor, so that the re-check recognising it poor differs; else one not poor.
  const nearPoor = await codesAt('&class=near_poor');
  const poor = await codesAt('&class=poor');
  const B = listed.find((c) => nearPoor.includes(c)) || listed.find((c) => !poor.includes(c)) || listed[0];
  const recheck = poor.includes(B) ? { key: 'near_poor', label: 'Hộ cận nghèo' } : { key: 'poor', label: 'Hộ nghèo' };
  // A, the household the meeting sends back: another one.
  const A = listed.find((c) => c !== B);
  await page.goto(communePage);
  const upload = page.getByTestId('upload-step');
  const header = 'Mã xã,Mã hộ,Nguồn đề nghị,Ngày đề nghị\n';
  // An unknown household: refused at its row, nothing recorded.
  const unknown = `KHONG-CO-${Date.now().toString(36)}`;
  await upload.locator('select[name=step]').selectOption('applications');
  await upload.locator('input[name=file]').setInputFiles({ name: 'don-de-nghi-loi.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`${header}${COMMUNE},${unknown},mau_01,15/09/2025\n`) });
  expect(await submit(page, upload.locator('button[type=submit]'))).toBe(422);
  const errors = page.getByTestId('review-errors');
  await expect(page.getByTestId('review-message')).toContainText('không ghi gì');
  const problem = errors.locator('tbody tr', { hasText: unknown });
  await expect(problem).toHaveCount(1);
  await expect(problem.locator('td').nth(1)).toContainText('don-de-nghi-loi.csv');
  await expect(problem.locator('td').nth(2)).toHaveText('2');
  await expect(problem.locator('td').nth(6)).toContainText('Không có hộ');
  await expect(rows).toHaveCount(listed.length);
  await shot(page, 'review-04-application-refused');
  // The right one.
  await upload.locator('select[name=step]').selectOption('applications');
  await upload.locator('input[name=file]').setInputFiles({ name: 'don-de-nghi.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`${header}${COMMUNE},${applicant},mau_01,2025-09-15\n${COMMUNE},${outApplicant},mau_01,2025-09-16\n`) });
  expect(await submit(page, upload.locator('button[type=submit]'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText('Đã ghi 2 hộ');
  await expect(page.getByTestId('review-errors')).toHaveCount(0);
  await expect(rows).toHaveCount(listed.length + 2);
  const applicantRow = page.locator(`table[data-testid=cases] tr[data-household="${applicant}"]`);
  await expect(applicantRow).toHaveAttribute('data-stage', 'listed');
  await expect(cell(page, applicant, 3)).toContainText('Mẫu 01');

  // 4. Phiếu A before the survey: marking the households with Phiếu B answers surveyed leaves the
  // applicant out until it is screened; screened in, it is surveyed too.
  expect(await submit(page, page.getByTestId('survey-all'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText(`Đã ghi ${listed.length} hộ đã điều tra`);
  await expect(applicantRow).toHaveAttribute('data-stage', 'listed');
  const screen = applicantRow.locator('form:has(input[name=action][value=screen])');
  await screen.locator('select[name=result]').selectOption('proceeds');
  await screen.locator('input[name=on]').fill('2025-09-20');
  expect(await submit(page, screen.locator('button[type=submit]'))).toBe(200);
  await expect(page.getByTestId('review-message')).toHaveText('Đã ghi.');
  await expect(applicantRow).toHaveAttribute('data-stage', 'listed');
  // The second applicant is screened out, with the first reason the procedure gives.
  const outRow = page.locator(`table[data-testid=cases] tr[data-household="${outApplicant}"]`);
  const screenOut = outRow.locator('form:has(input[name=action][value=screen])');
  await screenOut.locator('select[name=result]').selectOption('out');
  const reason = await screenOut.locator('select[name=reason] option:not([value=""])').first().getAttribute('value');
  await screenOut.locator('select[name=reason]').selectOption(reason);
  await screenOut.locator('input[name=on]').fill('2025-09-20');
  expect(await submit(page, screenOut.locator('button[type=submit]'))).toBe(200);
  await expect(outRow).toHaveAttribute('data-stage', 'screened_out');
  await shot(page, 'review-05-screened');
  expect(await submit(page, page.getByTestId('survey-all'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText('Đã ghi 1 hộ đã điều tra');
  await expect(applicantRow).toHaveAttribute('data-stage', 'surveyed');
  await expect(rows.and(page.locator('[data-stage=surveyed]'))).toHaveCount(listed.length + 1);
  // Phiếu C for the applicant (actual income over 12 months), through the step upload.
  await upload.locator('select[name=step]').selectOption('income_survey');
  await upload.locator('input[name=file]').setInputFiles({ name: 'phieu-c.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`commune_code,household_code,nlndn,income_12m,allowances_12m,surveyed_on\n${COMMUNE},${applicant},1,90000000,1200000,2025-09-25\n`) });
  expect(await submit(page, upload.locator('button[type=submit]'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText('Đã ghi 1 hộ');
  await expect(applicantRow).toHaveAttribute('data-stage', 'surveyed');

  // 5. The village meeting: A under half (10/40) → surveyed again → 30/40 agreed; the rest at once.
  const rowA = page.locator(`table[data-testid=cases] tr[data-household="${A}"]`);
  const vote = async (attendees, agreeing) => {
    const form = rowA.getByTestId('vote');
    await form.locator('input[name=on]').fill('2025-10-20');
    await form.locator('input[name=attendees]').fill(String(attendees));
    await form.locator('input[name=agreeing]').fill(String(agreeing));
    expect(await submit(page, form.locator('button[type=submit]'))).toBe(200);
  };
  await vote(40, 10);
  await expect(rowA).toHaveAttribute('data-stage', 'resurvey');
  await expect(cell(page, A, 5)).toHaveText('Phải rà soát lại');
  await expect(cell(page, A, 6)).toHaveText('10/40 (25%)');
  await expect(rowA.getByTestId('vote')).toHaveCount(0);
  await shot(page, 'review-06-resurvey');
  expect(await submit(page, rowA.getByTestId('resurveyed'))).toBe(200);
  await expect(rowA).toHaveAttribute('data-stage', 'surveyed');
  await vote(40, 30);
  await expect(rowA).toHaveAttribute('data-stage', 'agreed');
  await expect(cell(page, A, 6)).toHaveText('30/40 (75%)');
  const meeting = page.getByTestId('meeting-all');
  await meeting.locator('input[name=on]').fill('2025-10-22');
  await meeting.locator('input[name=attendees]').fill('40');
  await meeting.locator('input[name=agreeing]').fill('30');
  expect(await submit(page, meeting.locator('button[type=submit]'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText(`cho ${listed.length} hộ`);
  await expect(rows.and(page.locator('[data-stage=agreed]'))).toHaveCount(listed.length + 1);
  await shot(page, 'review-07-agreed');

  // 6. Posting Monday 1 to Wednesday 3 December (3 working days); a complaint about B.
  const posting = page.getByTestId('posting');
  await posting.locator('input[name=from]').fill('2025-12-01');
  await posting.locator('input[name=to]').fill('2025-12-03');
  expect(await submit(page, posting.locator('button[type=submit]'))).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText('Đã ghi niêm yết');
  await expect(page.getByTestId('commune-state')).toContainText('01/12/2025 – 03/12/2025');
  const rowB = page.locator(`table[data-testid=cases] tr[data-household="${B}"]`);
  const complain = rowB.getByTestId('complain');
  await complain.locator('input[name=on]').fill('2025-12-02');
  await complain.locator('input[name=content]').fill('Hộ đề nghị xem lại thu nhập bình quân');
  expect(await submit(page, complain.locator('button[type=submit]'))).toBe(200);
  const complaints = page.locator('table[data-testid=complaints] tbody tr', { hasText: B });
  await expect(complaints).toHaveCount(1);
  await expect(complaints).toContainText('Chưa giải quyết');
  // Deciding on the posting's last day, with the complaint open: refused for both reasons.
  const decide = page.getByTestId('decide');
  const tryDecide = async (day) => {
    await decide.locator('input[name=number]').fill(NUMBER);
    await decide.locator('input[name=on]').fill(day);
    await decide.locator('input[name=signer]').fill('Lò Văn Chủ Tịch');
    return submit(page, decide.locator('button[type=submit]'));
  };
  expect(await tryDecide('2025-12-03')).toBe(422);
  await expect(page.getByTestId('review-message')).toContainText('Không ghi được');
  await expect(page.getByTestId('review-errors')).toContainText('không sau ngày kết thúc niêm yết 03/12/2025');
  await expect(page.getByTestId('review-errors')).toContainText('1 khiếu nại chưa có kết quả phúc tra');
  await expect(page.getByTestId('decision')).toHaveCount(0);
  await shot(page, 'review-08-decision-refused');
  // The re-check upholds the complaint with another class than the computed one.
  const resolve = page.getByTestId('resolve');
  await expect(resolve.locator('select[name=complaint] option')).toHaveCount(1);
  await resolve.locator('select[name=outcome]').selectOption('upheld');
  await resolve.locator('select[name=class]').selectOption(recheck.key);
  await resolve.locator('input[name=on]').fill('2025-12-03');
  expect(await submit(page, resolve.locator('button[type=submit]'))).toBe(200);
  await expect(page.getByTestId('review-message')).toHaveText('Đã ghi kết quả phúc tra.');
  await expect(complaints).toContainText('Chấp nhận');
  await expect(complaints).toContainText(recheck.label);
  await expect(page.getByTestId('resolve')).toHaveCount(0);
  // The day after the posting: decided, the lists locked, B recognised as re-checked.
  expect(await tryDecide('2025-12-04')).toBe(200);
  await expect(page.getByTestId('review-message')).toContainText('danh sách đã khóa');
  await expect(page.getByTestId('decision')).toContainText(NUMBER);
  await expect(page.getByTestId('decision')).toContainText('04/12/2025');
  await expect(rows.and(page.locator('[data-stage=decided]'))).toHaveCount(listed.length + 1);
  await expect(cell(page, B, 8)).toContainText(recheck.label);
  await expect(cell(page, B, 8)).toContainText('phúc tra');
  // No step forms once decided.
  for (const id of ['build-list', 'upload-step', 'survey-all', 'meeting-all', 'posting', 'decide']) {
    await expect(page.getByTestId(id)).toHaveCount(0);
  }
  await shot(page, 'review-09-decided');

  // 7. The decision (Mẫu 02) and the certificates (Mẫu 03) as PDF.
  for (const [id, name] of [['download-decision', 'quyet-dinh'], ['download-certificates', 'giay-chung-nhan']]) {
    const pdf = await download(page, page.getByTestId(id));
    expect(pdf.d.suggestedFilename()).toBe(`${COMMUNE}-2025-${name}.pdf`);
    expect(pdf.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(pdf.bytes.length).toBeGreaterThan(5000);
    renderFirstPage(await pdf.d.path(), `review-10-${name}`);
  }
  // The written reply to the applicant screened out (Decision 24/2021: a refusal is answered in
  // writing, with its reason).
  const reply = await download(page, page.getByTestId('download-replies'));
  expect(reply.d.suggestedFilename()).toBe(`${COMMUNE}-2025-tra-loi-don.pdf`);
  expect(reply.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
  renderFirstPage(await reply.d.path(), 'review-10-tra-loi-don');
  try {
    const text = execFileSync('pdftotext', [await reply.d.path(), '-']).toString().replace(/\s+/g, ' ');
    expect(text).toContain('Phiếu A');
    expect(text).toContain('không đủ điều kiện');
  } catch (e) {
    if (e.code !== 'ENOENT') throw e; // pdftotext missing: the bytes were checked above
  }

  // 8. The lists are locked: a changed answer of a household of the commune is refused (409).
  await page.goto('/ho?period=2025');
  const href = await page.locator('table[data-testid=households] tbody tr td a').first().getAttribute('href');
  const id = href.split('?')[0].split('/')[2];
  await page.goto(`/ho/${id}/sua?period=2025`);
  const income = page.locator('input[name="h.income_per_capita"]');
  const before = Number(await income.inputValue()) || 0;
  await income.fill(String(before + 123000));
  expect(await submit(page, page.locator('button[value=save]'))).toBe(409);
  await expect(page.getByTestId('problems')).toContainText('khóa');
  await expect(page.getByTestId('problems')).toContainText(NUMBER);
  await shot(page, 'review-11-locked');
  await page.goto(`/ho/${id}?period=2025`);
  await expect(page.getByTestId('audit')).not.toContainText(String(before + 123000));
  await page.close();

  // 9. The province sees the decision; the communes that have not decided are late (the round
  // ended on 14/12/2025).
  await province.goto(`/ra-soat/${roundId}`);
  const line = province.locator(`table[data-testid=review-communes] tr[data-commune="${COMMUNE}"]`);
  await expect(line.locator('td').nth(1)).toHaveText('Quyết định');
  await expect(line.locator('td').nth(9)).toContainText(NUMBER);
  await expect(line).not.toHaveClass(/late/);
  await expect(province.getByTestId('decided-communes')).toHaveText('1');
  expect(new Date().toISOString().slice(0, 10) > '2025-12-14').toBe(true);
  expect(await province.locator('table[data-testid=review-communes] tr.late').count()).toBeGreaterThan(0);
  await shot(province, 'review-12-province');
  // Form 1 of period 2025 still downloads and opens.
  await province.goto('/bao-cao');
  await province.selectOption('select[name=form]', '1');
  await province.fill('input[name=unit]', '14');
  await province.selectOption('select[name=period]', '2025');
  const [form1] = await Promise.all([province.waitForEvent('download'), province.click('button:has-text("Tải về")')]);
  expect(form1.suggestedFilename()).toMatch(/^bieu-1-14-2025\.xlsx$/);
  const out = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'names = z.namelist()',
    'assert any(n.startswith("xl/worksheets/") for n in names), names',
    'text = "".join(z.read(n).decode("utf-8") for n in names if n.endswith(".xml"))',
    'print("Sơn La" in text)',
  ].join('\n'), await form1.path()]).toString().trim();
  expect(out).toBe('True');
  await province.close();

  expect(blocked).toEqual([]);
});
