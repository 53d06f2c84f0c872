// The support table on /ho-tro, in a real browser: a commune officer uploads an agency's list of
// support delivered and checks it — every problem shown with its row, column and value (an
// unknown kind, a household not in the commune) and nothing written —, records a good one, then
// downloads the commune's support of the year and checks that file again: it reads back clean.
// On /hoat-dong the officer records an activities table and downloads it. No page breaks the
// Content-Security-Policy. Screenshots: target/screenshots/support-table-*.png.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const { OWN, RUN, signIn, shot } = require('./support');

const A = (OWN || 'xa.03646').split('.')[1];
const HEADER = 'Mã xã,Mã hộ,Số thứ tự thành viên,Loại hỗ trợ,Ngày hỗ trợ,Số tiền (đồng),Mã dự án,Nguồn vốn,Ghi chú\n';

test('a commune officer checks a support table with problems, records a good one and downloads it back', async ({ page }) => {
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text()); });
  await signIn(page, OWN || `xa.${A}`);

  // A household of the commune, as the officer finds it in the list.
  await page.click('nav >> text=Hộ gia đình');
  const code = (await page.getByTestId('households').locator('tbody tr').first().locator('td').nth(1).innerText()).trim();
  expect(code).not.toBe('');

  await page.click('nav >> text=Hỗ trợ');
  await expect(page).toHaveURL(/\/ho-tro/);
  const upload = page.getByTestId('support-table-form');
  await upload.locator('input[name=file]').setInputFiles({ name: 'ho-tro-loi.csv', mimeType: 'text/csv', buffer: Buffer.from(
    `${HEADER}${A},${code},,phép màu,2025-06-01,,,,\n${A},KHONG-CO-${RUN},,Trợ giúp pháp lý,2025-06-01,,,,\n`) });
  await upload.locator('button:has-text("Kiểm tra")').click();
  await expect(page.getByTestId('support-lists-message')).toContainText('Bảng có 2 lỗi: không ghi gì.');
  const errors = page.getByTestId('support-errors');
  await expect(errors.locator('tbody tr')).toHaveCount(2);
  await expect(errors.locator('tbody tr').nth(0)).toContainText('phép màu');
  await expect(errors.locator('tbody tr').nth(0).locator('td').first()).toHaveText('2');
  await expect(errors.locator('tbody tr').nth(1)).toContainText(`KHONG-CO-${RUN}`);
  await expect(errors.locator('tbody tr').nth(1)).toContainText('Mã hộ');
  await shot(page, 'support-table-1-problems');

  // The good table: legal aid to the household, recorded whole.
  await page.getByTestId('support-table-form').locator('input[name=file]').setInputFiles({ name: 'ho-tro.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`${HEADER}${A},${code},,Trợ giúp pháp lý,2025-06-15,,,,Lần ${RUN}\n`) });
  await page.getByTestId('support-table-form').locator('button:has-text("Ghi bảng")').click();
  await expect(page.getByTestId('support-lists-message')).toContainText('Đã ghi 1 bản ghi hỗ trợ.');
  await expect(page.getByTestId('support-errors')).toHaveCount(0);
  await shot(page, 'support-table-2-recorded');

  // The commune's support of 2025, downloaded, then checked again: clean, the record among them.
  const exportForm = page.getByTestId('support-export-form');
  await exportForm.locator('input[name=year]').fill('2025');
  const [download] = await Promise.all([page.waitForEvent('download'), exportForm.locator('button[type=submit]').click()]);
  expect(download.suggestedFilename()).toBe(`ho-tro-${A}-2025.xlsx`);
  const bytes = fs.readFileSync(await download.path());
  await page.getByTestId('support-table-form').locator('input[name=file]').setInputFiles({ name: `ho-tro-${A}-2025.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes });
  await page.getByTestId('support-table-form').locator('button:has-text("Kiểm tra")').click();
  await expect(page.getByTestId('support-lists-message')).toContainText('Bảng hợp lệ:');
  await expect(page.getByTestId('support-lists-message')).toContainText('chưa ghi');
  await shot(page, 'support-table-3-export-checked');

  // The activities table of the commune: recorded from a file, then downloaded.
  await page.goto('/hoat-dong?year=2025');
  const acts = page.getByTestId('activities-table-form');
  await acts.locator('input[name=file]').setInputFiles({ name: 'hoat-dong.csv', mimeType: 'text/csv', buffer: Buffer.from(
    `Năm,Mã đơn vị,Mã dự án,Tên hoạt động,Cơ quan chủ trì,Cơ quan phối hợp,Tình trạng\n2025,${A},DA5,Hỗ trợ sửa nhà ${RUN},UBND xã,Hội Phụ nữ xã; Đoàn Thanh niên,Đang thực hiện\n`) });
  await acts.locator('button:has-text("Ghi bảng")').click();
  await expect(page.getByTestId('activities-message')).toContainText('Đã ghi 1 hoạt động.');
  await expect(page.getByTestId('activities')).toContainText(`Hỗ trợ sửa nhà ${RUN}`);
  const [table] = await Promise.all([page.waitForEvent('download'), page.getByTestId('activities-xlsx').click()]);
  expect(table.suggestedFilename()).toBe(`hoat-dong-${A}-2025.xlsx`);
  await shot(page, 'support-table-4-activities');
  expect(blocked).toEqual([]);
});
