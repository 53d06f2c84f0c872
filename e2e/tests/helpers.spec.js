// Helpers, commitments and models (issue 14), in a real browser: a commune officer assigns a
// cadre to a poor household from its page (a visit before the assignment is refused with its
// reason and what was typed kept), records a visit, the household's registration to escape poverty
// and its commitment, reads the progress per helper and per agency from the navigation; then
// records a poverty-reduction model with two of its households and 50 million of central funds,
// opens it and records its replication in another commune. No page breaks the
// Content-Security-Policy. Screenshots: target/screenshots/helpers-*.png.
const { test, expect } = require('@playwright/test');
const { OWN, OTHER, RUN, signIn, shot } = require('./support');

const A = (OWN || 'xa.03646').split('.')[1];
const B = (OTHER || 'xa.03667').split('.')[1];

test('a commune assigns a cadre to a poor household, follows its commitment, and records a model and its replication', async ({ page }) => {
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text()); });
  await signIn(page, OWN || `xa.${A}`);
  const { items } = await (await page.request.get('/api/v1/households?period=2025&class=poor')).json();
  expect(items.length).toBeGreaterThan(0);
  const all = (await (await page.request.get('/api/v1/households?period=2025')).json()).items;
  expect(all.length).toBeGreaterThan(1);
  const agency = `Hội Nông dân xã ${RUN}`;

  await page.goto(`/ho/${items[0].id}`);
  const assign = page.getByTestId('assign-form');
  await assign.locator('input[name=cadre_name]').fill('Nguyễn Văn Bình');
  await assign.locator('input[name=cadre_position]').fill('Phó Chủ tịch Hội');
  await assign.locator('input[name=agency]').fill(agency);
  await assign.locator('input[name=starts_on]').fill('2025-02-01');
  await assign.locator('button[type=submit]').click();
  await expect(page.getByTestId('help-message')).toHaveText('Đã ghi.');
  await expect(page.getByTestId('current-helper')).toContainText('Nguyễn Văn Bình');

  // A visit before the assignment began: refused, said, and the note typed is kept.
  const visit = page.getByTestId('visit-form');
  await visit.locator('input[name=visited_on]').fill('2025-01-10');
  await visit.locator('input[name=note]').fill('Hướng dẫn vay vốn nuôi bò');
  await visit.locator('button[type=submit]').click();
  await expect(page.getByTestId('help-message')).toHaveClass(/error/);
  await expect(page.getByTestId('visit-form').locator('input[name=note]')).toHaveValue('Hướng dẫn vay vốn nuôi bò');
  await page.getByTestId('visit-form').locator('input[name=visited_on]').fill('2025-03-10');
  await page.getByTestId('visit-form').locator('button[type=submit]').click();
  await expect(page.getByTestId('help-message')).toHaveText('Đã ghi.');
  await expect(page.getByTestId('visits')).toContainText('Hướng dẫn vay vốn nuôi bò');

  const register = page.getByTestId('register-form');
  await register.locator('input[name=year]').fill('2025');
  await register.locator('input[name=planned_measures]').fill('Nuôi bò sinh sản, trồng ngô');
  await register.locator('button[type=submit]').click();
  await expect(page.getByTestId('help-message')).toHaveText('Đã ghi.');
  const commit = page.getByTestId('commit-form');
  await commit.locator('input[name=year]').fill('2025');
  await commit.locator('input[name=signed_on]').fill('2025-03-10');
  await commit.locator('input[name=content]').fill('Phấn đấu thoát nghèo cuối năm 2025');
  await commit.locator('button[type=submit]').click();
  await expect(page.getByTestId('help-message')).toHaveText('Đã ghi.');
  await shot(page, 'helpers-1-household');

  await page.click('nav >> text=Giúp đỡ');
  await expect(page).toHaveURL(/\/giup-do/);
  await page.locator('form.filters input[name=year]').fill('2025');
  await page.locator('form.filters button[type=submit]').click();
  await expect(page.getByTestId('helper-progress')).toContainText(agency);
  await shot(page, 'helpers-2-progress');
  const [progress] = await Promise.all([page.waitForEvent('download'), page.getByTestId('helper-progress-xlsx').click()]);
  expect(progress.suggestedFilename()).toMatch(/\.xlsx$/);

  // A poverty-reduction model of the commune with two of its households, then its replication.
  await page.click('nav >> text=Mô hình');
  await expect(page).toHaveURL(/\/mo-hinh/);
  const name = `Mô hình nuôi bò sinh sản ${RUN}`;
  const form = page.getByTestId('model-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=host]').fill('Hợp tác xã nông nghiệp');
  await form.locator('input[name=start_year]').fill('2025');
  await form.locator('select[name=project]').selectOption('DA2');
  await form.locator('input[name=budget_central]').fill('50.000.000');
  await form.locator('textarea[name=households]').fill(`${all[0].household_code}\n${all[1].household_code}`);
  await form.locator('button[type=submit]').click();
  await expect(page.getByTestId('models-message')).toHaveText('Đã ghi mô hình.');
  await page.getByTestId('models').locator('a', { hasText: name }).click();
  await expect(page).toHaveURL(/\/mo-hinh\/\d+$/);
  await expect(page.getByTestId('model-households')).toContainText(all[1].household_code);
  await expect(page.getByTestId('model-budget')).toContainText('50.000.000');
  const replicate = page.getByTestId('replicate-form');
  await replicate.locator('input[name=commune]').fill(B);
  await replicate.locator('input[name=year]').fill('2026');
  await replicate.locator('input[name=replicated_households]').fill('12');
  await replicate.locator('button[type=submit]').click();
  await expect(page.getByTestId('model-message')).toHaveText('Đã ghi nhân rộng.');
  await expect(page.getByTestId('model-replications')).toContainText('12');
  await shot(page, 'helpers-3-model');
  expect(blocked).toEqual([]);
});
