// The key journeys of the web application, in a real browser: sign in, search with and without
// diacritics, edit a household into poverty and read why, import a file with errors, download a
// report and open it, and a commune officer refused another commune's household. Screenshots of
// the key pages go to target/screenshots/.
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { PASSWORD, OWN, OTHER, signIn, shot } = require('./support');

/** Folds Vietnamese text the way the search does: no diacritics, đ → d, lower case. */
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase().trim();
}

test('sign in and see the dashboard of one\'s own commune', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/dang-nhap/);
  await shot(page, '01-sign-in');
  await signIn(page, OWN);
  await expect(page.locator('h1')).toContainText('kỳ rà soát');
  await expect(page.getByTestId('households')).not.toHaveText('0');
  await shot(page, '02-dashboard-commune');
  await page.click('text=English');
  await expect(page.locator('h1')).toContainText('review period');
  await page.click('text=Tiếng Việt');
});

test('search finds the same households with and without diacritics', async ({ page }) => {
  await signIn(page, 'tinh.14');
  await page.goto('/ho?unit=14');
  const head = (await page.locator('table.list tbody tr td a').first().textContent()).trim();
  await page.fill('input[name=q]', head);
  await page.click('button:has-text("Lọc")');
  const withMarks = await page.locator('table.list tbody tr').allTextContents();
  expect(withMarks.length).toBeGreaterThan(0);
  await page.fill('input[name=q]', fold(head));
  await page.click('button:has-text("Lọc")');
  const without = await page.locator('table.list tbody tr').allTextContents();
  expect(without).toEqual(withMarks);
  // A household found by a member other than its head says which member.
  for (const row of await page.locator('table.list tbody tr').all()) {
    const rowHead = (await row.locator('td a').first().textContent()).trim();
    if (!fold(rowHead).startsWith(fold(head))) {
      const matched = (await row.locator('[data-testid=matched]').textContent()) || '';
      expect(fold(matched)).toContain(fold(head));
    }
  }
  await shot(page, '03-search-without-diacritics');
});

test('an edit that makes a household poor shows the class and why, before and after saving', async ({ page }) => {
  await signIn(page, OWN);
  await page.goto('/ho');
  await page.locator('table.list tbody tr td a').first().click();
  await page.click('text=Sửa phiếu');
  await page.fill('input[name="h.income_per_capita"]', '300000');
  await page.fill('input[name="h.score_a"]', '');
  await page.selectOption('select[name="h.water_source"]', 'surface');
  await page.selectOption('select[name="h.latrine"]', 'none');
  await page.selectOption('select[name="h.internet_user"]', '0');
  await page.selectOption('select[name="h.info_devices"]', '0');
  const insurance = page.locator('select[name$=".health_insurance"]');
  for (let i = 0; i < await insurance.count(); i++) {
    const name = await insurance.nth(i).getAttribute('name');
    const row = name.split('.')[1];
    if (await page.locator(`input[name="m.${row}.full_name"]`).inputValue()) await insurance.nth(i).selectOption('0');
  }
  // The class is recomputed as the answers change, before saving.
  await expect(page.locator('#preview-class')).toHaveText('Hộ nghèo');
  await expect(page.locator('#preview-explanation')).toContainText('300.000');
  await shot(page, '04-edit-live-preview');
  await page.click('button[value=save]');
  await expect(page.getByTestId('classification')).toContainText('Hộ nghèo');
  await expect(page.getByTestId('explanation')).toContainText('thiếu hụt');
  await expect(page.getByTestId('audit')).toContainText('300000');
  await shot(page, '05-household-poor');
});

test('an import with errors lists them by row and column and writes nothing', async ({ page }) => {
  await signIn(page, OWN);
  const commune = OWN.split('.')[1];
  await page.goto('/nhap');
  const households = 'household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices,waste_treatment,poverty_causes\n'
    + `E2E-1,${commune},Thôn Một,rural,Lò Văn Thử,,1000000,,3,40,giếng thần,septic,1,1,1,\n`
    + `E2E-2,${commune},Thôn Một,vùng xa,Lò Thị Thử,,abc,,3,40,piped,septic,1,1,1,\n`;
  const members = 'household_id,member_no,full_name,relation,sex,birth_date,ethnicity,id_number,health_insurance,employment,able_to_work,education,in_school,school_on_track,malnourished,disability,social_allowance,merit\n'
    + 'E2E-1,1,Lò Văn Thử,head,M,1980-01-01,Thái,,1,self_employed,1,lower_secondary,0,,,none,0,0\n'
    + 'E2E-2,1,Lò Thị Thử,head,F,1985-13-45,Thái,,1,self_employed,1,lower_secondary,0,,,none,0,0\n';
  await page.setInputFiles('input[name=households]', { name: 'ho-loi.csv', mimeType: 'text/csv', buffer: Buffer.from(households) });
  await page.setInputFiles('input[name=members]', { name: 'thanh-vien-loi.csv', mimeType: 'text/csv', buffer: Buffer.from(members) });
  await page.click('button:has-text("Kiểm tra")');
  const errors = page.getByTestId('import-errors');
  await expect(errors).toContainText('ho-loi.csv');
  await expect(errors).toContainText('giếng thần');
  await expect(errors).toContainText('vùng xa');
  await expect(errors).toContainText('1985-13-45');
  await expect(page.getByTestId('import-message')).toContainText('không có gì được ghi');
  await shot(page, '06-import-errors');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('error-file').click()]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  expect(text).toContain('giếng thần');
});

test('a report downloads as a workbook that opens', async ({ page }) => {
  await signIn(page, 'tinh.14');
  await page.goto('/bao-cao');
  await shot(page, '07-reports');
  await page.selectOption('select[name=form]', '1');
  await page.fill('input[name=unit]', '14');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Tải về")')]);
  expect(download.suggestedFilename()).toMatch(/^bieu-1-14-\d{4}\.xlsx$/);
  const file = await download.path();
  // Open it: a real XLSX (zip) with a worksheet whose text names the province.
  const out = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'names = z.namelist()',
    'assert any(n.startswith("xl/worksheets/") for n in names), names',
    'text = "".join(z.read(n).decode("utf-8") for n in names if n.endswith(".xml"))',
    'print("Sơn La" in text)',
  ].join('\n'), file]).toString().trim();
  expect(out).toBe('True');
});

test('a commune officer cannot open another commune\'s household', async ({ browser }) => {
  const other = await browser.newPage();
  await signIn(other, OTHER);
  await other.goto('/ho');
  const href = await other.locator('table.list tbody tr td a').first().getAttribute('href');
  await other.close();
  const page = await browser.newPage();
  await signIn(page, OWN);
  const res = await page.goto(href);
  expect(res.status()).toBe(404);
  await expect(page.locator('h1')).toContainText('Không tìm thấy');
  const edit = await page.goto(href.split('?')[0] + '/sua?period=2025');
  expect(edit.status()).toBe(404);
  await shot(page, '08-other-commune-refused');
  await page.close();
});

test('the dashboard period selector and the print button work under the Content-Security-Policy', async ({ page }) => {
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text()); });
  await signIn(page, OWN);
  const select = page.getByTestId('period-select');
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  expect(options.length).toBeGreaterThan(1);
  const current = await select.inputValue();
  const other = options.find((o) => o !== current);
  // Choosing a period reloads the dashboard for it, with no button to press.
  await Promise.all([page.waitForURL(new RegExp(`period=${other}`)), select.selectOption(other)]);
  await expect(page.locator('h1')).toContainText(other);
  // The household page's Print button opens the print dialog (counted here instead).
  await page.goto('/ho');
  await page.locator('table.list tbody tr td a').first().click();
  await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
  await page.getByTestId('print').click();
  expect(await page.evaluate(() => window.__printed)).toBe(1);
  expect(blocked).toEqual([]);
});

test('an officer records its commune\'s residents from a file, and form 1 takes its rates over them', async ({ page }) => {
  await signIn(page, OWN);
  const commune = OWN.split('.')[1];
  await page.click('nav >> text=Số dân cư');
  await expect(page).toHaveURL(/\/dan-cu/);
  // One resident household for a commune of hundreds reviewed: refused, located, nothing recorded.
  await page.setInputFiles('input[name=file]', { name: 'dan-cu-loi.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`Mã xã,Số hộ dân cư,Số nhân khẩu\n${commune},1,5\n`) });
  await page.click('button:has-text("Ghi")');
  const errors = page.getByTestId('residents-errors');
  await expect(errors).toContainText('dan-cu-loi.csv');
  await expect(errors).toContainText('nhỏ hơn số hộ đã rà soát');
  // Nothing recorded: the demo's own totals (its whole synthetic population) are still listed.
  await expect(page.getByTestId('residents')).toContainText('dữ liệu mẫu');
  await shot(page, '08-residents-errors');
  // A valid file: recorded and listed.
  await page.setInputFiles('input[name=file]', { name: 'dan-cu.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`commune_code,households,persons,source\n${commune},987654,3456789,Công an xã\n`) });
  await page.click('button:has-text("Ghi")');
  await expect(page.getByTestId('residents-message')).toContainText('Đã ghi');
  await expect(page.getByTestId('residents')).toContainText('987.654');
  // The period selector and its button show the same period again.
  const period = await page.locator('select[name=period]').inputValue();
  await page.selectOption('select[name=period]', period);
  await page.click('button:has-text("Xem")');
  await expect(page).toHaveURL(new RegExp(`period=${period}`));
  await expect(page.getByTestId('residents')).toContainText('Công an xã');
  await shot(page, '09-residents');
  // Form 1 of the commune prints the residents as its base.
  await page.goto('/bao-cao');
  await page.selectOption('select[name=form]', '1');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Tải về")')]);
  const out = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))',
    'print("<v>987654</v>" in text)',
  ].join('\n'), await download.path()]).toString().trim();
  expect(out).toBe('True');
});
