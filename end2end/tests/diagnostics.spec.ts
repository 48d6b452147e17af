import { test, expect } from '@playwright/test';
import { openLive } from './helpers';

test('the diagnostics page shows events as they arrive', async ({ page, request }) => {
  await openLive(page, '/sse-test');
  await expect(page.locator('.conn-id')).toHaveText(/^c\d+$/);
  const message = `probe ${Date.now()}`;
  const resp = await request.post('/api/events/broadcast', {
    data: { type: 'notification', data: { level: 'info', message } },
  });
  const { event_id } = await resp.json();
  const logged = page.locator('.log-row', { hasText: message });
  await expect(logged).toBeVisible();
  await expect(logged.locator('td').nth(1)).toHaveText(String(event_id));
  await expect(logged.locator('td').nth(2)).toHaveText('notification');

  // The form broadcasts too, and a bad payload is refused inline.
  await page.getByLabel('Data (JSON)').fill('{"level": "success", "message": "from the form"}');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('.log-row', { hasText: 'from the form' })).toBeVisible();
  await page.getByLabel('Data (JSON)').fill('{"level": "loud", "message": "x"}');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('.diagnostics .error')).toContainText('unknown variant');

  // Disconnect and connect again.
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.locator('.conn-state')).toHaveText('offline');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.locator('.conn-state')).toHaveText('open');
});
