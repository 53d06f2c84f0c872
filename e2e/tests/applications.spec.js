// The regular review's applications (issue 12), in a real browser: a commune officer follows the
// link from the review page, records an application received today for a household of its
// commune (told when it will be reviewed and by when it must be decided), sees it waiting in the
// list, and is refused a second one for the same household; the province officer sees it and
// downloads the month's roll-up, which counts it. No page breaks the Content-Security-Policy.
// Screenshots: target/screenshots/applications-*.png.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const { OWN, signIn, shot } = require('./support');

const OFFICER = OWN || 'xa.03910';
const COMMUNE = OFFICER.split('.')[1];

async function userPage(browser, user, blocked) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(`${user}: ${m.text()}`); });
  await signIn(page, user);
  return page;
}

test('an application is recorded, waits with its deadline and is counted in the month\'s roll-up', async ({ browser }) => {
  const blocked = [];
  const page = await userPage(browser, OFFICER, blocked);
  await page.goto('/ho?period=2025');
  const code = (await page.locator('table[data-testid=households] tbody tr td:nth-child(2)').first().textContent()).trim();
  expect(code).toBeTruthy();

  await page.goto('/ra-soat');
  await page.getByTestId('applications-link').click();
  await expect(page).toHaveURL(/\/ra-soat\/don$/);
  const today = new Date().toISOString().slice(0, 10);
  const form = page.getByTestId('record-application');
  await form.locator('input[name=commune_code]').fill(COMMUNE);
  await form.locator('input[name=household_code]').fill(code);
  await form.locator('select[name=origin]').selectOption('mau_04');
  await form.locator('input[name=applied_on]').fill(today);
  await form.locator('button[type=submit]').click();
  await expect(page.getByTestId('application-message')).toContainText('Đã ghi đơn của hộ');
  await expect(page.getByTestId('application-message')).toContainText('hạn giải quyết');
  const row = page.locator('table[data-testid=applications] tr', { hasText: code });
  await expect(row).toContainText('Mẫu 04');
  await expect(row).toContainText('Chờ rà soát');
  await shot(page, 'applications-01-recorded');

  // The same household again: refused, the form kept.
  const again = page.getByTestId('record-application');
  await again.locator('input[name=commune_code]').fill(COMMUNE);
  await again.locator('input[name=household_code]').fill(code);
  await again.locator('input[name=applied_on]').fill(today);
  await again.locator('button[type=submit]').click();
  await expect(page.getByTestId('application-message')).toHaveClass(/error/);
  await expect(page.getByTestId('application-message')).toContainText('đang chờ rà soát');
  await expect(page.getByTestId('record-application').locator('input[name=household_code]')).toHaveValue(code);
  await shot(page, 'applications-02-refused');

  // The province officer: the application in its list, and the month's roll-up.
  const province = await userPage(browser, 'tinh.14', blocked);
  await province.goto('/ra-soat/don');
  await expect(province.locator('table[data-testid=applications] tr', { hasText: code })).toHaveCount(1);
  const monthly = province.getByTestId('monthly');
  await monthly.locator('select[name=province]').selectOption('14');
  await monthly.locator('input[name=month]').fill(today.slice(0, 7));
  const [d] = await Promise.all([province.waitForEvent('download'), monthly.locator('button[type=submit]').click()]);
  expect(d.suggestedFilename()).toBe(`ra-soat-thuong-xuyen-14-${today.slice(0, 7)}.xlsx`);
  const file = await d.path();
  expect(fs.readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');
  const found = JSON.parse(execFileSync('python3', ['-c', [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))',
    'print(json.dumps(["Tổng cộng" in text, sys.argv[2] in text]))',
  ].join('\n'), file, COMMUNE]).toString());
  expect(found).toEqual([true, true]);
  await shot(province, 'applications-03-province');
  expect(blocked).toEqual([]);
});
