// Budgets (issue 14), in a real browser: a province officer enters a sub-project's four-year
// budget from the page's form (100 million for 2022–2025, split 10 / 30 / 30 / 30), uploads its
// communes' shares for 2023 with one published-style error (the communes together above the
// province's line), is shown it with both amounts, fixes it; the commune officer records what it
// disbursed; the province sees the commune's disbursement rate, downloads the table, and records
// the sub-project's activity with its lead and partner agencies (the responsibility matrix); the
// commune records a house repaired under that activity and its budget line shows it. No page
// breaks the Content-Security-Policy. Screenshots: target/screenshots/budget-*.png.
const { test, expect } = require('@playwright/test');
const { OWN, OTHER, signIn, shot } = require('./support');

const A = (OWN || 'xa.03646').split('.')[1];
const B = (OTHER || 'xa.03667').split('.')[1];

function shares(b) {
  return [
    'Năm,Mã đơn vị,Mã dự án,Nguồn vốn,Kinh phí được giao (đồng)',
    `2023,${A},DA3.TDA1,Ngân sách trung ương,20.000.000`,
    `2023,${B},DA3.TDA1,Ngân sách trung ương,${b}`,
    '',
  ].join('\n');
}

test('a province enters a sub-project\'s four-year budget, its communes\' shares, and follows their disbursement', async ({ browser }) => {
  const blocked = [];
  const pageOf = async (user) => {
    const page = await browser.newPage();
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(`${user}: ${m.text()}`); });
    await signIn(page, user);
    return page;
  };
  const province = await pageOf('tinh.14');
  await province.click('nav >> text=Kinh phí');
  await expect(province).toHaveURL(/\/ngan-sach/);
  await province.goto('/ngan-sach?unit=14&year=2022');

  // The four-year budget from the form.
  const form = province.getByTestId('budget-form');
  await form.locator('select[name=project]').selectOption('DA3.TDA1');
  await form.locator('select[name=source]').selectOption('central');
  await form.locator('input[name=from]').fill('2022');
  await form.locator('input[name=amount_0]').fill('10.000.000');
  await form.locator('input[name=amount_1]').fill('30.000.000');
  await form.locator('input[name=amount_2]').fill('30.000.000');
  await form.locator('input[name=amount_3]').fill('30.000.000');
  await form.locator('button[type=submit]').click();
  await expect(province.getByTestId('budget-message')).toContainText('Đã ghi 4 dòng kinh phí cho DA3.TDA1');
  await province.goto('/ngan-sach?unit=14');
  const lines = province.getByTestId('budget-lines');
  await expect(lines.locator('tbody tr', { hasText: 'DA3.TDA1' })).toHaveCount(4);
  await expect(lines.locator('tr', { hasText: 'Tổng cộng' })).toContainText('100.000.000');
  await shot(province, 'budget-1-four-years');

  // The communes' shares for 2023: together above the province's 30 million — refused, named.
  const upload = province.getByTestId('budget-table-form');
  await upload.locator('input[name=file]').setInputFiles({ name: 'kinh-phi-xa.csv', mimeType: 'text/csv', buffer: Buffer.from(shares('15.000.000')) });
  await upload.locator('button:has-text("Ghi bảng")').click();
  const errors = province.getByTestId('budget-errors');
  await expect(errors).toContainText('35.000.000');
  await expect(errors).toContainText('30.000.000');
  await shot(province, 'budget-2-error');
  await province.getByTestId('budget-table-form').locator('input[name=file]').setInputFiles({ name: 'kinh-phi-xa.csv', mimeType: 'text/csv', buffer: Buffer.from(shares('10.000.000')) });
  await province.getByTestId('budget-table-form').locator('button:has-text("Ghi bảng")').click();
  await expect(province.getByTestId('budget-message')).toContainText('Đã ghi 2 dòng kinh phí');

  // The commune records what it disbursed.
  const commune = await pageOf(OWN || `xa.${A}`);
  await commune.goto('/ngan-sach?year=2023');
  await expect(commune.getByTestId('budget-lines')).toContainText('20.000.000');
  const spend = commune.getByTestId('spend-form');
  await spend.locator('select[name=project]').selectOption('DA3.TDA1');
  await spend.locator('select[name=source]').selectOption('central');
  await spend.locator('input[name=line_year]').fill('2023');
  await spend.locator('input[name=disbursed]').fill('25.000.000');
  await spend.locator('button[type=submit]').click();
  await expect(commune.getByTestId('budget-message')).toContainText('25.000.000 đồng lớn hơn số được giao 20.000.000');
  await commune.getByTestId('spend-form').locator('input[name=disbursed]').fill('5.000.000');
  await commune.getByTestId('spend-form').locator('button[type=submit]').click();
  await expect(commune.getByTestId('budget-message')).toContainText('Đã ghi số giải ngân');
  await expect(commune.getByTestId('budget-lines')).toContainText('25,0 %');
  await shot(commune, 'budget-3-disbursed');

  // The province follows it per commune, and downloads the table.
  await province.goto('/ngan-sach?unit=14&year=2023');
  const units = province.getByTestId('budget-units');
  await expect(units.locator('tr', { hasText: A })).toContainText('25,0 %');
  await expect(units.locator('tr.late', { hasText: B })).toHaveCount(1);
  await shot(province, 'budget-4-units');

  const [download] = await Promise.all([province.waitForEvent('download'), province.getByTestId('budget-xlsx').click()]);
  expect(download.suggestedFilename()).toBe('kinh-phi-14.xlsx');
  // The province records who leads the sub-project's activity and who takes part; the
  // responsibility matrix shows it.
  await province.click('nav >> text=Hoạt động');
  await province.goto('/hoat-dong?unit=14&year=2023');
  const activity = province.getByTestId('activity-form');
  await activity.locator('select[name=project]').selectOption('DA3.TDA1');
  await activity.locator('input[name=title]').fill('Hỗ trợ giống cây trồng cho hộ nghèo');
  await activity.locator('input[name=lead]').fill('Sở Nông nghiệp và Môi trường');
  await activity.locator('textarea[name=partners]').fill('UBND các xã\nHội Nông dân tỉnh');
  await activity.locator('input[name=starts_on]').fill('2023-03-01');
  await activity.locator('input[name=ends_on]').fill('2023-11-30');
  await activity.locator('button[type=submit]').click();
  await expect(province.getByTestId('activities-message')).toContainText('Đã ghi hoạt động');
  const matrix = province.getByTestId('responsibility-matrix');
  await expect(matrix.locator('tr', { hasText: 'Sở Nông nghiệp và Môi trường' })).toContainText('C (1)');
  await expect(matrix.locator('tr', { hasText: 'Hội Nông dân tỉnh' })).toContainText('P (1)');
  await shot(province, 'budget-5-responsibilities');

  // The commune delivers support under that activity from the central budget: a poor
  // household's house repaired, typed on its page with the activity's number; the commune's
  // 2023 line shows what it paid for.
  const number = await province.getByTestId('activities').locator('tbody tr', { hasText: 'Hỗ trợ giống cây trồng cho hộ nghèo' }).getAttribute('data-activity');
  expect(number).toMatch(/^\d+$/);
  const { items } = await (await commune.request.get('/api/v1/households?period=2025')).json();
  expect(items.length).toBeGreaterThan(0);
  await commune.goto(`/ho/${items[0].id}`);
  const support = commune.getByTestId('support-form');
  await support.locator('select[name=kind]').selectOption('house_repaired');
  await support.locator('input[name=delivered_on]').fill('2023-06-01');
  await support.locator('input[name=amount]').fill('3.000.000');
  await support.locator('input[name=project_code]').fill('DA3.TDA1');
  await support.locator('input[name=activity_id]').fill(number);
  await support.locator('select[name=source]').selectOption('central');
  await support.locator('button[type=submit]').click();
  await expect(commune.getByTestId('support-message')).toHaveText('Đã ghi hỗ trợ.');
  await expect(commune.getByTestId('support')).toContainText('3.000.000');
  await commune.goto('/ngan-sach?year=2023');
  const line = commune.getByTestId('budget-lines').locator('tbody tr', { hasText: 'DA3.TDA1' });
  await expect(line.locator('td').nth(8)).toHaveText('1');
  await expect(line.locator('td').nth(9)).toHaveText('3.000.000');
  await shot(commune, 'budget-6-support-paid');
  expect(blocked).toEqual([]);
});
