// What the journeys share: signing in, screenshots, users made through the administrator's page.
const { expect } = require('@playwright/test');
const fs = require('node:fs');
const path = require('node:path');

const SHOTS = path.join(__dirname, '..', '..', 'target', 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
const PASSWORD = process.env.VUONLEN_PASSWORD || 'vuonlen-demo';
const OWN = process.env.VUONLEN_COMMUNE_USER;   // e.g. xa.03910
const OTHER = process.env.VUONLEN_OTHER_COMMUNE_USER;
/** Names made in this run do not clash with an earlier run's on the same registry. */
const RUN = Date.now().toString(36).slice(-5);

async function signIn(page, username, password = PASSWORD) {
  await page.goto('/dang-nhap');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await expect(page.locator('header .user')).toContainText('·');
}

/** Tries to sign in and expects the refusal shown on the sign-in page. */
async function signInRefused(page, username, password) {
  await page.goto('/dang-nhap');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await expect(page.locator('p.error[role=alert]')).toHaveText('Sai tên đăng nhập hoặc mật khẩu');
  await expect(page.locator('header .user')).toHaveCount(0);
}

async function signOut(page) {
  await page.click('header button:has-text("Đăng xuất")');
  await expect(page).toHaveURL(/\/dang-nhap/);
  await expect(page.locator('header .user')).toHaveCount(0);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Adds users through the administrator's page (`/nguoi-dung`), as the demo's `admin`. */
async function addUsers(browser, users) {
  const page = await browser.newPage();
  await signIn(page, 'admin');
  await page.click('header nav a:has-text("Người dùng")');
  await expect(page).toHaveURL(/\/nguoi-dung$/);
  const form = page.locator('form[action="/nguoi-dung"]');
  for (const u of users) {
    await form.locator('input[name=username]').fill(u.username);
    await form.locator('input[name=display_name]').fill(u.name || u.username);
    await form.locator('select[name=role]').selectOption(u.role);
    await form.locator('input[name=unit]').fill(u.unit || '');
    await form.locator('input[name=password]').fill(u.password || PASSWORD);
    await form.locator('button[type=submit]').click();
    await expect(page.locator('p.ok[role=status]')).toHaveText(`Đã thêm ${u.username}`);
    await expect(page.locator(`table[data-testid=users] td:text-is("${u.username}")`)).toHaveCount(1);
  }
  await page.close();
}

module.exports = { PASSWORD, OWN, OTHER, RUN, signIn, signInRefused, signOut, shot, addUsers };
