// Support (issue 14), in a real browser: a commune officer builds a beneficiary list from the
// registry (poor households, the rule kept with the list, each household's reason shown), records
// the support delivered to one of them against the list, sees it on the household's page, and
// downloads form 8, whose poor households supported with housing counted one more. No page breaks
// the Content-Security-Policy. Screenshots: target/screenshots/support-*.png.
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('node:child_process');
const { OWN, signIn, shot } = require('./support');

const A = (OWN || 'xa.03646').split('.')[1];

/** Form 8's "Nhà ở" figure on its first "Hộ nghèo" row, read from the workbook. */
function housingOfPoor(file) {
  return Number(execFileSync('python3', ['-c', [
    'import re, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'names = z.namelist()',
    'ss = []',
    'if "xl/sharedStrings.xml" in names:',
    '    ss = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S)]',
    'sheet = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[0]',
    'cells = {}',
    'for m in re.finditer(r"<c r=\\"([A-Z]+)(\\d+)\\"([^>]*?)(?:/>|>(.*?)</c>)", z.read(sheet).decode(), re.S):',
    '    col, row, attrs, inner = m.groups()',
    '    v = re.search(r"<v>(.*?)</v>", inner or "")',
    '    t = re.search(r"<t[^>]*>(.*?)</t>", inner or "")',
    '    cells[(int(row), col)] = ss[int(v.group(1))] if ("t=\\"s\\"" in attrs and v) else (v.group(1) if v else (t.group(1) if t else ""))',
    'col = [c for (r, c), v in cells.items() if v == "Nhà ở"][0]',
    'row = min(r for (r, c), v in cells.items() if v == "Hộ nghèo")',
    'print(cells.get((row, col), "0") or "0")',
  ].join('\n'), file]).toString().trim());
}

async function form8(page) {
  await page.goto('/bao-cao');
  await page.selectOption('select[name=form]', '8');
  await page.fill('input[name=unit]', A);
  await page.selectOption('select[name=period]', '2025');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Tải về")')]);
  return housingOfPoor(await download.path());
}

test('a commune officer builds a beneficiary list, records the support delivered, and the household page and form 8 show it', async ({ page }) => {
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text()); });
  await signIn(page, OWN || `xa.${A}`);
  const before = await form8(page);

  await page.click('nav >> text=Hỗ trợ');
  await expect(page).toHaveURL(/\/ho-tro/);
  const build = page.getByTestId('build-list-form');
  await build.locator('input[name=title]').fill('Sửa chữa nhà ở cho hộ nghèo 2025');
  await build.locator('select[name=period]').selectOption('2025');
  await build.locator('select[name=kind]').selectOption('house_repaired');
  await build.locator('select[name=project]').selectOption('DA5');
  await build.locator('select[name=source]').selectOption('central');
  await build.locator('input[name=class][value=poor]').check();
  await build.locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/ho-tro\/\d+$/);
  await expect(page.getByTestId('rule')).toContainText('Hộ nghèo');
  await expect(page.getByTestId('list-about')).toContainText('DA5 · Ngân sách trung ương');
  const rows = page.getByTestId('beneficiaries').locator('tbody tr[data-household]');
  await expect(rows.first()).toBeVisible();
  await expect(rows.first()).toContainText('Hộ nghèo');
  await shot(page, 'support-1-list');

  // The support delivered to the first household on the list, in November 2025: it counts in
  // the 2025 review's forms (a delivery in 2026 would count in 2026's, and DA5 is 2021–2025's).
  const first = rows.first();
  const code = await first.getAttribute('data-household');
  await first.locator('input[name=delivered_on]').fill('2025-11-20');
  await first.locator('input[name=amount]').fill('20.000.000');
  await first.locator('button[type=submit]').click();
  await expect(page.getByTestId('list-message')).toContainText('Đã ghi hỗ trợ đã trao');
  const delivered = page.locator(`tr[data-household="${code}"]`);
  await expect(delivered.locator('td.num')).toHaveText('1');
  const [list] = await Promise.all([page.waitForEvent('download'), page.getByTestId('list-xlsx').click()]);
  expect(list.suggestedFilename()).toMatch(/^danh-sach-thu-huong-\d+\.xlsx$/);

  // The household's page lists it.
  await delivered.locator('a').click();
  const support = page.getByTestId('support');
  await expect(support).toContainText('Sửa chữa nhà ở');
  await expect(support).toContainText('20.000.000');
  await expect(support).toContainText('DA5');
  await shot(page, 'support-2-household');

  // Form 8 counts it among the poor households supported with housing.
  expect(await form8(page)).toBe(before + 1);
  expect(blocked).toEqual([]);
});
