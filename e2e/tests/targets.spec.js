// Plan targets (issue 13), in a real browser: a province officer sets the province's own targets
// for the year from the page's form, uploads the communes' target table with one published-style
// error (a rate that does not match its counts), is shown that one error located by row, column,
// value and unit, uploads the fixed table, sees it recorded with its total row and the progress
// of its communes, and downloads the table as a workbook that opens. No page breaks the
// Content-Security-Policy. Screenshots: target/screenshots/targets-*.png.
const { test, expect } = require('@playwright/test');
const { execFileSync } = require('node:child_process');

const { OWN, OTHER, signIn, shot } = require('./support');

const PROVINCE_OFFICER = 'tinh.14';
const A = (OWN || 'xa.03646').split('.')[1];
const B = (OTHER || 'xa.03667').split('.')[1];
const YEAR = '2026';

/** The communes' table: A and B and a total row; B's rate as given. */
function table(rateB) {
  return [
    'Mã đơn vị,Tên đơn vị,Tổng số hộ,Số hộ nghèo,Tỷ lệ hộ nghèo (%),Chỉ tiêu giảm hộ nghèo (hộ),Số hộ nghèo cuối năm',
    `${A},,2000,60,"3,00",20,40`,
    `${B},,1500,45,"${rateB}",15,30`,
    'Tổng cộng,,3500,105,"3,00",35,70',
    '',
  ].join('\n');
}

test('a province sets its targets, is shown the one error of its communes\' table, fixes it and downloads it', async ({ page }) => {
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text()); });
  await signIn(page, PROVINCE_OFFICER);
  await page.click('nav >> text=Chỉ tiêu');
  await expect(page).toHaveURL(/\/chi-tieu/);
  await page.goto(`/chi-tieu?year=${YEAR}&unit=14`);
  await expect(page.getByTestId('rate-bases')).toContainText('Chưa kiểm chứng');

  // The province's own targets: households, poor households, its rate, the reduction.
  const own = page.getByTestId('own-targets-form');
  await own.locator('input[name=households]').fill('100000');
  await own.locator('input[name=poor_households]').fill('3000');
  await own.locator('input[name=poor_rate_pct]').fill('3,00');
  await own.locator('input[name=target_reduction_households]').fill('30');
  await own.locator('button[type=submit]').click();
  await expect(page.getByTestId('targets-message')).toContainText('Đã ghi chỉ tiêu của Tỉnh Sơn La');
  await expect(page.getByTestId('own-targets')).toContainText('100.000');
  // A target per result indicator; one out of range is refused, then a valid one recorded.
  const indicators = page.getByTestId('indicator-targets-form');
  await indicators.locator('input[name=it_health_insurance]').fill('120');
  await indicators.locator('button[type=submit]').click();
  await expect(page.getByTestId('targets-message')).toContainText('0–100 %');
  await page.getByTestId('indicator-targets-form').locator('input[name=it_health_insurance]').fill('100');
  await page.getByTestId('indicator-targets-form').locator('button[type=submit]').click();
  await expect(page.getByTestId('targets-message')).toContainText('Đã ghi chỉ tiêu theo chỉ số');
  await expect(page.locator('input[name=it_health_insurance]')).toHaveValue('100');
  // The province's five-year plan, recorded from its form: read year by year, the years
  // without targets named.
  const plan = page.getByTestId('plan-form');
  await plan.locator('input[name=plan_to]').fill('2030');
  await plan.locator('input[name=plan_title]').fill('Kế hoạch giảm nghèo bền vững giai đoạn 2026–2030');
  await plan.locator('input[name=plan_decision]').fill('45/QĐ-UBND');
  await plan.locator('input[name=plan_decided_on]').fill('2026-01-15');
  await plan.locator('button[type=submit]').click();
  await expect(page.getByTestId('targets-message')).toContainText('Đã ghi kế hoạch 2026–2030');
  const recordedPlan = page.getByTestId('plan');
  await expect(recordedPlan).toContainText('45/QĐ-UBND ngày 2026-01-15');
  await expect(recordedPlan.locator('tbody tr')).toHaveCount(5);
  await expect(page.getByTestId('plan-findings')).toContainText('Năm 2027 của kế hoạch chưa có chỉ tiêu.');
  await shot(page, 'targets-0-plan');
  // The filter shows the same unit and year again.
  await page.click('form.filters button:has-text("Xem")');
  await expect(page).toHaveURL(new RegExp(`year=${YEAR}&unit=14`));

  // The communes' table with one wrong rate: refused, the one error located.
  const upload = page.getByTestId('target-table-form');
  // Checked first: the fixed table is valid, nothing is recorded yet.
  await upload.locator('input[name=file]').setInputFiles({ name: 'chi-tieu-xa.csv', mimeType: 'text/csv', buffer: Buffer.from(table('3,00')) });
  await upload.locator('button:has-text("Kiểm tra")').click();
  await expect(page.getByTestId('targets-message')).toContainText('Bảng hợp lệ: 2 đơn vị; chưa ghi');
  await upload.locator('input[name=file]').setInputFiles({ name: 'chi-tieu-xa.csv', mimeType: 'text/csv', buffer: Buffer.from(table('3,50')) });
  await upload.locator('button:has-text("Ghi bảng")').click();
  const errors = page.getByTestId('targets-errors');
  await expect(errors.locator('tbody tr')).toHaveCount(1);
  await expect(errors).toContainText('Tỷ lệ hộ nghèo (%)');
  await expect(errors).toContainText('3,5');
  await expect(errors).toContainText('45 hộ nghèo / 1.500 hộ dân cư = 3 %');
  await expect(page.getByTestId('target-table')).toContainText('Chưa có bảng chỉ tiêu');
  await shot(page, 'targets-1-error');

  // Fixed: recorded, listed with its total row, and its communes' progress shown.
  await upload.locator('input[name=file]').setInputFiles({ name: 'chi-tieu-xa.csv', mimeType: 'text/csv', buffer: Buffer.from(table('3,00')) });
  await upload.locator('button:has-text("Ghi bảng")').click();
  await expect(page.getByTestId('targets-message')).toContainText('Đã ghi chỉ tiêu của 2 đơn vị');
  const recorded = page.getByTestId('target-table');
  await expect(recorded).toContainText(A);
  await expect(recorded).toContainText(B);
  await expect(recorded.locator('tr', { hasText: 'Tổng cộng' })).toContainText('3.500');
  await expect(page.getByTestId('progress')).toContainText(A);
  await expect(page.getByTestId('targets-trend')).toBeVisible();
  await shot(page, 'targets-2-recorded');
  const [progressFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('progress-xlsx').click()]);
  expect(progressFile.suggestedFilename()).toBe(`tien-do-14-${YEAR}.xlsx`);

  // The table downloads as a workbook that opens, with its total row.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('targets-xlsx').click()]);
  expect(download.suggestedFilename()).toBe(`chi-tieu-14-${YEAR}.xlsx`);
  const out = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))',
    'print("Tổng cộng" in text and "Tỷ lệ hộ nghèo (%)" in text)',
  ].join('\n'), await download.path()]).toString().trim();
  expect(out).toBe('True');
  // And as CSV (UTF-8 with a byte-order mark, for Excel), with the same total row.
  const [csvFile] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Tải CSV")')]);
  expect(csvFile.suggestedFilename()).toBe(`chi-tieu-14-${YEAR}.csv`);
  const csvText = require('node:fs').readFileSync(await csvFile.path(), 'utf8');
  expect(csvText).toContain('Tổng cộng');

  // The national office sees the provinces on a map, coloured by their poor rate.
  const national = await page.context().browser().newPage();
  await signIn(national, 'trunguong');
  await national.goto(`/chi-tieu?year=${YEAR}&unit=VN`);
  const map = national.getByTestId('targets-map');
  await expect(map).toBeVisible();
  await expect(map.locator('path')).toHaveCount(65);
  await expect(map.locator('path:not(.nodata)')).not.toHaveCount(0);
  await shot(national, 'targets-5-map');
  expect(blocked).toEqual([]);
});

test('a commune officer submits the 6-monthly report; the province approves it and downloads the roll-up', async ({ browser }) => {
  const blocked = [];
  const pageOf = async (user) => {
    const page = await browser.newPage();
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(`${user}: ${m.text()}`); });
    await signIn(page, user);
    return page;
  };
  // The commune officer drafts the report from the registry, enters a figure and submits it.
  const commune = await pageOf(OWN || `xa.${A}`);
  await commune.click('nav >> text=Giám sát');
  await commune.goto(`/giam-sat?kind=six_monthly&year=${YEAR}&unit=${A}`);
  await expect(commune.getByTestId('layout-unverified')).toContainText('Chưa kiểm chứng');
  // The filter shows the annual report of the same unit, then the 6-monthly one again.
  const filter = commune.locator('form.filters[method=get]');
  await filter.locator('select[name=kind]').selectOption('annual');
  await filter.locator('button[type=submit]').click();
  await expect(commune).toHaveURL(new RegExp(`kind=annual&year=${YEAR}&unit=${A}`));
  await commune.locator('form.filters[method=get] select[name=kind]').selectOption('six_monthly');
  await commune.locator('form.filters[method=get] button[type=submit]').click();
  await expect(commune).toHaveURL(new RegExp(`kind=six_monthly&year=${YEAR}&unit=${A}`));
  await commune.getByTestId('draft-report').click();
  await expect(commune.getByTestId('report-state')).toContainText('Đang soạn');
  await expect(commune.getByTestId('report')).toContainText('Số hộ nghèo');
  await commune.fill('input[name=v_workers_trained]', '7');
  await commune.click('button:has-text("Lưu số liệu")');
  await expect(commune.getByTestId('monitoring-message')).toContainText('Đang soạn');
  await expect(commune.locator('input[name=v_workers_trained]')).toHaveValue('7');
  await commune.getByTestId('submit-report').click();
  await expect(commune.getByTestId('report-state')).toContainText('Đã nộp, chờ duyệt');
  await expect(commune.getByTestId('submit-report')).toHaveCount(0);
  await shot(commune, 'targets-3-report-submitted');

  // The province sees it submitted among its communes (the late ones highlighted), approves it.
  const province = await pageOf(PROVINCE_OFFICER);
  await province.goto(`/giam-sat?kind=six_monthly&year=${YEAR}&unit=14`);
  const units = province.getByTestId('unit-reports');
  await expect(units.locator('tr', { hasText: A })).toContainText('Đã nộp');
  // Returned once with a comment; the commune sees it, submits again.
  const row = units.locator('tr', { hasText: A });
  await row.locator('input[name=comment]').fill('Bổ sung số mô hình');
  await row.locator('button:has-text("Trả lại")').click();
  await expect(province.getByTestId('monitoring-message')).toContainText('Trả lại để sửa');
  await commune.goto(`/giam-sat?kind=six_monthly&year=${YEAR}&unit=${A}`);
  await expect(commune.getByTestId('report-comment')).toContainText('Bổ sung số mô hình');
  await commune.getByTestId('submit-report').click();
  await expect(commune.getByTestId('report-state')).toContainText('Đã nộp, chờ duyệt');
  await province.goto(`/giam-sat?kind=six_monthly&year=${YEAR}&unit=14`);
  await province.getByTestId(`approve-${A}`).click();
  await expect(province.getByTestId('monitoring-message')).toContainText('Đã duyệt');
  await expect(units.locator('tr', { hasText: A })).toContainText('Đã duyệt');
  await shot(province, 'targets-4-approved');
  // The roll-up downloads as a workbook with the approved figure added up.
  const [download] = await Promise.all([province.waitForEvent('download'), province.getByTestId('rollup-xlsx').click()]);
  expect(download.suggestedFilename()).toBe(`tong-hop-six_monthly-14-${YEAR}.xlsx`);
  const out = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))',
    'print("1 báo cáo đã duyệt" in text and "Đã duyệt" in text)',
  ].join('\n'), await download.path()]).toString().trim();
  expect(out).toBe('True');
  // Approved: the commune can no longer change or submit it.
  await commune.goto(`/giam-sat?kind=six_monthly&year=${YEAR}&unit=${A}`);
  await expect(commune.getByTestId('report-state')).toContainText('Đã duyệt');
  const [pdf] = await Promise.all([commune.waitForEvent('download'), commune.getByTestId('report-pdf').click()]);
  expect(pdf.suggestedFilename()).toBe(`bao-cao-six_monthly-${A}-${YEAR}.pdf`);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', await pdf.path(), '-']).toString();
  expect(text).toContain('BÁO CÁO GIÁM SÁT 6 THÁNG NĂM');
  await expect(commune.getByTestId('draft-report')).toHaveCount(0);
  expect(blocked).toEqual([]);
});
