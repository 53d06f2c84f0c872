// Journeys of accounts and oversight, in a real browser: changing one's own password, API tokens
// from making to revoking, the audit log's filters (Viet Nam time, an auditor's province), and an
// administrator resetting a password. Each journey makes its own users through the administrator's
// page, so the demo accounts the other journeys use keep their passwords.
const { test, expect } = require('@playwright/test');
const { OWN, RUN, signIn, signInRefused, signOut, shot, addUsers } = require('./support');

/** The label of the audit log's entity `user` and `survey`, as the page shows them. */
const USER_EVENTS = 'Người dùng, đăng nhập, tải danh sách';
const SURVEY = 'Phiếu khảo sát hộ';

/** A day `yyyy-mm-dd` moved by `days`. */
function addDays(day, days) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** `dd/mm/yyyy hh:mm:ss` read as Viet Nam's time (UTC+7): milliseconds since the epoch. */
function vietnamTime(text) {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  expect(m, `a time dd/mm/yyyy hh:mm:ss: '${text}'`).not.toBeNull();
  const [, d, mo, y, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h - 7, mi, s);
}

test('a user changes their own password: weak ones are refused, then only the new one signs in', async ({ browser }) => {
  const user = `e2e.mk.${RUN}`;
  const first = 'mat-khau-ban-dau';
  const next = 'rung-tre-xanh-2025';
  await addUsers(browser, [{ username: user, name: 'Người đổi mật khẩu', role: 'province_officer', unit: '14', password: first }]);
  const page = await browser.newPage();
  await signIn(page, user, first);
  await page.click('header a:has-text("Đổi mật khẩu")');
  await expect(page).toHaveURL(/\/mat-khau$/);
  await expect(page.locator('h1')).toHaveText('Đổi mật khẩu');
  const form = page.locator('form[action="/mat-khau"]');
  const error = page.locator('p.error[role=alert]');
  const submit = async (current, fresh, repeat = fresh) => {
    await form.locator('input[name=current]').fill(current);
    await form.locator('input[name=new]').fill(fresh);
    await form.locator('input[name=repeat]').fill(repeat);
    await form.locator('button[type=submit]').click();
  };
  // Under 8 characters: the browser itself does not send the form.
  await submit(first, 'abc12');
  expect(await form.locator('input[name=new]').evaluate((e) => e.validity.valid)).toBe(false);
  await expect(page).toHaveURL(/\/mat-khau$/);
  await expect(error).toHaveCount(0);
  // A common password: refused by the server, with the reason on the page.
  await submit(first, '12345678');
  await expect(error).toContainText('mật khẩu quá dễ đoán (phổ biến hoặc lặp một ký tự)');
  await expect(page).toHaveURL(/\/mat-khau$/);
  await shot(page, '09-password-refused');
  // Eight characters only with the spaces around them: too short.
  await submit(first, '  abc12  ');
  await expect(error).toContainText('mật khẩu cần ít nhất 8 ký tự');
  await submit(first, next, `${next}!`);
  await expect(error).toHaveText('Hai lần nhập mật khẩu mới khác nhau.');
  await submit('khong-phai-mat-khau', next);
  await expect(error).toHaveText('Mật khẩu hiện tại không đúng.');
  // Nothing refused changed the password: the session still stands.
  await expect(page.locator('header .user')).toContainText('·');
  // A good one: every session ends, this one too.
  await submit(first, next);
  await expect(page).toHaveURL(/\/dang-nhap/);
  await expect(page.locator('header .user')).toHaveCount(0);
  await page.goto('/');
  await expect(page).toHaveURL(/\/dang-nhap/);
  await signInRefused(page, user, first);
  await signIn(page, user, next);
  await signOut(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/dang-nhap/);
  await page.close();
});

test('an API token is shown once, works against the API, and stops working once revoked', async ({ page, request }) => {
  await signIn(page, 'tinh.14');
  await page.click('header a:has-text("Mã API")');
  await expect(page).toHaveURL(/\/token$/);
  const name = `e2e báo cáo tháng ${RUN}`;
  const form = page.locator('form[action="/token"]');
  await form.locator('input[name=name]').fill(name);
  await form.locator('select[name=days]').selectOption('30');
  await form.locator('button[type=submit]').click();
  await expect(page.locator('p.ok[role=status]')).toContainText('chỉ hiện một lần');
  const fresh = page.getByTestId('fresh-token');
  await expect(fresh).toHaveText(/^[0-9a-f]{64}$/);
  const token = (await fresh.textContent()).trim();
  const row = page.locator('table[data-testid=tokens] tbody tr', { hasText: name });
  await expect(row).toHaveCount(1);
  const cells = row.locator('td');
  await expect(cells.nth(0)).toHaveText(name);
  await expect(cells.nth(3)).toHaveText('Còn hiệu lực');
  // Made today, for 30 days.
  const created = (await cells.nth(1).textContent()).trim();
  expect(created).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await expect(cells.nth(2)).toHaveText(addDays(created, 30));
  await shot(page, '10-api-token-made');

  // The token answers for its user on the JSON API (no cookie: this request context has none).
  const bearer = { Authorization: `Bearer ${token}` };
  const me = await request.get('/api/v1/me', { headers: bearer });
  expect(me.status()).toBe(200);
  expect(JSON.stringify(await me.json())).toContain('tinh.14');
  const list = await request.get('/api/v1/households', { headers: bearer });
  expect(list.status()).toBe(200);
  const body = await list.json();
  expect(body.total).toBeGreaterThan(0);
  expect(body.items.length).toBeGreaterThan(0);

  // Shown once: the page read again lists the token but never its secret.
  await page.goto('/token');
  await expect(page.getByTestId('fresh-token')).toHaveCount(0);
  await expect(row).toHaveCount(1);
  expect(await page.content()).not.toContain(token);

  // Revoked with its button: no longer valid, no button, and the API refuses it.
  await row.locator('button:has-text("Thu hồi")').click();
  await expect(page).toHaveURL(/\/token$/);
  await expect(cells.nth(3)).toHaveText('Hết hiệu lực');
  await expect(row.locator('button')).toHaveCount(0);
  await shot(page, '11-api-token-revoked');
  expect((await request.get('/api/v1/households', { headers: bearer })).status()).toBe(401);
  expect((await request.get('/api/v1/me', { headers: bearer })).status()).toBe(401);
});

test('the audit log filters by user, entity, household and dates, in Viet Nam time, within the auditor\'s province', async ({ browser }) => {
  const commune = OWN.split('.')[1];
  const officer = `e2e.xa.${RUN}`;
  const outsider = `e2e.hn.${RUN}`;
  const auditor = `e2e.kt14.${RUN}`;
  const auditorHn = `e2e.kt01.${RUN}`;
  await addUsers(browser, [
    { username: officer, name: 'Cán bộ xã thử', role: 'commune_officer', unit: commune },
    { username: outsider, name: 'Cán bộ Hà Nội thử', role: 'province_officer', unit: '01' },
    { username: auditor, name: 'Thanh tra Sơn La thử', role: 'auditor', unit: '14' },
    { username: auditorHn, name: 'Thanh tra Hà Nội thử', role: 'auditor', unit: '01' },
  ]);

  // Some actions: the commune officer signs in and changes a household's income; an officer of
  // another province (Hà Nội) signs in.
  const before = Date.now();
  const work = await browser.newPage();
  await signIn(work, officer);
  await work.goto('/ho');
  await work.locator('table.list tbody tr td a').nth(1).click();
  const household = new URL(work.url()).pathname.split('/')[2];
  expect(household).toMatch(/^\d+$/);
  await work.click('text=Sửa phiếu');
  await work.fill('input[name="h.income_per_capita"]', '1234000');
  await work.click('button[value=save]');
  await expect(work.getByTestId('audit')).toContainText('1234000');
  await work.close();
  const hn = await browser.newPage();
  await signIn(hn, outsider);
  await hn.close();
  const after = Date.now();

  const page = await browser.newPage();
  await signIn(page, auditor);
  await page.click('header nav a:has-text("Nhật ký")');
  await expect(page).toHaveURL(/\/nhat-ky$/);
  await expect(page.locator('p.muted')).toContainText('giờ Việt Nam (UTC+7)');
  const rows = page.locator('table[data-testid=audit-log] tbody tr');
  const column = (n) => rows.locator(`td:nth-child(${n})`).allTextContents();
  const [WHEN, WHO, ENTITY, HOUSEHOLD, FIELD, NEW] = [1, 2, 4, 5, 7, 9];
  const filters = page.locator('form[data-testid=audit-filters]');
  /** Fills the filter form as a person would, submits it, and waits for the filtered page. */
  const filter = async (f) => {
    for (const k of ['actor', 'unit', 'household', 'from', 'to']) await filters.locator(`input[name=${k}]`).fill(f[k] || '');
    await filters.locator('select[name=entity]').selectOption(f.entity || '');
    await filters.locator('button:has-text("Lọc")').click();
    await page.waitForURL((url) => url.pathname === '/nhat-ky'
      && ['actor', 'entity', 'unit', 'household', 'from', 'to'].every((k) => (url.searchParams.get(k) || '') === (f[k] || '')));
    await expect(filters.locator('input[name=actor]')).toHaveValue(f.actor || '');
  };

  // Unfiltered: the commune officer's actions, never the other province's officer.
  expect(await column(WHO)).toContain(officer);
  expect(await column(WHO)).not.toContain(outsider);

  // By user: only that user's entries, sign-ins and household changes alike.
  await filter({ actor: officer });
  const byOfficer = await rows.count();
  expect(new Set(await column(WHO))).toEqual(new Set([officer]));
  expect(await column(ENTITY)).toEqual(expect.arrayContaining([USER_EVENTS, SURVEY]));
  expect(await column(NEW)).toContain('1234000');
  // Times in Viet Nam's time: the sign-in shows the moment it happened, read as UTC+7.
  const login = rows.filter({ has: page.locator(`td:nth-child(${FIELD})`, { hasText: /^login$/ }) }).last();
  const at = vietnamTime(await login.locator(`td:nth-child(${WHEN})`).textContent());
  expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(at).toBeLessThanOrEqual(after);
  await shot(page, '12-audit-by-user');

  // By user and entity: only the household answers.
  await filter({ actor: officer, entity: 'survey' });
  const surveys = await column(ENTITY);
  expect(surveys.length).toBeGreaterThan(0);
  expect(surveys.length).toBeLessThan(byOfficer);
  expect(new Set(surveys)).toEqual(new Set([SURVEY]));
  expect(new Set(await column(HOUSEHOLD))).toEqual(new Set([household]));

  // By household, anyone's changes.
  await filter({ household });
  expect(new Set(await column(HOUSEHOLD))).toEqual(new Set([household]));
  expect(await column(NEW)).toContain('1234000');

  // By dates (days in Viet Nam): the day of the actions keeps them all; the day after or the
  // day before has none.
  const [d, m, y] = (await column(WHEN))[0].slice(0, 10).split('/');
  const day = `${y}-${m}-${d}`;
  await filter({ actor: officer, from: day, to: day });
  await expect(rows).toHaveCount(byOfficer);
  await filter({ actor: officer, from: addDays(day, 1) });
  await expect(rows).toHaveCount(0);
  await filter({ actor: officer, to: addDays(day, -1) });
  await expect(rows).toHaveCount(0);
  await filter({ actor: officer, from: addDays(day, -1), to: day });
  await expect(rows).toHaveCount(byOfficer);

  // The Sơn La auditor does not see the Hà Nội officer's sign-in, even asking for it.
  await filter({ actor: outsider });
  await expect(rows).toHaveCount(0);
  await page.close();

  // The Hà Nội auditor sees it, and none of Sơn La's.
  const hnAudit = await browser.newPage();
  await signIn(hnAudit, auditorHn);
  await hnAudit.goto('/nhat-ky?actor=' + encodeURIComponent(outsider));
  const hnRows = hnAudit.locator('table[data-testid=audit-log] tbody tr');
  await expect(hnRows.filter({ hasText: 'login' })).not.toHaveCount(0);
  expect(new Set(await hnRows.locator(`td:nth-child(${WHO})`).allTextContents())).toEqual(new Set([outsider]));
  await hnAudit.goto('/nhat-ky');
  expect(await hnAudit.locator(`table[data-testid=audit-log] tbody td:nth-child(${WHO})`).allTextContents()).not.toContain(officer);
  await hnAudit.goto(`/nhat-ky?household=${household}`);
  await expect(hnRows).toHaveCount(0);
  await hnAudit.close();
});

test('an administrator resets another user\'s password; the user then signs in only with the new one', async ({ browser }) => {
  const commune = OWN.split('.')[1];
  const user = `e2e.datlai.${RUN}`;
  const first = 'truoc-khi-dat-lai';
  const next = 'sau-khi-dat-lai-7';
  await addUsers(browser, [{ username: user, name: 'Người được đặt lại', role: 'commune_officer', unit: commune, password: first }]);
  const theirs = await browser.newPage();
  await signIn(theirs, user, first);

  const page = await browser.newPage();
  await signIn(page, 'admin');
  await page.click('header nav a:has-text("Người dùng")');
  const row = page.locator('table[data-testid=users] tbody tr', { has: page.locator(`td:text-is("${user}")`) });
  await expect(row).toHaveCount(1);
  // A common password is refused, with the reason.
  await row.locator('input[name=new_password]').fill('12345678');
  await row.locator('button:has-text("Lưu")').click();
  await expect(page.locator('p.error[role=status]')).toContainText('mật khẩu quá dễ đoán');
  await theirs.goto('/');
  await expect(theirs.locator('header .user')).toContainText('·');
  // A good one: saved, the role and unit kept, and the user's sessions end.
  await row.locator('input[name=new_password]').fill(next);
  await row.locator('button:has-text("Lưu")').click();
  await expect(page.locator('p.ok[role=status]')).toHaveText(`Đã lưu ${user}`);
  await expect(row.locator('select[name=role]')).toHaveValue('commune_officer');
  await expect(row.locator('input[name=unit]')).toHaveValue(commune);
  await expect(row.locator('input[name=active]')).toBeChecked();
  await expect(row.locator('input[name=new_password]')).toHaveValue('');
  await shot(page, '13-admin-password-reset');
  await page.close();

  await theirs.goto('/');
  await expect(theirs).toHaveURL(/\/dang-nhap/);
  await signInRefused(theirs, user, first);
  await signIn(theirs, user, next);
  await theirs.goto('/ho');
  await expect(theirs.locator('table.list tbody tr').first()).toBeVisible();
  await theirs.close();
});
