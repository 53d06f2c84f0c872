// Jobs and the coverage of support (issue 14), in a real browser: a commune officer registers a
// member who wants work (a refused form says why and keeps what was typed), the province officer
// enters the job centre's vacancy, the commune officer opens its matching list from the jobs page,
// records the placement (support received: it shows on the household's page), downloads the list,
// and reads the coverage of support from the navigation. No page breaks the
// Content-Security-Policy. Screenshots: target/screenshots/jobs-*.png.
const { test, expect } = require('@playwright/test');
const { OWN, RUN, signIn, shot } = require('./support');

const A = (OWN || 'xa.03646').split('.')[1];

test('a member who wants work is matched to the job centre\'s vacancy, placed, and counted as support', async ({ browser }) => {
  const blocked = [];
  const pageOf = async (user) => {
    const page = await browser.newPage();
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(`${user}: ${m.text()}`); });
    await signIn(page, user);
    return page;
  };
  const commune = await pageOf(OWN || `xa.${A}`);
  await commune.click('nav >> text=Việc làm');
  await expect(commune).toHaveURL(/\/viec-lam/);
  const seeker = commune.getByTestId('seeker-form');

  // A member number that is not one: said, and the skills typed are kept.
  const { items } = await (await commune.request.get('/api/v1/households?period=2025&class=poor')).json();
  expect(items.length).toBeGreaterThan(0);
  await seeker.locator('input[name=commune]').fill(items[0].commune_code);
  await seeker.locator('input[name=household]').fill(items[0].household_code);
  await seeker.locator('input[name=member_no]').fill('x');
  await seeker.locator('input[name=skills]').fill('may công nghiệp');
  await seeker.locator('input[name=job_wanted]').fill('công nhân may');
  await seeker.locator('input[name=registered_on]').fill('2025-09-15');
  await seeker.locator('button[type=submit]').click();
  await expect(commune.getByTestId('jobs-message')).toContainText('không phải số');
  await expect(commune.getByTestId('seeker-form').locator('input[name=skills]')).toHaveValue('may công nghiệp');
  await shot(commune, 'jobs-1-refused');

  // The first head of household of working age (a head past it is refused with their age).
  let registered = null;
  for (const h of items) {
    const form = commune.getByTestId('seeker-form');
    await form.locator('input[name=commune]').fill(h.commune_code);
    await form.locator('input[name=household]').fill(h.household_code);
    await form.locator('input[name=member_no]').fill('1');
    await form.locator('input[name=skills]').fill('may công nghiệp');
    await form.locator('input[name=registered_on]').fill('2025-09-15');
    await form.locator('button[type=submit]').click();
    const said = await commune.getByTestId('jobs-message').textContent();
    if (said.includes('Đã ghi người có nhu cầu việc làm')) { registered = h; break; }
    expect(said).toMatch(/độ tuổi lao động/);
  }
  expect(registered).not.toBeNull();
  await expect(commune.getByTestId('job-seekers')).toContainText(registered.household_code);

  // The province's job centre enters a vacancy.
  const province = await pageOf('tinh.14');
  await province.goto('/viec-lam?unit=14');
  const vacancy = province.getByTestId('vacancy-form');
  await vacancy.locator('input[name=employer]').fill(`Công ty May Sơn La ${RUN}`);
  await vacancy.locator('input[name=title]').fill('Công nhân may');
  await vacancy.locator('input[name=vacancy_skills]').fill('may, thêu');
  await vacancy.locator('input[name=positions]').fill('10');
  await vacancy.locator('input[name=min_age]').fill('18');
  await vacancy.locator('input[name=max_age]').fill('60');
  await vacancy.locator('input[name=opens_on]').fill('2025-09-20');
  await vacancy.locator('button[type=submit]').click();
  await expect(province.getByTestId('jobs-message')).toHaveText('Đã ghi tin tuyển dụng.');
  await shot(province, 'jobs-2-vacancy');

  // The commune opens it from its jobs page and places the member.
  await commune.goto('/viec-lam');
  const row = commune.getByTestId('vacancies').locator('tr', { hasText: `Công ty May Sơn La ${RUN}` });
  await row.getByTestId('vacancy-link').click();
  await expect(commune).toHaveURL(/\/viec-lam\/\d+$/);
  const match = commune.getByTestId('matches').locator('tr', { hasText: registered.household_code });
  await expect(match).toContainText('may');
  await match.locator('input[name=placed_on]').fill('2025-10-01');
  await match.locator('button[type=submit]').click();
  await expect(commune.getByTestId('placement-message')).toContainText('Đã ghi giới thiệu việc làm');
  await expect(commune.getByTestId('vacancy-detail')).toContainText('đã giới thiệu 1');
  await shot(commune, 'jobs-3-placed');
  const [list] = await Promise.all([commune.waitForEvent('download'), commune.getByTestId('matches-xlsx').click()]);
  expect(list.suggestedFilename()).toMatch(/^ket-noi-viec-lam-\d+\.xlsx$/);

  // Support received, on the household's page.
  await commune.goto(`/ho/${registered.id}`);
  await expect(commune.getByTestId('support')).toContainText('Giới thiệu, giải quyết việc làm');

  // The coverage of support, from the navigation, for 2025; its table downloads.
  await commune.click('nav >> text=Bao phủ');
  await expect(commune).toHaveURL(/\/bao-phu/);
  await commune.locator('form.filters input[name=year]').fill('2025');
  await commune.locator('form.filters button[type=submit]').click();
  await expect(commune.getByTestId('coverage-list')).toContainText('kỳ rà soát');
  await expect(commune.getByTestId('coverage-kinds')).toContainText('Giới thiệu, giải quyết việc làm');
  await shot(commune, 'jobs-4-coverage');
  const [cov] = await Promise.all([commune.waitForEvent('download'), commune.getByTestId('coverage-xlsx').click()]);
  expect(cov.suggestedFilename()).toBe(`bao-phu-ho-tro-${A}-2025.xlsx`);
  expect(blocked).toEqual([]);
});
